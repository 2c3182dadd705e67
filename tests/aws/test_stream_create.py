"""The checked create path against moto in-process: every refusal leaves the account unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from kvsctl.errors import AwsError, CheckFailed, ExitCode
from kvsctl.services.streams import CreateStreamRequest, StreamService
from tests.helpers import make_key, run_cli, stream_names


def svc(factory: Any) -> StreamService:
    return StreamService(factory)


def test_alias_is_resolved_and_key_arn_is_sent(factory: Any, boto: Any) -> None:
    meta = make_key(boto.kms, alias="alias/cams")
    warnings: list[str] = []
    out = svc(factory).create(
        CreateStreamRequest("cam", kms_key="alias/cams", retention_hours=24, media_type="video/h264"),
        warn=warnings.append,
    )
    assert out.action == "created"
    held = boto.kvs.describe_stream(StreamName="cam")["StreamInfo"]
    assert held["KmsKeyId"] == meta["Arn"]  # the key ARN, never the alias
    assert held["DataRetentionInHours"] == 24 and held["MediaType"] == "video/h264"
    assert any("can never be changed" in w for w in warnings)


@pytest.mark.parametrize("form", ["key-id", "key-arn", "alias-arn"])
def test_every_reference_form_sends_the_key_arn(factory: Any, boto: Any, form: str) -> None:
    meta = make_key(boto.kms, alias="alias/cams")
    ref = {"key-id": meta["KeyId"], "key-arn": meta["Arn"], "alias-arn": meta["Arn"].split(":key/")[0] + ":alias/cams"}[
        form
    ]
    svc(factory).create(CreateStreamRequest("cam", kms_key=ref))
    assert boto.kvs.describe_stream(StreamName="cam")["StreamInfo"]["KmsKeyId"] == meta["Arn"]


def test_aws_managed_default_sends_no_key_and_creates_no_key(factory: Any, boto: Any) -> None:
    out = svc(factory).create(CreateStreamRequest("cam"))
    assert out.kms_key_id_sent is None
    assert "KmsKeyId" not in boto.kvs.describe_stream(StreamName="cam")["StreamInfo"]
    # Resolving the AWS managed key must not create it (DescribeKey on alias/aws/kinesisvideo would).
    assert boto.kms.list_keys()["Keys"] == []


@pytest.mark.parametrize(
    ("state", "spec", "usage", "needle"),
    [
        ("Disabled", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "Disabled"),
        ("PendingDeletion", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "pending deletion"),
        ("Enabled", "RSA_2048", "ENCRYPT_DECRYPT", "RSA_2048"),
        ("Enabled", "ECC_NIST_P256", "SIGN_VERIFY", "SIGN_VERIFY"),
    ],
)
def test_unusable_key_is_exit_1_and_nothing_is_created(
    factory: Any, boto: Any, state: str, spec: str, usage: str, needle: str
) -> None:
    make_key(boto.kms, alias="alias/bad", state=state, spec=spec, usage=usage)
    with pytest.raises(CheckFailed) as info:
        svc(factory).create(CreateStreamRequest("cam", kms_key="alias/bad"))
    assert info.value.exit_code == ExitCode.CHECK_FAILED and info.value.code == "key_unusable"
    assert needle in info.value.message
    assert stream_names(boto.kvs) == []


def test_missing_key_is_exit_3_and_nothing_is_created(factory: Any, boto: Any) -> None:
    with pytest.raises(AwsError) as info:
        svc(factory).create(CreateStreamRequest("cam", kms_key="alias/nope"))
    assert info.value.exit_code == ExitCode.AWS and info.value.code == "key_not_found"
    assert stream_names(boto.kvs) == []


def test_key_in_another_region_is_refused_without_calls(factory: Any, boto: Any) -> None:
    arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    with pytest.raises(CheckFailed) as info:
        svc(factory).create(CreateStreamRequest("cam", kms_key=arn))
    assert info.value.code == "key_wrong_region"
    assert factory.stats.total == 0
    assert stream_names(boto.kvs) == []


def test_dry_run_checks_but_creates_nothing(factory: Any, boto: Any) -> None:
    meta = make_key(boto.kms, alias="alias/cams")
    out = svc(factory).create(CreateStreamRequest("cam", kms_key="alias/cams", dry_run=True))
    assert out.action == "would-create" and out.kms_key_id_sent == meta["Arn"]
    assert stream_names(boto.kvs) == []


def test_existing_stream_is_never_touched(factory: Any, boto: Any) -> None:
    a = make_key(boto.kms, alias="alias/a")
    make_key(boto.kms, alias="alias/b")
    boto.kvs.create_stream(StreamName="cam", KmsKeyId=a["Arn"], DataRetentionInHours=5)
    before = boto.kvs.describe_stream(StreamName="cam")["StreamInfo"]
    s = svc(factory)
    with pytest.raises(CheckFailed) as plain:
        s.create(CreateStreamRequest("cam", kms_key="alias/a", retention_hours=9))
    assert plain.value.code == "stream_exists"
    with pytest.raises(CheckFailed) as other:
        s.create(CreateStreamRequest("cam", kms_key="alias/b", if_not_exists=True))
    assert other.value.code == "stream_key_mismatch"
    same = s.create(CreateStreamRequest("cam", kms_key="alias/a", if_not_exists=True))
    assert same.action == "exists"
    assert boto.kvs.describe_stream(StreamName="cam")["StreamInfo"] == before


def test_if_not_exists_on_aws_managed(factory: Any, boto: Any) -> None:
    boto.kvs.create_stream(StreamName="cam")
    out = svc(factory).create(CreateStreamRequest("cam", if_not_exists=True))
    assert out.action == "exists"
    assert boto.kms.list_keys()["Keys"] == []


def test_another_services_aws_managed_key_given_by_id_is_refused(factory: Any, boto: Any, monkeypatch: Any) -> None:
    """moto marks every key CUSTOMER, so the AWS-managed metadata is patched in at the gateway."""
    meta = make_key(boto.kms)
    from kvsctl.aws.kms import KmsGateway

    original = KmsGateway._key_info

    def as_aws(self: KmsGateway, m: dict[str, Any], *, with_rotation: bool) -> Any:
        return original(self, {**m, "KeyManager": "AWS"}, with_rotation=with_rotation)

    monkeypatch.setattr(KmsGateway, "_key_info", as_aws)
    with pytest.raises(CheckFailed) as info:
        svc(factory).create(CreateStreamRequest("cam", kms_key=meta["KeyId"]))
    assert "another service" in info.value.message
    assert stream_names(boto.kvs) == []


def test_describe_and_list_resolve_keys_once(factory: Any, boto: Any) -> None:
    meta = make_key(boto.kms, alias="alias/cams")
    for i in range(5):
        boto.kvs.create_stream(StreamName=f"cam{i}", KmsKeyId=meta["Arn"])
    boto.kvs.create_stream(StreamName="plain")
    boto.kvs.create_stream(
        StreamName="lost", KmsKeyId="arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    )
    s = svc(factory)
    views = s.list()
    assert [v.stream.name for v in views] == ["cam0", "cam1", "cam2", "cam3", "cam4", "lost", "plain"]
    # once per distinct key: the cams key, the lost key, and the target moto lists for the AWS managed alias
    assert factory.stats.calls["kms.DescribeKey"] == 3
    by = {v.stream.name: v for v in views}
    assert by["cam3"].key is not None and by["cam3"].key.aliases == ("alias/cams",)
    assert by["plain"].encryption == "aws-managed" and by["plain"].key is not None
    assert by["plain"].key.state == "NotCreated"
    assert by["lost"].key is None and "does not exist" in by["lost"].notes[0]
    assert [v.stream.name for v in s.list(kms_key="alias/cams")] == [f"cam{i}" for i in range(5)]
    assert [v.stream.name for v in s.list(kms_key="aws-managed")] == ["plain"]
    assert [v.stream.name for v in s.list(name_prefix="cam1")] == ["cam1"]
    assert boto.kms.list_keys()["Keys"] == [{"KeyId": meta["KeyId"], "KeyArn": meta["Arn"]}]


def test_alias_arn_of_another_account_never_resolves_to_a_same_named_local_alias(moto: None, boto: Any) -> None:
    """An alias ARN names a key in its own account. moto ignores the account of an alias ARN in DescribeKey
    (a gap of moto, the stand-in), so the product must check that the key it got is in the ARN's account, or a
    stream would be created with the caller's own alias/cam key instead of the one the operator named."""
    make_key(boto.kms, alias="alias/cam")
    r = run_cli("stream", "create", "s1", "--kms-key", "arn:aws:kms:us-east-1:111111111111:alias/cam", "-o", "json")
    assert r.exit_code == 3, r.stdout
    assert r.error["code"] == "key_not_found"
    assert stream_names(boto.kvs) == []
