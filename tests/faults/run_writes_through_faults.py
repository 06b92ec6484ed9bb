#!/usr/bin/env python3
"""The same writes from botocore and from Dynomite through the fault-injecting proxy.

Usage: run_writes_through_faults.py --fault-proxy EXE --put-items EXE [--count N] [--rate R]
                                    [--seed N] [--botocore-backoff-scale F] [--transact]

Each client writes items item-1 ... item-N (default 200), one after another, into a table of its
own through a fault proxy (tests/faults/fault_proxy_main.cpp) started with the same rate
(default 0.5) and seed, so both meet the same sequence of faults: throttling, 5xx, connection
resets, truncated bodies, bad x-amz-crc32, delays. botocore (Debian's, /usr/bin/python3) runs
with retries={'max_attempts': 10, 'mode': 'standard'}; Dynomite (tests/faults/put_items.cpp)
with AWS_MAX_ATTEMPTS=10. botocore's backoff delays are multiplied by F (default 0.02, so that
the test stays fast): the proxy's faults do not depend on time, so only the waiting changes,
not what is retried. Prints "<client> stored S of N (items found by Scan: K)" for each, and
fails unless both stored every item and a Scan, straight to the endpoint, finds exactly them.

With --transact each write is a TransactWriteItems that puts the item and adds 1 to the n of
item "counter", and neither client is given a ClientRequestToken. A write that reached the table
but lost its answer (a reset after forwarding, a truncated body, a bad checksum) is sent again,
and only the token the client makes up once per call lets DynamoDB recognize it: the Scan must
find the counter at exactly N, not above.
Needs DYNOMITE_ENDPOINT and boto3; exits 77 (skipped) without them.
"""

import argparse
import os
import signal
import subprocess
import sys
import time


def make_table(db, name):
    db.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])


def stored_items(db, table):
    """{pk: n} of every item, by a paginated consistent Scan."""
    found, start = {}, None
    while True:
        page = db.scan(TableName=table, ConsistentRead=True,
                       **({"ExclusiveStartKey": start} if start else {}))
        for item in page["Items"]:
            found[item["pk"]["S"]] = item.get("n", {}).get("N")
        start = page.get("LastEvaluatedKey")
        if not start:
            return found


class FaultProxy:
    def __init__(self, exe, upstream, rate, seed):
        self.process = subprocess.Popen([exe, "--upstream", upstream, "--rate", str(rate),
                                         "--seed", str(seed)], stdout=subprocess.PIPE, text=True)
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.process.kill()
            raise RuntimeError(f"the fault proxy printed {self.url!r} instead of its URL")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        report, _ = self.process.communicate(timeout=30)
        return {line.rpartition(" ")[0]: int(line.rpartition(" ")[2])
                for line in report.splitlines()}


def botocore_writes(args, endpoint, table):
    import boto3
    from botocore.config import Config
    from botocore.retries import standard

    scale = args.botocore_backoff_scale
    unscaled = standard.ExponentialBackoff.delay_amount
    standard.ExponentialBackoff.delay_amount = lambda self, ctx: scale * unscaled(self, ctx)
    db = boto3.client("dynamodb", endpoint_url=endpoint,
                      region_name=os.environ.get("AWS_REGION", "us-east-1"),
                      config=Config(retries={"max_attempts": 10, "mode": "standard"}))
    stored = 0
    for i in range(1, args.count + 1):
        item = {"pk": {"S": f"item-{i}"}, "n": {"N": str(i)}}
        try:
            if args.transact:
                db.transact_write_items(TransactItems=[
                    {"Put": {"TableName": table, "Item": item}},
                    {"Update": {"TableName": table, "Key": {"pk": {"S": "counter"}},
                                "UpdateExpression": "ADD n :one",
                                "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
            else:
                db.put_item(TableName=table, Item=item)
            stored += 1
        except Exception as e:  # every failure counts; the message says which
            print(f"botocore: item-{i}: {e}", file=sys.stderr)
    return stored


def dynomite_writes(args, endpoint, table):
    env = dict(os.environ, DYNOMITE_ENDPOINT=endpoint, AWS_MAX_ATTEMPTS="10")
    command = [args.put_items, table, str(args.count)] + (["--transact"] if args.transact else [])
    done = subprocess.run(command, env=env, text=True,
                          stdout=subprocess.PIPE, check=False, timeout=600)
    last = done.stdout.strip().splitlines()[-1:] or [""]
    words = last[0].split()
    if len(words) != 4 or words[0] != "stored":
        raise RuntimeError(f"put_items printed {done.stdout!r}")
    return int(words[1])


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fault-proxy", required=True)
    parser.add_argument("--put-items", required=True)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rate", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--botocore-backoff-scale", type=float, default=0.02)
    parser.add_argument("--transact", action="store_true")
    args = parser.parse_args(argv)
    endpoint = os.environ.get("DYNOMITE_ENDPOINT")
    if not endpoint:
        print("DYNOMITE_ENDPOINT is not set: no DynamoDB to write to")
        return 77
    try:
        import boto3
    except ImportError:
        print("boto3 is missing (Debian's python3-boto3; run with /usr/bin/python3)")
        return 77
    db = boto3.client("dynamodb", endpoint_url=endpoint,
                      region_name=os.environ.get("AWS_REGION", "us-east-1"))
    failed = False
    for name, writes in (("botocore", botocore_writes), ("dynomite", dynomite_writes)):
        table = f"faultwrites-{name}-{os.getpid()}"
        make_table(db, table)
        try:
            proxy = FaultProxy(args.fault_proxy, endpoint, args.rate, args.seed)
            started = time.monotonic()
            try:
                stored = writes(args, proxy.url, table)
            finally:
                counts = proxy.stop()
            seconds = time.monotonic() - started
            found = stored_items(db, table)
            faults = {k[6:]: v for k, v in counts.items() if k.startswith("fault ") and v}
            print(f"{name} stored {stored} of {args.count} (items found by Scan: {len(found)}) "
                  f"in {seconds:.1f} s; {counts.get('requests', 0)} requests, faults {faults}",
                  flush=True)
            expected = {f"item-{i}": str(i) for i in range(1, args.count + 1)}
            if args.transact:
                expected["counter"] = str(args.count)
                print(f"{name}: counter {found.get('counter')}, expected {args.count}", flush=True)
            if stored != args.count or found != expected:
                failed = True
        finally:
            db.delete_table(TableName=table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
