"""IamGateway against moto (and botocore's Stubber where moto lacks a feature, said per test)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kvsctl.aws.iam import IamGateway, principal_target
from tests.helpers import ACCOUNT


def _doc(action: str, effect: str = "Allow") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action, "Resource": "*"}]})


def _actions(principal: Any) -> list[str]:
    return sorted(s["Action"] for p in principal.identity for s in p.document["Statement"])


@pytest.mark.parametrize(
    ("arn", "kind", "account", "name"),
    [
        (f"arn:aws:iam::{ACCOUNT}:role/cam-writer", "role", ACCOUNT, "cam-writer"),
        (f"arn:aws:iam::{ACCOUNT}:role/teams/video/cam-writer", "role", ACCOUNT, "cam-writer"),
        (f"arn:aws:iam::{ACCOUNT}:user/ops/alice", "user", ACCOUNT, "alice"),
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/cam-writer/device-42", "role", ACCOUNT, "cam-writer"),
        (f"arn:aws:iam::{ACCOUNT}:root", "account", ACCOUNT, None),
        (ACCOUNT, "account", ACCOUNT, None),
        ("kinesisvideo.amazonaws.com", "other", None, None),
    ],
)
def test_principal_target(arn: str, kind: str, account: str | None, name: str | None) -> None:
    t = principal_target(arn)
    assert (t.kind, t.account, t.name) == (kind, account, name)


def test_role_inline_managed_default_version_and_boundary(boto: Any, factory: Any) -> None:
    boto.iam.create_role(RoleName="writer", Path="/cams/", AssumeRolePolicyDocument="{}")
    boto.iam.put_role_policy(RoleName="writer", PolicyName="put", PolicyDocument=_doc("kinesisvideo:PutMedia"))
    managed = boto.iam.create_policy(PolicyName="kms-v1", PolicyDocument=_doc("kms:Encrypt"))["Policy"]["Arn"]
    boto.iam.create_policy_version(PolicyArn=managed, PolicyDocument=_doc("kms:GenerateDataKey"), SetAsDefault=True)
    boto.iam.attach_role_policy(RoleName="writer", PolicyArn=managed)
    boundary = boto.iam.create_policy(PolicyName="fence", PolicyDocument=_doc("kinesisvideo:*"))["Policy"]["Arn"]
    boto.iam.put_role_permissions_boundary(RoleName="writer", PermissionsBoundary=boundary)

    p = IamGateway(factory).principal(f"arn:aws:iam::{ACCOUNT}:role/cams/writer")

    assert p.complete and p.kind == "role"
    assert p.resolved_arn == f"arn:aws:iam::{ACCOUNT}:role/cams/writer"
    assert _actions(p) == ["kinesisvideo:PutMedia", "kms:GenerateDataKey"]  # v2, the default, not v1
    assert p.boundary is not None and p.boundary.document["Statement"][0]["Action"] == "kinesisvideo:*"


def test_user_with_group_policies(boto: Any, factory: Any) -> None:
    boto.iam.create_user(UserName="alice")
    boto.iam.put_user_policy(UserName="alice", PolicyName="own", PolicyDocument=_doc("kinesisvideo:GetMedia"))
    boto.iam.create_group(GroupName="viewers")
    boto.iam.add_user_to_group(GroupName="viewers", UserName="alice")
    boto.iam.put_group_policy(GroupName="viewers", PolicyName="g-inline", PolicyDocument=_doc("kms:Decrypt"))
    shared = boto.iam.create_policy(PolicyName="deny-all", PolicyDocument=_doc("kms:*", "Deny"))["Policy"]["Arn"]
    boto.iam.attach_group_policy(GroupName="viewers", PolicyArn=shared)

    p = IamGateway(factory).principal(f"arn:aws:iam::{ACCOUNT}:user/alice")

    assert p.complete and p.kind == "user"
    assert _actions(p) == ["kinesisvideo:GetMedia", "kms:*", "kms:Decrypt"]
    assert any(d.name.startswith("group viewers") for d in p.identity)
    assert p.boundary is None


def test_session_and_role_share_one_read(boto: Any, factory: Any) -> None:
    boto.iam.create_role(RoleName="reader", AssumeRolePolicyDocument="{}")
    boto.iam.put_role_policy(RoleName="reader", PolicyName="get", PolicyDocument=_doc("kinesisvideo:GetMedia"))
    gw = IamGateway(factory)
    session = gw.principal(f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/s-1")
    role = gw.principal(f"arn:aws:iam::{ACCOUNT}:role/reader")
    assert session.arn.startswith("arn:aws:sts::") and session.resolved_arn == role.arn
    assert _actions(session) == _actions(role) == ["kinesisvideo:GetMedia"]
    assert factory.stats.calls["iam.GetRole"] == 1


def test_managed_policy_read_once_for_many_principals(boto: Any, factory: Any) -> None:
    managed = boto.iam.create_policy(PolicyName="cams", PolicyDocument=_doc("kms:Decrypt"))["Policy"]["Arn"]
    for i in range(4):
        boto.iam.create_role(RoleName=f"r{i}", AssumeRolePolicyDocument="{}")
        boto.iam.attach_role_policy(RoleName=f"r{i}", PolicyArn=managed)
    gw = IamGateway(factory)
    for i in range(4):
        assert _actions(gw.principal(f"arn:aws:iam::{ACCOUNT}:role/r{i}")) == ["kms:Decrypt"]
    assert factory.stats.calls["iam.GetPolicyVersion"] == 1
    assert factory.stats.calls["iam.GetRole"] == 4


def test_missing_role_is_an_explicit_could_not_read(factory: Any) -> None:
    p = IamGateway(factory).principal(f"arn:aws:iam::{ACCOUNT}:role/ghost")
    assert not p.complete and p.identity == ()
    assert "could not read IAM policies of role ghost" in str(p.error) and "not found" in str(p.error)


def test_other_account_and_account_principal_are_not_read(factory: Any) -> None:
    gw = IamGateway(factory)
    other = gw.principal("arn:aws:iam::210987654321:role/x", home_account=ACCOUNT)
    root = gw.principal(f"arn:aws:iam::{ACCOUNT}:root", home_account=ACCOUNT)
    assert "account 210987654321" in str(other.error)
    assert root.kind == "account" and root.error
    assert factory.stats.total == 0


def test_user_boundary_all_pages_and_access_denied(factory: Any) -> None:
    """moto 5.2 cannot set a user's permission boundary, does not page IAM lists and enforces no IAM:
    botocore's Stubber plays IAM here (a boundary on a user, a two-page inline list, a denied read)."""
    from botocore.stub import Stubber

    client = factory.client("iam")
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/fence"
    doc = json.loads(_doc("kms:Decrypt"))
    with Stubber(client) as stub:
        stub.add_response(
            "get_user",
            {
                "User": {
                    "Path": "/",
                    "UserName": "bob",
                    "UserId": "AIDAEXAMPLEEXAMPLE01",
                    "Arn": f"arn:aws:iam::{ACCOUNT}:user/bob",
                    "CreateDate": "2024-01-01T00:00:00Z",
                    "PermissionsBoundary": {
                        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                        "PermissionsBoundaryArn": boundary,
                    },
                }
            },
            {"UserName": "bob"},
        )
        stub.add_response("list_user_policies", {"PolicyNames": ["p1"], "IsTruncated": True, "Marker": "m1"})
        stub.add_response("get_user_policy", {"UserName": "bob", "PolicyName": "p1", "PolicyDocument": json.dumps(doc)})
        stub.add_response(
            "list_user_policies", {"PolicyNames": ["p2"], "IsTruncated": False}, {"UserName": "bob", "Marker": "m1"}
        )
        stub.add_response("get_user_policy", {"UserName": "bob", "PolicyName": "p2", "PolicyDocument": json.dumps(doc)})
        stub.add_response("list_attached_user_policies", {"AttachedPolicies": [], "IsTruncated": False})
        stub.add_response("list_groups_for_user", {"Groups": [], "IsTruncated": False})
        stub.add_response("get_policy", {"Policy": {"Arn": boundary, "DefaultVersionId": "v3"}})
        stub.add_response(
            "get_policy_version",
            {"PolicyVersion": {"Document": json.dumps(doc), "VersionId": "v3"}},
            {"PolicyArn": boundary, "VersionId": "v3"},
        )
        stub.add_client_error("get_role", "AccessDenied", "not authorized to perform iam:GetRole", 403)

        gw = IamGateway(factory)
        bob = gw.principal(f"arn:aws:iam::{ACCOUNT}:user/bob")
        denied = gw.principal(f"arn:aws:iam::{ACCOUNT}:role/secret")
        stub.assert_no_pending_responses()

    assert [p.name for p in bob.identity] == ["user bob inline p1", "user bob inline p2"]
    assert bob.boundary is not None and bob.boundary.name == f"managed {boundary}"
    assert bob.boundary.document == doc  # JSON text from the wire decoded
    assert not denied.complete and "access denied" in str(denied.error)
