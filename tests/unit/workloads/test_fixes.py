"""Every failing check gets a fix; applying the fix to the inputs and re-running the audit makes that check
pass and changes no other decision nor finding. Rules: IAM UG "Policy evaluation logic" (an explicit deny
wins; an allow is needed in the identity policy, the boundary and every SCP level), KMS DG "Key policies"
(the key policy must allow, naming the principal or delegating to the account's IAM), "Cross-account
access" (both the key policy and the caller's IAM policies)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kvsctl.audit.engine import run_audit
from kvsctl.audit.model import AuditInput, AuditReport, PolicyDoc, PrincipalPolicies
from kvsctl.checks.model import Result
from kvsctl.workloads.fixes import add_fixes, apply_fix
from kvsctl.workloads.paths import READ_PATHS

A, B = "111122223333", "444455556666"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
STREAM = f"arn:aws:kinesisvideo:us-east-1:{A}:stream/cam/1700000000000"
CAM = f"arn:aws:iam::{A}:role/Camera"
VIEWER = f"arn:aws:iam::{A}:role/Viewer"
OUTSIDER = f"arn:aws:iam::{B}:role/Partner"
VIA = {"StringEquals": {"kms:ViaService": "kinesisvideo.us-east-1.amazonaws.com"}}
ROOT = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "kms:*", "Resource": "*"}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


PRODUCER_OK = allow(
    ["kinesisvideo:DescribeStream", "kinesisvideo:GetDataEndpoint", "kinesisvideo:PutMedia", "kms:GenerateDataKey"]
)
VIEWER_GETMEDIA = allow(["kinesisvideo:GetDataEndpoint", "kinesisvideo:GetMedia", "kms:Decrypt"])


def inp(
    *,
    key_policy: dict[str, Any] | None = None,
    cam: list[dict[str, Any]] | None = None,
    viewer: list[dict[str, Any]] | None = None,
    viewer_arn: str = VIEWER,
    boundary: dict[str, Any] | None = None,
    scps: list[dict[str, Any]] | None = None,
    reads: tuple[str, ...] = READ_PATHS,
) -> AuditInput:
    principals = {
        CAM: PrincipalPolicies(CAM, (PolicyDoc("cam.json", doc(*(cam or [PRODUCER_OK]))),)),
        viewer_arn: PrincipalPolicies(
            viewer_arn,
            (PolicyDoc("viewer.json", doc(*(viewer or [VIEWER_GETMEDIA]))),),
            PolicyDoc("viewer-boundary.json", boundary) if boundary else None,
        ),
    }
    return AuditInput(
        key_arn=KEY,
        key_policy=PolicyDoc("key policy", key_policy or doc(ROOT)),
        grants=(),
        stream_arn=STREAM,
        producers=(CAM,),
        consumers=(viewer_arn,),
        principals=principals,
        scps=tuple(PolicyDoc(f"scp{i}.json", s) for i, s in enumerate(scps or [])),
        reads=reads,
    )


def key(r: Result) -> tuple[str, str, str, str]:
    return (r.principal, r.path, r.action, r.resource)


def decisions(report: AuditReport) -> dict[tuple[str, str, str, str], str]:
    return {key(r): r.decision for r in report.results}


def findings(report: AuditReport) -> set[tuple[str, str | None]]:
    return {(f.code, f.principal) for f in report.findings}


def assert_every_fix_works(audit_input: AuditInput) -> AuditReport:
    """The property itself: for each failing check, apply its fix, re-run, compare."""
    before = add_fixes(audit_input, run_audit(audit_input))
    failing = [r for r in before.results if r.failing]
    assert failing, "the scenario must fail somewhere"
    for r in failing:
        assert r.patch is not None and r.patch.verified and r.patch.changes, (key(r), r.patch)
        after = run_audit(apply_fix(audit_input, r.patch))
        got = decisions(after)
        same_check = [k for k in got if k[0] == r.principal and k[2] == r.action and k[3] == r.resource]
        for k in same_check:
            assert got[k] == "allow", (k, r.patch)
        expected = {k: v for k, v in decisions(before).items() if k not in same_check}
        assert {k: v for k, v in got.items() if k not in same_check} == expected, r.patch
        assert findings(after) == findings(before), r.patch
    return before


def test_viewer_that_can_getmedia_but_not_hls_gets_the_hls_statement_in_its_identity_policy() -> None:
    report = assert_every_fix_works(inp(reads=("getmedia", "hls")))
    failing = [r for r in report.results if r.failing]
    assert [(r.path, r.action) for r in failing] == [("hls", "kinesisvideo:GetHLSStreamingSessionURL")]
    fix = failing[0].patch
    assert fix is not None
    (change,) = fix.changes
    assert change.target == "identity" and change.principal == VIEWER
    assert change.statement == {
        "Sid": "AllowGetHLSStreamingSessionURL",
        "Effect": "Allow",
        "Action": "kinesisvideo:GetHLSStreamingSessionURL",
        "Resource": STREAM,
    }
    assert "identity policy of role/Viewer" in fix.where


def test_every_read_path_fix_for_a_getmedia_only_viewer() -> None:
    assert_every_fix_works(inp())


def test_kms_delegated_to_iam_is_fixed_in_the_identity_policy() -> None:
    report = assert_every_fix_works(
        inp(viewer=[allow(["kinesisvideo:GetDataEndpoint", "kinesisvideo:GetMedia"])], reads=("getmedia",))
    )
    (r,) = [r for r in report.results if r.failing]
    assert r.patch is not None and [c.target for c in r.patch.changes] == ["identity"]
    assert r.patch.changes[0].statement == {
        "Sid": "AllowDecryptViaKvs",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": KEY,
        "Condition": VIA,
    }


def test_key_policy_that_does_not_allow_is_fixed_in_the_key_policy() -> None:
    only_cam = doc({"Effect": "Allow", "Principal": {"AWS": CAM}, "Action": "kms:GenerateDataKey", "Resource": "*"})
    report = assert_every_fix_works(inp(key_policy=only_cam, reads=("getmedia",)))
    (r,) = [r for r in report.results if r.failing]
    assert r.action == "kms:Decrypt" and r.patch is not None
    (change,) = r.patch.changes
    assert change.target == "key_policy" and change.statement is not None
    assert change.statement["Principal"] == {"AWS": VIEWER} and change.statement["Resource"] == "*"


def test_cross_account_viewer_needs_key_policy_and_its_own_iam_for_kms_and_a_role_for_the_stream() -> None:
    outsider = inp(
        viewer_arn=OUTSIDER,
        viewer=[allow(["kinesisvideo:GetDataEndpoint", "kinesisvideo:GetMedia"])],
        reads=("getmedia",),
    )
    report = add_fixes(outsider, run_audit(outsider))
    decrypt = next(r for r in report.results if r.failing and r.action == "kms:Decrypt")
    assert decrypt.patch is not None and decrypt.patch.verified
    assert sorted(c.target for c in decrypt.patch.changes) == ["identity", "key_policy"]
    after = run_audit(apply_fix(outsider, decrypt.patch))
    assert decisions(after)[(OUTSIDER, "getmedia", "kms:Decrypt", KEY)] == "allow"
    # KVS has no resource policy: no statement can let another account call kinesisvideo: (IAM UG,
    # cross-account evaluation); the fix says to assume a role in the stream's account
    stream_fixes = [r.patch for r in report.results if r.failing and r.action.startswith("kinesisvideo:")]
    assert len(stream_fixes) == 2
    assert all(
        f is not None and not f.verified and not f.changes and "assume a role" in f.summary for f in stream_fixes
    )


def test_boundary_that_does_not_allow_gets_the_statement_too() -> None:
    boundary = doc(allow(["kinesisvideo:GetDataEndpoint", "kms:Decrypt"]))
    report = assert_every_fix_works(inp(boundary=boundary, reads=("getmedia",)))
    (r,) = [r for r in report.results if r.failing]
    assert r.action == "kinesisvideo:GetMedia" and r.patch is not None
    assert [c.target for c in r.patch.changes] == ["boundary"]  # the identity policy already allows it


def test_scp_that_does_not_allow_is_fixed_for_that_principal_only() -> None:
    scp = doc(allow(["kinesisvideo:GetDataEndpoint", "kinesisvideo:DescribeStream", "kinesisvideo:PutMedia", "kms:*"]))
    report = assert_every_fix_works(inp(scps=[scp], reads=("getmedia",)))
    (r,) = [r for r in report.results if r.failing]
    assert r.action == "kinesisvideo:GetMedia" and r.patch is not None
    (scp_change,) = r.patch.changes
    assert scp_change.target == "scp" and scp_change.policy == "scp0.json"
    assert scp_change.statement is not None
    assert scp_change.statement["Condition"] == {"ArnEquals": {"aws:PrincipalArn": VIEWER}}


def test_producer_missing_describe_stream_and_endpoint() -> None:
    report = assert_every_fix_works(
        inp(cam=[allow(["kinesisvideo:PutMedia", "kms:GenerateDataKey"])], reads=("getmedia",))
    )
    assert {r.action for r in report.results if r.failing} == {
        "kinesisvideo:DescribeStream",
        "kinesisvideo:GetDataEndpoint",
    }


def test_explicit_deny_listing_the_action_loses_just_that_action() -> None:
    deny = {"Effect": "Deny", "Action": ["kinesisvideo:GetClip", "kinesisvideo:DeleteStream"], "Resource": "*"}
    viewer = [allow(["kinesisvideo:*", "kms:Decrypt"]), deny]
    report = assert_every_fix_works(inp(viewer=viewer))
    (r,) = [r for r in report.results if r.failing]
    assert r.decision == "explicit_deny" and r.patch is not None
    (change,) = r.patch.changes
    assert change.op == "replace" and change.target == "identity" and change.index == 1
    assert change.statement is not None and change.statement["Action"] == "kinesisvideo:DeleteStream"


def test_explicit_deny_of_only_that_action_in_the_key_policy_is_removed() -> None:
    deny = {"Effect": "Deny", "Principal": {"AWS": VIEWER}, "Action": "kms:Decrypt", "Resource": "*"}
    report = assert_every_fix_works(inp(key_policy=doc(ROOT, deny), reads=("getmedia",)))
    decrypt = next(r for r in report.results if r.failing)
    assert decrypt.patch is not None
    assert [(c.op, c.target, c.index) for c in decrypt.patch.changes] == [("remove", "key_policy", 1)]


def test_wildcard_deny_names_the_statement_and_changes_nothing() -> None:
    deny = {"Effect": "Deny", "Action": "kinesisvideo:Get*", "Resource": "*"}
    audit_input = inp(viewer=[VIEWER_GETMEDIA, deny], reads=("getmedia",))
    report = add_fixes(audit_input, run_audit(audit_input))
    failing = [r for r in report.results if r.failing]
    assert failing and all(r.patch is not None and not r.patch.verified and not r.patch.changes for r in failing)
    assert all("viewer.json #1" in r.patch.summary for r in failing if r.patch)


def test_fix_is_in_json_and_passing_checks_have_none() -> None:
    report = add_fixes(inp(reads=("getmedia", "hls")), run_audit(inp(reads=("getmedia", "hls"))))
    js = report.to_json()
    results: Any = js["results"]
    fixed = [r for r in results if r["fix"] is not None]
    assert [r["path"] for r in fixed] == ["hls"]
    assert fixed[0]["fix"]["verified"] is True
    assert fixed[0]["fix"]["changes"][0]["statement"]["Action"] == "kinesisvideo:GetHLSStreamingSessionURL"
    assert all(r["fix"] is None for r in results if r["decision"] == "allow")


def test_apply_fix_never_mutates_its_input() -> None:
    audit_input = inp(reads=("hls",))
    snapshot = copy.deepcopy(audit_input)
    report = add_fixes(audit_input, run_audit(audit_input))
    for r in report.results:
        if r.patch:
            apply_fix(audit_input, r.patch)
    assert audit_input == snapshot


@pytest.mark.parametrize("session", [f"arn:aws:sts::{A}:assumed-role/Viewer/cam-7"])
def test_a_session_is_fixed_through_its_role(session: str) -> None:
    only_cam = doc(
        ROOT,
        {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{A}:role/Nobody"}, "Action": "kms:*", "Resource": "*"},
    )
    audit_input = inp(key_policy=only_cam, viewer_arn=VIEWER, reads=("hls",))
    audit_input = AuditInput(**{**audit_input.__dict__, "consumers": (session,)})
    report = add_fixes(audit_input, run_audit(audit_input))
    hls = next(r for r in report.results if r.failing)
    assert hls.patch is not None and hls.patch.verified and hls.patch.changes[0].principal == session
