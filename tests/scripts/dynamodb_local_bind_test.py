#!/usr/bin/env python3
"""scripts/dynamodb-local start tries another port when DynamoDB Local could not bind its port
but stayed alive, as a JVM whose main thread died may: a stand-in `java` first in PATH does
that on its first launch of DynamoDBLocal.jar and runs the real java otherwise. The start must
stop that process, succeed on another port within one attempt's time, and say why."""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "dynamodb-local"

STAND_IN = """#!/bin/sh
case "$*" in
*DynamoDBLocal.jar*)
    if [ ! -e "$BIND_TEST_MARK" ]; then
        echo $$ > "$BIND_TEST_MARK"
        echo 'Exception in thread "main" java.io.IOException: Failed to bind to 0.0.0.0/0.0.0.0:1'
        echo 'Caused by: java.net.BindException: Address already in use'
        exec sleep 300
    fi
    ;;
esac
exec {java} "$@"
"""


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is as good as gone.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


def main():
    java = shutil.which("java")
    if java is None:
        print("SKIP: java is not installed (scripts/setup installs it)")
        sys.exit(77)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        bin_dir = pathlib.Path(tmp) / "bin"
        bin_dir.mkdir()
        stand_in = bin_dir / "java"
        stand_in.write_text(STAND_IN.format(java=java))
        stand_in.chmod(0o755)
        mark = pathlib.Path(tmp) / "first-launch.pid"
        env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}",
                   XDG_RUNTIME_DIR=str(pathlib.Path(tmp) / "run"), BIND_TEST_MARK=str(mark))
        began = time.monotonic()
        start = subprocess.run([str(SCRIPT), "start"], env=env, capture_output=True, text=True,
                               stdin=subprocess.DEVNULL, timeout=240)
        took = time.monotonic() - began
        endpoint = start.stdout.strip().splitlines()[-1] if start.stdout.strip() else ""
        try:
            if start.returncode != 0:
                failures.append(f"start failed ({start.returncode}): {start.stderr[-2000:]}")
            if not mark.exists():
                failures.append("the stand-in never launched DynamoDB Local")
            elif alive(int(mark.read_text())):
                failures.append("the process that failed to bind was left running")
            if "trying another" not in start.stderr:
                failures.append(f"the start did not say it retried: {start.stderr[-2000:]}")
            if took >= 60:
                failures.append(f"the start waited out its timeout ({took:.0f} s)")
            if start.returncode == 0:
                request = urllib.request.Request(endpoint, method="POST", data=b"{}", headers={
                    "X-Amz-Target": "DynamoDB_20120810.ListTables",
                    "Content-Type": "application/x-amz-json-1.0"})
                try:
                    urllib.request.urlopen(request, timeout=10)
                except urllib.error.HTTPError as answered:
                    pass  # unsigned, so refused: but DynamoDB Local answered
                except OSError as error:
                    failures.append(f"{endpoint} does not answer: {error}")
        finally:
            if mark.exists() and alive(int(mark.read_text())):
                os.kill(int(mark.read_text()), 9)
            if start.returncode == 0:
                port = endpoint.rsplit(":", 1)[-1]
                subprocess.run([str(SCRIPT), "stop", port], env=env, capture_output=True)
    for failure in failures:
        print(failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
