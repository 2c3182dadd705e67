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


def test_create_key_is_not_retried_when_kms_may_already_have_created_it(boto: Any, factory: Any) -> None:
    """A read timeout after KMS received CreateKey is ambiguous: the key may exist. Retrying it makes a
    second key and leaves the first an unnamed, billed orphan nobody is told about. moto cannot time out
    after doing the work, so the client's create_key is wrapped to do so."""
    import pytest
    from botocore.exceptions import ReadTimeoutError

    from kvsctl.errors import AwsError
    from kvsctl.services.keyadmin import CreateKeyRequest, KeyAdminService

    client = factory.client("kms")
    real = client.create_key

    def create_then_time_out(**params: Any) -> Any:
        real(**params)
        raise ReadTimeoutError(endpoint_url="https://kms.us-east-1.amazonaws.com")

    client.create_key = create_then_time_out
    admin = "arn:aws:iam::123456789012:role/KeyAdmin"
    with pytest.raises(AwsError) as err:
        KeyAdminService(factory).create(CreateKeyRequest(alias="alias/cams", admins=(admin,)))
    assert len(boto.kms.list_keys()["Keys"]) == 1  # one key, not one per attempt
    assert "list-keys" in (err.value.hint or "")


def test_an_invalid_name_prefix_is_refused_before_any_aws_call(moto: None, boto: Any) -> None:
    """KVS refuses a ComparisonValue outside [a-zA-Z0-9_.-]; moto accepts anything (FACTS.md), so without a
    local check the operator gets exit 0 from the sandbox and exit 3 from AWS instead of a usage error."""
    for args in (
        ("stream", "list", "--name-prefix", "lobby cam"),
        ("cost", "estimate", "--from-account", "--name-prefix", "lobby/cam"),
    ):
        r = run_cli(*args, "-o", "json")
        assert r.exit_code == 2, (args, r.stdout, r.stderr)
        assert "prefix" in r.error["message"]
