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


# -- the CI examples ---------------------------------------------------------------------------------

CI_FILES = {
    "github": EXAMPLES / "ci" / "github-actions-kvsctl.yml",
    "gitlab": EXAMPLES / "ci" / "gitlab-ci-kvsctl.yml",
}


def ci_commands(name: str) -> list[str]:
    """The kvsctl command lines of a CI example, read from its YAML (PyYAML when installed, else the
    `run:` / `- ` lines as text)."""
    text = CI_FILES[name].read_text()
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is optional
        lines = [ln.strip().removeprefix("- ").removeprefix("run:").strip() for ln in text.splitlines()]
        return [ln for ln in lines if ln.startswith("kvsctl ")]
    doc = yaml.safe_load(text)
    if name == "github":
        assert doc["permissions"]["security-events"] == "write"
        steps = doc["jobs"]["preflight"]["steps"]
        upload = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
        assert upload and upload[0]["if"] == "always()"
        runs = [s["run"] for s in steps if "run" in s]
        commands = [r for r in runs if r.startswith("kvsctl ")]
        assert any(upload[0]["with"]["sarif_file"] in c for c in commands)
    else:
        job = doc["kvsctl-preflight"]
        assert job["artifacts"]["when"] == "always"
        commands = [c for c in job["script"] if c.startswith("kvsctl ")]
        assert any(job["artifacts"]["reports"]["junit"] in c for c in commands)
    assert commands
    return commands


def seed_declared_state(server: str) -> None:
    """What examples/streams.toml declares, made with kvsctl itself (in-process, against the server)."""
    import json

    import boto3

    from tests.helpers import run_cli

    iam = boto3.client("iam", endpoint_url=server, region_name=REGION)
    # the calls real clients make on the stream (kvsctl/workloads/paths.py)
    producer = ["DescribeStream", "GetDataEndpoint", "PutMedia"]
    for name, actions in (
        ("KeyAdmin", None),
        ("CameraProducer", producer),
        ("VideoAnalytics", ["GetDataEndpoint", "GetMedia"]),
    ):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")
        if actions:
            doc = {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": [f"kinesisvideo:{a}" for a in actions], "Resource": "*"}],
            }
            iam.put_role_policy(RoleName=name, PolicyName="kvs", PolicyDocument=json.dumps(doc))
    role = f"arn:aws:iam::{ACCOUNT}:role/"
    created = run_cli(
        "key", "create", "--alias", "alias/kvs-cams", "--admin", role + "KeyAdmin", "--producer",
        role + "CameraProducer", "--consumer", role + "VideoAnalytics", "--endpoint-url", server, "-o", "json",
    )  # fmt: skip
    assert created.exit_code == 0, created.stderr
    applied = run_cli("apply", str(EXAMPLES / "streams.toml"), "--endpoint-url", server, "-o", "json")
    assert applied.exit_code == 0, applied.stderr


def run_ci_command(command: str, server: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run one CI command line as the job would, from a checkout-like folder."""
    (tmp_path / "examples").mkdir(exist_ok=True)
    (tmp_path / "examples" / "streams.toml").write_text((EXAMPLES / "streams.toml").read_text())
    return subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, env=sandbox_env(server, tmp_path), cwd=tmp_path,
        timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("ci", sorted(CI_FILES))
def test_ci_example_commands_pass_then_catch_a_broken_consumer(ci: str, server: str, tmp_path: Path) -> None:
    import json
    import xml.etree.ElementTree as ET

    seed_declared_state(server)
    commands = ci_commands(ci)
    for command in commands:
        proc = run_ci_command(command, server, tmp_path)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    report = tmp_path / ("kvsctl.sarif" if ci == "github" else "kvsctl-junit.xml")
    if ci == "github":
        assert json.loads(report.read_text())["runs"][0]["results"] == []
    else:
        assert ET.fromstring(report.read_text()).get("failures") == "0"
    # Someone removes the consumer's key access: the same job now fails and the report says where.
    aws = server_clients(server)
    (alias,) = [a for a in aws.kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/kvs-cams"]
    policy = json.loads(aws.kms.get_key_policy(KeyId=alias["TargetKeyId"], PolicyName="default")["Policy"])
    policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != "KvsConsumersDecryptViaKvsOnly"]
    aws.kms.put_key_policy(KeyId=alias["TargetKeyId"], PolicyName="default", Policy=json.dumps(policy))
    report.unlink()
    failed = run_ci_command(commands[-1], server, tmp_path)
    assert failed.returncode == 1, failed.stderr
    if ci == "github":
        results = json.loads(report.read_text())["runs"][0]["results"]
        assert {r["ruleId"] for r in results} == {"KVS-CONSUMER-DECRYPT"}
        assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
            "examples/streams.toml"
        }
    else:
        root = ET.fromstring(report.read_text())
        assert root.get("failures") == "2"  # the consumer of each of the two streams
        assert {f.get("type") for f in root.iter("failure")} == {"KVS-CONSUMER-DECRYPT"}
