"""Policy grammar (IAM UG "IAM JSON policy grammar" / "policy elements reference")."""

from __future__ import annotations

import json

import pytest

from kvsctl.policy.document import PolicyKind, PolicyParseError, parse_policy

ALLOW = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}


def test_statement_may_be_a_single_object() -> None:
    # IAM UG: Statement is an object or an array of objects
    p = parse_policy({"Version": "2012-10-17", "Statement": ALLOW}, "p")
    assert len(p.statements) == 1 and p.statements[0].actions == ("kms:Decrypt",)


def test_strings_or_lists_everywhere() -> None:
    p = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [{**ALLOW, "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": ["*"]}],
        },
        "p",
    )
    st = p.statements[0]
    assert st.actions == ("kms:Decrypt", "kms:Encrypt") and st.resources == ("*",)


def test_condition_values_may_be_booleans_and_numbers() -> None:
    st = {**ALLOW, "Condition": {"Bool": {"aws:SecureTransport": False}, "NumericLessThan": {"k": 5}}}
    p = parse_policy({"Statement": [st]}, "p")
    assert [c.values for c in p.statements[0].conditions] == [("false",), ("5",)]


def test_version_decides_policy_variables() -> None:
    assert parse_policy({"Version": "2012-10-17", "Statement": ALLOW}, "p").variables_enabled
    assert not parse_policy({"Version": "2008-10-17", "Statement": ALLOW}, "p").variables_enabled
    assert not parse_policy({"Statement": ALLOW}, "p").variables_enabled


def test_key_policy_principals() -> None:
    st = {
        **ALLOW,
        "Principal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:role/R"], "Service": "x.amazonaws.com"},
    }
    p = parse_policy({"Statement": st}, "kp", PolicyKind.RESOURCE)
    spec = p.statements[0].principal
    assert spec is not None and spec.aws == ("111122223333", "arn:aws:iam::111122223333:role/R")
    assert spec.service == ("x.amazonaws.com",)
    star = parse_policy({"Statement": {**ALLOW, "Principal": "*"}}, "kp", PolicyKind.RESOURCE)
    assert star.statements[0].principal is not None and star.statements[0].principal.wildcard


BAD = [
    pytest.param([], "a policy must be a JSON object", id="top level not an object"),
    pytest.param({"Version": "2012-10-17"}, "missing Statement", id="no Statement"),
    pytest.param({"Statement": "x"}, "Statement must be an object or a list", id="Statement a string"),
    pytest.param({"Version": "2012-10-18", "Statement": ALLOW}, "Version must be", id="unknown Version"),
    pytest.param(
        {"Statement": {**ALLOW, "Effect": "allow"}}, 'Effect must be "Allow" or "Deny"', id="Effect is case-sensitive"
    ),
    pytest.param({"Statement": {"Effect": "Allow", "Resource": "*"}}, "missing Action or NotAction", id="no Action"),
    pytest.param(
        {"Statement": {**ALLOW, "NotAction": "x:y"}}, "Action and NotAction cannot both", id="Action with NotAction"
    ),
    pytest.param(
        {"Statement": {"Effect": "Allow", "Action": "a:b"}}, "missing Resource or NotResource", id="no Resource"
    ),
    pytest.param({"Statement": {**ALLOW, "Action": []}}, "must not be empty", id="empty Action list"),
    pytest.param({"Statement": {**ALLOW, "Action": [1]}}, "only strings", id="non-string action"),
    pytest.param({"Statement": {**ALLOW, "action": "x"}}, 'use "Action"', id="element names are case-sensitive"),
    pytest.param(
        {"Statement": {**ALLOW, "Principal": "*"}}, "cannot name a Principal", id="Principal in identity policy"
    ),
    pytest.param(
        {"Statement": {**ALLOW, "Condition": {"StringEqualz": {"k": "v"}}}},
        "unknown condition operator",
        id="unknown operator",
    ),
    pytest.param(
        {"Statement": {**ALLOW, "Condition": {"StringEquals": {"k": {"a": 1}}}}},
        "values must be strings",
        id="object condition value",
    ),
    pytest.param(
        {"Statement": {**ALLOW, "Condition": {"IpAddress": {"aws:SourceIp": "300.1.1.1"}}}},
        "not a valid value for IpAddress",
        id="bad CIDR",
    ),
    pytest.param(
        {"Statement": {**ALLOW, "Condition": {"NumericLessThan": {"k": "ten"}}}},
        "not a valid value for NumericLessThan",
        id="bad number",
    ),
    pytest.param(
        {"Statement": {**ALLOW, "Condition": {"DateLessThan": {"k": "yesterday"}}}},
        "not a valid value for DateLessThan",
        id="bad date",
    ),
    pytest.param(
        {"Statement": {**ALLOW, "Condition": {"Null": {"k": "maybe"}}}},
        "not a valid value for Null",
        id="bad Null value",
    ),
    pytest.param({"Statement": {**ALLOW, "Condition": []}}, "Condition must be an object", id="Condition a list"),
]


@pytest.mark.parametrize(("doc", "message"), BAD)
def test_malformed_documents_are_input_errors(doc: object, message: str) -> None:
    with pytest.raises(PolicyParseError) as e:
        parse_policy(doc, "file.json")
    assert message in str(e.value) and e.value.source == "file.json"


def test_key_policy_needs_a_principal() -> None:
    with pytest.raises(PolicyParseError, match="needs Principal or NotPrincipal"):
        parse_policy({"Statement": ALLOW}, "kp", PolicyKind.RESOURCE)


def test_json_syntax_error_names_the_line() -> None:
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",}\n  ]\n}'
    with pytest.raises(PolicyParseError) as e:
        parse_policy(text, "broken.json")
    assert e.value.line == 4 and str(e.value).startswith("broken.json:4: invalid JSON")


def test_semantic_error_names_the_statement_line() -> None:
    doc = {"Version": "2012-10-17", "Statement": [ALLOW, {"Effect": "Permit", "Action": "a:b", "Resource": "*"}]}
    text = json.dumps(doc, indent=2)
    with pytest.raises(PolicyParseError) as e:
        parse_policy(text, "p.json")
    permit = next(i for i, line in enumerate(text.splitlines()) if "Permit" in line)
    assert e.value.line == permit  # the statement's "{" is on the line before, 1-based
    assert "Statement 1" in e.value.message


def test_statement_lines_are_recorded() -> None:
    text = (
        '{"Statement": [\n {"Effect": "Allow", "Action": "a:b", "Resource": "*"},\n\n'
        ' {"Effect": "Deny", "Action": "a:b", "Resource": "*"}]}'
    )
    p = parse_policy(text, "p.json")
    assert [s.line for s in p.statements] == [2, 4]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "null", "[1,2]", '{"Statement": [', "\x00\x01", '{"a": 1e999999}', "[" * 5000, '"\\ud800"'],
)
def test_garbage_never_escapes_as_another_exception(text: str) -> None:
    with pytest.raises(PolicyParseError):
        parse_policy(text, "junk.json")


def test_bom_is_accepted() -> None:
    p = parse_policy('\ufeff{"Statement": {"Effect": "Allow", "Action": "a:b", "Resource": "*"}}', "bom.json")
    assert len(p.statements) == 1
