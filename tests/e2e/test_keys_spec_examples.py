"""The key/spec examples really run, and key create / apply work as a subprocess against a moto server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ACCOUNT, REGION, run_subprocess

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
pytestmark = pytest.mark.e2e


def kvsctl_shim(tmp_path: Path) -> Path:
    shim = tmp_path / "bin" / "kvsctl"
    shim.parent.mkdir(exist_ok=True)
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m kvsctl "$@"\n')
    shim.chmod(0o755)
    return shim


def sandbox_env(server: str, tmp_path: Path) -> dict[str, str]:
    shim = kvsctl_shim(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            "AWS_ENDPOINT_URL": server,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "KVSCTL": str(shim),
            "PYTHONPATH": str(ROOT),
            "PATH": f"{shim.parent}:{Path(sys.executable).parent}:{env.get('PATH', '')}",
            "NO_COLOR": "1",
        }
    )
    return env


def server_clients(server: str) -> Any:
    import boto3

    class Clients:
        kms = boto3.client("kms", endpoint_url=server, region_name=REGION)
        kvs = boto3.client("kinesisvideo", endpoint_url=server, region_name=REGION)

    return Clients()


def run_from_scratch(server: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(EXAMPLES / "create-from-scratch.sh")],
        capture_output=True,
        text=True,
        env=sandbox_env(server, tmp_path),
        timeout=180,
        cwd=tmp_path,
    )


def test_create_from_scratch_script(server: str, tmp_path: Path) -> None:
    proc = run_from_scratch(server, tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "from scratch: done, key arn:aws:kms:" in proc.stdout
    aws = server_clients(server)
    (alias,) = [a for a in aws.kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/kvs-cams"]
    key_arn = aws.kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]["Arn"]
    assert aws.kms.get_key_rotation_status(KeyId=alias["TargetKeyId"])["KeyRotationEnabled"] is True
    streams = {s["StreamName"]: s.get("KmsKeyId") for s in aws.kvs.list_streams()["StreamInfoList"]}
    assert streams == {"lobby-cam": key_arn, "loading-dock-cam": key_arn}


def test_key_create_and_apply_as_subprocesses(server: str, tmp_path: Path) -> None:
    admin = f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"
    r = run_subprocess("key", "create", "--alias", "alias/kvs-cams", "--admin", admin, "-o", "json", endpoint=server)
    assert r.exit_code == 0, r.stderr
    aws = server_clients(server)
    streams_before = aws.kvs.list_streams()["StreamInfoList"]
    plan = run_subprocess("apply", str(EXAMPLES / "streams.toml"), "--dry-run", "-o", "json", endpoint=server)
    assert plan.exit_code == 0, plan.stderr
    assert {s["action"] for s in plan.json["streams"]} == {"would-create"}
    assert aws.kvs.list_streams()["StreamInfoList"] == streams_before
    done = run_subprocess("apply", str(EXAMPLES / "streams.toml"), "-o", "json", endpoint=server)
    assert done.exit_code == 0, done.stderr
    assert {s["action"] for s in done.json["streams"]} == {"created"}
    assert "can never be changed" in done.stderr  # the warning, once, on stderr
    assert done.stderr.count("can never be changed") == 1
