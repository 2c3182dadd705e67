"""Defects found in the second review, each pinned by the outcome an operator would see."""

from __future__ import annotations

from typing import Any

from tests.helpers import make_key, run_cli, stream_names


def test_alias_arn_of_another_account_never_resolves_to_a_same_named_local_alias(moto: None, boto: Any) -> None:
    """An alias ARN names a key in its own account. moto ignores the account of an alias ARN in DescribeKey
    (FACTS.md: moto's gaps), so the product must check that the key it got is in the ARN's account, or a
    stream would be created with the caller's own alias/cam key instead of the one the operator named."""
    make_key(boto.kms, alias="alias/cam")
    r = run_cli("stream", "create", "s1", "--kms-key", "arn:aws:kms:us-east-1:111111111111:alias/cam", "-o", "json")
    assert r.exit_code == 3, r.stdout
    assert r.error["code"] == "key_not_found"
    assert stream_names(boto.kvs) == []
