"""Key references as users type them: every accepted form, and refusals before any AWS call (exit 2)."""

import pytest

from kvsctl.errors import ExitCode, UsageError
from kvsctl.keyref import parse_key_ref

KID = "1234abcd-12ab-34cd-56ef-1234567890ab"
ARN = f"arn:aws:kms:us-east-1:111122223333:key/{KID}"


@pytest.mark.parametrize(
    ("text", "kind", "region", "account"),
    [
        ("aws-managed", "aws-managed", None, None),
        ("alias/aws/kinesisvideo", "aws-managed", None, None),  # API docs' spelling
        ("alias/aws/kinesis-video", "aws-managed", None, None),  # SSE guide's spelling
        ("arn:aws:kms:us-west-2:111122223333:alias/aws/kinesisvideo", "aws-managed", "us-west-2", "111122223333"),
        (KID, "key-id", None, None),
        ("mrk-1234abcd12ab34cd56ef1234567890ab", "key-id", None, None),
        (ARN, "key-arn", "us-east-1", "111122223333"),
        ("alias/cams", "alias-name", None, None),
        ("arn:aws:kms:eu-west-1:111122223333:alias/cams", "alias-arn", "eu-west-1", "111122223333"),
    ],
)
def test_accepted_forms(text: str, kind: str, region: str | None, account: str | None) -> None:
    ref = parse_key_ref(text)
    assert (ref.kind, ref.region, ref.account) == (kind, region, account)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "not-a-key",
        "alias/",
        "alias/has space",
        "arn:aws:kms:us-east-1:1234:key/" + KID,  # account is not 12 digits
        "arn:aws:s3:::bucket",
        "arn:aws:kms:us-east-1:111122223333:key/not-a-uuid",
        "x" * 3000,
        # AWS managed keys of other services: KVS cannot use them, and DescribeKey would create them.
        "alias/aws/s3",
        "arn:aws:kms:us-east-1:111122223333:alias/aws/ebs",
    ],
)
def test_refused_before_any_call(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_key_ref(text)
    assert info.value.exit_code == ExitCode.USAGE
    assert info.value.hint
