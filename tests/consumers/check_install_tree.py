#!/usr/bin/env python3
"""Checks that a `meson install --destdir` tree of Dynomite holds what an application needs and
nothing else.

Usage: check_install_tree.py STAGE PREFIX LIBDIR

STAGE is the destdir, PREFIX the configured prefix (e.g. /usr/local), LIBDIR the libdir
relative to it. Fails, naming each problem, when the tree holds a file outside the expected set
(a test or example program, a private header, a static helper library), when an expected file
is missing, or when an installed header includes a Dynomite header that is not installed, or
that only the sources include (a detail header no public header reaches).
"""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"](dynomite/[^>"]+)[>"]', re.MULTILINE)


def installed_files(root):
    found = []
    for folder, _, names in os.walk(root):
        for name in names:
            found.append(os.path.relpath(os.path.join(folder, name), root))
    return sorted(found)


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    stage, prefix, libdir = argv
    root = os.path.join(stage, prefix.lstrip("/"))
    if not os.path.isdir(root):
        print(f"check_install_tree: no installed tree at {root}", file=sys.stderr)
        return 1
    files = installed_files(root)
    problems = []
    expected = {
        "bin/dynomite",
        f"{libdir}/pkgconfig/dynomite.pc",
        f"{libdir}/cmake/dynomite/dynomiteConfig.cmake",
        f"{libdir}/cmake/dynomite/dynomiteConfigVersion.cmake",
        "include/dynomite/version.hpp",
        "include/dynomite/client.hpp",
        "share/doc/dynomite/LICENSE",
        "share/doc/dynomite/CHANGELOG.md",
    }
    library = re.compile(re.escape(libdir) + r"/libdynomite\.(so(\.[0-9]+)*|a)$")
    headers = []
    for path in files:
        if path.startswith("include/dynomite/") and path.endswith(".hpp"):
            headers.append(path[len("include/"):])
        elif path not in expected and not library.match(path):
            problems.append(f"unexpected file {path}")
    for path in sorted(expected):
        if path not in files:
            problems.append(f"missing {path}")
    if not any(library.match(path) for path in files):
        problems.append(f"no libdynomite in {libdir}")

    # Every installed header must be reachable from the public (non-detail) ones, and every
    # Dynomite header they include must be installed.
    installed = set(headers)
    reached = set()
    pending = [h for h in headers if "/detail/" not in h]
    while pending:
        header = pending.pop()
        if header in reached:
            continue
        reached.add(header)
        with open(os.path.join(root, "include", header), encoding="utf-8") as f:
            for included in INCLUDE.findall(f.read()):
                if included not in installed:
                    problems.append(f"{header} includes {included}, which is not installed")
                else:
                    pending.append(included)
    for header in sorted(installed - reached):
        problems.append(f"private header installed: {header} (no public header includes it)")

    for problem in problems:
        print(f"check_install_tree: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"check_install_tree: {len(files)} files, {len(headers)} headers, as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
