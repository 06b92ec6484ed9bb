#!/usr/bin/env python3
"""Extracts the ```cpp blocks of a Markdown file into C++ translation units.

Usage: doc_samples.py INPUT.md OUTPUT.cpp [PROGRAM.cpp]

A block that defines `int main(` is a whole program: it goes alone into PROGRAM.cpp, which is
built as an executable and run by the tests. Every other block goes into OUTPUT.cpp, in the
order they appear. Each block is preceded by a #line directive so that compiler messages point
into the Markdown file. A file without any such block gives a translation unit with no
declarations. Fails when a block is never closed, when the page has a program but no
PROGRAM.cpp is named (or the reverse), or when it has more than one program.
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


MAIN = re.compile(r"^\s*int\s+main\s*\(")


class ProgramMismatch(Exception):
    pass


def is_program(block):
    return any(MAIN.match(line) for line in block)


def translation_units(markdown_text, display_name):
    """Returns (the page's translation unit, its program or None)."""
    quoted = display_name.replace("\\", "\\\\").replace('"', '\\"')
    samples = [f"// Generated from {display_name}: its ```cpp blocks, in order.\n"]
    programs = []
    for first_line, block in extract_blocks(markdown_text.splitlines()):
        out = [f"// Generated from {display_name}: its program.\n"] if is_program(block) else samples
        out.append(f'#line {first_line} "{quoted}"\n')
        out.extend(line + "\n" for line in block)
        if out is not samples:
            programs.append("".join(out))
    if len(programs) > 1:
        raise ProgramMismatch(f"{len(programs)} blocks define main(); a page may hold one program")
    return "".join(samples), (programs[0] if programs else None)


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write("usage: doc_samples.py INPUT.md OUTPUT.cpp [PROGRAM.cpp]\n")
        return 2
    source, target = argv[1], argv[2]
    program_target = argv[3] if len(argv) == 4 else None
    with open(source, encoding="utf-8") as f:
        text = f.read()
    try:
        samples, program = translation_units(text, os.path.abspath(source))
        if program is not None and program_target is None:
            raise ProgramMismatch("a block defines main(), but the build names no program for"
                                  " this page (examples/meson.build, doc_programs)")
        if program is None and program_target is not None:
            raise ProgramMismatch("the build expects a program, but no block defines main()")
    except (UnclosedBlock, ProgramMismatch) as e:
        sys.stderr.write(f"{source}: {e}\n")
        return 1
    with open(target, "w", encoding="utf-8") as f:
        f.write(samples)
    if program_target is not None:
        with open(program_target, "w", encoding="utf-8") as f:
            f.write(program)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
