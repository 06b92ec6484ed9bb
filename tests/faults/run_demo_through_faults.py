#!/usr/bin/env python3
"""Runs scripts/demo's steps through the fault-injecting proxy and checks they come out right.

Usage: run_demo_through_faults.py --dynomite EXE --blog EXE --fault-proxy EXE --migrations DIR
                                  [--rate R] [--seed N]

The demo's steps (`dynomite migrate`, `dynomite migrate status`, the blog) run twice in fresh
table namespaces: once straight against DYNOMITE_ENDPOINT, once through the fault proxy (tests/
faults/fault_proxy_main.cpp) which gives a fraction R (default 0.5) of the requests a fault:
throttling, 5xx, connection resets, truncated bodies, bad x-amz-crc32, delays. Both runs have
AWS_MAX_ATTEMPTS=10. The test fails unless the faulty run succeeds, prints what the fault-free
run prints (ids, times, the run id, the retry count, the migrations' notes that they adopted a
table whose creation answer was lost, and the order of comments written in the
same millisecond aside: the first and last comment streamed must be among the earliest and the
latest by created_at), every kind of fault was injected,
and a Scan of each table (botocore, straight to the endpoint) finds the same items in both runs:
no write lost, none applied twice. Needs DYNOMITE_ENDPOINT and /usr/bin/python3's boto3; exits
77 (skipped) without them.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

FAULT_KINDS = ["throughput_exceeded", "throttling", "internal_error", "service_unavailable",
               "reset_before_forward", "reset_after_forward", "truncated_body", "corrupt_crc32",
               "delay"]
TABLES = ["users", "posts", "comments", "schema_migrations"]
MODEL_ID = re.compile(r"\b(?:user|post|comment)-[A-Za-z0-9]{16}\b")
RUN_ID = re.compile(r"\b\d{8}-\d{4}-[a-z0-9]{4}\b")
TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z")
ADOPTED = re.compile(r"an earlier attempt was applied, its answer lost\): adopted$"
                     r"|^Adopted the existing table of ")
ENDPOINT = re.compile(r"https?://[A-Za-z0-9.\-]+:\d+")


class Failure(Exception):
    pass


def boto3_client(endpoint):
    import boto3  # Debian's python3-boto3
    return boto3.client("dynamodb", endpoint_url=endpoint,
                        region_name=os.environ.get("AWS_REGION", "us-east-1"))


def run_step(command, cwd, env):
    """Runs one step and returns its standard output. Its standard error (the library's log
    under DYNOMITE_LOG, which differs between runs) is shown but not compared."""
    done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, check=False, timeout=600)
    print("$ " + " ".join(command), flush=True)
    print(done.stdout, end="", flush=True)
    print(done.stderr, end="", file=sys.stderr, flush=True)
    if done.returncode != 0:
        raise Failure(f"{os.path.basename(command[0])} exited with status {done.returncode}")
    return done.stdout


def run_demo(args, namespace, endpoint, folder):
    """The steps of scripts/demo; returns their output and why they failed (None if not)."""
    env = dict(os.environ, DYNOMITE_ENDPOINT=endpoint, DYNOMITE_NAMESPACE=namespace,
               AWS_MAX_ATTEMPTS="10")
    output = ""
    for command in ([args.dynomite, "migrate", "--path", args.migrations],
                    [args.dynomite, "migrate", "status", "--path", args.migrations],
                    [args.blog]):
        try:
            output += run_step(command, folder, env)
        except Failure as e:
            return output, str(e)
    return output, None


def scan_all(db, table):
    items, start = [], None
    while True:
        page = db.scan(TableName=table, ConsistentRead=True,
                       **({"ExclusiveStartKey": start} if start else {}))
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def id_names(tables):
    """Each model id named by what it identifies, so that two runs' random ids compare."""
    names = {}
    for item in tables["users"]:
        names[item["id"]["S"]] = "user<" + item["name"]["S"] + ">"
    for item in tables["posts"]:
        names[item["id"]["S"]] = "post<" + item["title"]["S"] + ">"
    return names


def stream_ends(tables):
    """The bodies the blog may print as the first and the last comment it streams: those of
    the popular post with the earliest and the latest created_at (milliseconds, so ties)."""
    popular = {item["id"]["S"] for item in tables["posts"]
               if item["title"]["S"].startswith("Hello, DynamoDB!")}  # the demo edits it
    comments = [(item["created_at"]["S"], item["body"]["S"]) for item in tables["comments"]
                if item["post_id"]["S"] in popular]
    if not comments:
        return set(), set()
    earliest, latest = min(comments)[0], max(comments)[0]
    return ({body for at, body in comments if at == earliest},
            {body for at, body in comments if at == latest})


def normalize_stream_ends(text, tables):
    """"first: <body>" and "last: <body>" as what they should be, when the body is one of them."""
    first, last = stream_ends(tables)
    out = []
    for line in text.splitlines():
        label, _, body = line.strip().partition(":")
        body = body.strip()
        if label == "first" and body in first:
            line = "first: <a comment written first>"
        elif label == "last" and body in last:
            line = "last: <a comment written last>"
        out.append(line)
    return "\n".join(out)


def normalize_text(text, namespace, names):
    # `dynomite migrate` says so when it adopts a table whose CreateTable answer was lost.
    text = "\n".join(line for line in text.splitlines() if not ADOPTED.search(line))
    text = MODEL_ID.sub(lambda m: names.get(m.group(0), "ID"), text)
    text = RUN_ID.sub("RUN", text)
    text = TIMESTAMP.sub("TIME", text)
    text = ENDPOINT.sub("ENDPOINT", text)
    text = text.replace(namespace + "_", "NS_")
    text = re.sub(r"\b\d+ ms\b", "N ms", text)
    text = re.sub(r"\(\d+ retries\)", "(N retries)", text)
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
    # Comments written in the same millisecond come back in any order from their index.
    start = 0
    while start < len(lines):
        end = start
        while end < len(lines) and lines[end].startswith("- Comment "):
            end += 1
        lines[start:end] = sorted(lines[start:end])
        start = end + 1
    return "\n".join(lines)


def normalize_items(items, namespace, names):
    """The items as sorted canonical JSON, with time_taken_ms (a duration) left out."""
    out = []
    for item in items:
        item = {k: v for k, v in item.items() if k != "time_taken_ms"}
        out.append(normalize_text(json.dumps(item, sort_keys=True), namespace, names))
    return sorted(out)


def read_tables(db, namespace):
    return {t: scan_all(db, f"{namespace}_{t}") for t in TABLES}


def drop_tables(db, namespace):
    for t in TABLES:
        try:
            db.delete_table(TableName=f"{namespace}_{t}")
        except db.exceptions.ResourceNotFoundException:
            pass


def start_fault_proxy(args, upstream):
    proxy = subprocess.Popen([args.fault_proxy, "--upstream", upstream, "--rate", str(args.rate),
                              "--seed", str(args.seed)],
                             stdout=subprocess.PIPE, text=True)
    url = proxy.stdout.readline().strip()
    if not url.startswith("http://"):
        proxy.kill()
        raise Failure(f"the fault proxy printed {url!r} instead of its URL")
    return proxy, url


def stop_fault_proxy(proxy):
    """Stops it; returns its counts: {"requests": N, "fault none": N, ...}."""
    proxy.send_signal(signal.SIGTERM)
    report, _ = proxy.communicate(timeout=30)
    print(report, end="", flush=True)
    counts = {}
    for line in report.splitlines():
        key, _, value = line.rpartition(" ")
        counts[key] = int(value)
    return counts


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dynomite", required=True)
    parser.add_argument("--blog", required=True)
    parser.add_argument("--fault-proxy", required=True)
    parser.add_argument("--migrations", required=True)
    parser.add_argument("--rate", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    endpoint = os.environ.get("DYNOMITE_ENDPOINT")
    if not endpoint:
        print("DYNOMITE_ENDPOINT is not set: no DynamoDB to run the demo against")
        return 77
    try:
        import boto3  # noqa: F401
    except ImportError:
        print("boto3 is missing (Debian's python3-boto3; run with /usr/bin/python3)")
        return 77
    args.dynomite, args.blog = os.path.abspath(args.dynomite), os.path.abspath(args.blog)
    args.fault_proxy = os.path.abspath(args.fault_proxy)
    args.migrations = os.path.abspath(args.migrations)

    db = boto3_client(endpoint)
    clean_ns, faulty_ns = f"faultfree{os.getpid()}", f"faulty{os.getpid()}"
    try:
        with tempfile.TemporaryDirectory(prefix="demo-faults-") as folder:
            started = time.monotonic()
            clean_out, clean_failure = run_demo(args, clean_ns, endpoint, folder)
            clean_seconds = time.monotonic() - started
            if clean_failure:
                raise Failure("without faults: " + clean_failure)
            proxy, url = start_fault_proxy(args, endpoint)
            try:
                started = time.monotonic()
                faulty_out, faulty_failure = run_demo(args, faulty_ns, url, folder)
                faulty_seconds = time.monotonic() - started
            finally:
                counts = stop_fault_proxy(proxy)
        print(f"fault-free run {clean_seconds:.1f} s, run through faults {faulty_seconds:.1f} s")
        # The tables are compared even when the demo failed: they tell what the faults did.
        failures = [f"through faults: {faulty_failure}"] if faulty_failure else []

        missing = [k for k in FAULT_KINDS if counts.get("fault " + k, 0) == 0]
        if missing:
            failures.append("no request got these faults: " + ", ".join(missing))

        clean_tables, faulty_tables = read_tables(db, clean_ns), read_tables(db, faulty_ns)
        migrations = len([f for f in os.listdir(args.migrations) if f.endswith(".json")])
        expected = {"users": 2, "posts": 6, "comments": 310, "schema_migrations": migrations}
        for name, tables in (("fault-free", clean_tables), ("faulty", faulty_tables)):
            found = {t: len(items) for t, items in tables.items()}
            if found != expected:
                failures.append(f"the {name} run's tables hold {found}, not {expected}")
        clean_names, faulty_names = id_names(clean_tables), id_names(faulty_tables)
        for t in TABLES:
            a = normalize_items(clean_tables[t], clean_ns, clean_names)
            b = normalize_items(faulty_tables[t], faulty_ns, faulty_names)
            if a != b:
                only_clean = sorted(set(a) - set(b))[:3]
                only_faulty = sorted(set(b) - set(a))[:3]
                failures.append(f"the items of {t} differ: only without faults {only_clean}, "
                                f"only through faults {only_faulty}")

        clean_out = normalize_stream_ends(clean_out, clean_tables)
        faulty_out = normalize_stream_ends(faulty_out, faulty_tables)
        a = normalize_text(clean_out, clean_ns, clean_names).splitlines()
        b = normalize_text(faulty_out, faulty_ns, faulty_names).splitlines()
        if a != b:
            differing = [(x, y) for x, y in zip(a, b) if x != y][:6]
            if not differing:
                differing = [("<end>" if len(a) < len(b) else a[len(b)],
                              "<end>" if len(b) < len(a) else b[len(a)])]
            failures.append(f"the outputs differ ({len(a)} and {len(b)} lines), e.g. {differing}")
            for name, tables in (("fault-free", clean_tables), ("faulty", faulty_tables)):
                first, last = stream_ends(tables)
                failures.append(f"the {name} run's comments written first: {sorted(first)}, "
                                f"last: {sorted(last)}")
        if failures:
            raise Failure("\n  ".join(failures))
    except Failure as e:
        print(f"run_demo_through_faults: {e}", file=sys.stderr)
        return 1
    finally:
        drop_tables(db, clean_ns)
        drop_tables(db, faulty_ns)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
