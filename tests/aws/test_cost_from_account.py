"""`kvsctl cost estimate --from-account` against moto in-process: exact counts and dollars."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import run_cli


@pytest.fixture
def account(boto: Any) -> dict[str, str]:
    """Streams on two customer keys (one reached through an alias), one on the AWS managed key,
    and a customer key no stream uses."""
    kms = boto.kms
    key_a = kms.create_key(Description="cams")["KeyMetadata"]
    key_b = kms.create_key(Description="doors")["KeyMetadata"]
    key_c = kms.create_key(Description="unused")["KeyMetadata"]
    kms.create_alias(AliasName="alias/cams", TargetKeyId=key_a["KeyId"])
    kms.enable_key_rotation(KeyId=key_a["KeyId"])
    kvs = boto.kvs
    kvs.create_stream(StreamName="cam-1", KmsKeyId=key_a["Arn"])
    kvs.create_stream(StreamName="cam-2", KmsKeyId="alias/cams")  # the same key A, by alias
    kvs.create_stream(StreamName="door-1", KmsKeyId=key_b["KeyId"])
    kvs.create_stream(StreamName="lobby")  # no KmsKeyId: the AWS managed key
    return {"a": key_a["Arn"], "b": key_b["Arn"], "c": key_c["Arn"]}


def test_counts_streams_and_distinct_keys(account: dict[str, str], boto: Any) -> None:
    r = run_cli("cost", "estimate", "--from-account", "-o", "json")
    assert r.exit_code == 0, r.stderr
    data = r.json
    # 4 streams × (1 + 1) credentials × 8,760 = 70,080 requests (the AWS managed stream counts)
    # billable 70,080 − 20,000 = 50,080 × $0.000003 = $0.15024
    # keys: A and B = $2.00 (C is used by no stream; the AWS managed key is free) → $2.15024
    assert data["assumptions"]["streams"] == 4
    assert data["assumptions"]["customer_keys"] == 2
    assert data["requests_per_month"] == 70_080
    assert data["billable_requests"] == 50_080
    assert data["request_cost_usd"] == 0.15024
    assert data["key_cost_usd"] == 2.00
    assert data["total_usd"] == 2.15024

    per_key = {k["key"]: k for k in data["per_key"]}
    assert set(per_key) == {account["a"], account["b"], "aws-managed"}
    assert per_key[account["a"]]["streams"] == ["cam-1", "cam-2"]
    assert per_key[account["a"]]["aliases"] == ["alias/cams"]
    assert per_key[account["a"]]["requests_per_month"] == 35_040
    assert per_key[account["a"]]["request_cost_usd"] == 0.10512  # before the free tier
    assert per_key[account["a"]]["key_cost_usd"] == 1.00
    assert per_key[account["b"]]["streams"] == ["door-1"]
    assert per_key["aws-managed"]["streams"] == ["lobby"]
    assert per_key["aws-managed"]["key_cost_usd"] == 0.00
    assert per_key["aws-managed"]["charged"] is False

    per_stream = {s["name"]: s for s in data["per_stream"]}
    assert per_stream["lobby"]["encryption"] == "aws-managed"
    assert per_stream["cam-2"]["key"] == account["a"]
    assert {s["requests_per_month"] for s in data["per_stream"]} == {17_520}

    assert [k["arn"] for k in data["unused_keys"]] == [account["c"]]

    # Reading created nothing: still the three keys (moto, like KMS, creates a key when
    # alias/aws/kinesisvideo is passed to DescribeKey; kvsctl never does that).
    assert len(boto.kms.list_keys()["Keys"]) == 3


def test_rotation_counts_only_on_rotating_keys(account: dict[str, str]) -> None:
    # --rotations 1: key A has rotation on → $1 + $1; key B $1 → key cost $3.00
    r = run_cli("cost", "estimate", "--from-account", "--rotations", "1", "-o", "json")
    assert r.exit_code == 0, r.stderr
    assert r.json["key_cost_usd"] == 3.00
    assert r.json["assumptions"]["rotated_keys"] == 1


def test_from_account_with_compare_and_table(account: dict[str, str]) -> None:
    r = run_cli("cost", "estimate", "--from-account", "--compare", "-o", "json")
    assert r.exit_code == 0, r.stderr
    by_name = {s["name"]: s for s in r.json["scenarios"]}
    assert by_name["today"]["total_usd"] == 2.15024
    assert by_name["key_per_stream"]["key_cost_usd"] == 4.00  # 4 streams, 4 keys
    assert by_name["aws_managed_key"]["total_usd"] == 0.15024

    t = run_cli("cost", "estimate", "--from-account", "--compare", "-o", "table")
    assert t.exit_code == 0, t.stderr
    assert "Customer managed keys no stream uses" in t.stdout
    assert "$2.15" in t.stdout


def test_name_prefix_limits_the_streams(account: dict[str, str]) -> None:
    r = run_cli("cost", "estimate", "--from-account", "--name-prefix", "cam-", "-o", "json")
    assert r.exit_code == 0, r.stderr
    # 2 streams on key A: 2 × 2 × 8,760 = 35,040; billable 15,040 × 0.000003 = 0.04512; + $1
    assert r.json["assumptions"]["streams"] == 2
    assert r.json["total_usd"] == 1.04512
    assert sorted(k["arn"] for k in r.json["unused_keys"]) == sorted([account["b"], account["c"]])


def test_a_key_of_another_account_counts_requests_not_key_cost(boto: Any) -> None:
    foreign = "arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    boto.kvs.create_stream(StreamName="shared", KmsKeyId=foreign)
    r = run_cli("cost", "estimate", "--from-account", "-o", "json", "--no-free-tier")
    assert r.exit_code == 0, r.stderr
    # 1 stream × 2 × 8,760 = 17,520 requests × 0.000003 = $0.05256; no key held here
    assert r.json["total_usd"] == 0.05256
    assert r.json["assumptions"]["customer_keys"] == 0
    assert r.json["per_key"] == [
        {
            "key": foreign,
            "aliases": [],
            "kind": "other",
            "streams": ["shared"],
            "requests_per_month": 17_520,
            "request_cost_usd": 0.05256,
            "key_cost_usd": 0.0,
            "rotation_enabled": None,
            "charged": False,
        }
    ]
    assert "warning: shared:" in r.stderr


def test_the_table_shows_the_costliest_streams_and_verbose_every_one(boto: Any) -> None:
    for i in range(12):
        boto.kvs.create_stream(StreamName=f"cam-{i:02d}")
    short = run_cli("cost", "estimate", "--from-account", "-o", "table")
    assert short.exit_code == 0, short.stderr
    assert "Per stream: the 10 costliest of 12" in short.stdout
    assert "2 more: --verbose shows every stream" in short.stdout
    assert sum(f"cam-{i:02d}" in short.stdout for i in range(12)) == 10
    full = run_cli("cost", "estimate", "--from-account", "--verbose", "-o", "table")
    assert full.exit_code == 0, full.stderr
    assert "Per stream (12)" in full.stdout and "more:" not in full.stdout
    assert all(f"cam-{i:02d}" in full.stdout for i in range(12))
    data = run_cli("cost", "estimate", "--from-account", "-o", "json").json
    assert len(data["per_stream"]) == 12  # JSON is always complete


def test_verbose_without_from_account_is_a_usage_error() -> None:
    result = run_cli("cost", "estimate", "--verbose", "-o", "json")
    assert result.exit_code == 2
    assert "--from-account" in result.error["message"]
