#!/usr/bin/env python3
"""Checks that a `meson install --destdir` tree of Dynomite holds what an application needs and
nothing else.

Usage: check_install_tree.py STAGE PREFIX LIBDIR

STAGE is the destdir, PREFIX the configured prefix (e.g. /usr/local), LIBDIR the libdir
relative to it. Fails, naming each problem, when the tree holds a file outside the expected set
(a test or example program, a private header, a static helper library), when an expected file
is missing, or when an installed header includes a Dynomite header that is not installed, or
that only the sources include (a detail header no public header reaches).

It also reads the shared library's dynamic symbols (nm -D): each must be Dynomite's own, but
for what src/dynomite.map shares with the application: the thread-local tops of Asio's call
stacks, which must be there (Asio finds the state of the thread running an io_context in them),
and the functions giving Asio's, Beast's and Boost.JSON's error categories. So no other Asio,
Beast, Boost.JSON or Boost.URL code of the library meets the application's.
"""

import os
import re
import subprocess
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"](dynomite/[^>"]+)[>"]', re.MULTILINE)


def installed_files(root):
    found = []
    for folder, _, names in os.walk(root):
        for name in names:
            found.append(os.path.relpath(os.path.join(folder, name), root))
    return sorted(found)


OWN_SYMBOL = re.compile(
    r"^(typeinfo for |typeinfo name for |vtable for |VTT for |guard variable for |"
    r"(non-)?virtual thunk to |covariant return thunk to |TLS init function for |"
    r"TLS wrapper function for )?dynomite::")
CALL_STACK_TOP = re.compile(
    r"^boost::asio::detail::keyword_tss_ptr<boost::asio::detail::call_stack<(?P<key>.*)>"
    r"::context>::value_$")
ERROR_CATEGORY = re.compile(
    r"^boost::(asio::(ssl::|experimental::)?error::get_[a-z_]+_category\(\)"
    r"|(beast|json)::([a-z]+::)?make_error_(code|condition)\(boost::[a-z:]+\))$")


def export_problems(library):
    """What is wrong with the dynamic symbols the shared library defines."""
    listed = subprocess.run(["nm", "-D", "--defined-only", "-C", library], check=True,
                            stdout=subprocess.PIPE, text=True).stdout
    problems = []
    tops = []
    for line in listed.splitlines():
        parts = line.split(" ", 2)
        if len(parts) < 3:
            continue
        name = parts[2]
        top = CALL_STACK_TOP.match(name)
        if top:
            tops.append(top.group("key"))
        elif not OWN_SYMBOL.match(name) and not ERROR_CATEGORY.match(name):
            problems.append(f"{os.path.basename(library)} exports {name}")
    if not any(key.startswith("boost::asio::detail::thread_context,") for key in tops):
        problems.append(f"{os.path.basename(library)} does not export the top of Asio's "
                        "thread_context call stack")
    return problems


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
    # The Prometheus exporter's library, built when prometheus-cpp is found.
    exporter = re.compile(re.escape(libdir) + r"/libdynomite_prometheus\.(so(\.[0-9]+)*|a)$")
    headers = []
    for path in files:
        if path.startswith("include/dynomite/") and path.endswith(".hpp"):
            headers.append(path[len("include/"):])
        elif path not in expected and not library.match(path) and not exporter.match(path):
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

    shared = [path for path in files if library.match(path) and ".so" in path
              and not os.path.islink(os.path.join(root, path))]
    for path in shared:
        problems.extend(export_problems(os.path.join(root, path)))

    for problem in problems[:30]:
        print(f"check_install_tree: {problem}", file=sys.stderr)
    if len(problems) > 30:
        print(f"check_install_tree: and {len(problems) - 30} more problems", file=sys.stderr)
    if problems:
        return 1
    print(f"check_install_tree: {len(files)} files, {len(headers)} headers, "
          f"{len(shared)} shared library exporting Dynomite's symbols, as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
