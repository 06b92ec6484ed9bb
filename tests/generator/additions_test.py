#!/usr/bin/env python3
"""generate_operations.py merges scripts/service-model-additions.json into botocore's model, and
refuses additions that the model already has, naming each of them."""
import json
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "scripts" / "generate_operations.py"
ADDITIONS = ROOT / "scripts" / "service-model-additions.json"


def generate(additions: dict):
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "additions.json"
        path.write_text(json.dumps(additions))
        done = subprocess.run([sys.executable, str(GENERATOR), "--additions", str(path),
                               "--out", str(pathlib.Path(tmp) / "out")],
                              capture_output=True, text=True)
        headers = pathlib.Path(tmp) / "out" / "include/dynomite/protocol/generated"
        text = "".join(h.read_text() for h in sorted(headers.glob("*.hpp")))
        return done.returncode, done.stdout + done.stderr, text


def main():
    failures = []
    real = json.loads(ADDITIONS.read_text())

    code, output, header = generate(real)
    if code != 0 or "struct put_resource_policy_request {" not in header:
        failures.append(f"the additions were not merged: {output}")

    clashing = json.loads(json.dumps(real))
    clashing["operations"]["ListTables"] = {"name": "ListTables"}
    clashing["shapes"]["TableArn"] = {"type": "string"}
    code, output, _ = generate(clashing)
    expected = "the service model already has the operation ListTables, shape TableArn"
    if code == 0 or expected not in output:
        failures.append(f"additions botocore has were accepted (exit {code}): {output}")

    for failure in failures:
        print(failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
