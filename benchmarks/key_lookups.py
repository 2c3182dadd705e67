"""Benchmark: requests that follow what is asked, not the size of the account.

Builds an account on a local moto server (default: 1,000 streams on 100 customer keys, each key named by
its streams in all four forms: key id, key ARN, alias name, alias ARN; plus streams on the AWS managed
key), then runs in-process, each with a fresh client factory, and prints the API calls made
(ClientFactory.stats) and the wall time:

  baseline   `stream list`                 resolves every distinct key reference (what --kms-key used to do)
  filtered   `stream list --kms-key alias/k0`
  describe   `key describe alias/k0`       the key and the streams on it
  cost       `cost estimate --from-account` reads every key (DescribeKey per key: was 2, now 1)

Ratios are against the baseline of the same run. Prints figures only; it asserts nothing.

    python benchmarks/key_lookups.py [--streams 1000] [--keys 100]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REGION = "us-east-1"
ACCOUNT = "123456789012"


def build(endpoint: str, streams: int, keys: int) -> int:
    """Make the account; return the number of keys KMS lists (the customer keys, and any AWS managed)."""
    import boto3

    creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    kms = boto3.client("kms", region_name=REGION, endpoint_url=endpoint, **creds)
    kvs = boto3.client("kinesisvideo", region_name=REGION, endpoint_url=endpoint, **creds)
    forms: list[str] = []
    for i in range(keys):
        meta = kms.create_key(Description=f"k{i}")["KeyMetadata"]
        kms.create_alias(AliasName=f"alias/k{i}", TargetKeyId=meta["KeyId"])
        forms += [meta["Arn"], meta["KeyId"], f"alias/k{i}", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/k{i}"]
    for n in range(streams):
        slot = n % (len(forms) + 1)
        if slot == len(forms):
            kvs.create_stream(StreamName=f"cam-{n:05d}")  # the AWS managed key
        else:
            kvs.create_stream(StreamName=f"cam-{n:05d}", KmsKeyId=forms[slot])
    return sum(len(page["Keys"]) for page in kms.get_paginator("list_keys").paginate())


def measure(endpoint: str, run: Callable[[Any], Any]) -> tuple[dict[str, int], float, Any]:
    from kvsctl.aws.session import AwsConfig, ClientFactory

    factory = ClientFactory(AwsConfig(region=REGION, endpoint_url=endpoint))
    started = time.perf_counter()
    out = run(factory)
    return dict(factory.stats.calls), time.perf_counter() - started, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--keys", type=int, default=100)
    args = parser.parse_args()
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": REGION})

    from kvsctl.cost.model import CostAssumptions
    from kvsctl.sandbox.server import running_sandbox
    from kvsctl.services.cost import CostService
    from kvsctl.services.keyadmin import KeyAdminService
    from kvsctl.services.streams import StreamService

    with running_sandbox(0) as endpoint:
        t0 = time.perf_counter()
        listed = build(endpoint, args.streams, args.keys)
        print(f"built {args.streams} streams on {args.keys} keys in {time.perf_counter() - t0:.1f} s")
        runs: dict[str, Callable[[Any], Any]] = {
            "baseline: stream list": lambda f: StreamService(f).list(),
            "stream list --kms-key alias/k0": lambda f: StreamService(f).list(kms_key="alias/k0"),
            "key describe alias/k0": lambda f: KeyAdminService(f).describe("alias/k0"),
            "cost estimate --from-account": lambda f: CostService(f).estimate(CostAssumptions()),
        }
        results = {name: measure(endpoint, run) for name, run in runs.items()}
    base_calls, base_time, _ = results["baseline: stream list"]
    base_total = sum(base_calls.values())
    print(f"{'command':34} {'calls':>6} {'DescribeKey':>11} {'x calls':>8} {'seconds':>8} {'x time':>7}")
    for name, (calls, took, _out) in results.items():
        total = sum(calls.values())
        describe = calls.get("kms.DescribeKey", 0)
        print(f"{name:34} {total:6d} {describe:11d} {total / base_total:8.3f} {took:8.2f} {took / base_time:7.3f}")
    cost_calls = results["cost estimate --from-account"][0]
    print(f"cost: DescribeKey per key listed ~ {cost_calls.get('kms.DescribeKey', 0) / listed:.2f}")
    filtered = results["stream list --kms-key alias/k0"][2]
    print(f"streams found on alias/k0: {len(filtered)}")


if __name__ == "__main__":
    main()
