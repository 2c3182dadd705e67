"""Resource control policies in the live audit (issue #10 class 5), against moto's Organizations.

Organizations UG "RCP evaluation": the RCPs on the path root -> account apply to the account's resources;
KMS DG "Resource control policies in AWS KMS": to customer managed keys only. An account outside any
organization has none; an audit that cannot read them says so (info finding KVS134, failing under --strict).
"""

from __future__ import annotations

import json
from typing import Any

import boto3

from kvsctl.audit.engine import run_audit
from kvsctl.audit.model import AuditInput, PolicyDoc
from kvsctl.aws.organizations import read_rcps
from kvsctl.errors import AwsError
from kvsctl.services.audit_live import AuditScope, run
from tests import audit_world as w
from tests.helpers import ACCOUNT, REGION

DENY_KMS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}],
}


def _audit(factory: Any) -> Any:
    return run(factory, AuditScope(names=("lobby",), producers=(w.PRODUCER,)))


def _decisions(report: Any) -> dict[str, str]:
    return {r.action: r.decision for a in report.streams for r in a.report.results}


def _codes(report: Any) -> set[str]:
    return {f.code for a in report.streams for f in a.report.findings}


def test_outside_an_organization_there_are_no_rcps(boto: Any, factory: Any) -> None:
    assert read_rcps(factory, ACCOUNT).policies == ()
    key = w.make_key(boto.kms)
    w.make_stream(boto.kvs, "lobby", key)
    w.make_principals(boto.iam)
    report = _audit(factory)
    assert "KVS134" not in _codes(report)
    assert _decisions(report)["kms:GenerateDataKey"] == "allow"


def test_an_rcp_attached_at_the_root_denies_the_customer_key(boto: Any, factory: Any) -> None:
    org = boto3.client("organizations", region_name=REGION)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    pid = org.create_policy(
        Content=json.dumps(DENY_KMS), Description="no kms", Name="deny-kms", Type="RESOURCE_CONTROL_POLICY"
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=pid, TargetId=root)
    read = read_rcps(factory, ACCOUNT)
    assert read.policies is not None and {n.split(" (")[0] for n, _ in read.policies} >= {"RCP deny-kms"}
    key = w.make_key(boto.kms)
    w.make_stream(boto.kvs, "lobby", key)
    w.make_principals(boto.iam)
    report = _audit(factory)
    assert _decisions(report)["kms:GenerateDataKey"] == "explicit_deny"
    assert _decisions(report)["kinesisvideo:PutMedia"] == "allow"  # KVS is not a service RCPs apply to


class _DeniedOrganizations:
    """Organizations answering AccessDenied, as it does to a member account that is not a delegated
    administrator (moto lets every account read everything, so the denial is played here)."""

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        raise AwsError(
            "not authorized", code="access_denied", aws_code="AccessDeniedException", operation="DescribeOrganization"
        )


def test_rcps_that_cannot_be_read_are_an_info_finding_that_strict_fails() -> None:
    read = read_rcps(_DeniedOrganizations(), ACCOUNT)  # type: ignore[arg-type]
    assert read.policies is None and "not authorized" in read.why
    key_policy = PolicyDoc("key policy", json.loads(w.delegating_key_policy()))
    report = run_audit(
        AuditInput(
            key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k1",
            key_policy=key_policy,
            grants=(),
            stream_arn=None,
            producers=(w.PRODUCER,),
            consumers=(),
            principals={},
            rcps=None,
            rcps_unread_why=read.why,
        )
    )
    found = [f for f in report.findings if f.code == "KVS134"]
    assert found and found[0].severity.value == "info" and "not authorized" in found[0].message
    assert not report.ok(strict=True)
    # an AWS managed key: RCPs do not apply, nothing to say
    managed = run_audit(
        AuditInput(
            key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k1",
            key_policy=key_policy,
            grants=(),
            stream_arn=None,
            producers=(w.PRODUCER,),
            consumers=(),
            principals={},
            rcps=None,
            key_aws_managed=True,
        )
    )
    assert "KVS134" not in {f.code for f in managed.findings}
