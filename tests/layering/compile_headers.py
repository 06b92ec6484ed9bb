#!/usr/bin/env python3
"""Compiles each installed header alone, as an application would include it: no macro of the
library's own build, only the include folders an installed tree has.

Usage: compile_headers.py INCLUDE_DIR GENERATED_INCLUDE_DIR COMPILER [ARG...]"""
import concurrent.futures
import os
import pathlib
import subprocess
import sys


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
    print(f"{len(headers) - failed} of {len(headers)} headers compile alone")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
