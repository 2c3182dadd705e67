"""run_audit: producer / consumer requirements and findings on whole inputs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kvsctl.audit.engine import run_audit
from kvsctl.audit.model import AuditInput, Grant, PolicyDoc, PrincipalPolicies, Severity

A, B = "111122223333", "444455556666"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
STREAM = f"arn:aws:kinesisvideo:us-east-1:{A}:stream/cam/1700000000000"
PRODUCER = f"arn:aws:iam::{A}:role/Producer"
CONSUMER = f"arn:aws:iam::{A}:role/Consumer"
VIA = "kinesisvideo.us-east-1.amazonaws.com"


def kp(*stmts: dict[str, Any]) -> PolicyDoc:
    return PolicyDoc("key policy", {"Version": "2012-10-17", "Statement": list(stmts)})


def allow(principal: Any, actions: Any, **extra: Any) -> dict[str, Any]:
    p = principal if principal == "*" else {"AWS": principal}
    return {"Effect": "Allow", "Principal": p, "Action": actions, "Resource": "*", **extra}


GOOD = kp(
    allow(f"arn:aws:iam::{A}:root", "kms:*", Sid="Root"),
    allow(PRODUCER, "kms:GenerateDataKey", Sid="Producers", Condition={"StringEquals": {"kms:ViaService": VIA}}),
    allow(CONSUMER, "kms:Decrypt", Sid="Consumers", Condition={"StringEquals": {"kms:ViaService": VIA}}),
)
IAM_P = PrincipalPolicies(
    PRODUCER,
    (
        PolicyDoc(
            "producer.json",
            {
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    # the producer SDK's calls (kvsctl/workloads/paths.py)
                    "Action": ["kinesisvideo:DescribeStream", "kinesisvideo:GetDataEndpoint", "kinesisvideo:PutMedia"],
                    "Resource": STREAM,
                },
            },
        ),
    ),
)
IAM_C = PrincipalPolicies(
    CONSUMER,
    (
        PolicyDoc(
            "consumer.json",
            {
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    "Action": ["kinesisvideo:GetDataEndpoint", "kinesisvideo:GetMedia"],
                    "Resource": "arn:aws:kinesisvideo:us-east-1:111122223333:stream/cam/*",
                },
            },
        ),
    ),
)


def audit(key_policy: PolicyDoc | None = GOOD, **kw: Any) -> Any:
    base: dict[str, Any] = {
        "key_arn": KEY,
        "key_policy": key_policy,
        "grants": (),
        "stream_arn": STREAM,
        "producers": (PRODUCER,),
        "consumers": (CONSUMER,),
        "principals": {PRODUCER: IAM_P, CONSUMER: IAM_C},
    }
    base.update(kw)
    return run_audit(AuditInput(**base))


def decisions(report: Any) -> dict[tuple[str, str], str]:
    return {(r.principal.rsplit("/", 1)[-1], r.action): r.decision for r in report.results}


def codes(report: Any) -> set[str]:
    return {f.code for f in report.findings}


def test_good_setup_all_allow() -> None:
    r = audit()
    assert decisions(r) == {
        ("Producer", "kinesisvideo:DescribeStream"): "allow",
        ("Producer", "kinesisvideo:GetDataEndpoint"): "allow",
        ("Producer", "kms:GenerateDataKey"): "allow",
        ("Producer", "kinesisvideo:PutMedia"): "allow",
        ("Consumer", "kinesisvideo:GetDataEndpoint"): "allow",
        ("Consumer", "kms:Decrypt"): "allow",
        ("Consumer", "kinesisvideo:GetMedia"): "allow",
    }
    assert {r.path for r in r.results} == {"producer", "getmedia"}
    assert r.ok() and r.ok(strict=True)
    assert json.loads(json.dumps(r.to_json()))["ok"] is True


def test_forgotten_consumer_decrypt_is_a_deny() -> None:
    r = audit(kp(allow(PRODUCER, "kms:GenerateDataKey"), allow(CONSUMER, "kms:GenerateDataKey")))
    assert decisions(r)[("Consumer", "kms:Decrypt")] == "implicit_deny"
    assert not r.ok()
    assert "KVS110" in codes(r)  # the consumer can generate data keys instead


def test_without_stream_only_key_checks() -> None:
    r = audit(stream_arn=None)
    assert {a for _, a in decisions(r)} == {"kms:GenerateDataKey", "kms:Decrypt"}


def test_unknown_iam_makes_kvs_checks_conditional() -> None:
    r = audit(principals={})
    d = decisions(r)
    assert d[("Producer", "kinesisvideo:PutMedia")] == "conditional"
    assert d[("Producer", "kms:GenerateDataKey")] == "allow"
    assert r.ok() and not r.ok(strict=True)
    assert "KVS116" in codes(r)


def test_session_uses_its_roles_iam_policies() -> None:
    session = f"arn:aws:sts::{A}:assumed-role/Producer/cam-7"
    r = audit(producers=(session,), consumers=())
    assert decisions(r)[("cam-7", "kinesisvideo:PutMedia")] == "allow"


def test_key_policy_unreadable() -> None:
    r = audit(None)
    assert decisions(r)[("Producer", "kms:GenerateDataKey")] == "conditional"
    assert "KVS113" in codes(r)


def test_unparseable_key_policy_is_a_finding() -> None:
    r = audit(PolicyDoc("kp.json", '{"Statement": [ {"Effect": "Allow",'))
    f = next(f for f in r.findings if f.code == "KVS100")
    assert f.severity is Severity.ERROR and str(f.location) == "kp.json:1"
    assert decisions(r)[("Producer", "kms:GenerateDataKey")] == "conditional"
    assert not r.ok()


def test_unparseable_identity_policy_makes_iam_unknown() -> None:
    bad = PrincipalPolicies(PRODUCER, (PolicyDoc("p.json", "[]"),))
    r = audit(principals={PRODUCER: bad, CONSUMER: IAM_C})
    assert decisions(r)[("Producer", "kinesisvideo:PutMedia")] == "conditional"
    assert "KVS100" in codes(r)


def test_grants_unreadable_and_grant_path() -> None:
    assert "KVS114" in codes(audit(grants=None))
    g = Grant.from_api({"GrantId": "g1", "GranteePrincipal": CONSUMER, "Operations": ["Decrypt"], "Name": "kvs"})
    r = audit(kp(allow(PRODUCER, "kms:GenerateDataKey")), grants=(g,))
    assert decisions(r)[("Consumer", "kms:Decrypt")] == "allow"
    assert any("grant kvs" in s for res in r.results for s in res.reasons)


def test_grant_from_api_shape() -> None:
    g = Grant.from_api(
        {
            "GrantId": "abc",
            "GranteePrincipal": PRODUCER,
            "Operations": ["GenerateDataKey"],
            "Constraints": {"EncryptionContextSubset": {"app": "video"}},
        }
    )
    assert g.encryption_context_subset == {"app": "video"} and g.name is None
    with pytest.raises(ValueError):
        Grant.from_api({"GrantId": "x", "Operations": []})


def test_scp_deny_applies_to_everyone() -> None:
    scp = PolicyDoc(
        "scp.json", {"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}}
    )
    r = audit(scps=(scp,))
    assert decisions(r)[("Consumer", "kms:Decrypt")] == "explicit_deny"


def test_context_override_reaches_the_evaluator() -> None:
    cond_kp = kp(
        allow(PRODUCER, "kms:GenerateDataKey", Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}),
        allow(CONSUMER, "kms:Decrypt"),
    )
    assert decisions(audit(cond_kp))[("Producer", "kms:GenerateDataKey")] == "conditional"
    r = audit(cond_kp, context={"aws:SourceVpce": "vpce-1"})
    assert decisions(r)[("Producer", "kms:GenerateDataKey")] == "allow"


def test_least_privilege_producer_can_decrypt() -> None:
    r = audit(kp(allow([PRODUCER, CONSUMER], ["kms:GenerateDataKey", "kms:Decrypt"])))
    assert {"KVS109", "KVS110"} <= codes(r)


def test_invalid_principal_is_a_finding() -> None:
    r = audit(producers=("arn:aws:iam::111122223333:role/*",))
    assert "KVS118" in codes(r)


def test_report_json_shape() -> None:
    out = audit().to_json()
    assert set(out) == {"ok", "results", "findings"}
    assert {"principal", "role", "action", "resource", "decision", "reasons"} <= set(out["results"][0])


def test_partner_consumer_in_another_account_is_denied_on_the_stream_with_a_finding() -> None:
    """Issue #10 class 1: a consumer of another account whose IAM allows GetMedia on our stream was reported
    `allow`; KVS has no resource-based policy, so AWS never allows it (IAM UG, Cross-account policy
    evaluation logic). The key side can still allow (KMS key policy naming the partner + partner IAM)."""
    partner = f"arn:aws:iam::{B}:role/Viewer"
    iam = PrincipalPolicies(
        partner,
        (
            PolicyDoc(
                "partner.json",
                {
                    "Version": "2012-10-17",
                    "Statement": {
                        "Effect": "Allow",
                        "Action": ["kinesisvideo:GetMedia", "kms:Decrypt"],
                        "Resource": "*",
                    },
                },
            ),
        ),
    )
    r = audit(
        kp(allow(f"arn:aws:iam::{A}:root", "kms:*"), allow(partner, "kms:Decrypt")),
        producers=(),
        consumers=(partner,),
        principals={partner: iam},
    )
    d = decisions(r)
    assert d[("Viewer", "kinesisvideo:GetMedia")] == "implicit_deny"
    assert d[("Viewer", "kms:Decrypt")] == "allow"
    cross = [f for f in r.findings if f.code == "KVS130"]
    assert len(cross) == 1 and cross[0].principal == partner and cross[0].resource == STREAM
    assert cross[0].severity is Severity.ERROR and "assume" in cross[0].remediation


def test_adversarial_wildcards_in_a_key_policy_do_not_stall_the_audit() -> None:
    """Issue #11 item 2: a 260-byte key policy with "*?" x 14 in StringLike and in Resource hung the audit
    for minutes (backtracking regex); matching is now linear in the text."""
    evil = "*?" * 14 + "x"
    policy = kp(
        allow(f"arn:aws:iam::{A}:root", "kms:*"),
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "kms:" + evil,
            "Resource": f"arn:aws:kms:us-east-1:{A}:" + evil,
            "Condition": {"StringLike": {"aws:PrincipalArn": evil}},
        },
    )
    r = audit(policy)
    # the statement matches nothing (no action ends in x): the same decisions as without it
    assert decisions(r) == decisions(audit(kp(allow(f"arn:aws:iam::{A}:root", "kms:*"))))
    assert decisions(r)[("Producer", "kms:GenerateDataKey")] == "implicit_deny"
