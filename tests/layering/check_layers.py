#!/usr/bin/env python3
"""Checks that each layer of the library includes only its own headers and those of the layers
below it, in src/LAYER/ (private headers, named "LAYER/x.hpp") and include/dynomite/LAYER/
(public headers, named <dynomite/LAYER/x.hpp>). The order is src/meson.build's.

Usage: check_layers.py ROOT. Exit status 1 lists every upward include; 0 prints a summary."""
import pathlib
import re
import sys

LAYERS = ["core", "protocol", "expr", "transport", "auth", "client", "query", "model",
          "migration", "observability", "cli"]
RANK = {name: i for i, name in enumerate(LAYERS)}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def layer_of_include(path: str, quoted: bool):
    """The layer an include names, or None for the standard library, Boost and OpenSSL."""
    parts = path.split("/")
    if parts[0] == "dynomite" and len(parts) > 2 and parts[1] in RANK:
        return parts[1]
    if parts[0] == "dynomite" and len(parts) == 2:
        return "umbrella"
    if quoted and parts[0] in RANK and len(parts) > 1:
        return parts[0]
    return None


def umbrella_layer(root: pathlib.Path, name: str, seen=()):
    """A top-level header (<dynomite/model.hpp>) belongs to the highest layer it includes."""
    path = root / "include" / name
    if not path.is_file() or name in seen:
        return None
    best = None
    for match in INCLUDE.finditer(path.read_text(encoding="utf-8")):
        inner = match.group(2)
        target = layer_of_include(inner, match.group(1) == '"')
        if target == "umbrella":
            target = umbrella_layer(root, inner, seen + (name,))
        if target is not None and (best is None or RANK[target] > RANK[best]):
            best = target
    return best


def files_of(root: pathlib.Path):
    for layer in LAYERS:
        for folder in (root / "src" / layer, root / "include" / "dynomite" / layer):
            if folder.is_dir():
                for f in sorted(folder.rglob("*")):
                    if f.suffix in (".cpp", ".hpp"):
                        yield layer, f


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[1])
    if not (root / "src").is_dir():
        print(f"check_layers.py: {root}/src is not a folder", file=sys.stderr)
        return 2
    problems = []
    checked = 0
    for layer, path in files_of(root):
        checked += 1
        text = path.read_text(encoding="utf-8")
        for match in INCLUDE.finditer(text):
            quoted, name = match.group(1) == '"', match.group(2)
            target = layer_of_include(name, quoted)
            if target == "umbrella":
                target = umbrella_layer(root, name)
            if target is None:
                continue
            line = text.count("\n", 0, match.start()) + 1
            where = f"{path.relative_to(root)}:{line}"
            if RANK[target] > RANK[layer]:
                problems.append(f"{where}: layer '{layer}' includes '{name}' from layer "
                                f"'{target}', which is above it (order: {' < '.join(LAYERS)})")
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} upward include(s) in {checked} files", file=sys.stderr)
        return 1
    print(f"{checked} files of {len(LAYERS)} layers include only their own layer and those below")
    return 0


if __name__ == "__main__":
    sys.exit(main())
