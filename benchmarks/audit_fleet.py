"""Benchmark: `kvsctl audit all` over a fleet on a local moto server.

Builds hundreds of streams over a handful of keys (default: 300 streams on 6 keys, one of them the AWS
managed key's share, 2 principals), then
  1. runs the live audit in-process and prints the API calls made (ClientFactory.stats) and the wall time;
  2. runs `python -m kvsctl audit all` as a subprocess and prints its wall time and verdict;
  3. repeats 1 on a few streams (prefix cam-000), to show the calls do not grow with streams.
Prints figures only; it asserts nothing about time.

    python benchmarks/audit_fleet.py [--streams 300] [--keys 6]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}


def build(endpoint: str, streams: int, keys: int) -> tuple[str, str]:
    import boto3

    from tests import audit_world as w

    def client(service: str) -> Any:
        return boto3.client(service, region_name="us-east-1", endpoint_url=endpoint, **_creds())

    kms, kvs, iam = client("kms"), client("kinesisvideo"), client("iam")
    w.make_principals(iam)
    arns = [w.make_key(kms, alias=f"alias/fleet-{i}") for i in range(keys)]
    for i in range(streams):
        # every (keys+1)-th stream is on the AWS managed key
        slot = i % (keys + 1)
        w.make_stream(kvs, f"cam-{i:04d}", arns[slot] if slot < keys else None)
    return w.PRODUCER, w.CONSUMER


def _creds() -> dict[str, str]:
    return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def in_process(
    endpoint: str, producer: str, consumer: str, prefix: str | None = None
) -> tuple[dict[str, int], float, Any]:
    from kvsctl.aws.session import AwsConfig, ClientFactory
    from kvsctl.services.audit_live import AuditScope, run

    factory = ClientFactory(AwsConfig(region="us-east-1", endpoint_url=endpoint))
    scope = AuditScope(all_streams=True, name_prefix=prefix, producers=(producer,), consumers=(consumer,))
    start = time.perf_counter()
    report = run(factory, scope)
    return dict(sorted(factory.stats.calls.items())), time.perf_counter() - start, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streams", type=int, default=300)
    parser.add_argument("--keys", type=int, default=6)
    args = parser.parse_args()
    os.environ.update(ENV)

    from kvsctl.sandbox.server import running_sandbox

    with running_sandbox(0) as endpoint:
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST", data=b""))
        t0 = time.perf_counter()
        producer, consumer = build(endpoint, args.streams, args.keys)
        print(
            f"built {args.streams} streams on {args.keys} customer keys + the AWS managed key, 2 principals "
            f"in {time.perf_counter() - t0:.1f}s at {endpoint}"
        )

        calls, wall, report = in_process(endpoint, producer, consumer)
        counts = report.counts()
        print(f"\nin-process audit all: {wall:.2f}s wall, {sum(calls.values())} API calls")
        print(json.dumps(calls, indent=2))
        print(
            f"checks: {counts['checks']} ({counts['allow']} allow, {counts['conditional']} conditional, "
            f"{counts['deny']} deny); findings: {counts['errors']} error, {counts['warnings']} warning, "
            f"{counts['info']} info"
        )

        calls_small, wall_small, few = in_process(endpoint, producer, consumer, prefix="cam-000")
        print(
            f"\nsame audit, streams cam-000* only ({few.counts()['streams']} of them): {wall_small:.2f}s wall, "
            f"{sum(calls_small.values())} API calls"
        )
        print(json.dumps(calls_small, indent=2))

        env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "NO_COLOR": "1"}
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "kvsctl", "audit", "all", "--producer", producer, "--consumer", consumer,
             "-o", "json"],
            capture_output=True, text=True, env=env, cwd=ROOT, check=False,
        )  # fmt: skip
        wall_cli = time.perf_counter() - start
        verdict = json.loads(proc.stdout)["summary"] if proc.stdout.strip() else proc.stderr.strip()
        print(
            f"\nsubprocess `kvsctl audit all -o json`: {wall_cli:.2f}s wall (interpreter start included), "
            f"exit {proc.returncode}; summary {verdict}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
