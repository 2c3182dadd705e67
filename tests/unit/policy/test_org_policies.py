"""SCP levels and resource control policies (issue #10 classes 4 and 5), one row per rule.

Organizations UG "SCP evaluation": "for a permission to be allowed for a specific account, there must be an
explicit Allow statement at every level from the root through each OU in the direct path to the account
(including the target account itself)"; SCPs attached at one level combine as a union; an explicit Deny at
any level denies.
Organizations UG "RCP syntax" / "RCP evaluation": Allow "is only supported for the RCPFullAWSAccess policy",
which is attached to the root, every OU and every account and cannot be detached; "any RCP from the root
through each OU in the direct path to the account ... can deny". KMS DG "Resource control policies in AWS KMS":
RCPs "do not apply to AWS managed keys".
"""

from __future__ import annotations

from typing import Any

import pytest

from kvsctl.policy.context import RequestContext
from kvsctl.policy.document import Policy, PolicyKind, parse_policy
from kvsctl.policy.evaluate import DecisionKind, Request
from kvsctl.policy.kms import IamPolicies, authorize_identity_only, authorize_kms
from kvsctl.policy.principals import parse_principal

A, B = "111122223333", "444455556666"
KEY = f"arn:aws:kms:us-east-1:{A}:key/k1"
STREAM = f"arn:aws:kinesisvideo:us-east-1:{A}:stream/cam/1"
ROLE = f"arn:aws:iam::{A}:role/Producer"
GDK, PUT = "kms:GenerateDataKey", "kinesisvideo:PutMedia"
ALLOW, COND, EXPLICIT, IMPLICIT = (
    DecisionKind.ALLOW,
    DecisionKind.CONDITIONAL,
    DecisionKind.EXPLICIT_DENY,
    DecisionKind.IMPLICIT_DENY,
)


def pol(kind: PolicyKind, *stmts: dict[str, Any], name: str = "p") -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": list(stmts)}, name, kind)


def st(effect: str, action: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Action": action, "Resource": "*", **extra}


FULL = st("Allow")  # FullAWSAccess
ONLY_S3 = st("Allow", "s3:*")
DENY_GDK = st("Deny", GDK)
KMS_ONLY = st("Allow", "kms:*")


def scp(*stmts: dict[str, Any]) -> Policy:
    return pol(PolicyKind.SCP, *stmts)


def kms(
    levels: list[list[Policy]] | None = None,
    flat: list[Policy] | None = None,
    rcps: list[Policy] | None = None,
    key_names_role: bool = True,
) -> DecisionKind:
    who = parse_principal(ROLE)
    ctx = RequestContext.build({"aws:PrincipalAccount": A, "aws:PrincipalArn": ROLE, "aws:SecureTransport": "true"})
    kp_stmt = {
        "Effect": "Allow",
        "Principal": {"AWS": ROLE if key_names_role else f"arn:aws:iam::{A}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    return authorize_kms(
        Request(who, GDK, KEY, ctx),
        key_arn=KEY,
        key_policy=pol(PolicyKind.RESOURCE, kp_stmt),
        iam=IamPolicies((pol(PolicyKind.IDENTITY, st("Allow", "kms:*")),)),
        scps=flat or (),
        scp_levels=levels or (),
        rcps=rcps or (),
    ).kind


LEVEL_ROWS = [
    pytest.param([[scp(FULL)], [scp(FULL)], [scp(FULL)]], ALLOW, id="Orgs UG SCP evaluation: every level allows"),
    pytest.param(
        [[scp(FULL)], [scp(ONLY_S3)], [scp(FULL)]], IMPLICIT, id="Orgs UG SCP evaluation: an OU that allows only s3"
    ),
    pytest.param(
        [[scp(FULL)], [scp(ONLY_S3), scp(KMS_ONLY)], [scp(FULL)]],
        ALLOW,
        id="Orgs UG SCP evaluation: SCPs at one level are a union",
    ),
    pytest.param(
        [[scp(FULL)], [scp(st("Deny", "s3:*"))], [scp(FULL)]],
        IMPLICIT,
        id="Orgs UG SCP evaluation: a level whose SCPs allow nothing denies (no FullAWSAccess there)",
    ),
    pytest.param(
        [[scp(FULL)], [scp(FULL, DENY_GDK)], [scp(FULL)]],
        EXPLICIT,
        id="Orgs UG SCP evaluation: a Deny at any level is an explicit deny",
    ),
    pytest.param(
        [[scp(FULL)], [scp(FULL)], [scp(st("Allow", "kms:Decrypt"))]],
        IMPLICIT,
        id="Orgs UG SCP evaluation: the account's own level must allow too",
    ),
]


@pytest.mark.parametrize(("levels", "expected"), LEVEL_ROWS)
def test_scp_levels(levels: list[list[Policy]], expected: DecisionKind) -> None:
    assert kms(levels) is expected


def test_flat_scps_that_disagree_stay_conditional() -> None:
    """Without levels (--scp), an SCP allowing kms and one allowing only s3 are an allow only if they sit at the
    same level: conditional, as before."""
    assert kms(flat=[scp(KMS_ONLY), scp(ONLY_S3)]) is COND


def test_scp_levels_limit_kinesisvideo_too() -> None:
    who = parse_principal(ROLE)
    ctx = RequestContext.build({"aws:PrincipalAccount": A})
    iam = IamPolicies((pol(PolicyKind.IDENTITY, st("Allow", "kinesisvideo:*")),))
    req = Request(who, PUT, STREAM, ctx)
    assert authorize_identity_only(req, iam=iam, scp_levels=[[scp(FULL)], [scp(ONLY_S3)]]).kind is IMPLICIT
    assert authorize_identity_only(req, iam=iam, scp_levels=[[scp(FULL)], [scp(FULL)]]).kind is ALLOW


def rcp(*stmts: dict[str, Any]) -> Policy:
    return pol(PolicyKind.RCP, *stmts, name="rcp")


RCP_ROWS = [
    pytest.param([], ALLOW, id="Orgs UG RCP evaluation: RCPFullAWSAccess alone lets everything through"),
    pytest.param(
        [rcp({**st("Allow"), "Principal": "*"})], ALLOW, id="Orgs UG RCP syntax: RCPFullAWSAccess grants nothing"
    ),
    pytest.param(
        [rcp({**st("Deny", "kms:*"), "Principal": "*", "Condition": {"StringNotEquals": {"aws:PrincipalAccount": A}}})],
        ALLOW,
        id="KMS DG RCPs: an identity perimeter Deny does not touch the account's own principals",
    ),
    pytest.param(
        [rcp({**st("Deny", "kms:*"), "Principal": "*", "Condition": {"StringNotEquals": {"aws:PrincipalAccount": B}}})],
        EXPLICIT,
        id="Orgs UG RCP evaluation: a Deny in any RCP denies, whatever the key policy says",
    ),
    pytest.param(
        [rcp({**st("Allow", "s3:*"), "Principal": "*"})],
        ALLOW,
        id="Orgs UG RCP syntax: an Allow other than RCPFullAWSAccess limits nothing (FullAWSAccess is always there)",
    ),
]


@pytest.mark.parametrize(("rcps", "expected"), RCP_ROWS)
def test_rcps(rcps: list[Policy], expected: DecisionKind) -> None:
    assert kms(rcps=rcps) is expected


def test_rcp_needs_a_principal() -> None:
    from kvsctl.policy.document import PolicyParseError

    with pytest.raises(PolicyParseError, match="RCP statement needs Principal"):
        rcp(st("Deny", "kms:*"))
