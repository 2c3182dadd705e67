"""The recommended key policy, judged by the project's own evaluator: `key recommend-policy -o json`
fed to `kvsctl audit policy` (both offline)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ACCOUNT, run_cli

ADMIN = f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"
CAM = f"arn:aws:iam::{ACCOUNT}:role/Camera"
CAM2 = f"arn:aws:iam::{ACCOUNT}:user/door-camera"
VIEW = f"arn:aws:iam::{ACCOUNT}:role/Viewer"
OTHER = f"arn:aws:iam::{ACCOUNT}:role/SomeoneElse"
KEY = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def recommend(tmp_path: Path, *extra: str) -> Path:
    r = run_cli(
        "key", "recommend-policy", "--region", "us-west-2", "--admin", ADMIN, "--producer", CAM,
        "--producer", CAM2, "--consumer", VIEW, *extra, "-o", "json",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    path = tmp_path / "key-policy.json"
    path.write_text(r.stdout)
    return path


def audit(policy: Path, *args: str) -> tuple[int, dict[tuple[str, str, str], str], list[dict[str, Any]]]:
    r = run_cli("audit", "policy", "--key-policy", str(policy), "--key-arn", KEY, *args, "-o", "json")
    assert r.exit_code in (0, 1), r.stderr
    out = r.json
    decisions = {(x["principal"], x["role"], x["action"]): x["decision"] for x in out["results"]}
    return r.exit_code, decisions, out["findings"]


def test_producers_generate_consumers_decrypt_nobody_else(tmp_path: Path) -> None:
    policy = recommend(tmp_path)
    code, d, findings = audit(policy, "--producer", CAM, "--producer", CAM2, "--consumer", VIEW)
    assert code == 0
    assert d[(CAM, "producer", "kms:GenerateDataKey")] == "allow"
    assert d[(CAM2, "producer", "kms:GenerateDataKey")] == "allow"
    assert d[(VIEW, "consumer", "kms:Decrypt")] == "allow"
    # the evaluator finds nothing wrong or risky in it
    assert [f for f in findings if f["severity"] in ("error", "warning")] == []


def test_least_privilege_denials(tmp_path: Path) -> None:
    policy = recommend(tmp_path)
    code, d, _findings = audit(
        policy,
        "--consumer", CAM,  # a producer must not be able to decrypt
        "--producer", VIEW,  # a consumer must not be able to generate data keys
        "--producer", ADMIN, "--consumer", ADMIN,  # admins get no data access
        "--producer", OTHER, "--consumer", OTHER,  # nobody else either
    )  # fmt: skip
    assert code == 1
    assert d[(CAM, "consumer", "kms:Decrypt")] == "implicit_deny"
    assert d[(VIEW, "producer", "kms:GenerateDataKey")] == "implicit_deny"
    assert d[(ADMIN, "producer", "kms:GenerateDataKey")] == "implicit_deny"
    assert d[(ADMIN, "consumer", "kms:Decrypt")] == "implicit_deny"
    assert d[(OTHER, "producer", "kms:GenerateDataKey")] == "implicit_deny"
    assert d[(OTHER, "consumer", "kms:Decrypt")] == "implicit_deny"


@pytest.mark.parametrize(
    ("context", "why"),
    [
        ("kms:ViaService=", "a direct call to KMS, not through KVS"),
        ("kms:ViaService=s3.us-west-2.amazonaws.com", "through another service"),
        ("kms:ViaService=kinesisvideo.eu-west-1.amazonaws.com", "through KVS in another region"),
    ],
)
def test_only_through_kvs_in_the_keys_region(tmp_path: Path, context: str, why: str) -> None:
    policy = recommend(tmp_path)
    _code, d, _f = audit(policy, "--producer", CAM, "--consumer", VIEW, "--context", context)
    assert d[(CAM, "producer", "kms:GenerateDataKey")] == "implicit_deny", why
    assert d[(VIEW, "consumer", "kms:Decrypt")] == "implicit_deny", why


def test_account_delegation_only_when_asked(tmp_path: Path) -> None:
    """Without --allow-account-iam no IAM policy can open the key; with it, IAM can (conditional on IAM)."""
    strict = recommend(tmp_path)
    _c, d, _f = audit(strict, "--consumer", OTHER)
    assert d[(OTHER, "consumer", "kms:Decrypt")] == "implicit_deny"
    delegated = recommend(tmp_path, "--allow-account-iam")
    _c, d, _f = audit(delegated, "--consumer", OTHER)
    assert d[(OTHER, "consumer", "kms:Decrypt")] == "conditional"
