"""`kvsctl key ...` and `kvsctl apply` through the real entry point: offline commands stay offline,
bad input is exit 2 before any AWS call."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kvsctl.errors import ExitCode
from tests.helpers import ACCOUNT, run_cli

DEAD = ["--endpoint-url", "http://127.0.0.1:9"]  # any AWS call would end in exit 3
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"
CAM = f"arn:aws:iam::{ACCOUNT}:role/Camera"


def test_recommend_policy_json_is_the_document_alone() -> None:
    r = run_cli("key", "recommend-policy", "--admin", ADMIN, "--producer", CAM, "--region", "eu-west-1", "-o", "json")
    assert r.exit_code == 0, r.stderr
    doc = r.json
    assert set(doc) == {"Version", "Id", "Statement"}
    assert [s["Sid"] for s in doc["Statement"]] == [
        "KeyAdministrationNoDataAccess",
        "KvsProducersGenerateDataKeyViaKvsOnly",
    ]
    assert doc["Statement"][1]["Condition"]["StringEquals"]["kms:ViaService"] == "kinesisvideo.eu-west-1.amazonaws.com"


def test_recommend_policy_region_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    r = run_cli("key", "recommend-policy", "--admin", ADMIN, "--producer", CAM, "-o", "json")
    assert "kinesisvideo.ap-south-1.amazonaws.com" in r.stdout
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    r = run_cli("key", "recommend-policy", "--admin", ADMIN, "-o", "json")
    assert r.exit_code == 2
    assert r.error["code"] == "no_region"


def test_recommend_policy_table_shows_sids_and_document() -> None:
    r = run_cli("key", "recommend-policy", "--admin", ADMIN, "--producer", CAM, "--region", "us-east-1", "-o", "table")
    assert r.exit_code == 0
    assert "KvsProducersGenerateDataKeyViaKvsOnly" in r.stdout
    start = r.stdout.index("{")
    assert json.loads(r.stdout[start:])["Id"] == "kvsctl-kvs-key-policy"


def test_recommend_policy_imports_no_boto3() -> None:
    code = (
        "import sys; from kvsctl.cli.app import main; "
        f"rc = main(['key', 'recommend-policy', '--admin', '{ADMIN}', '--region', 'us-east-1', '-o', 'json']); "
        "assert rc == 0, rc; assert 'boto3' not in sys.modules and 'botocore' not in sys.modules, 'boto imported'"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["key", "recommend-policy", "--region", "us-east-1"],
        ["key", "recommend-policy", "--admin", "role/KeyAdmin", "--region", "us-east-1"],
        ["key", "recommend-policy", "--admin", ADMIN, "--region", "nowhere"],
        ["key", "recommend-policy", "--admin", ADMIN, "--region", "us-east-1", "--account", "abc"],
        ["key", "create", "--admin", ADMIN],
        ["key", "create", "--alias", "alias/x", *DEAD],
        ["key", "create", "--alias", "x", "--admin", ADMIN, *DEAD],
        ["key", "create", "--alias", "alias/x", "--admin", ADMIN, "--consumer", "*", *DEAD],
        ["key", "create", "--alias", "alias/x", "--admin", ADMIN, "--description", "d" * 8193, *DEAD],
        ["key", "describe", "not a key", *DEAD],
        ["apply", "/nonexistent/spec.toml", *DEAD],
    ],
)
def test_bad_input_is_exit_2_before_any_aws_call(args: list[str]) -> None:
    r = run_cli(*args, "-o", "json")
    assert r.exit_code == ExitCode.USAGE, r.stderr
    assert r.stdout == ""
    assert r.error["message"] and r.error["hint"]


def test_spec_error_in_table_mode_is_one_line_plus_hint(tmp_path: Path) -> None:
    spec = tmp_path / "s.toml"
    spec.write_text('[[stream]]\nname = "a"\nkms_key = "aws-managed"\nretention_hours = "24"\n')
    r = run_cli("apply", str(spec), "-o", "table", *DEAD)
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert lines[0] == f"kvsctl: error: {spec}:4: stream 'a': retention_hours must be an integer, not a string"
    assert lines[1].startswith("hint: Write retention_hours = 24")
    assert len(lines) == 2
