"""Benchmark: an organization-wide `audit all` (several accounts x regions) on a local moto server whose
every request waits a fixed latency, as real AWS round trips do.

Builds an organization (default 20 accounts x 2 regions x 50 streams, 3 keys per account and region, a
producer and a consumer role per account), then audits it with the fleet service
  1. serially (--max-concurrency 1: the sum of per-account runs one after another), then
  2. concurrently (--max-concurrency 8, the default),
and prints wall times, their ratio (the serial run is the baseline, measured in the same run on the same
server), streams audited per second, API calls, and per API the peak request rate the server saw (requests
that arrived within any one second) from the whole fleet and from one account (its assumed-role session),
beside the per-account quota kvsctl keeps to. Figures only; it asserts nothing.

    python benchmarks/fleet_org.py [--accounts 20] [--regions 2] [--streams 50] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REGIONS = ["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"]
CREDS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def build(url: str, accounts: int, regions: list[str], streams: int, keys: int) -> list[str]:
    import boto3

    from tests import audit_world as w

    org = boto3.client("organizations", region_name="us-east-1", endpoint_url=url, **CREDS)
    org.create_organization(FeatureSet="ALL")
    ids = []
    for i in range(accounts):
        ids.append(
            org.create_account(AccountName=f"cams-{i}", Email=f"c{i}@example.com")["CreateAccountStatus"]["AccountId"]
        )
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=url, **CREDS)
    for account in ids:
        c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/KvsctlAudit", RoleSessionName="build")["Credentials"]
        creds = {
            "aws_access_key_id": c["AccessKeyId"],
            "aws_secret_access_key": c["SecretAccessKey"],
            "aws_session_token": c["SessionToken"],
        }
        iam = boto3.client("iam", region_name="us-east-1", endpoint_url=url, **creds)
        for role in ("cam-producer", "cam-consumer"):
            iam.create_role(RoleName=role, AssumeRolePolicyDocument=w.doc(w.statement("Allow", ["sts:AssumeRole"])))
        for region in regions:
            kms = boto3.client("kms", region_name=region, endpoint_url=url, **creds)
            kvs = boto3.client("kinesisvideo", region_name=region, endpoint_url=url, **creds)
            arns = [w.make_key(kms, policy=w.delegating_key_policy(account)) for _ in range(keys)]
            for s in range(streams):
                w.make_stream(kvs, f"cam-{s:03d}", arns[s % keys] if keys else None)  # 0 keys: AWS managed
    return ids


def audit(url: str, accounts: list[str], regions: list[str], concurrency: int) -> tuple[float, Any, dict[str, int]]:
    from kvsctl.aws.session import AwsConfig, ClientFactory
    from kvsctl.services.audit_live import AuditScope
    from kvsctl.services.fleet import FleetAudit, FleetScope

    base = ClientFactory(AwsConfig(region="us-east-1", endpoint_url=url))
    fleet = FleetAudit(base, FleetScope(accounts=tuple(accounts), role_name="KvsctlAudit", max_concurrency=concurrency))
    scope = AuditScope(all_streams=True, regions=tuple(regions))
    start = time.perf_counter()
    report = fleet.run(scope, context={}, strict=False, fail_on="error")
    wall = time.perf_counter() - start
    calls: dict[str, int] = {}
    for factory in [base, *fleet._factories.values()]:
        for k, v in factory.stats.calls.items():
            calls[k] = calls.get(k, 0) + v
    return wall, report, calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--regions", type=int, default=2)
    parser.add_argument("--streams", type=int, default=50, help="per account and region")
    parser.add_argument(
        "--keys", type=int, default=3, help="per account and region (0: every stream on the AWS managed key, no RCPs)"
    )
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every request")
    args = parser.parse_args()
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"})
    regions = REGIONS[: args.regions]

    from kvsctl.aws.ratelimit import ACCOUNT_RATES, SERVICE_DEFAULTS
    from tests.faults import FaultServer

    with FaultServer() as server:
        t0 = time.perf_counter()
        accounts = build(server.url, args.accounts, regions, args.streams, args.keys)
        print(
            f"built {len(accounts)} accounts x {len(regions)} regions x {args.streams} streams "
            f"({len(accounts) * len(regions) * args.streams} streams, {args.keys or 'no'} customer keys per account "
            "and region) "
            f"in {time.perf_counter() - t0:.1f}s"
        )
        server.latency = args.latency
        results: dict[int, tuple[float, int]] = {}
        worst = 0.0
        for concurrency in (1, 8):
            server.clear_counts()
            wall, report, calls = audit(server.url, accounts, regions, concurrency)
            ops = sorted(server.arrivals)
            counts = report.counts()
            results[concurrency] = (wall, counts["streams"])
            print(
                f"\n--max-concurrency {concurrency}: {wall:.2f}s wall, {sum(calls.values())} API calls, "
                f"{counts['streams']} streams audited ({counts['streams'] / wall:.0f}/s), exit {report.exit_code}"
            )
            head = f"{'calls':>6} {'fleet peak/s':>13} {'account peak/s':>15} {'quota/s':>8} {'peak/quota':>11}"
            print(f"  {'API':34} {head}")
            for op in ops:
                service, api = op.split(".", 1)
                quota = ACCOUNT_RATES.get((service, api), SERVICE_DEFAULTS.get(service))
                per_account = server.peak_rate_per_caller(op)
                ratio = per_account / quota if quota else None
                if ratio is not None:
                    worst = max(worst, ratio)
                print(
                    f"  {op:34} {server.calls[op]:>6} {server.peak_rate(op):>13} {per_account:>15} "
                    f"{quota if quota is not None else '-':>8} {f'{ratio:.2f}' if ratio is not None else '-':>11}"
                )
        serial, concurrent = results[1][0], results[8][0]
        print(
            f"\nlatency {args.latency * 1000:.0f} ms per request, {len(accounts)} accounts x {len(regions)} regions x "
            f"{args.streams} streams: concurrent run {serial / concurrent:.1f}x faster than the serial baseline "
            f"({serial:.1f}s -> {concurrent:.1f}s); highest per-account peak/quota {worst:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
