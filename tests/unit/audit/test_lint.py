"""Policy findings (KVS1xx), one row per check."""

from __future__ import annotations

from typing import Any

import pytest

from kvsctl.audit.lint import is_public, lint_policy
from kvsctl.policy.document import PolicyKind, parse_policy

A = "111122223333"
KEY = f"arn:aws:kms:us-east-1:{A}:key/k1"
ROLE = f"arn:aws:iam::{A}:role/Producer"


def kp_stmt(principal: Any = ROLE, action: Any = "kms:Decrypt", **extra: Any) -> dict[str, Any]:
    p = principal if principal == "*" or isinstance(principal, dict) else {"AWS": principal}
    return {"Effect": "Allow", "Principal": p, "Action": action, "Resource": "*", **extra}


def id_stmt(action: Any = "kinesisvideo:PutMedia", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def codes(stmt: dict[str, Any], kind: PolicyKind, version: str | None = "2012-10-17") -> dict[str, str]:
    doc: dict[str, Any] = {"Statement": [stmt]}
    if version:
        doc["Version"] = version
    p = parse_policy(doc, "p.json", kind)
    return {f.code: f.message for f in lint_policy(p, key_arn=KEY)}


R, ID = PolicyKind.RESOURCE, PolicyKind.IDENTITY

ROWS = [
    # KMS DG: Principal "*" needs a condition pinning the caller
    pytest.param(kp_stmt("*"), R, "KVS101", id="Principal * without condition is public"),
    pytest.param(kp_stmt({"AWS": "*"}), R, "KVS101", id='{"AWS": "*"} without condition is public'),
    pytest.param(
        kp_stmt("*", Condition={"StringEquals": {"kms:ViaService": "kinesisvideo.us-east-1.amazonaws.com"}}),
        R,
        "KVS101",
        id="kms:ViaService alone does not pin the caller",
    ),
    pytest.param(
        kp_stmt("*", Condition={"StringLike": {"kms:CallerAccount": "*"}}),
        R,
        "KVS101",
        id="a wildcard account does not pin",
    ),
    pytest.param(
        kp_stmt("*", Condition={"StringEqualsIfExists": {"aws:PrincipalAccount": A}}),
        R,
        "KVS101",
        id="IfExists does not pin",
    ),
    # IAM: prefixes and actions
    pytest.param(id_stmt("kinesis-video:PutMedia"), ID, "KVS102", id="kinesis-video: prefix (KVS guide typo)"),
    pytest.param(id_stmt("kinesisvido:PutMedia"), ID, "KVS102", id="near-miss prefix suggests the real one"),
    pytest.param(id_stmt("kms:GenerateDataKeys"), ID, "KVS103", id="unknown KMS action"),
    pytest.param(id_stmt("kinesisvideo:PutMedias"), ID, "KVS103", id="unknown KVS action"),
    pytest.param(id_stmt("PutMedia"), ID, "KVS103", id="action without prefix"),
    # ARNs
    pytest.param(id_stmt(resource="stream/cam"), ID, "KVS104", id="resource not an ARN"),
    pytest.param(
        id_stmt(resource=f"arn:aws:kinesisvideo:*:{A}:MyStream"),
        ID,
        "KVS104",
        id="KVS guide's stream ARN lacks stream/NAME/TIME",
    ),
    pytest.param(
        id_stmt(resource=f"arn:aws:kinesis-video:*:{A}:stream/x/*"), ID, "KVS105", id="kinesis-video in an ARN"
    ),
    pytest.param(kp_stmt(f"arn:aws:iam::{A}:role/*"), R, "KVS106", id="wildcard inside a principal ARN"),
    pytest.param(kp_stmt("AROAEXAMPLEID123456789"), R, "KVS112", id="unique id principal: deleted principal"),
    pytest.param(
        kp_stmt({"Service": "kinesisvideo.amazonaws.com"}), R, "KVS111", id="KVS service principal in key policy"
    ),
    # never matches
    pytest.param(
        kp_stmt(Resource=f"arn:aws:kms:us-east-1:{A}:key/other"),
        R,
        "KVS107",
        id="key policy Resource names another key",
    ),
    pytest.param(id_stmt("kinesis-video:*"), ID, "KVS107", id="every action has an unknown prefix"),
    pytest.param(
        kp_stmt(
            Condition={"Null": {"kms:EncryptionContext:a": "true"}, "StringEquals": {"kms:EncryptionContext:a": "x"}}
        ),
        R,
        "KVS107",
        id="Null true and StringEquals on the same key",
    ),
    pytest.param(
        kp_stmt(Condition={"StringEquals": {"kms:ViaService": "kinesisvideo.eu-west-1.amazonaws.com"}}),
        R,
        "KVS117",
        id="kms:ViaService of another region",
    ),
]


@pytest.mark.parametrize(("stmt", "kind", "code"), ROWS)
def test_finding(stmt: dict[str, Any], kind: PolicyKind, code: str) -> None:
    assert code in codes(stmt, kind)


CLEAN = [
    pytest.param(
        kp_stmt(
            "*",
            Condition={
                "StringEquals": {"kms:CallerAccount": A, "kms:ViaService": "kinesisvideo.us-east-1.amazonaws.com"}
            },
        ),
        R,
        id="AWS managed key policy is not public (KMS DG)",
    ),
    pytest.param(
        kp_stmt("*", Condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/*"}}),
        R,
        id="aws:PrincipalArn with fixed account pins",
    ),
    pytest.param(
        kp_stmt("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}), R, id="aws:PrincipalOrgID pins"
    ),
    pytest.param(kp_stmt(action=["kms:GenerateDataKey*", "kms:Decrypt"]), R, id="wildcard actions that exist"),
    pytest.param(
        id_stmt(
            ["kinesisvideo:PutMedia", "kinesisvideo:Get*"], "arn:aws:kinesisvideo:us-east-1:111122223333:stream/cam/*"
        ),
        ID,
        id="correct KVS identity policy",
    ),
    pytest.param(kp_stmt(Resource="*"), R, id='key policy Resource "*" means this key'),
    pytest.param(id_stmt("s3:GetObject", "arn:aws:s3:::bucket/*"), ID, id="other services are fine"),
]


@pytest.mark.parametrize(("stmt", "kind"), CLEAN)
def test_no_warning_or_error(stmt: dict[str, Any], kind: PolicyKind) -> None:
    p = parse_policy({"Version": "2012-10-17", "Statement": [stmt]}, "p.json", kind)
    assert [f for f in lint_policy(p, key_arn=KEY) if f.severity.value != "info"] == []


def test_variables_without_version() -> None:
    found = codes(
        id_stmt(resource="arn:aws:kinesisvideo:us-east-1:111122223333:stream/${aws:username}/*"), ID, version=None
    )
    assert "KVS108" in found


def test_not_principal_allow_is_public() -> None:
    p = parse_policy(
        {"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": ROLE}, "Action": "kms:*", "Resource": "*"}]}, "kp", R
    )
    assert is_public(p.statements[0])


def test_finding_location_names_statement_and_line() -> None:
    text = (
        '{"Version": "2012-10-17", "Statement": [\n'
        '{"Sid": "Bad", "Effect": "Allow", "Action": "kinesis-video:PutMedia", "Resource": "*"}]}'
    )
    f = lint_policy(parse_policy(text, "id.json", ID))[0]
    assert str(f.location) == 'id.json #0 "Bad" (line 2)'
    assert f.location is not None and (f.location.document, f.location.line) == ("id.json", 2)
    assert 'did you mean "kinesisvideo:"' in f.message


@pytest.mark.parametrize(
    ("resource", "code"),
    [
        # IAM UG ARNs: resource-type/resource-id; a wildcard in the type matches nothing (issue #10 class 2)
        pytest.param("arn:aws:kms:us-east-1:111122223333:*/1234", "KVS131", id="* as the resource type"),
        pytest.param("arn:aws:kms:us-east-1:111122223333:k?y/1234", "KVS131", id="? in the resource type"),
        # fewer than six parts: AWS documents no matching rule (issue #10 class 2)
        pytest.param("arn:aws:kms:*", "KVS132", id="short ARN"),
    ],
)
def test_resource_pattern_findings(resource: str, code: str) -> None:
    p = parse_policy(
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": resource}},
        "id.json",
    )
    assert code in {f.code for f in lint_policy(p)}


def test_whole_segment_wildcards_are_not_findings() -> None:
    p = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:*:*:*"},
        },
        "id.json",
    )
    assert not {f.code for f in lint_policy(p)} & {"KVS131", "KVS132", "KVS104"}


def test_empty_condition_values_parse_and_warn() -> None:
    """IAM stores a condition with an empty value list (it can never match): a warning, not an input error
    (issue #10 class 6)."""
    p = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:ViaService": []}},
            },
        },
        "id.json",
    )
    assert p.statements[0].conditions[0].values == ()
    warn = [f for f in lint_policy(p) if f.code == "KVS133"]
    assert warn and warn[0].severity.value == "warning"
