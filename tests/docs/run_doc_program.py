#!/usr/bin/env python3
"""Runs a documentation page's program against DynamoDB Local, as its reader would.

Usage: run_doc_program.py --dynomite EXE --program EXE [--page PAGE.md] [--generate ARGS]
                          [--migrations DIR] [--namespace NS] [--expect TEXT]...

In a fresh working folder it first creates the tables the page asks for, with the `dynomite`
command: the migrations the page shows (each ```json block followed by "Save it as `PATH`" is
written to PATH), the one `dynomite generate migration ARGS` writes, or those of DIR; then
`dynomite migrate`.
Then it runs the program and fails unless the program exits 0 and prints every TEXT.
Needs DYNOMITE_ENDPOINT; exits 77 (skipped) without it.
"""

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

JSON_BLOCK = re.compile(r"^```json[ \t]*\n(?P<body>.*?)^```[ \t]*\n(?P<after>(?:[ \t]*\n)*.*)$",
                        re.MULTILINE | re.DOTALL)
SAVE_AS = re.compile(r"^Save it as `(?P<path>[^`]+)`")


class DocError(Exception):
    pass


def page_migrations(page_text):
    """The (path, JSON text) of each migration the page tells its reader to save."""
    found = []
    for match in JSON_BLOCK.finditer(page_text):
        after = match.group("after").lstrip("\n")
        save = SAVE_AS.match(after)
        if save:
            found.append((save.group("path"), match.group("body")))
    return found


def run(command, cwd, what):
    print("$ " + shlex.join(command), flush=True)
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, check=False)
    print(done.stdout, end="", flush=True)
    if done.returncode != 0:
        raise DocError(f"{what} failed with exit status {done.returncode}")
    return done.stdout


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dynomite", required=True)
    parser.add_argument("--program", required=True)
    parser.add_argument("--page")
    parser.add_argument("--generate", help="arguments of `dynomite generate migration`")
    parser.add_argument("--migrations", help="a folder of migrations to apply")
    parser.add_argument("--namespace")
    parser.add_argument("--expect", action="append", default=[])
    args = parser.parse_args(argv)
    if not os.environ.get("DYNOMITE_ENDPOINT"):
        print("DYNOMITE_ENDPOINT is not set: no DynamoDB to run the program against")
        return 77
    dynomite = os.path.abspath(args.dynomite)
    namespace = ["--namespace", args.namespace] if args.namespace else []
    try:
        with tempfile.TemporaryDirectory(prefix="doc-program-") as folder:
            migrations = 0
            if args.page:
                with open(args.page, encoding="utf-8") as f:
                    for path, body in page_migrations(f.read()):
                        target = os.path.join(folder, path)
                        os.makedirs(os.path.dirname(target), exist_ok=True)
                        with open(target, "w", encoding="utf-8") as out:
                            out.write(body)
                        migrations += 1
                if migrations == 0:
                    raise DocError(f"{args.page} shows no migration to save")
            if args.migrations:
                shutil.copytree(args.migrations, os.path.join(folder, "dynamodb", "migrate"),
                                dirs_exist_ok=True)
                migrations += len(os.listdir(args.migrations))
            if args.generate:
                run([dynomite, "generate", "migration", *shlex.split(args.generate)], folder,
                    "dynomite generate migration")
                migrations += 1
            if migrations:
                run([dynomite, "migrate", *namespace], folder, "dynomite migrate")
            output = run([os.path.abspath(args.program)], folder, "the program")
            missing = [text for text in args.expect if text not in output]
            if missing:
                raise DocError("the program's output lacks " + ", ".join(map(repr, missing)))
    except DocError as e:
        print(f"run_doc_program: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
