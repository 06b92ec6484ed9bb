#!/usr/bin/env python3
"""Compiles each installed header alone, as an application would include it: no macro of the
library's own build, only the include folders an installed tree has.

Usage: compile_headers.py INCLUDE_DIR GENERATED_INCLUDE_DIR COMPILER [ARG...]"""
import concurrent.futures
import os
import pathlib
import re
import subprocess
import sys

INCLUDE = re.compile(r"#include <(dynomite/[^>]+)>")


def forwarded(path: pathlib.Path, include: str):
    """The headers a header only includes, or None when it has code of its own: such a
    forwarder compiles alone when each header it names does, and those are checked anyway."""
    targets = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("//") or line == "#pragma once":
            continue
        match = INCLUDE.fullmatch(line)
        if not match or not pathlib.Path(include, match.group(1)).is_file():
            return None
        targets.append(match.group(1))
    return targets or None


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    include, generated, compiler = sys.argv[1], sys.argv[2], sys.argv[3:]
    headers = [(p, p.relative_to(include)) for p in
               sorted(pathlib.Path(include, "dynomite").rglob("*.hpp"))]
    headers += [(p, p.relative_to(generated)) for p in
                sorted(pathlib.Path(generated, "dynomite").glob("*.hpp"))]
    if not headers:
        print(f"compile_headers.py: no headers under {include}/dynomite", file=sys.stderr)
        return 2
    forwarders = [h for h in headers if forwarded(h[0], include)]
    headers = [h for h in headers if h not in forwarders]

    def compile_one(header):
        name = header[1]
        source = f"#include <{name.as_posix()}>\n"
        done = subprocess.run(compiler + ["-std=c++20", "-fsyntax-only", "-Werror=all",
                                          "-I", include, "-I", generated, "-x", "c++", "-"],
                              input=source, capture_output=True, text=True)
        return name.as_posix(), done.returncode, done.stderr

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for name, status, errors in pool.map(compile_one, headers):
            if status != 0:
                failed += 1
                print(f"FAILED: <{name}> does not compile alone:\n{errors}")
    print(f"{len(headers) - failed} of {len(headers)} headers compile alone; "
          f"{len(forwarders)} more only include checked headers")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
