#!/usr/bin/env python3
"""Reads an HdrHistogram interval log with Python's zlib and struct, independently of the
C++ decoder, and prints each interval as "start length max_ms total value:count ...", where
value is the lowest value of the bucket, computed from HdrHistogram's documented layout."""
import base64
import re
import struct
import sys
import zlib


def zigzag_leb128(data, at):
    value = 0
    for i in range(9):
        byte = data[at]
        at += 1
        if i == 8:
            value |= byte << 56
            break
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            break
    return (value >> 1) ^ -(value & 1), at


def decode(text):
    raw = base64.b64decode(text, validate=True)
    cookie, length = struct.unpack(">ii", raw[:8])
    assert cookie & ~0xF0 == 0x1C849304, hex(cookie)
    plain = zlib.decompress(raw[8:8 + length])
    cookie, payload, offset, digits, lowest, highest, ratio = struct.unpack(">iiiiqqd", plain[:40])
    assert cookie & ~0xF0 == 0x1C849303, hex(cookie)
    assert (offset, digits, lowest, ratio) == (0, 3, 1, 1.0)
    # 2 * 10^digits rounded up to a power of two sub-buckets; the upper half of each bucket.
    half_magnitude = (2 * 10 ** digits - 1).bit_length() - 1
    half = 1 << half_magnitude
    counts = {}
    index, at = 0, 40
    while at < 40 + payload:
        count, at = zigzag_leb128(plain, at)
        if count < 0:
            index += -count
            continue
        if count:
            bucket = (index >> half_magnitude) - 1
            sub = (index & (half - 1)) + half
            if bucket < 0:
                sub -= half
                bucket = 0
            counts[sub << bucket] = count
        index += 1
    return counts


def main(path):
    with open(path) as log:
        lines = log.read().splitlines()
    assert lines[0] == "#[Histogram log format version 1.3]", lines[0]
    assert re.fullmatch(r"#\[StartTime: \d+\.\d{3} \(seconds since epoch\), .+\]", lines[1])
    assert re.fullmatch(r"#\[BaseTime: \d+\.\d{3} \(seconds since epoch\)\]", lines[2])
    assert lines[3] == '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"'
    for line in lines[4:]:
        start, length, maximum, histogram = line.split(",")
        counts = decode(histogram)
        pairs = " ".join(f"{v}:{c}" for v, c in sorted(counts.items()))
        print(start, length, maximum, sum(counts.values()), pairs)


if __name__ == "__main__":
    main(sys.argv[1])
