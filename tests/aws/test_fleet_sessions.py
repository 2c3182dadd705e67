"""Organizations and STS for fleet runs (moto in-process: Organizations and AssumeRole into any account id
work, and what the assumed credentials create lives in that account), and the org-audit templates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kvsctl.aws.org import AccountSessions, list_organization_accounts
from kvsctl.aws.permissions import AUDIT_ACTIONS, RUNNER_ACTIONS, action_for
from kvsctl.aws.session import ClientFactory
from kvsctl.errors import AwsError

ROOT = Path(__file__).resolve().parents[2]
ORG_AUDIT = ROOT / "examples" / "org-audit"
MANAGEMENT = "123456789012"  # moto's default account


def organization(boto3_module: Any) -> list[str]:
    org = boto3_module.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    ids = []
    for name in ("cams-prod", "cams-dev"):
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
        ids.append(status["AccountId"])
    return ids


def test_organization_lists_every_active_account(moto: None) -> None:
    import boto3

    members = organization(boto3)
    accounts = list_organization_accounts(ClientFactory())
    assert {a.account_id for a in accounts} == {MANAGEMENT, *members}
    assert [a.account_id for a in accounts] == sorted(a.account_id for a in accounts)


def test_entering_an_account_assumes_the_role_there_and_resources_stay_in_it(moto: None) -> None:
    import boto3

    member = organization(boto3)[0]
    sessions = AccountSessions(ClientFactory(), role_name="KvsctlAudit", session_name="kvsctl-test")
    inside = sessions.enter(member)
    inside.call("kinesisvideo", "create_stream", StreamName="member-cam")
    arn = inside.call("kinesisvideo", "describe_stream", StreamName="member-cam")["StreamInfo"]["StreamARN"]
    assert f":{member}:stream/member-cam/" in arn
    # The caller's own account does not see it: the stream lives in the member account.
    own = boto3.client("kinesisvideo", region_name="us-east-1").list_streams()["StreamInfoList"]
    assert own == []
    # Each account has one limiter, shared by every factory entered into it.
    assert sessions.enter(member).limiter is inside.limiter is not None


def test_without_a_role_only_the_callers_account_can_be_entered(moto: None) -> None:
    sessions = AccountSessions(ClientFactory(), role_name=None)
    assert sessions.enter(MANAGEMENT) is sessions.base
    with pytest.raises(AwsError) as err:
        sessions.enter("444455556666")
    assert err.value.code == "no_role" and "--assume-role" in (err.value.hint or "")


# -- the org-audit templates --------------------------------------------------------------------------------


def _yaml(path: Path) -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    # CloudFormation's short-form tags (!Ref, !Sub, ...) read as plain values: only the structure matters here.
    Loader.add_multi_constructor(
        "!",
        lambda loader, _suffix, node: (
            loader.construct_object(node.value[0]) if isinstance(node, yaml.SequenceNode) and node.value else None
        ),
    )
    return yaml.load(path.read_text(), Loader=Loader)


def test_audit_role_template_grants_exactly_what_kvsctl_calls() -> None:
    template = _yaml(ORG_AUDIT / "audit-role-stackset.yaml")
    role = template["Resources"]["AuditRole"]["Properties"]
    (policy,) = role["Policies"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == sorted(AUDIT_ACTIONS)
    assert not any(a.endswith("*") for a in statement["Action"])  # read-only, named one by one


def test_every_listed_action_is_a_real_read_operation() -> None:
    import botocore.session

    session = botocore.session.get_session()
    for action in (*AUDIT_ACTIONS, *RUNNER_ACTIONS):
        service, api = action.split(":")
        model = session.get_service_model(service)
        assert api in model.operation_names, action
        assert api.startswith(("Describe", "Get", "List", "AssumeRole")), f"{action} is not a read"


def test_org_audit_templates_pass_cfn_lint() -> None:
    templates = sorted(str(p) for p in ORG_AUDIT.glob("*.yaml"))
    assert templates
    cfn_lint = Path(sys.executable).parent / "cfn-lint"  # a test extra, installed beside this interpreter
    proc = subprocess.run([str(cfn_lint), *templates], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_action_names_follow_call_stats_keys() -> None:
    assert action_for("kms.DescribeKey") == "kms:DescribeKey"
    assert action_for("kinesisvideo.ListStreams") == "kinesisvideo:ListStreams"
