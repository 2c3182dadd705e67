"""`kvsctl audit template` time on one stack with a key, a camera and a viewer role and N streams.

    python benchmarks/template_audit.py                         # 60 and 500 streams, YAML and JSON
    python benchmarks/template_audit.py --baseline main         # and the same runs on another revision
    python benchmarks/template_audit.py --deny --json             # and a stack with a denied check per stream

Each run reads and audits the file in a fresh interpreter (imports excluded from the time) and is
repeated ``--rounds`` times; the figure is the median. With ``--baseline REF`` the kvsctl package of that
git revision is exported to a temporary folder and measured in the same rounds, interleaved with this
tree, so the ratio holds however loaded the machine is (the absolute times do not).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "111122223333"

RUNNER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from kvsctl.services.audit_template import TemplateAuditRequest, run
kwargs = {"paths": (sys.argv[2],), "parameters": ("AWS::AccountId=" + sys.argv[3],)}
if len(sys.argv) > 4:
    kwargs["reads"] = tuple(sys.argv[4].split(","))
start = time.perf_counter()
audit = run(TemplateAuditRequest(**kwargs))
elapsed = time.perf_counter() - start
checks = sum(len(s.report.results) for s in audit.report.streams)
print(elapsed, checks)
"""


def _role(name: str, actions: list[str]) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": name,
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            },
            "Policies": [
                {
                    "PolicyName": "kvs",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
                    },
                }
            ],
        },
    }


def stack(n: int, deny: bool = False) -> dict[str, Any]:
    """N streams on one key; with ``deny`` the key policy leaves the camera out (a denied check per
    stream, each with its fix found and verified by re-running the check)."""
    via = {"StringEquals": {"kms:ViaService": {"Fn::Sub": "kinesisvideo.${AWS::Region}.amazonaws.com"}}}
    resources: dict[str, Any] = {
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {
                "EnableKeyRotation": True,
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                            "Action": ["kms:Describe*", "kms:Put*", "kms:Enable*"],
                            "Resource": "*",
                        },
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": {"Fn::GetAtt": ["CameraRole", "Arn"]}},
                            "Action": "kms:GenerateDataKey",
                            "Resource": "*",
                            "Condition": via,
                        },
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": {"Fn::GetAtt": ["ViewerRole", "Arn"]}},
                            "Action": "kms:Decrypt",
                            "Resource": "*",
                            "Condition": via,
                        },
                    ],
                },
            },
        },
        "CameraRole": _role(
            "camera", ["kinesisvideo:DescribeStream", "kinesisvideo:GetDataEndpoint", "kinesisvideo:PutMedia"]
        ),
        "ViewerRole": _role("viewer", ["kinesisvideo:GetDataEndpoint", "kinesisvideo:GetMedia"]),
    }
    if deny:
        resources["Key"]["Properties"]["KeyPolicy"]["Statement"].pop(1)
    for i in range(n):
        resources[f"Stream{i}"] = {
            "Type": "AWS::KinesisVideo::Stream",
            "Properties": {"Name": f"cam-{i:03d}", "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}},
        }
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def write(folder: Path, n: int, fmt: str, deny: bool = False) -> Path:
    import yaml

    path = folder / f"stack-{n}{'-deny' if deny else ''}.{fmt}"
    data = stack(n, deny)
    path.write_text(json.dumps(data, indent=2) if fmt == "json" else yaml.safe_dump(data, sort_keys=False))
    return path


def export(ref: str, into: Path) -> Path:
    """The kvsctl package of git revision ``ref``, unpacked under ``into``."""
    archive = subprocess.run(["git", "archive", ref, "kvsctl"], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def once(src: Path, path: Path, reads: str | None) -> tuple[float, int]:
    argv = [sys.executable, "-c", RUNNER, str(src), str(path), ACCOUNT, *([reads] if reads else [])]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", default="60,500")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline", metavar="REF", help="also measure the kvsctl of this git revision")
    parser.add_argument("--reads", help="--read paths for this tree (the baseline may not know them)")
    parser.add_argument("--deny", action="store_true", help="also a stack whose camera is denied at the key")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        trees = {"this tree": ROOT}
        if args.baseline:
            base = folder / "baseline"
            base.mkdir()
            trees[f"baseline {args.baseline}"] = export(args.baseline, base)
        variants = [("yaml", False), ("json", False)] + ([("json", True)] if args.deny else [])
        cases = [
            (n, fmt + ("+deny" if deny else ""), write(folder, n, fmt, deny))
            for n in map(int, args.streams.split(","))
            for fmt, deny in variants
        ]
        sizes = {(n, fmt): round(path.stat().st_size / 1024) for n, fmt, path in cases}
        times: dict[tuple[str, int, str], list[float]] = {}
        checks: dict[tuple[str, int, str], int] = {}
        for _ in range(args.rounds):
            for n, fmt, path in cases:
                for name, src in trees.items():  # interleaved: both see the same load
                    elapsed, count = once(src, path, args.reads if name == "this tree" else None)
                    times.setdefault((name, n, fmt), []).append(elapsed)
                    checks[(name, n, fmt)] = count
    rows = []
    for n, fmt, _path in cases:
        here = statistics.median(times[("this tree", n, fmt)])
        row: dict[str, Any] = {
            "streams": n,
            "format": fmt,
            "kb": sizes[(n, fmt)],
            "checks": checks[("this tree", n, fmt)],
            "seconds": round(here, 3),
        }
        if args.baseline:
            base_name = f"baseline {args.baseline}"
            before = statistics.median(times[(base_name, n, fmt)])
            row.update(
                baseline_seconds=round(before, 3),
                baseline_checks=checks[(base_name, n, fmt)],
                ratio=round(here / before, 2),
            )
        rows.append(row)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        line = f"{r['streams']:>4} streams {r['format']:<9} {r['checks']:>5} checks  {r['seconds']:.3f} s"
        if "ratio" in r:
            line += f"   baseline {r['baseline_seconds']:.3f} s ({r['baseline_checks']} checks)  ratio {r['ratio']:.2f}"
        print(line)


if __name__ == "__main__":
    main()
