"""The KVS request context (KVS DG "Using server-side encryption"; KMS DG "kms:ViaService"; IAM UG global keys)."""

from __future__ import annotations

import pytest

from kvsctl.audit.context import kvs_request_context
from kvsctl.policy.context import KeyStatus
from kvsctl.policy.principals import parse_principal

A = "111122223333"
KEY = f"arn:aws:kms:eu-central-1:{A}:key/k"
STREAM = f"arn:aws:kinesisvideo:eu-central-1:{A}:stream/cam/1"
ROLE = f"arn:aws:iam::{A}:role/p/Producer"
SESSION = f"arn:aws:sts::{A}:assumed-role/Producer/s"
USER = f"arn:aws:iam::{A}:user/alice"


@pytest.mark.parametrize(
    ("who", "action", "resource", "key", "status", "values"),
    [
        pytest.param(
            ROLE,
            "kms:Decrypt",
            KEY,
            "kms:ViaService",
            KeyStatus.PRESENT,
            ("kinesisvideo.eu-central-1.amazonaws.com",),
            id="kms:ViaService is the KVS endpoint of the key's region",
        ),
        pytest.param(
            ROLE,
            "kms:Decrypt",
            KEY,
            "kms:CallerAccount",
            KeyStatus.PRESENT,
            (A,),
            id="kms:CallerAccount is the caller's account",
        ),
        pytest.param(
            ROLE,
            "kms:Decrypt",
            KEY,
            "aws:PrincipalArn",
            KeyStatus.PRESENT,
            (ROLE,),
            id="aws:PrincipalArn of a role session is the role ARN",
        ),
        pytest.param(
            SESSION,
            "kms:Decrypt",
            KEY,
            "aws:PrincipalArn",
            KeyStatus.UNKNOWN,
            (),
            id="session without known role path: PrincipalArn unknown",
        ),
        pytest.param(
            ROLE,
            "kms:Decrypt",
            KEY,
            "aws:PrincipalType",
            KeyStatus.PRESENT,
            ("AssumedRole",),
            id="aws:PrincipalType AssumedRole",
        ),
        pytest.param(
            USER, "kms:Decrypt", KEY, "aws:PrincipalType", KeyStatus.PRESENT, ("User",), id="aws:PrincipalType User"
        ),
        pytest.param(
            USER,
            "kms:Decrypt",
            KEY,
            "aws:username",
            KeyStatus.PRESENT,
            ("alice",),
            id="aws:username only for IAM users",
        ),
        pytest.param(ROLE, "kms:Decrypt", KEY, "aws:username", KeyStatus.ABSENT, (), id="roles carry no aws:username"),
        pytest.param(
            ROLE, "kms:Decrypt", KEY, "aws:SecureTransport", KeyStatus.PRESENT, ("true",), id="aws:SecureTransport true"
        ),
        pytest.param(
            ROLE,
            "kms:Decrypt",
            KEY,
            "aws:ViaAWSService",
            KeyStatus.PRESENT,
            ("true",),
            id="KMS call made by KVS: aws:ViaAWSService true",
        ),
        pytest.param(
            ROLE,
            "kinesisvideo:GetMedia",
            STREAM,
            "aws:ViaAWSService",
            KeyStatus.PRESENT,
            ("false",),
            id="direct KVS call: aws:ViaAWSService false",
        ),
        pytest.param(
            ROLE,
            "kinesisvideo:GetMedia",
            STREAM,
            "kms:ViaService",
            KeyStatus.ABSENT,
            (),
            id="no kms:ViaService on the KVS call",
        ),
        pytest.param(
            ROLE,
            "kms:Decrypt",
            KEY,
            "kms:EncryptionContext:anything",
            KeyStatus.UNKNOWN,
            (),
            id="encryption context unknown (KVS documents none)",
        ),
        pytest.param(ROLE, "kms:Decrypt", KEY, "aws:SourceIp", KeyStatus.UNKNOWN, (), id="source IP unknown"),
        pytest.param(
            ROLE, "kms:Decrypt", KEY, "aws:CalledVia", KeyStatus.UNKNOWN, (), id="aws:CalledVia not set by the tool"
        ),
        pytest.param(ROLE, "kms:Decrypt", KEY, "aws:PrincipalOrgID", KeyStatus.UNKNOWN, (), id="organization unknown"),
        pytest.param(
            ROLE,
            "kms:Decrypt",
            KEY,
            "kms:GrantIsForAWSResource",
            KeyStatus.ABSENT,
            (),
            id="grant-operation keys absent from Decrypt",
        ),
    ],
)
def test_kvs_context(
    who: str, action: str, resource: str, key: str, status: KeyStatus, values: tuple[str, ...]
) -> None:
    st = kvs_request_context(parse_principal(who), action=action, resource=resource).get(key)
    assert st.status is status and st.values == values


def test_overrides_set_split_and_remove() -> None:
    ctx = kvs_request_context(
        parse_principal(ROLE),
        action="kms:Decrypt",
        resource=KEY,
        overrides={"aws:SourceIp": "10.1.2.3", "kms:EncryptionContextKeys": "a, b", "aws:SecureTransport": ""},
    )
    assert ctx.get("aws:sourceip").values == ("10.1.2.3",)
    assert ctx.get("kms:EncryptionContextKeys").values == ("a", "b")
    assert ctx.get("aws:SecureTransport").status is KeyStatus.ABSENT
