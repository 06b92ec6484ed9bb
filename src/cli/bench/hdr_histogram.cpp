#include "bench/hdr_histogram.hpp"
#include "bench/bench_error.hpp"

#include <dynomite/core/attribute_value.hpp>

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace dynomite::cli::bench {

namespace {

// HdrHistogram's layout for 3 significant digits and a lowest discernible value of 1: 2048
// sub-buckets (2 * 10^3 rounded up to a power of two), the upper half of each bucket stored.
constexpr int sub_bucket_half_count_magnitude = 10;
constexpr std::int64_t sub_bucket_half_count = 1 << sub_bucket_half_count_magnitude;
constexpr std::int64_t sub_bucket_mask = 2 * sub_bucket_half_count - 1;
constexpr int leading_zero_count_base = 64 - sub_bucket_half_count_magnitude - 1;

constexpr std::int32_t encoding_cookie = 0x1c849303 | 0x10;
constexpr std::int32_t compressed_encoding_cookie = 0x1c849304 | 0x10;
constexpr std::size_t encoding_header_size = 40;

int bucket_of(std::int64_t value) noexcept
{
    return leading_zero_count_base -
           std::countl_zero(static_cast<std::uint64_t>(value | sub_bucket_mask));
}

std::int64_t equivalent_range_size(std::int64_t value) noexcept
{
    return std::int64_t{1} << bucket_of(value);
}

void put_be32(std::vector<std::byte>& out, std::uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::byte((v >> shift) & 0xff));
}

void put_be64(std::vector<std::byte>& out, std::uint64_t v)
{
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(std::byte((v >> shift) & 0xff));
}

std::uint64_t get_be(std::span<const std::byte> data, std::size_t at, int bytes)
{
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | std::to_integer<std::uint64_t>(data[at + i]);
    return v;
}

// ZigZag, then LEB128 of at most 9 bytes, the ninth holding 8 bits (HdrHistogram's
// ZigZagEncoding).
void put_zigzag(std::vector<std::byte>& out, std::int64_t value)
{
    auto v = (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
    for (int i = 0; i < 8; ++i) {
        if ((v >> 7) == 0) {
            out.push_back(std::byte(v));
            return;
        }
        out.push_back(std::byte((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(std::byte(v & 0xff));
}

bool get_zigzag(std::span<const std::byte> data, std::size_t& at, std::int64_t& value)
{
    std::uint64_t v = 0;
    for (int i = 0; i < 9; ++i) {
        if (at >= data.size()) return false;
        auto b = std::to_integer<std::uint64_t>(data[at++]);
        if (i == 8) {
            v |= b << 56;
            break;
        }
        v |= (b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) break;
    }
    value = static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
    return true;
}

}  // namespace

std::size_t hdr_histogram::index_of(std::int64_t value) noexcept
{
    int bucket = bucket_of(value);
    std::int64_t sub_bucket = value >> bucket;
    return static_cast<std::size_t>(
        ((std::int64_t{bucket} + 1) << sub_bucket_half_count_magnitude) +
        (sub_bucket - sub_bucket_half_count));
}

std::int64_t hdr_histogram::value_at_index(std::size_t index) noexcept
{
    auto i = static_cast<std::int64_t>(index);
    std::int64_t bucket = (i >> sub_bucket_half_count_magnitude) - 1;
    std::int64_t sub_bucket = (i & (sub_bucket_half_count - 1)) + sub_bucket_half_count;
    if (bucket < 0) {
        sub_bucket -= sub_bucket_half_count;
        bucket = 0;
    }
    return sub_bucket << bucket;
}

std::int64_t hdr_histogram::lowest_equivalent(std::int64_t value) noexcept
{
    int bucket = bucket_of(value);
    return (value >> bucket) << bucket;
}

std::int64_t hdr_histogram::highest_equivalent(std::int64_t value) noexcept
{
    return lowest_equivalent(value) + equivalent_range_size(value) - 1;
}

void hdr_histogram::record(std::int64_t value, std::uint64_t count)
{
    if (count == 0) return;
    value = std::clamp<std::int64_t>(value, 0, highest_trackable);
    std::size_t index = index_of(value);
    if (index >= counts_.size()) counts_.resize(index + 1);
    counts_[index] += count;
    total_ += count;
    if (value != 0 && (min_ == 0 || value < min_)) min_ = value;
    max_ = std::max(max_, value);
}

void hdr_histogram::merge(const hdr_histogram& other)
{
    if (other.counts_.size() > counts_.size()) counts_.resize(other.counts_.size());
    for (std::size_t i = 0; i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    if (other.min_ != 0 && (min_ == 0 || other.min_ < min_)) min_ = other.min_;
    max_ = std::max(max_, other.max_);
}

void hdr_histogram::reset()
{
    std::fill(counts_.begin(), counts_.end(), 0);
    total_ = 0;
    min_ = 0;
    max_ = 0;
}

std::int64_t hdr_histogram::min() const noexcept
{
    if (total_ == 0 || counts_[0] > 0) return 0;
    return lowest_equivalent(min_);
}

std::int64_t hdr_histogram::max() const noexcept
{
    return max_ == 0 ? 0 : highest_equivalent(max_);
}

std::int64_t hdr_histogram::value_at_percentile(double percentile) const noexcept
{
    double requested = std::clamp(std::nextafter(percentile, -INFINITY), 0.0, 100.0);
    auto wanted =
        static_cast<std::uint64_t>(std::ceil(requested / 100.0 * static_cast<double>(total_)));
    wanted = std::max<std::uint64_t>(wanted, 1);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= wanted) {
            std::int64_t value = value_at_index(i);
            return percentile == 0.0 ? lowest_equivalent(value) : highest_equivalent(value);
        }
    }
    return 0;
}

std::uint64_t hdr_histogram::count_at_value(std::int64_t value) const noexcept
{
    std::size_t index = index_of(std::clamp<std::int64_t>(value, 0, highest_trackable));
    return index < counts_.size() ? counts_[index] : 0;
}

bool hdr_histogram::operator==(const hdr_histogram& other) const noexcept
{
    std::size_t n = std::max(counts_.size(), other.counts_.size());
    for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t a = i < counts_.size() ? counts_[i] : 0;
        std::uint64_t b = i < other.counts_.size() ? other.counts_[i] : 0;
        if (a != b) return false;
    }
    return total_ == other.total_;
}

std::vector<std::byte> hdr_histogram::encode_compressed() const
{
    std::vector<std::byte> plain;
    put_be32(plain, static_cast<std::uint32_t>(encoding_cookie));
    put_be32(plain, 0);  // payload length, set below
    put_be32(plain, 0);  // normalizing index offset
    put_be32(plain, significant_digits);
    put_be64(plain, lowest_discernible);
    put_be64(plain, highest_trackable);
    put_be64(plain, std::bit_cast<std::uint64_t>(1.0));  // integer to double ratio
    std::size_t limit = std::min(index_of(max_) + 1, std::max<std::size_t>(counts_.size(), 1));
    for (std::size_t i = 0; i < limit;) {
        std::uint64_t count = i < counts_.size() ? counts_[i] : 0;
        ++i;
        if (count == 0) {
            std::int64_t zeros = 1;
            while (i < limit && counts_[i] == 0) {
                ++zeros;
                ++i;
            }
            put_zigzag(plain, zeros > 1 ? -zeros : 0);
        } else {
            put_zigzag(plain, static_cast<std::int64_t>(count));
        }
    }
    auto payload = static_cast<std::uint32_t>(plain.size() - encoding_header_size);
    for (int b = 0; b < 4; ++b) plain[4 + b] = std::byte((payload >> (24 - 8 * b)) & 0xff);

    uLongf compressed_size = compressBound(static_cast<uLong>(plain.size()));
    std::vector<std::byte> out;
    put_be32(out, static_cast<std::uint32_t>(compressed_encoding_cookie));
    put_be32(out, 0);
    out.resize(8 + compressed_size);
    compress2(reinterpret_cast<Bytef*>(out.data() + 8), &compressed_size,
              reinterpret_cast<const Bytef*>(plain.data()), static_cast<uLong>(plain.size()),
              Z_DEFAULT_COMPRESSION);
    out.resize(8 + compressed_size);
    for (int b = 0; b < 4; ++b) {
        out[4 + b] = std::byte((compressed_size >> (24 - 8 * b)) & 0xff);
    }
    return out;
}

error_code hdr_histogram::decode_compressed(std::span<const std::byte> data, hdr_histogram& out,
                                            std::string& why)
{
    if (data.size() < 8) return invalid(why, "histogram: shorter than its 8-byte header");
    auto cookie = static_cast<std::uint32_t>(get_be(data, 0, 4));
    if ((cookie & ~0xf0u) != 0x1c849304u) {
        char text[64];
        std::snprintf(text, sizeof text,
                      "histogram: cookie 0x%08x is not 0x1c849304 (V2, compressed)", cookie);
        return invalid(why, text);
    }
    auto compressed_size = get_be(data, 4, 4);
    if (compressed_size > data.size() - 8) {
        return invalid(why, "histogram: compressed length beyond the data");
    }
    // The V2 encoding of this layout never exceeds 40 bytes plus 9 per count.
    std::vector<std::byte> plain(encoding_header_size + 9 * 40'000);
    uLongf plain_size = plain.size();
    int z = uncompress(reinterpret_cast<Bytef*>(plain.data()), &plain_size,
                       reinterpret_cast<const Bytef*>(data.data() + 8),
                       static_cast<uLong>(compressed_size));
    if (z != Z_OK) return invalid(why, "histogram: the zlib stream does not inflate");
    plain.resize(plain_size);
    if (plain.size() < encoding_header_size) {
        return invalid(why, "histogram: shorter than its 40-byte V2 header");
    }
    auto inner = static_cast<std::uint32_t>(get_be(plain, 0, 4));
    if ((inner & ~0xf0u) != 0x1c849303u) return invalid(why, "histogram: not a V2 encoding");
    auto payload = get_be(plain, 4, 4);
    auto offset = get_be(plain, 8, 4);
    auto digits = get_be(plain, 12, 4);
    auto lowest = get_be(plain, 16, 8);
    if (payload > plain.size() - encoding_header_size) {
        return invalid(why, "histogram: payload length beyond the data");
    }
    if (offset != 0) return invalid(why, "histogram: a normalizing index offset is not supported");
    if (digits != significant_digits || lowest != lowest_discernible) {
        return invalid(why, "histogram: expected 3 significant digits and lowest value 1, got " +
                                std::to_string(digits) + " and " + std::to_string(lowest));
    }
    hdr_histogram h;
    const std::size_t capacity = index_of(highest_trackable) + 1;
    std::size_t index = 0;
    std::size_t at = encoding_header_size;
    const std::size_t end = encoding_header_size + payload;
    auto body = std::span<const std::byte>(plain).first(end);
    while (at < end) {
        std::int64_t count = 0;
        if (!get_zigzag(body, at, count)) return invalid(why, "histogram: truncated count");
        if (count < 0) {
            index += static_cast<std::size_t>(-count);
            continue;
        }
        if (index >= capacity) return invalid(why, "histogram: a value beyond one hour");
        if (count > 0) h.record(value_at_index(index), static_cast<std::uint64_t>(count));
        ++index;
    }
    out = std::move(h);
    return {};
}

std::string hdr_histogram::to_base64() const
{
    auto encoded = encode_compressed();
    return base64_encode(bytes(encoded.begin(), encoded.end()));
}

error_code hdr_histogram::from_base64(std::string_view text, hdr_histogram& out, std::string& why)
{
    bytes data;
    if (base64_decode(text, data)) return invalid(why, "histogram: not base64");
    return decode_compressed(data, out, why);
}

std::vector<spectrum_point> percentile_spectrum(const hdr_histogram& h, int ticks_per_half)
{
    std::vector<spectrum_point> points;
    const std::uint64_t total = h.count();
    if (total == 0) return points;
    double level = 0;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; seen < total; ++i) {
        std::int64_t value = hdr_histogram::value_at_index(i);
        std::uint64_t count = h.count_at_value(value);
        if (count == 0 || hdr_histogram::index_of(value) != i) continue;
        seen += count;
        double reached = 100.0 * static_cast<double>(seen) / static_cast<double>(total);
        while (reached >= level) {
            points.push_back({level, hdr_histogram::highest_equivalent(value), seen});
            if (seen == total) break;
            // HdrHistogram's PercentileIterator: ticks double each time the distance to 100
            // halves.
            auto halvings =
                static_cast<std::int64_t>(std::log(100.0 / (100.0 - level)) / std::log(2));
            auto ticks = ticks_per_half * static_cast<std::int64_t>(std::pow(2, halvings + 1));
            level += 100.0 / static_cast<double>(ticks);
        }
    }
    points.push_back({100.0, h.max(), total});
    return points;
}

interval_log_writer::interval_log_writer(std::int64_t start_unix_ms)
{
    std::time_t seconds = static_cast<std::time_t>(start_unix_ms / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char date[64];
    std::strftime(date, sizeof date, "%a %b %d %H:%M:%S UTC %Y", &utc);
    char line[256];
    double start = static_cast<double>(start_unix_ms) / 1000.0;
    text_ += "#[Histogram log format version 1.3]\n";
    std::snprintf(line, sizeof line, "#[StartTime: %.3f (seconds since epoch), %s]\n", start, date);
    text_ += line;
    std::snprintf(line, sizeof line, "#[BaseTime: %.3f (seconds since epoch)]\n", start);
    text_ += line;
    text_ +=
        "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_"
        "Histogram\"\n";
}

void interval_log_writer::add(double start_s, double length_s, const hdr_histogram& interval)
{
    char line[96];
    // The maximum in milliseconds: HistogramLogWriter's default unit ratio for nanoseconds.
    std::snprintf(line, sizeof line, "%.3f,%.3f,%.3f,", start_s, length_s,
                  static_cast<double>(interval.max()) / 1e6);
    text_ += line;
    text_ += interval.to_base64();
    text_ += '\n';
}

}  // namespace dynomite::cli::bench
