"""KMS and identity-only authorization, one row per AWS rule.

Sources: KMS DG "KMS key access and permissions", "Key policies" (default key policy, delegation to
IAM), "Allowing users in other accounts to use a KMS key", "Grants in AWS KMS"; IAM UG "Policy
evaluation logic", "Permissions boundaries for IAM entities" (resource-based policy naming a user or
session vs a role), "Cross-account policy evaluation logic"; Organizations UG "SCP evaluation".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from kvsctl.policy.context import RequestContext
from kvsctl.policy.document import Policy, PolicyKind, parse_policy
from kvsctl.policy.evaluate import DecisionKind, Request
from kvsctl.policy.kms import IamPolicies, authorize_identity_only, authorize_kms
from kvsctl.policy.principals import parse_principal

A, B = "111122223333", "444455556666"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
STREAM = f"arn:aws:kinesisvideo:us-east-1:{A}:stream/cam/1700000000000"
ROLE = f"arn:aws:iam::{A}:role/Producer"
SESSION = f"arn:aws:sts::{A}:assumed-role/Producer/cam-1"
USER = f"arn:aws:iam::{A}:user/alice"
EXT_ROLE = f"arn:aws:iam::{B}:role/Viewer"
ROOT_A, ROOT_B = f"arn:aws:iam::{A}:root", f"arn:aws:iam::{B}:root"
VIA = "kinesisvideo.us-east-1.amazonaws.com"

ALLOW, DENY = "Allow", "Deny"
allow_d, cond, explicit, implicit = (
    DecisionKind.ALLOW,
    DecisionKind.CONDITIONAL,
    DecisionKind.EXPLICIT_DENY,
    DecisionKind.IMPLICIT_DENY,
)


def st(
    effect: str, action: str | list[str] = "kms:*", principal: Any = None, resource: Any = "*", **extra: Any
) -> dict[str, Any]:
    s: dict[str, Any] = {"Effect": effect, "Action": action, "Resource": resource}
    if principal is not None:
        s["Principal"] = principal if principal == "*" else {"AWS": principal}
    s.update(extra)
    return s


def doc(stmts: list[dict[str, Any]], name: str, kind: PolicyKind) -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": stmts}, name, kind)


@dataclass(frozen=True)
class Grant:
    grant_id: str
    grantee_principal: str
    operations: tuple[str, ...]
    encryption_context_equals: Mapping[str, str] | None = None
    encryption_context_subset: Mapping[str, str] | None = None
    name: str | None = None


@dataclass
class Case:
    who: str
    action: str
    key_policy: list[dict[str, Any]] | None
    iam: list[dict[str, Any]] | None = None  # None: IAM not known
    boundary: list[dict[str, Any]] | None = None
    scps: list[list[dict[str, Any]]] = field(default_factory=list)
    grants: list[Grant] | None = field(default_factory=list)
    context: dict[str, str] = field(default_factory=dict)


def kvs_ctx(who: str, action: str, extra: Mapping[str, str]) -> RequestContext:
    p = parse_principal(who)
    values = {
        "kms:ViaService": VIA,
        "kms:CallerAccount": p.account,
        "aws:PrincipalAccount": p.account,
        "aws:PrincipalType": p.principal_type,
        "aws:SecureTransport": "true",
        "aws:ViaAWSService": "true" if action.startswith("kms:") else "false",
        **({"aws:PrincipalArn": p.principal_arn} if p.principal_arn else {}),
        **extra,
    }
    return RequestContext.build(values, unknown_by_default=True)


def run(c: Case) -> DecisionKind:
    who = parse_principal(c.who)
    resource = KEY if c.action.startswith("kms:") else STREAM
    req = Request(who, c.action, resource, kvs_ctx(c.who, c.action, c.context))
    iam = (
        IamPolicies(
            (doc(c.iam, "identity", PolicyKind.IDENTITY),),
            doc(c.boundary, "boundary", PolicyKind.BOUNDARY) if c.boundary is not None else None,
        )
        if c.iam is not None
        else None
    )
    scps = [doc(s, f"scp{i}", PolicyKind.SCP) for i, s in enumerate(c.scps)]
    if c.action.startswith("kms:"):
        kp = doc(c.key_policy, "key policy", PolicyKind.RESOURCE) if c.key_policy is not None else None
        d = authorize_kms(req, key_arn=KEY, key_policy=kp, iam=iam, scps=scps, grants=c.grants)
    else:
        d = authorize_identity_only(req, iam=iam, scps=scps)
    return d.kind


ROOT_STMT = st(ALLOW, "kms:*", ROOT_A)
GDK = "kms:GenerateDataKey"
VIA_COND = {"StringEquals": {"kms:ViaService": VIA}}

CASES = [
    # --- same account, key policy alone
    pytest.param(
        Case(ROLE, GDK, [st(ALLOW, GDK, ROLE)]),
        allow_d,
        id="KMS DG: key policy naming the principal allows without IAM",
    ),
    pytest.param(
        Case(ROLE, GDK, [st(ALLOW, GDK, ROLE)], iam=[]),
        allow_d,
        id="KMS DG: key policy allow needs no IAM allow (same account)",
    ),
    pytest.param(
        Case(SESSION, GDK, [st(ALLOW, GDK, ROLE)], iam=[]), allow_d, id="IAM UG: role principal covers its sessions"
    ),
    pytest.param(
        Case(
            ROLE,
            GDK,
            [st(ALLOW, GDK, "*", Condition={"StringEquals": {"kms:CallerAccount": A, "kms:ViaService": VIA}})],
        ),
        allow_d,
        id="KMS DG: AWS managed key policy (Principal * pinned to the account) allows same account",
    ),
    pytest.param(
        Case(
            EXT_ROLE,
            GDK,
            [st(ALLOW, GDK, "*", Condition={"StringEquals": {"kms:CallerAccount": A, "kms:ViaService": VIA}})],
            iam=[st(ALLOW, GDK, resource=KEY)],
        ),
        implicit,
        id="KMS DG: AWS managed key policy denies other accounts",
    ),
    pytest.param(
        Case(ROLE, GDK, [st(ALLOW, GDK, ROLE, Condition=VIA_COND)]),
        allow_d,
        id="KMS DG: kms:ViaService = kinesisvideo.REGION matches the KVS path",
    ),
    pytest.param(
        Case(
            ROLE,
            GDK,
            [
                st(
                    ALLOW,
                    GDK,
                    ROLE,
                    Condition={"StringEquals": {"kms:ViaService": "kinesisvideo.eu-west-1.amazonaws.com"}},
                )
            ],
        ),
        implicit,
        id="KMS DG: kms:ViaService of another region does not match",
    ),
    pytest.param(
        Case(ROLE, GDK, [st(ALLOW, "kms:Decrypt", ROLE)]), implicit, id="IAM UG: action not covered -> implicit deny"
    ),
    pytest.param(
        Case(ROLE, GDK, [st(ALLOW, GDK, ROLE, f"arn:aws:kms:us-east-1:{A}:key/other")]),
        implicit,
        id="KMS DG: key policy Resource naming another key does not match",
    ),
    # --- delegation to IAM
    pytest.param(
        Case(ROLE, GDK, [ROOT_STMT], iam=[st(ALLOW, GDK, resource=KEY)]),
        allow_d,
        id="KMS DG: root principal delegates to IAM; IAM allows",
    ),
    pytest.param(
        Case(ROLE, GDK, [st(ALLOW, "kms:*", A)], iam=[st(ALLOW, GDK, resource=KEY)]),
        allow_d,
        id="KMS DG: bare account id delegates like the root ARN",
    ),
    pytest.param(
        Case(ROLE, GDK, [ROOT_STMT], iam=[]), implicit, id="KMS DG: delegation without an IAM allow -> implicit deny"
    ),
    pytest.param(Case(ROLE, GDK, [ROOT_STMT]), cond, id="delegation with IAM not given -> conditional"),
    pytest.param(
        Case(ROLE, GDK, [st(ALLOW, "kms:*", f"arn:aws:iam::{A}:role/Admin")], iam=[st(ALLOW, GDK, resource="*")]),
        implicit,
        id="KMS DG: IAM allow without key policy permission is not enough",
    ),
    pytest.param(
        Case(ROLE, GDK, [ROOT_STMT], iam=[st(ALLOW, GDK, resource=f"arn:aws:kms:us-east-1:{A}:alias/video")]),
        implicit,
        id="KMS DG: IAM allow on an alias ARN does not cover the key",
    ),
    # --- explicit deny
    pytest.param(
        Case(ROLE, GDK, [st(ALLOW, GDK, ROLE), st(DENY, GDK, "*")]),
        explicit,
        id="IAM UG: explicit deny in the key policy wins",
    ),
    pytest.param(
        Case(ROLE, GDK, [st(ALLOW, GDK, ROLE)], iam=[st(DENY, "kms:*", resource="*")]),
        explicit,
        id="IAM UG: explicit deny in an identity policy wins over the key policy",
    ),
    pytest.param(
        Case(
            ROLE,
            GDK,
            [st(ALLOW, GDK, ROLE), st(DENY, GDK, "*", Condition={"StringNotEquals": {"kms:ViaService": VIA}})],
        ),
        allow_d,
        id="deny-unless-via-KVS does not apply on the KVS path",
    ),
    pytest.param(
        Case(
            ROLE,
            GDK,
            [st(ALLOW, GDK, ROLE), st(DENY, GDK, "*", Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})],
        ),
        cond,
        id="deny on an unknown key makes an allow conditional",
    ),
    pytest.param(
        Case(ROLE, GDK, [st(DENY, GDK, "*", Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})]),
        implicit,
        id="nothing allows: implicit deny even if a deny is uncertain",
    ),
    pytest.param(
        Case(
            ROLE,
            GDK,
            [st(ALLOW, GDK, ROLE), st(DENY, GDK, "*", Condition={"Null": {"kms:EncryptionContext:app": "true"}})],
        ),
        cond,
        id="deny on the encryption context (unknown for KVS) -> conditional",
    ),
    pytest.param(
        Case(
            ROLE,
            GDK,
            [
                st(ALLOW, "kms:*", ROOT_A),
                {
                    "Effect": "Deny",
                    "NotPrincipal": {"AWS": [f"arn:aws:iam::{A}:role/Admin", ROOT_A]},
                    "Action": "kms:*",
                    "Resource": "*",
                },
            ],
            iam=[st(ALLOW, GDK, resource="*")],
        ),
        explicit,
        id="IAM UG: Deny with NotPrincipal denies everyone not listed",
    ),
    # --- conditions and context
    pytest.param(
        Case(ROLE, GDK, [st(ALLOW, GDK, ROLE, Condition={"StringEquals": {"kms:EncryptionContext:app": "video"}})]),
        cond,
        id="condition on the encryption context -> conditional",
    ),
    pytest.param(
        Case(
            ROLE,
            GDK,
            [st(ALLOW, GDK, ROLE, Condition={"StringEquals": {"kms:EncryptionContext:app": "video"}})],
            context={"kms:EncryptionContext:app": "video"},
        ),
        allow_d,
        id="--context supplies the unknown key",
    ),
    pytest.param(
        Case(
            ROLE,
            GDK,
            [st(ALLOW, GDK, "*", Condition={"StringEquals": {"kms:CallerAccount": "${aws:PrincipalAccount}"}})],
        ),
        allow_d,
        id="IAM UG: policy variable in a condition value",
    ),
    pytest.param(
        Case(ROLE, GDK, [st(ALLOW, GDK, "*", Condition={"Bool": {"aws:ViaAWSService": "false"}})]),
        implicit,
        id="aws:ViaAWSService is true when KVS calls KMS",
    ),
    # --- cross account
    pytest.param(
        Case(EXT_ROLE, GDK, [st(ALLOW, GDK, EXT_ROLE)], iam=[st(ALLOW, GDK, resource=KEY)]),
        allow_d,
        id="KMS DG: cross-account needs key policy and caller IAM: both allow",
    ),
    pytest.param(
        Case(EXT_ROLE, GDK, [st(ALLOW, GDK, EXT_ROLE)], iam=[]),
        implicit,
        id="KMS DG: cross-account key policy alone is not enough",
    ),
    pytest.param(
        Case(EXT_ROLE, GDK, [st(ALLOW, GDK, EXT_ROLE)]), cond, id="cross-account with IAM not given -> conditional"
    ),
    pytest.param(
        Case(EXT_ROLE, GDK, [st(ALLOW, GDK, ROOT_B)], iam=[st(ALLOW, GDK, resource=KEY)]),
        allow_d,
        id="KMS DG: key policy naming the external account + its IAM allow",
    ),
    pytest.param(
        Case(EXT_ROLE, GDK, [ROOT_STMT], iam=[st(ALLOW, GDK, resource="*")]),
        implicit,
        id="KMS DG: caller IAM alone cannot use another account's key",
    ),
    # --- permissions boundaries
    pytest.param(
        Case(ROLE, GDK, [st(ALLOW, GDK, ROLE)], iam=[], boundary=[st(ALLOW, "s3:*")]),
        implicit,
        id="IAM UG boundaries: resource policy naming a role is limited by its boundary",
    ),
    pytest.param(
        Case(USER, GDK, [st(ALLOW, GDK, USER)], iam=[], boundary=[st(ALLOW, "s3:*")]),
        allow_d,
        id="IAM UG boundaries: resource policy naming the user is not limited",
    ),
    pytest.param(
        Case(SESSION, GDK, [st(ALLOW, GDK, SESSION)], iam=[], boundary=[st(ALLOW, "s3:*")]),
        allow_d,
        id="IAM UG boundaries: resource policy naming the session is not limited",
    ),
    pytest.param(
        Case(ROLE, GDK, [ROOT_STMT], iam=[st(ALLOW, GDK, resource="*")], boundary=[st(ALLOW, "s3:*")]),
        implicit,
        id="IAM UG boundaries: identity allow outside the boundary",
    ),
    pytest.param(
        Case(ROLE, GDK, [ROOT_STMT], iam=[st(ALLOW, GDK, resource="*")], boundary=[st(ALLOW, "kms:*")]),
        allow_d,
        id="IAM UG boundaries: identity allow inside the boundary",
    ),
    pytest.param(
        Case(USER, GDK, [st(ALLOW, GDK, USER)], iam=[], boundary=[st(ALLOW, "*"), st(DENY, "kms:*")]),
        explicit,
        id="IAM UG: a Deny in a boundary is an explicit deny",
    ),
    pytest.param(
        Case(
            USER,
            GDK,
            [st(ALLOW, GDK, "*", Condition={"StringEquals": {"kms:CallerAccount": A}})],
            iam=[],
            boundary=[st(ALLOW, "s3:*")],
        ),
        cond,
        id='IAM UG boundaries: Principal "*" under a boundary that does not allow: undocumented, conditional',
    ),
    pytest.param(
        Case(
            ROLE,
            GDK,
            [st(ALLOW, GDK, "*", Condition={"StringEquals": {"kms:CallerAccount": A}})],
            iam=[],
            boundary=[st(ALLOW, "kms:*")],
        ),
        allow_d,
        id='IAM UG boundaries: Principal "*" with a boundary that allows the action',
    ),
    pytest.param(
        Case(ROLE, GDK, [st(ALLOW, GDK, "*", Condition={"StringEquals": {"kms:CallerAccount": A}})], iam=[]),
        allow_d,
        id='KMS DG key policies: Principal "*" pinned to the account, no boundary',
    ),
    # --- SCPs
    pytest.param(
        Case(ROLE, GDK, [st(ALLOW, GDK, ROLE)], scps=[[st(DENY, "kms:*")]]),
        explicit,
        id="Organizations UG: SCP deny applies to every principal",
    ),
    pytest.param(
        Case(ROLE, GDK, [st(ALLOW, GDK, ROLE)], scps=[[st(ALLOW, "s3:*")]]),
        implicit,
        id="Organizations UG: SCP allow list without kms limits resource-policy allows",
    ),
    pytest.param(
        Case(ROLE, GDK, [st(ALLOW, GDK, ROLE)], scps=[[st(DENY, "s3:*")]]),
        allow_d,
        id="deny-only SCPs assume FullAWSAccess",
    ),
    # --- grants
    pytest.param(
        Case(ROLE, GDK, [], grants=[Grant("g1", ROLE, ("GenerateDataKey",))]),
        allow_d,
        id="KMS DG grants: a grant to the role allows its sessions",
    ),
    pytest.param(
        Case(ROLE, GDK, [], grants=[Grant("g1", ROLE, ("Decrypt",))]),
        implicit,
        id="KMS DG grants: operation not in the grant",
    ),
    pytest.param(
        Case(
            ROLE, GDK, [], grants=[Grant("g1", ROLE, ("GenerateDataKey",), encryption_context_subset={"app": "video"})]
        ),
        cond,
        id="KMS DG grants: encryption context constraint -> conditional",
    ),
    pytest.param(
        Case(ROLE, GDK, [st(DENY, GDK, "*")], grants=[Grant("g1", ROLE, ("GenerateDataKey",))]),
        explicit,
        id="explicit deny in the key policy wins over a grant",
    ),
    pytest.param(Case(ROLE, GDK, [], grants=None), cond, id="grants not readable -> conditional"),
    pytest.param(
        Case(ROLE, GDK, [], grants=[Grant("g1", ROOT_A, ("GenerateDataKey",))], iam=[]),
        implicit,
        id="grant to an account delegates to IAM",
    ),
    # --- key policy not readable
    pytest.param(
        Case(ROLE, GDK, None, iam=[st(ALLOW, GDK, resource="*")]), cond, id="key policy not readable -> conditional"
    ),
    pytest.param(
        Case(ROLE, GDK, None, iam=[st(DENY, GDK, resource="*")]),
        explicit,
        id="key policy not readable, IAM deny still decides",
    ),
    # --- kinesisvideo (identity policies only)
    pytest.param(
        Case(
            ROLE,
            "kinesisvideo:PutMedia",
            None,
            iam=[st(ALLOW, "kinesisvideo:PutMedia", resource=f"arn:aws:kinesisvideo:us-east-1:{A}:stream/cam/*")],
        ),
        allow_d,
        id="KVS: identity policy allows PutMedia on the stream",
    ),
    pytest.param(Case(ROLE, "kinesisvideo:PutMedia", None), cond, id="KVS: IAM not given -> conditional"),
    pytest.param(
        Case(ROLE, "kinesisvideo:PutMedia", None, iam=[st(ALLOW, "kinesis-video:PutMedia", resource="*")]),
        implicit,
        id="KVS: kinesis-video: prefix allows nothing",
    ),
    pytest.param(
        Case(
            ROLE,
            "kinesisvideo:PutMedia",
            None,
            iam=[st(ALLOW, "kinesisvideo:PutMedia", resource=f"arn:aws:kinesisvideo:us-east-1:{A}:stream/other/*")],
        ),
        implicit,
        id="KVS: other stream",
    ),
    pytest.param(
        Case(
            ROLE,
            "kinesisvideo:PutMedia",
            None,
            iam=[st(ALLOW, "kinesisvideo:*", resource="*")],
            boundary=[st(ALLOW, "kms:*")],
        ),
        implicit,
        id="KVS: boundary must allow too",
    ),
    pytest.param(
        Case(
            ROLE,
            "kinesisvideo:PutMedia",
            None,
            iam=[st(ALLOW, "kinesisvideo:*", resource="*"), st(DENY, "kinesisvideo:PutMedia", resource="*")],
        ),
        explicit,
        id="KVS: explicit deny in identity policy",
    ),
    pytest.param(
        Case(
            ROLE,
            "kinesisvideo:PutMedia",
            None,
            iam=[st(ALLOW, "kinesisvideo:*", resource="*", Condition={"Bool": {"aws:ViaAWSService": "true"}})],
        ),
        implicit,
        id="KVS: direct calls carry aws:ViaAWSService=false",
    ),
    # --- kinesisvideo across accounts: IAM UG "Cross-account policy evaluation logic" (both the identity
    # policy and a resource-based policy must allow) + IAM UG "AWS services that work with IAM" (Kinesis
    # Video Streams: no resource-based policies) -> nothing can allow another account's principal
    pytest.param(
        Case(EXT_ROLE, "kinesisvideo:GetMedia", None, iam=[st(ALLOW, "kinesisvideo:GetMedia", resource=STREAM)]),
        implicit,
        id="IAM UG cross-account: KVS has no resource policy, the caller's own IAM allow is not enough",
    ),
    pytest.param(
        Case(EXT_ROLE, "kinesisvideo:GetMedia", None),
        implicit,
        id="IAM UG cross-account: KVS cross-account is a deny even with IAM not given (not conditional)",
    ),
    pytest.param(
        Case(f"arn:aws:sts::{B}:assumed-role/Viewer/s", "kinesisvideo:PutMedia", None, iam=[st(ALLOW, "*")]),
        implicit,
        id="IAM UG cross-account: a session of another account's role, allowed everything at home",
    ),
    pytest.param(
        Case(EXT_ROLE, "kinesisvideo:GetMedia", None, iam=[st(DENY, "kinesisvideo:*")]),
        explicit,
        id="IAM UG evaluation logic: an explicit deny is still reported as such across accounts",
    ),
]


@pytest.mark.parametrize(("case", "expected"), CASES)
def test_authorization(case: Case, expected: DecisionKind) -> None:
    assert run(case) is expected


def test_conditional_names_the_unknown_key() -> None:
    who = parse_principal(ROLE)
    kp = doc(
        [st(ALLOW, GDK, ROLE, Condition={"StringEquals": {"kms:EncryptionContext:app": "video"}})],
        "key policy",
        PolicyKind.RESOURCE,
    )
    d = authorize_kms(Request(who, GDK, KEY, kvs_ctx(ROLE, GDK, {})), key_arn=KEY, key_policy=kp, iam=None)
    assert d.kind is cond and d.unknown_keys == ("kms:EncryptionContext:app",)
    assert [s.label() for s in d.statements] == ["key policy #0"]


def test_allow_without_iam_notes_unseen_denies() -> None:
    who = parse_principal(ROLE)
    kp = doc([st(ALLOW, GDK, ROLE, Sid="Producers")], "key policy", PolicyKind.RESOURCE)
    d = authorize_kms(Request(who, GDK, KEY, kvs_ctx(ROLE, GDK, {})), key_arn=KEY, key_policy=kp, iam=None)
    assert d.kind is allow_d
    assert [s.label() for s in d.statements] == ['key policy #0 "Producers"']
    assert any("cannot be accounted for" in n for n in d.notes)


def test_explicit_deny_names_the_statement() -> None:
    who = parse_principal(ROLE)
    kp = doc([st(ALLOW, GDK, ROLE), st(DENY, "kms:*", "*", Sid="NoOne")], "key policy", PolicyKind.RESOURCE)
    d = authorize_kms(Request(who, GDK, KEY, kvs_ctx(ROLE, GDK, {})), key_arn=KEY, key_policy=kp, iam=None)
    assert d.kind is explicit and [s.sid for s in d.statements] == ["NoOne"]


def test_implicit_deny_explains_missing_delegation() -> None:
    who = parse_principal(ROLE)
    kp = doc([st(ALLOW, "kms:*", f"arn:aws:iam::{A}:role/Admin")], "key policy", PolicyKind.RESOURCE)
    d = authorize_kms(Request(who, GDK, KEY, kvs_ctx(ROLE, GDK, {})), key_arn=KEY, key_policy=kp, iam=IamPolicies())
    assert d.kind is implicit
    assert any("delegates it to IAM" in r for r in d.reasons)


def test_cross_account_kvs_reason_says_to_assume_a_role() -> None:
    who = parse_principal(EXT_ROLE)
    req = Request(who, "kinesisvideo:GetMedia", STREAM, kvs_ctx(EXT_ROLE, "kinesisvideo:GetMedia", {}))
    d = authorize_identity_only(req, iam=IamPolicies((doc([st(ALLOW, "*")], "identity", PolicyKind.IDENTITY),)))
    assert d.kind is implicit
    assert any("no resource-based policy" in r and f"assume a role in account {A}" in r for r in d.reasons)
