"""Action and ARN matching (IAM UG: Action element, Resource element, ARN wildcards)."""

from __future__ import annotations

import pytest

from kvsctl.policy.match import match_action, match_arn, parse_arn

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        pytest.param("kms:Decrypt", "kms:Decrypt", True, id="exact"),
        pytest.param("KMS:decrypt", "kms:Decrypt", True, id="actions are case-insensitive"),
        pytest.param("kms:*", "kms:Decrypt", True, id="service wildcard"),
        pytest.param("*", "kinesisvideo:PutMedia", True, id="bare star"),
        pytest.param("kms:GenerateDataKey*", "kms:GenerateDataKey", True, id="trailing * matches empty"),
        pytest.param(
            "kms:GenerateDataKey*", "kms:GenerateDataKeyWithoutPlaintext", True, id="trailing * matches suffix"
        ),
        pytest.param("kms:Re?ncrypt*", "kms:ReEncryptFrom", True, id="? matches one character"),
        pytest.param("kms:Decrypt", "kms:DecryptX", False, id="no prefix matching"),
        pytest.param(
            "kinesis-video:PutMedia", "kinesisvideo:PutMedia", False, id="kinesis-video prefix is not kinesisvideo"
        ),
        pytest.param("kinesisvideo:Get*", "kinesisvideo:GetMedia", True, id="KVS wildcard"),
    ],
)
def test_match_action(pattern: str, action: str, expected: bool) -> None:
    assert match_action(pattern, action) is expected


@pytest.mark.parametrize(
    ("pattern", "arn", "expected"),
    [
        pytest.param("*", KEY, True, id="star matches every resource (key policy: this key)"),
        pytest.param(KEY, KEY, True, id="exact"),
        pytest.param("arn:aws:kms:*:111122223333:key/*", KEY, True, id="wildcard region and key id"),
        pytest.param("arn:aws:kms:us-east-1:111122223333:*", KEY, True, id="resource part star spans /"),
        pytest.param("arn:aws:kms:us-east-1:*:key/*", KEY, True, id="wildcard account"),
        pytest.param("arn:aws:kms:us-east-1:444455556666:key/*", KEY, False, id="other account"),
        pytest.param("arn:aws:kms:us-*:111122223333:key/*", KEY, True, id="glob inside a segment"),
        pytest.param("arn:aws:*:111122223333:key/*", KEY, False, id="star does not cross segments"),
        pytest.param("arn:aws:KMS:us-east-1:111122223333:key/*", KEY, False, id="ARN matching is case-sensitive"),
        pytest.param("arn:aws:kms:us-east-1:111122223333:alias/x", KEY, False, id="alias ARN is not the key"),
        pytest.param("not-an-arn", KEY, False, id="malformed pattern matches nothing"),
        pytest.param(
            "arn:aws:kinesisvideo:us-east-1:111122223333:stream/cam/*",
            "arn:aws:kinesisvideo:us-east-1:111122223333:stream/cam/1699999999999",
            True,
            id="stream ARN with creation time",
        ),
        pytest.param(
            "arn:aws:kinesis-video:*:111122223333:MyStream",
            "arn:aws:kinesisvideo:us-east-1:111122223333:stream/MyStream/1",
            False,
            id="KVS guide's example resource matches no stream",
        ),
    ],
)
def test_match_arn(pattern: str, arn: str, expected: bool) -> None:
    assert match_arn(pattern, arn) is expected


def test_parse_arn() -> None:
    a = parse_arn(KEY)
    assert a is not None and (a.service, a.region, a.account, a.resource_type) == (
        "kms",
        "us-east-1",
        "111122223333",
        "key",
    )
    assert parse_arn("arn:aws:kms") is None
    assert parse_arn("x:aws:kms:r:a:key/1") is None
