#!/usr/bin/env python3
"""Compares dynomite's regional DynamoDB endpoints with botocore's evaluation of DynamoDB's
endpoint rule set, over every region of botocore's partitions.json and of the dynamodb
entries of its endpoints.json, with FIPS and dual-stack each on and off. Where the rule set
fails, dynomite must fail too. Exits 77 (skipped) when botocore cannot be imported.

Usage: endpoint_oracle.py PROBE [streams]   (PROBE: the endpoint_resolver_probe executable;
with "streams", DynamoDB Streams' endpoints against its own rule set)
"""
import itertools
import subprocess
import sys

try:
    import botocore
    from botocore.endpoint_provider import EndpointProvider
    from botocore.exceptions import EndpointResolutionError
    from botocore.loaders import create_loader
except ImportError as exc:
    print(f"SKIP: botocore is not importable by {sys.executable} ({exc}); "
          "install Debian's python3-botocore", file=sys.stderr)
    sys.exit(77)


LOADER = create_loader()  # reads botocore's data files, compressed or not


def regions_to_check():
    regions = set()
    for partition in LOADER.load_data("partitions")["partitions"]:
        regions.update(partition["regions"])
    for partition in LOADER.load_data("endpoints")["partitions"]:
        regions.update(partition["regions"])
        regions.update(partition["services"].get("dynamodb", {}).get("endpoints", {}))
    return sorted(regions)


def botocore_answer(provider, region, fips, dual_stack):
    try:
        endpoint = provider.resolve_endpoint(Region=region, UseFIPS=fips, UseDualStack=dual_stack)
        return endpoint.url
    except EndpointResolutionError as exc:
        return f"error: {exc}"


def main():
    if len(sys.argv) not in (2, 3) or sys.argv[2:] not in ([], ["streams"]):
        print(__doc__, file=sys.stderr)
        return 2
    service = "dynamodbstreams" if sys.argv[2:] == ["streams"] else "dynamodb"
    provider = EndpointProvider(
        LOADER.load_service_model(service, "endpoint-rule-set-1", "2012-08-10"),
        LOADER.load_data("partitions"))
    cases = [(region, fips, dual_stack)
             for region in regions_to_check()
             for fips, dual_stack in itertools.product((False, True), repeat=2)]
    probe_input = "".join(f"{r} {int(f)} {int(d)}\n" for r, f, d in cases)
    run = subprocess.run(sys.argv[1:], input=probe_input, capture_output=True, text=True,
                         check=False)
    if run.returncode != 0:
        print(f"probe failed ({run.returncode}): {run.stderr}", file=sys.stderr)
        return 1
    answers = run.stdout.splitlines()
    if len(answers) != len(cases):
        print(f"probe printed {len(answers)} lines for {len(cases)} cases", file=sys.stderr)
        return 1

    mismatches = 0
    errors = 0
    for (region, fips, dual_stack), ours in zip(cases, answers):
        theirs = botocore_answer(provider, region, fips, dual_stack)
        both_fail = theirs.startswith("error: ") and ours.startswith("error: ")
        errors += both_fail
        if not both_fail and theirs != ours:
            mismatches += 1
            print(f"{region} fips={fips} dualstack={dual_stack}: botocore {theirs!r}, "
                  f"dynomite {ours!r}", file=sys.stderr)
    print(f"{len(cases)} cases ({len(cases) // 4} regions, botocore {botocore.__version__}): "
          f"{len(cases) - mismatches} agree, {errors} of them errors on both sides, "
          f"{mismatches} differ")
    if errors == 0:
        print("no case failed on both sides: the refusals went unchecked", file=sys.stderr)
        return 1
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
