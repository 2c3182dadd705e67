"""The recommended KVS key policy (pure): shape, least privilege, and every refusal (exit 2)."""

from __future__ import annotations

import dataclasses

import pytest

from kvsctl.errors import UsageError
from kvsctl.keys.policy import (
    ADMIN_ACTIONS,
    SID_ACCOUNT,
    SID_ADMIN,
    SID_CONSUMERS,
    SID_PRODUCERS,
    PolicyRequest,
    RecommendedPolicy,
    build_key_policy,
    data_actions_allowed,
    kvs_via_service,
    lockout_problem,
    manage_decisions,
)

ACCT = "123456789012"
ADMIN = f"arn:aws:iam::{ACCT}:role/KeyAdmin"
CAM = f"arn:aws:iam::{ACCT}:role/Camera"
VIEW = f"arn:aws:iam::{ACCT}:role/Viewer"


def by_sid(rec):
    return {s["Sid"]: s for s in rec.document["Statement"]}


def test_statements_least_privilege() -> None:
    rec = build_key_policy(PolicyRequest(admins=[ADMIN], producers=[CAM], consumers=[VIEW], region="us-west-2"))
    st = by_sid(rec)
    assert set(st) == {SID_ADMIN, SID_PRODUCERS, SID_CONSUMERS}
    via = {"StringEquals": {"kms:ViaService": "kinesisvideo.us-west-2.amazonaws.com"}}
    assert st[SID_PRODUCERS]["Principal"] == {"AWS": [CAM]}
    assert st[SID_PRODUCERS]["Action"] == "kms:GenerateDataKey"
    assert st[SID_PRODUCERS]["Condition"] == via
    assert st[SID_CONSUMERS]["Principal"] == {"AWS": [VIEW]}
    assert st[SID_CONSUMERS]["Action"] == "kms:Decrypt"
    assert st[SID_CONSUMERS]["Condition"] == via
    assert st[SID_ADMIN]["Principal"] == {"AWS": [ADMIN]}
    assert "Condition" not in st[SID_ADMIN]
    assert rec.document["Version"] == "2012-10-17"
    assert rec.account == ACCT
    # no statement names the account root unless asked
    assert all(":root" not in str(s["Principal"]) for s in rec.document["Statement"])


def test_admin_actions_reach_no_data_action() -> None:
    assert data_actions_allowed(ADMIN_ACTIONS) == ()
    assert data_actions_allowed(["kms:*"])  # the check itself can fail
    # AWS's default admin statement (kms:Create*) reaches CreateGrant: an admin could grant itself Decrypt.
    assert data_actions_allowed(["kms:Create*"]) == ("kms:CreateGrant",)


def test_allow_account_iam_only_when_asked() -> None:
    rec = build_key_policy(PolicyRequest(admins=[ADMIN], region="eu-west-1", allow_account_iam=True))
    st = by_sid(rec)
    assert st[SID_ACCOUNT]["Principal"] == {"AWS": f"arn:aws:iam::{ACCT}:root"}
    assert st[SID_ACCOUNT]["Action"] == "kms:*"
    assert any("--allow-account-iam" in n for n in rec.notes)


def test_empty_roles_omit_statements_and_say_so() -> None:
    rec = build_key_policy(PolicyRequest(admins=[ADMIN], region="us-east-1"))
    assert set(by_sid(rec)) == {SID_ADMIN}
    assert any("No --producer" in n for n in rec.notes)
    assert any("No --consumer" in n for n in rec.notes)


def test_duplicates_collapse_and_order_is_kept() -> None:
    other = f"arn:aws:iam::{ACCT}:user/alice"
    rec = build_key_policy(PolicyRequest(admins=[ADMIN, other, ADMIN], region="us-east-1"))
    assert by_sid(rec)[SID_ADMIN]["Principal"] == {"AWS": [ADMIN, other]}


@pytest.mark.parametrize(
    ("region", "via"),
    [
        ("us-west-2", "kinesisvideo.us-west-2.amazonaws.com"),
        ("cn-north-1", "kinesisvideo.cn-north-1.amazonaws.com.cn"),
        ("us-gov-west-1", "kinesisvideo.us-gov-west-1.amazonaws.com"),
    ],
)
def test_via_service(region: str, via: str) -> None:
    assert kvs_via_service(region) == via


def test_account_derived_given_or_ambiguous() -> None:
    other_acct = "210987654321"
    rec = build_key_policy(PolicyRequest(admins=[ADMIN], region="us-east-1", account=other_acct))
    assert rec.account == other_acct
    with pytest.raises(UsageError) as err:
        build_key_policy(PolicyRequest(admins=[ADMIN, f"arn:aws:iam::{other_acct}:role/X"], region="us-east-1"))
    assert err.value.code == "ambiguous_account"
    ok = build_key_policy(
        PolicyRequest(admins=[ADMIN, f"arn:aws:iam::{other_acct}:role/X"], region="us-east-1", account=ACCT)
    )
    assert ok.account == ACCT


@pytest.mark.parametrize(
    ("req", "code"),
    [
        (PolicyRequest(admins=[], region="us-east-1"), "no_admin"),
        (PolicyRequest(admins=[ADMIN], region=None), "no_region"),
        (PolicyRequest(admins=[ADMIN], region="Mars-1"), "invalid_region"),
        (PolicyRequest(admins=["arn:aws:iam::12345:role/X"], region="us-east-1"), "invalid_principal"),
        (PolicyRequest(admins=[ADMIN], producers=["*"], region="us-east-1"), "invalid_principal"),
        (
            PolicyRequest(admins=[ADMIN], producers=[f"arn:aws:iam::{ACCT}:role/*"], region="us-east-1"),
            "invalid_principal",
        ),
        (PolicyRequest(admins=[f"arn:aws:iam::{ACCT}:group/Admins"], region="us-east-1"), "invalid_principal"),
        (PolicyRequest(admins=[ADMIN], consumers=["arn:aws:s3:::bucket"], region="us-east-1"), "invalid_principal"),
        (PolicyRequest(admins=[ADMIN], region="cn-north-1"), "invalid_principal"),  # aws partition, cn region
        (PolicyRequest(admins=[ADMIN], region="us-east-1", account="12"), "invalid_account"),
    ],
)
def test_refusals(req: PolicyRequest, code: str) -> None:
    with pytest.raises(UsageError) as err:
        build_key_policy(req)
    assert err.value.code == code
    assert err.value.hint


@pytest.mark.parametrize(
    "arn",
    [
        f"arn:aws:iam::{ACCT}:root",
        f"arn:aws:iam::{ACCT}:user/alice",
        f"arn:aws:iam::{ACCT}:role/service-role/path/CameraRole",
        f"arn:aws:sts::{ACCT}:assumed-role/CameraRole/device-17",
    ],
)
def test_accepted_principals(arn: str) -> None:
    rec = build_key_policy(PolicyRequest(admins=[ADMIN], producers=[arn], region="us-east-1"))
    assert rec.producers == (arn,)


def test_group_refusal_says_why() -> None:
    with pytest.raises(UsageError, match="groups cannot be principals"):
        build_key_policy(PolicyRequest(admins=[f"arn:aws:iam::{ACCT}:group/Admins"], region="us-east-1"))


def with_document(rec: RecommendedPolicy, statements: list[dict]) -> RecommendedPolicy:
    return dataclasses.replace(rec, document={**rec.document, "Statement": statements})


def test_lockout_check_uses_the_evaluator() -> None:
    rec = build_key_policy(PolicyRequest(admins=[ADMIN], producers=[CAM], region="us-east-1"))
    assert manage_decisions(rec) == {ADMIN: "allow"}
    assert lockout_problem(rec) is None
    admin_st = by_sid(rec)[SID_ADMIN]
    # an admin statement that cannot reach PutKeyPolicy locks everyone out
    no_put = with_document(rec, [{**admin_st, "Action": ["kms:Describe*", "kms:Get*"]}])
    assert manage_decisions(no_put) == {ADMIN: "implicit_deny"}
    assert "nobody could ever change it" in (lockout_problem(no_put) or "")
    # so does a Deny of kms:Put* to everyone
    deny = {"Sid": "NoChanges", "Effect": "Deny", "Principal": "*", "Action": "kms:Put*", "Resource": "*"}
    assert manage_decisions(with_document(rec, [admin_st, deny])) == {ADMIN: "explicit_deny"}
    # and an admin only allowed under a condition the evaluator cannot know is not enough
    conditioned = {**admin_st, "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}
    assert manage_decisions(with_document(rec, [conditioned])) == {ADMIN: "conditional"}
    assert lockout_problem(with_document(rec, [conditioned])) is not None


def test_cross_account_admin_alone_cannot_manage() -> None:
    """PutKeyPolicy needs the caller's own account's IAM too (and is not offered cross-account):
    an admin in another account is never enough on the key policy alone."""
    foreign = "arn:aws:iam::210987654321:role/KeyAdmin"
    rec = build_key_policy(PolicyRequest(admins=[foreign], region="us-east-1", account=ACCT))
    assert manage_decisions(rec)[foreign] != "allow"
    assert lockout_problem(rec) is not None


def test_account_delegation_is_counted_only_when_asked() -> None:
    rec = build_key_policy(PolicyRequest(admins=[ADMIN], region="us-east-1", allow_account_iam=True))
    assert manage_decisions(rec) == {ADMIN: "allow", f"arn:aws:iam::{ACCT}:root": "allow"}
