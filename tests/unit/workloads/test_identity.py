"""`iam recommend-policy`: each generated identity policy, audited by the project's own evaluator, allows
exactly the selected paths (KVS DG "Data protection"; IAM UG "Policy evaluation logic": an action no
statement allows is implicitly denied)."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from kvsctl.audit.engine import run_audit
from kvsctl.audit.model import AuditInput, PolicyDoc, PrincipalPolicies, Severity
from kvsctl.errors import UsageError
from kvsctl.workloads.identity import IdentityPolicyRequest, build_identity_policy
from kvsctl.workloads.paths import READ_PATHS, path

A = "111122223333"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
STREAM = f"arn:aws:kinesisvideo:us-east-1:{A}:stream/cam/1700000000000"
OTHER_STREAM = f"arn:aws:kinesisvideo:us-east-1:{A}:stream/other/1700000000001"
ROLE = f"arn:aws:iam::{A}:role/Workload"
DELEGATING = PolicyDoc(
    "key policy",
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "kms:*", "Resource": "*"}
        ],
    },
)


def audit(doc: dict[str, Any], *, producer: bool, consumer: bool, stream: str = STREAM) -> Any:
    """Every path checked, whatever was selected: the policy must allow the selected ones only."""
    return run_audit(
        AuditInput(
            key_arn=KEY,
            key_policy=DELEGATING,
            grants=(),
            stream_arn=stream,
            producers=(ROLE,) if producer else (),
            consumers=(ROLE,) if consumer else (),
            principals={ROLE: PrincipalPolicies(ROLE, (PolicyDoc("generated", json.dumps(doc)),))},
            reads=READ_PATHS,
            producer_creates=True,
        )
    )


def path_passes(report: Any, name: str) -> bool:
    got = [r for r in report.results if r.path == name]
    assert got, name
    return all(r.decision == "allow" for r in got)


READ_SELECTIONS = [("getmedia",), ("hls",), ("fragments", "clip"), ("dash", "images"), READ_PATHS]


@pytest.mark.parametrize("reads", READ_SELECTIONS)
def test_consumer_policy_allows_exactly_the_selected_read_paths(reads: tuple[str, ...]) -> None:
    doc = build_identity_policy(IdentityPolicyRequest(KEY, (STREAM,), consumer=True, reads=reads)).document
    report = audit(doc, producer=False, consumer=True)
    for name in READ_PATHS:
        assert path_passes(report, name) is (name in reads), name
    # a path not selected fails at its own action, not at the shared GetDataEndpoint / Decrypt
    for r in report.results:
        if r.path not in reads:
            own = set(path(r.path).own_actions)
            assert (r.decision == "allow") is (r.action not in own), (r.path, r.action)
    assert not [f for f in report.findings if f.severity is not Severity.INFO], report.findings


@pytest.mark.parametrize("creates", [False, True])
def test_producer_policy_allows_the_producer_path_and_create_only_when_asked(creates: bool) -> None:
    doc = build_identity_policy(IdentityPolicyRequest(KEY, (STREAM,), producer=True, producer_creates=creates)).document
    report = audit(doc, producer=True, consumer=False)
    by_action = {r.action: r.decision for r in report.results}
    assert all(by_action[a] == "allow" for a in path("producer").actions)
    assert (
        by_action["kinesisvideo:CreateStream"]
        == by_action["kinesisvideo:TagStream"]
        == ("allow" if creates else "implicit_deny")
    )
    warned = [f.code for f in report.findings if f.severity is Severity.WARNING]
    assert warned == (["KVS120"] if creates else [])  # the AWS managed key warning, only with CreateStream


def test_producer_policy_never_reads_and_consumer_policy_never_writes() -> None:
    producer = build_identity_policy(IdentityPolicyRequest(KEY, (STREAM,), producer=True)).document
    consumer = build_identity_policy(IdentityPolicyRequest(KEY, (STREAM,), consumer=True, reads=READ_PATHS)).document
    assert not any(path_passes(audit(producer, producer=False, consumer=True), n) for n in READ_PATHS)
    assert not path_passes(audit(consumer, producer=True, consumer=False), "producer")


def test_exact_arns_do_not_reach_other_streams_and_a_prefix_does() -> None:
    exact = build_identity_policy(IdentityPolicyRequest(KEY, (STREAM,), consumer=True)).document
    assert not path_passes(audit(exact, producer=False, consumer=True, stream=OTHER_STREAM), "getmedia")
    prefix = build_identity_policy(IdentityPolicyRequest(KEY, name_prefix="oth", consumer=True)).document
    assert path_passes(audit(prefix, producer=False, consumer=True, stream=OTHER_STREAM), "getmedia")
    assert not path_passes(audit(prefix, producer=False, consumer=True, stream=STREAM), "getmedia")


def test_kms_only_through_kvs_and_the_guide_examples_mistakes_are_absent() -> None:
    both = build_identity_policy(
        IdentityPolicyRequest(KEY, (STREAM,), producer=True, consumer=True, reads=READ_PATHS, producer_creates=True)
    )
    text = json.dumps(both.document)
    assert "kinesis-video" not in text and ",]" not in text
    for st in both.document["Statement"]:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        if any(a.startswith("kms:") for a in actions):
            assert st["Condition"] == {"StringEquals": {"kms:ViaService": "kinesisvideo.us-east-1.amazonaws.com"}}
            assert st["Resource"] == KEY
        assert "*" not in json.dumps(st["Action"])
    assert both.paths == ("producer", *READ_PATHS)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"stream_arns": (STREAM,)}, "--producer or --consumer"),
        ({"producer": True}, "--stream-arn ARN"),
        ({"producer": True, "stream_arns": (STREAM,), "name_prefix": "x"}, "not both"),
        ({"producer": True, "stream_arns": ("arn:aws:kinesis-video:*:111122223333:MyStream",)}, "not a Kinesis video"),
        ({"producer": True, "stream_arns": (STREAM.replace("us-east-1", "eu-west-1"),)}, "the key in us-east-1"),
        ({"producer": True, "name_prefix": "bad prefix"}, "not a stream name prefix"),
        ({"producer": True, "name_prefix": "x", "account": "12"}, "12 digits"),
        (
            {"producer": True, "stream_arns": (STREAM,), "key_arn": f"arn:aws:kms:us-east-1:{A}:alias/cams"},
            "not a KMS key",
        ),
    ],
)
def test_bad_input_is_a_usage_error(kw: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"key_arn": KEY, **kw}
    with pytest.raises(UsageError, match=message):
        build_identity_policy(IdentityPolicyRequest(**args))


def test_every_combination_is_valid_iam_json() -> None:
    for producer, consumer, creates in itertools.product([False, True], repeat=3):
        if not (producer or consumer):
            continue
        doc = build_identity_policy(
            IdentityPolicyRequest(KEY, (STREAM,), producer=producer, consumer=consumer, producer_creates=creates)
        ).document
        assert json.loads(json.dumps(doc)) == doc
        assert len({st["Sid"] for st in doc["Statement"]}) == len(doc["Statement"])
