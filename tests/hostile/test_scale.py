"""Issue 11, item 15 (cost of scale): requests grow with what is asked, not with the account.

- `cost estimate --from-account` read every key twice (once per stream's key, once in the key listing):
  now each key is read once.
- `stream list --kms-key` and `key describe` resolved every stream's key to find the few streams on one
  key: now the asked-for key is read once and each stream's KmsKeyId is compared with its forms (key id,
  key ARN, alias name, alias ARN, from one ListAliases); only a value that comparison cannot settle
  (another account's alias ARN) is resolved, once per distinct value.

Requests are counted at the HTTP layer in front of moto (tests/faults.py), so what is counted is what
was sent, whatever kvsctl believes it did."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ACCOUNT, REGION, run_cli

KEYS = 6
OTHER_ALIAS_ARN = f"arn:aws:kms:{REGION}:210987654321:alias/theirs"


def forms(meta: dict[str, Any], alias: str) -> list[str]:
    """The four ways a stream's KmsKeyId may name a key."""
    return [meta["Arn"], meta["KeyId"], alias, f"arn:aws:kms:{REGION}:{ACCOUNT}:{alias}"]


@pytest.fixture
def account(faults: Any) -> dict[str, Any]:
    """KEYS customer keys, each used by four streams (one per form of its name), two streams on the AWS
    managed key, two on another account's alias ARN (the same value), one on a key that does not exist."""
    c = faults.clients()
    keys = []
    for i in range(KEYS):
        meta = c.kms.create_key(Description=f"k{i}")["KeyMetadata"]
        c.kms.create_alias(AliasName=f"alias/k{i}", TargetKeyId=meta["KeyId"])
        keys.append(meta)
        for j, ref in enumerate(forms(meta, f"alias/k{i}")):
            c.kvs.create_stream(StreamName=f"s{i}-{j}", KmsKeyId=ref)
    c.kvs.create_stream(StreamName="managed-1")
    c.kvs.create_stream(StreamName="managed-2", KmsKeyId="alias/aws/kinesisvideo")
    c.kvs.create_stream(StreamName="foreign-1", KmsKeyId=OTHER_ALIAS_ARN)
    c.kvs.create_stream(StreamName="foreign-2", KmsKeyId=OTHER_ALIAS_ARN)
    c.kvs.create_stream(
        StreamName="gone", KmsKeyId=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{'0' * 8}-0000-0000-0000-{'0' * 12}"
    )
    faults.clear_counts()
    return {"keys": keys}


def kvsctl(faults: Any, *args: str) -> Any:
    result = run_cli(*args, "--endpoint-url", faults.url, "-o", "json")
    assert result.exit_code == 0, result.stderr
    return result.json


def test_cost_from_account_reads_each_key_once(faults: Any, account: dict[str, Any]) -> None:
    data = kvsctl(faults, "cost", "estimate", "--from-account")
    described, rotations = faults.count("DescribeKey"), faults.count("GetKeyRotationStatus")
    assert faults.count("ListKeys") == faults.count("ListAliases") == 1
    keys = len(faults.clients().kms.list_keys()["Keys"])
    assert described <= keys + 2  # each listed key once; the two values of no listed key once each
    assert rotations <= keys
    per_key = {k["key"]: sorted(k["streams"]) for k in data["per_key"] if k["kind"] == "customer-managed"}
    for i, meta in enumerate(account["keys"]):
        assert per_key[meta["Arn"]] == [f"s{i}-{j}" for j in range(4)]  # every form of its name counted


@pytest.mark.parametrize("form", range(4))
def test_stream_list_by_key_reads_that_key_once_and_finds_every_form(
    faults: Any, account: dict[str, Any], form: int
) -> None:
    meta = account["keys"][2]
    data = kvsctl(faults, "stream", "list", "--kms-key", forms(meta, "alias/k2")[form])
    assert sorted(s["name"] for s in data["streams"]) == [f"s2-{j}" for j in range(4)]
    assert {s["key"]["key_arn"] for s in data["streams"]} == {meta["Arn"]}
    # the asked-for key once (by alias: DescribeKey of the alias); nothing per stream, whatever the account holds
    assert faults.count("DescribeKey") == 1
    assert faults.count("GetKeyRotationStatus") == 1
    assert faults.count("ListAliases") == 1


def test_key_describe_reads_the_key_once_to_find_its_streams(faults: Any, account: dict[str, Any]) -> None:
    meta = account["keys"][4]
    data = kvsctl(faults, "key", "describe", "alias/k4")
    assert sorted(s["name"] for s in data["streams"]) == [f"s4-{j}" for j in range(4)]
    assert faults.count("DescribeKey") == 1 and faults.count("ListAliases") == 1
    assert meta["Arn"] == data["key"]["key_arn"]


def test_stream_list_aws_managed_reads_no_customer_key(faults: Any, account: dict[str, Any]) -> None:
    data = kvsctl(faults, "stream", "list", "--kms-key", "aws-managed")
    assert sorted(s["name"] for s in data["streams"]) == ["managed-1", "managed-2"]
    # the foreign alias ARN cannot be settled by comparison: resolved once for both streams holding it
    assert faults.count("DescribeKey") <= 2


def test_filtering_agrees_with_the_unfiltered_listing(faults: Any, account: dict[str, Any]) -> None:
    """The oracle: every stream of the full listing (each key resolved) whose key is the asked-for one."""
    everything = kvsctl(faults, "stream", "list")["streams"]
    for ref in ("alias/k0", account["keys"][5]["KeyId"], "aws-managed"):
        filtered = kvsctl(faults, "stream", "list", "--kms-key", ref)["streams"]
        if ref == "aws-managed":
            expected = [s for s in everything if s["encryption"] == "aws-managed"]
        else:
            arn = filtered[0]["key"]["key_arn"]
            expected = [s for s in everything if s["key"] and s["key"]["key_arn"] == arn]
        assert filtered == expected
