#!/usr/bin/env python3
"""Extracts the ```cpp blocks of a Markdown file into one C++ translation unit.

Usage: doc_samples.py INPUT.md OUTPUT.cpp

The blocks are concatenated in the order they appear, each preceded by a #line directive so
that compiler messages point into the Markdown file. A file without any ```cpp block gives
a translation unit with no declarations. Fails when a block is never closed.
"""

import os
import re
import sys

OPENING = re.compile(r"^(?P<indent>[ \t]*)```cpp[ \t]*$")
CLOSING = re.compile(r"^[ \t]*```[ \t]*$")


class UnclosedBlock(Exception):
    pass


def extract_blocks(lines):
    """Yields (first line number, lines) for each ```cpp block; numbers start at 1."""
    block = None
    indent = ""
    first_line = 0
    opening_line = 0
    for number, line in enumerate(lines, start=1):
        if block is None:
            match = OPENING.match(line)
            if match:
                block = []
                indent = match.group("indent")
                first_line = number + 1
                opening_line = number
            continue
        if CLOSING.match(line):
            yield first_line, block
            block = None
            continue
        # Blocks nested in a list item are indented like their fence.
        block.append(line[len(indent):] if line.startswith(indent) else line)
    if block is not None:
        raise UnclosedBlock(f"the ```cpp block opened on line {opening_line} is never closed")


def translation_unit(markdown_text, display_name):
    quoted = display_name.replace("\\", "\\\\").replace('"', '\\"')
    out = [f"// Generated from {display_name}: its ```cpp blocks, in order.\n"]
    for first_line, block in extract_blocks(markdown_text.splitlines()):
        out.append(f'#line {first_line} "{quoted}"\n')
        out.extend(line + "\n" for line in block)
    return "".join(out)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: doc_samples.py INPUT.md OUTPUT.cpp\n")
        return 2
    source, target = argv[1], argv[2]
    with open(source, encoding="utf-8") as f:
        text = f.read()
    try:
        generated = translation_unit(text, os.path.abspath(source))
    except UnclosedBlock as e:
        sys.stderr.write(f"{source}: {e}\n")
        return 1
    with open(target, "w", encoding="utf-8") as f:
        f.write(generated)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
