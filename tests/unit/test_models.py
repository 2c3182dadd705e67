"""What counts as the AWS managed key, and when a key is usable by KVS."""

from datetime import datetime, timezone

import pytest

from kvsctl.checks.keys import usable_problems
from kvsctl.models import KeyInfo, Stream, StreamView, is_aws_managed_reference


@pytest.mark.parametrize(
    ("held", "managed"),
    [
        (None, True),  # no KmsKeyId: KVS used the AWS managed key
        ("", True),
        ("alias/aws/kinesisvideo", True),
        ("aws/kinesisvideo", True),
        ("alias/aws/kinesis-video", True),  # the SSE guide's spelling
        ("arn:aws:kms:us-east-1:123456789012:alias/aws/kinesisvideo", True),  # real DescribeStream output
        ("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", False),
        ("alias/cams", False),
    ],
)
def test_aws_managed_reference(held: str | None, managed: bool) -> None:
    assert is_aws_managed_reference(held) is managed


def key(**kw: object) -> KeyInfo:
    base: dict[str, object] = dict(
        arn="arn:aws:kms:us-east-1:1:key/k",
        key_id="k",
        aliases=(),
        manager="CUSTOMER",
        state="Enabled",
        spec="SYMMETRIC_DEFAULT",
        usage="ENCRYPT_DECRYPT",
        region="us-east-1",
        account="1",
    )
    base.update(kw)
    return KeyInfo(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({}, None),
        ({"state": "Disabled"}, "Disabled"),
        ({"state": "PendingDeletion", "deletion_date": datetime(2027, 1, 2, tzinfo=timezone.utc)}, "2027-01-02"),
        ({"state": "PendingImport"}, "PendingImport"),
        ({"spec": "RSA_2048"}, "RSA_2048"),
        ({"usage": "SIGN_VERIFY"}, "SIGN_VERIFY"),
        ({"state": "NotCreated", "manager": "AWS"}, None),  # KVS creates the AWS managed key on first use
    ],
)
def test_usable_problems(changes: dict[str, object], problem: str | None) -> None:
    problems = usable_problems(key(**changes))
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_stream_view_json_shape() -> None:
    s = Stream(
        name="cam",
        arn="arn:aws:kinesisvideo:us-east-1:1:stream/cam/1",
        status="ACTIVE",
        retention_hours=24,
        media_type="video/h264",
        kms_key_id=None,
    )
    data = StreamView(s, None).to_json()
    assert {"name", "arn", "status", "retention_hours", "media_type", "kms_key_id", "encryption", "key"} <= set(data)
    assert data["encryption"] == "aws-managed" and data["key"] is None
    assert StreamView(s, key()).to_json()["encryption"] == "customer-managed"
