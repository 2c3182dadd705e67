"""Evaluator throughput: KMS authorization decisions per second on a corpus of realistic key policies.

    python benchmarks/evaluator.py              # 5 repetitions, median
    python benchmarks/evaluator.py --json

The corpus: the example key policies (least privilege, broken, AWS managed style) and generated ones
shaped like real KVS key policies - an account-root delegation statement, key administrators, producer
and consumer statements pinned by kms:ViaService / kms:CallerAccount, a Deny outside the organization,
NotPrincipal and wildcard forms - from 3 to 40 statements. Each decision is one principal, one action
(kms:GenerateDataKey or kms:Decrypt), one key, evaluated as the audit does (key policy, the principal's
IAM policies, grants, the KVS request context).

Two figures: the core (`authorize_kms` on pre-parsed policies: what an audit of many streams on few keys
pays per check) and end to end (`run_audit` from raw JSON documents: parsing, context, findings).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ACCOUNT = "111122223333"
REGION = "us-east-1"
VIA = f"kinesisvideo.{REGION}.amazonaws.com"


def role(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


ADMIN_ACTIONS = [
    "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
    "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
    "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
]  # fmt: skip


def generated_policy(rng: random.Random, producers: list[str], consumers: list[str], extra: int) -> dict[str, Any]:
    """A key policy as KVS teams write them, with `extra` more statements of the common kinds."""
    via = {"StringEquals": {"kms:ViaService": VIA, "kms:CallerAccount": ACCOUNT}}
    statements: list[dict[str, Any]] = [
        {
            "Sid": "Root",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "Admins",
            "Effect": "Allow",
            "Principal": {"AWS": [role("KeyAdmin"), role("Ops")]},
            "Action": ADMIN_ACTIONS,
            "Resource": "*",
        },
        {
            "Sid": "Producers",
            "Effect": "Allow",
            "Principal": {"AWS": producers},
            "Action": "kms:GenerateDataKey*",
            "Resource": "*",
            "Condition": via,
        },
        {
            "Sid": "Consumers",
            "Effect": "Allow",
            "Principal": {"AWS": consumers},
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": via,
        },
    ]
    kinds = [
        lambda i: {
            "Sid": f"DenyOutsideOrg{i}",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "kms:*",
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"},
                "Bool": {"aws:PrincipalIsAWSService": "false"},
            },
        },
        lambda i: {
            "Sid": f"Team{i}",
            "Effect": "Allow",
            "Principal": {"AWS": [role(f"team{i}-{j}") for j in range(4)]},
            "Action": ["kms:Decrypt", "kms:DescribeKey"],
            "Resource": "*",
            "Condition": {"StringLike": {"kms:ViaService": ["kinesisvideo.*.amazonaws.com", "s3.*.amazonaws.com"]}},
        },
        lambda i: {
            "Sid": f"Grants{i}",
            "Effect": "Allow",
            "Principal": {"AWS": role(f"svc{i}")},
            "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
        lambda i: {
            "Sid": f"DenyNotAdmins{i}",
            "Effect": "Deny",
            "NotPrincipal": {"AWS": [role("KeyAdmin")]},
            "Action": ["kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"],
            "Resource": "*",
        },
        lambda i: {
            "Sid": f"Wildcard{i}",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/batch-*"},
            "Action": "kms:GenerateDataKey*",
            "Resource": "*",
            "Condition": {
                "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/batch-*"},
                "StringEqualsIfExists": {"kms:ViaService": VIA},
            },
        },
        lambda i: {
            "Sid": f"Context{i}",
            "Effect": "Allow",
            "Principal": {"AWS": role(f"ctx{i}")},
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": ["app", "site"]}},
        },
    ]
    for i in range(extra):
        statements.append(rng.choice(kinds)(i))
    rng.shuffle(statements)
    return {"Version": "2012-10-17", "Id": "kvs-key", "Statement": statements}


def identity_policy(principal: str, producer: bool) -> dict[str, Any]:
    action = "kms:GenerateDataKey" if producer else "kms:Decrypt"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [action, "kms:DescribeKey"],
                "Resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*",
            },
            {"Effect": "Allow", "Action": "kinesisvideo:*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "kms:*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def corpus(seed: int = 7) -> list[dict[str, Any]]:
    """Cases: a key policy, its producers and consumers, and their identity policies."""
    rng = random.Random(seed)
    cases = []
    examples = ROOT / "examples" / "policies"
    for name in ("key-policy-good.json", "key-policy-broken.json", "key-policy-aws-managed-style.json"):
        cases.append(
            {
                "name": name,
                "policy": json.loads((examples / name).read_text()),
                "producers": [role("CameraProducer")],
                "consumers": [role("ViewerConsumer")],
            }
        )
    for n, extra in enumerate([0, 2, 5, 10, 20, 36]):
        producers = [role(f"cam-{n}-{i}") for i in range(3)]
        consumers = [role(f"viewer-{n}-{i}") for i in range(3)]
        cases.append(
            {
                "name": f"generated-{4 + extra}-statements",
                "policy": generated_policy(rng, producers, consumers, extra),
                "producers": [*producers, role("stranger")],
                "consumers": [*consumers, f"arn:aws:sts::{ACCOUNT}:assumed-role/viewer-{n}-0/session"],
            }
        )
    for case in cases:
        case["identity"] = {p: identity_policy(p, True) for p in case["producers"]}
        case["identity"].update({c: identity_policy(c, False) for c in case["consumers"]})
    return cases


def key_arn(i: int) -> str:
    return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-{i:012d}"


def core_checks(cases: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Pre-parsed (request, key arn, key policy, iam) for every principal and action of the corpus."""
    from kvsctl.audit.context import kvs_request_context
    from kvsctl.policy import IamPolicies, PolicyKind, Request, parse_policy, parse_principal

    checks = []
    for i, case in enumerate(cases):
        arn = key_arn(i)
        key_policy = parse_policy(case["policy"], case["name"], PolicyKind.RESOURCE)
        for who, action in [(p, "kms:GenerateDataKey") for p in case["producers"]] + [
            (c, "kms:Decrypt") for c in case["consumers"]
        ]:
            principal = parse_principal(who)
            iam_doc = case["identity"].get(who)
            iam = IamPolicies((parse_policy(iam_doc, who, PolicyKind.IDENTITY),)) if iam_doc else None
            ctx = kvs_request_context(principal, action=action, resource=arn)
            checks.append((Request(principal, action, arn, ctx), arn, key_policy, iam))
    return checks


def run_core(checks: list[tuple[Any, ...]], rounds: int) -> tuple[int, float]:
    from kvsctl.policy import authorize_kms

    start = time.perf_counter()
    for _ in range(rounds):
        for req, arn, key_policy, iam in checks:
            authorize_kms(req, key_arn=arn, key_policy=key_policy, iam=iam, grants=())
    return len(checks) * rounds, time.perf_counter() - start


def audit_inputs(cases: list[dict[str, Any]]) -> list[Any]:
    from kvsctl.audit.model import AuditInput, PolicyDoc, PrincipalPolicies

    inputs = []
    for i, case in enumerate(cases):
        principals = {
            who: PrincipalPolicies(who, (PolicyDoc(f"{who} inline", doc),)) for who, doc in case["identity"].items()
        }
        inputs.append(
            AuditInput(
                key_arn=key_arn(i),
                key_policy=PolicyDoc("key policy", json.dumps(case["policy"])),
                grants=(),
                stream_arn=f"arn:aws:kinesisvideo:{REGION}:{ACCOUNT}:stream/cam-{i}/1700000000000",
                producers=tuple(case["producers"]),
                consumers=tuple(case["consumers"]),
                principals=principals,
            )
        )
    return inputs


def run_audits(inputs: list[Any], rounds: int) -> tuple[int, int, float]:
    from kvsctl.audit.engine import run_audit

    decisions = 0
    start = time.perf_counter()
    for _ in range(rounds):
        for inp in inputs:
            decisions += len(run_audit(inp).results)
    return decisions, len(inputs) * rounds, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (the median is reported)")
    parser.add_argument("--rounds", type=int, default=40, help="passes over the corpus per repetition")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    cases = corpus()
    checks = core_checks(cases)
    inputs = audit_inputs(cases)
    run_core(checks, 2)  # warm up
    run_audits(inputs, 1)
    core = [run_core(checks, args.rounds) for _ in range(args.repeat)]
    full = [run_audits(inputs, max(1, args.rounds // 4)) for _ in range(args.repeat)]
    core_rate = statistics.median(n / t for n, t in core)
    full_rate = statistics.median(d / t for d, _, t in full)
    audit_rate = statistics.median(a / t for _, a, t in full)
    statements = sum(len(c["policy"]["Statement"]) for c in cases)
    out = {
        "machine": {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "corpus": {"key_policies": len(cases), "statements": statements, "checks_per_pass": len(checks)},
        "core_decisions_per_s": round(core_rate),
        "core_us_per_decision": round(1e6 / core_rate, 1),
        "audit_decisions_per_s": round(full_rate),
        "audits_per_s": round(audit_rate, 1),
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(
        f"corpus: {len(cases)} key policies ({statements} statements), {len(checks)} checks per pass; "
        f"Python {out['machine']['python']}, median of {args.repeat}\n"
    )
    print(f"{'measure':<44} {'rate':>14}")
    print(f"{'authorize_kms on parsed policies':<44} {core_rate:>10,.0f} /s   ({1e6 / core_rate:.1f} us each)")
    print(f"{'run_audit from raw JSON (decisions)':<44} {full_rate:>10,.0f} /s")
    print(f"{'run_audit from raw JSON (whole audits)':<44} {audit_rate:>10,.1f} /s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
