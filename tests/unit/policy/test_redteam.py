"""Adversarial rows for the evaluator: one case per row, each citing the AWS rule it checks.

Written by an independent review to hunt for a wrong "allow". Sources (stored copies via the docs search):
IAM UG = IAM User Guide ("Policy evaluation logic", "IAM JSON policy elements: Condition operators",
"Condition with multiple context keys or values", "Single-valued vs. multivalued context keys",
"IAM JSON policy elements: Resource", "NotAction", "NotResource", "NotPrincipal", "Principal",
"IAM policy elements: Variables and tags", "Permissions boundaries for IAM entities");
KMS DG = AWS KMS Developer Guide ("Key policies", "kms:ViaService", "kms:CallerAccount", "Grants",
"Allowing users in other accounts to use a KMS key", "AWS managed keys").

The KMS rows run the real KVS request context of ``kvsctl audit`` (``kvs_request_context``): keys it does
not set are *unknown*, so a condition on them must make the decision ``conditional``, never ``allow``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from kvsctl.audit.context import kvs_request_context
from kvsctl.audit.engine import run_audit
from kvsctl.audit.model import AuditInput, PolicyDoc
from kvsctl.policy.conditions import ConditionClause, evaluate_clause, split_operator
from kvsctl.policy.context import RequestContext, Tri
from kvsctl.policy.document import PolicyKind, PolicyParseError, parse_policy
from kvsctl.policy.evaluate import DecisionKind, Request
from kvsctl.policy.kms import IamPolicies, authorize_kms
from kvsctl.policy.match import match_action
from kvsctl.policy.principals import parse_principal

A, B = "111122223333", "444455556666"
REGION = "us-east-1"
KEY = f"arn:aws:kms:{REGION}:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
VIA = f"kinesisvideo.{REGION}.amazonaws.com"
ROOT_A, ROOT_B = f"arn:aws:iam::{A}:root", f"arn:aws:iam::{B}:root"
ROLE = f"arn:aws:iam::{A}:role/Producer"
ROLE_WITH_PATH = f"arn:aws:iam::{A}:role/kvs/cameras/Producer"
SESSION = f"arn:aws:sts::{A}:assumed-role/Producer/cam-1"
OTHER_SESSION = f"arn:aws:sts::{A}:assumed-role/Producer/cam-2"
USER = f"arn:aws:iam::{A}:user/alice"
OTHER_USER = f"arn:aws:iam::{A}:user/mallory"
EXT_ROLE = f"arn:aws:iam::{B}:role/Viewer"
DEC, GDK = "kms:Decrypt", "kms:GenerateDataKey"

ALLOW, COND, EXPLICIT, IMPLICIT = (
    DecisionKind.ALLOW,
    DecisionKind.CONDITIONAL,
    DecisionKind.EXPLICIT_DENY,
    DecisionKind.IMPLICIT_DENY,
)
T, F, U = Tri.TRUE, Tri.FALSE, Tri.UNKNOWN


# --------------------------------------------------------------------------- helpers


def s(effect: str, action: Any = "kms:*", principal: Any = None, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    """One statement. ``principal``: "*" (bare), a string / list (AWS), or a dict used as is."""
    out: dict[str, Any] = {"Effect": effect}
    if isinstance(action, dict):
        out.update(action)
    else:
        out["Action"] = action
    if principal is not None:
        out["Principal"] = principal if principal == "*" or isinstance(principal, dict) else {"AWS": principal}
    if isinstance(resource, dict):
        out.update(resource)
    else:
        out["Resource"] = resource
    out.update(extra)
    return out


def na(*actions: str) -> dict[str, Any]:
    return {"NotAction": list(actions)}


def nr(*resources: str) -> dict[str, Any]:
    return {"NotResource": list(resources)}


@dataclass(frozen=True)
class Grant:
    grant_id: str
    grantee_principal: str
    operations: tuple[str, ...]
    encryption_context_equals: Mapping[str, str] | None = None
    encryption_context_subset: Mapping[str, str] | None = None
    name: str | None = None
    other_constraints: tuple[str, ...] = ()


@dataclass
class K:
    """One KMS request on the KVS path."""

    who: str
    action: str
    key_policy: list[dict[str, Any]] | None
    iam: list[dict[str, Any]] | None = None  # None: the principal's IAM policies are not known
    boundary: list[dict[str, Any]] | None = None
    scps: list[list[dict[str, Any]]] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    context: dict[str, str] = field(default_factory=dict)
    version: str = "2012-10-17"  # of the key policy and the identity policy


def _doc(stmts: list[dict[str, Any]], name: str, kind: PolicyKind, version: str = "2012-10-17") -> Any:
    return parse_policy({"Version": version, "Statement": stmts}, name, kind)


def decide(c: K) -> DecisionKind:
    who = parse_principal(c.who)
    ctx = kvs_request_context(who, action=c.action, resource=KEY, overrides=c.context)
    req = Request(who, c.action, KEY, ctx)
    iam = None
    if c.iam is not None:
        iam = IamPolicies(
            (_doc(c.iam, "identity", PolicyKind.IDENTITY, c.version),),
            _doc(c.boundary, "boundary", PolicyKind.BOUNDARY) if c.boundary is not None else None,
        )
    kp = _doc(c.key_policy, "key policy", PolicyKind.RESOURCE, c.version) if c.key_policy is not None else None
    scps = [_doc(x, f"scp{i}", PolicyKind.SCP) for i, x in enumerate(c.scps)]
    return authorize_kms(req, key_arn=KEY, key_policy=kp, iam=iam, scps=scps, grants=c.grants).kind


ROOT_DELEGATION = s("Allow", "kms:*", ROOT_A)
IAM_DEC = [s("Allow", DEC, resource=KEY)]
IAM_GDK = [s("Allow", GDK, resource=KEY)]
NO_KMS_BOUNDARY = [s("Allow", "kinesisvideo:*")]  # a boundary that lacks kms:Decrypt / GenerateDataKey
VIA_EQ = {"StringEquals": {"kms:ViaService": VIA}}


# --------------------------------------------------------------------------- condition operators


def clause(op: str, key: str, values: Any) -> ConditionClause:
    parsed = split_operator(op)
    assert parsed is not None, op
    set_op, base, if_exists = parsed
    vals = tuple(values) if isinstance(values, list) else (values,)
    return ConditionClause(op, base, set_op, if_exists, key, vals)


MISSING = object()

CONDITION_ROWS = [
    # IAM UG Condition operators: "If the key ... is not present in the request context, the values do not match
    # and the condition is false. If the policy condition requires that the key is not matched, such as
    # StringNotLike or ArnNotLike, and the right key is not present, the condition is true."
    pytest.param("StringNotEquals", "k", "a", MISSING, T, id="negated StringNotEquals + missing key -> true"),
    pytest.param("StringNotEqualsIgnoreCase", "k", "a", MISSING, T, id="negated IgnoreCase + missing key -> true"),
    pytest.param("StringNotLike", "k", "a*", MISSING, T, id="negated StringNotLike + missing key -> true"),
    pytest.param("ArnNotLike", "aws:SourceArn", "arn:aws:s3:::b", MISSING, T, id="ArnNotLike + missing key -> true"),
    pytest.param("ArnNotEquals", "aws:SourceArn", "arn:aws:s3:::b", MISSING, T, id="ArnNotEquals + missing -> true"),
    pytest.param("NotIpAddress", "aws:SourceIp", "10.0.0.0/8", MISSING, T, id="NotIpAddress + missing key -> true"),
    pytest.param("NumericNotEquals", "k", "1", MISSING, T, id="NumericNotEquals + missing key -> true"),
    pytest.param("DateNotEquals", "k", "2020-01-01", MISSING, T, id="DateNotEquals + missing key -> true"),
    pytest.param("StringEquals", "k", "a", MISSING, F, id="positive StringEquals + missing key -> false"),
    pytest.param("IpAddress", "aws:SourceIp", "10.0.0.0/8", MISSING, F, id="positive IpAddress + missing -> false"),
    pytest.param("Bool", "aws:MultiFactorAuthPresent", "true", MISSING, F, id="Bool + missing key -> false"),
    # IAM UG "...IfExists": "If the policy key is present in the context of the request, process the key as
    # specified in the policy. If the key is not present, evaluate the condition element as true."
    pytest.param("StringEqualsIfExists", "k", "a", MISSING, T, id="IfExists + missing key -> true"),
    pytest.param("StringNotEqualsIfExists", "k", "a", MISSING, T, id="negated IfExists + missing key -> true"),
    pytest.param("ArnLikeIfExists", "aws:SourceArn", "arn:aws:s3:::b", MISSING, T, id="ArnLikeIfExists missing"),
    pytest.param("StringEqualsIfExists", "k", "a", "b", F, id="IfExists + present key -> normal (mismatch)"),
    pytest.param("StringEqualsIfExists", "k", "a", "a", T, id="IfExists + present key -> normal (match)"),
    pytest.param("StringNotEqualsIfExists", "k", "a", "a", F, id="negated IfExists + present equal -> false"),
    # IAM UG multivalued keys: "If the key values in the request resolve to an empty data set ..., a condition
    # operator modified by ForAllValues returns true, and a condition operator modified by ForAnyValue returns
    # false."
    pytest.param("ForAllValues:StringEquals", "aws:TagKeys", "a", MISSING, T, id="ForAllValues no values -> true"),
    pytest.param("ForAnyValue:StringEquals", "aws:TagKeys", "a", MISSING, F, id="ForAnyValue no values -> false"),
    pytest.param("ForAllValues:StringNotEquals", "aws:TagKeys", "a", MISSING, T, id="ForAllValues negated -> true"),
    pytest.param("ForAnyValue:StringNotEquals", "aws:TagKeys", "a", MISSING, F, id="ForAnyValue negated -> false"),
    pytest.param("ForAnyValue:StringEquals", "aws:TagKeys", "a", ["b", "a"], T, id="ForAnyValue one matches"),
    pytest.param("ForAllValues:StringEquals", "aws:TagKeys", "a", ["b", "a"], F, id="ForAllValues one outside"),
    # IAM UG "Single-valued vs. multivalued context keys": "Multivalued context keys require a condition set
    # operator." What AWS does without one is not documented: with several request values the plain operator
    # could read as ForAnyValue or as ForAllValues. Where the two readings differ, the tool must not pick one
    # (a wrong pick in a Deny is a wrong allow): unknown. Where they agree, that answer stands.
    pytest.param(
        "StringNotEquals", "aws:TagKeys", "a", ["a", "b"], U, id="StringNotEquals on multivalued key, no set op: unsure"
    ),
    pytest.param(
        "StringEquals", "aws:TagKeys", "a", ["a", "b"], U, id="StringEquals on multivalued key, no set op: unsure"
    ),
    pytest.param("StringNotEquals", "aws:TagKeys", "c", ["a", "b"], T, id="multivalued, no set op, readings agree"),
    pytest.param("StringEquals", "aws:TagKeys", "c", ["a", "b"], F, id="multivalued, no set op, none equal"),
    # IAM UG Null: "true" -> the key is absent (or its value null); "false" -> the key is present.
    pytest.param("Null", "k", "true", MISSING, T, id="Null true + key absent -> true"),
    pytest.param("Null", "k", "true", "v", F, id="Null true + key present -> false"),
    pytest.param("Null", "k", "false", "v", T, id="Null false + key present -> true"),
    pytest.param("Null", "k", "false", MISSING, F, id="Null false + key absent -> false"),
    # IAM UG Condition element: "Context key names are not case-sensitive"; "Case-sensitivity of context key
    # values depends on the condition operator": StringEquals is case-sensitive, ...IgnoreCase is not.
    pytest.param("StringEquals", "KMS:VIASERVICE", VIA, VIA, T, id="condition key names are case-insensitive"),
    pytest.param("StringEquals", "aws:username", "johndoe", "JohnDoe", F, id="StringEquals values case-sensitive"),
    pytest.param(
        "StringEqualsIgnoreCase", "aws:username", "johndoe", "JohnDoe", T, id="StringEqualsIgnoreCase ignores case"
    ),
    pytest.param("StringNotEqualsIgnoreCase", "aws:username", "johndoe", "JOHNDOE", F, id="NotEqualsIgnoreCase"),
    # IAM UG Bool: "true" / "false"; JSON booleans are accepted and mean the same text (see the parser rows)
    pytest.param("Bool", "aws:SecureTransport", "true", "true", T, id="Bool true"),
    pytest.param("Bool", "aws:SecureTransport", "false", "true", F, id="Bool false vs true"),
]


@pytest.mark.parametrize(("op", "key", "values", "request_value", "expected"), CONDITION_ROWS)
def test_condition_rows(op: str, key: str, values: Any, request_value: object, expected: Tri) -> None:
    ctx = RequestContext.build({} if request_value is MISSING else {key: request_value})  # type: ignore[dict-item]
    r = evaluate_clause(clause(op, key, values), ctx, variables=True)
    assert r.value is expected, r.detail


@pytest.mark.parametrize(
    ("op", "key", "value", "expected"),
    [
        # IAM UG Policy variables: "You can't use a policy variable with other operators, such as Numeric, Date,
        # Boolean, Binary, IP Address, or Null"; IAM UG Condition operators lists policy variables as supported
        # under the Boolean operator. The pages disagree: the conservative reading is unknown (issue #10 class 10)
        pytest.param("NumericEquals", "k", "${aws:PrincipalAccount}", U, id="variable in Numeric: pages disagree"),
        pytest.param("Bool", "k", "${aws:SecureTransport}", U, id="variable in Bool: pages disagree"),
        pytest.param("NumericNotEquals", "k", "${aws:PrincipalAccount}", U, id="variable in NumericNot: not a true"),
        pytest.param("StringEquals", "k", "${aws:PrincipalAccount}", T, id="substitution in String"),
        pytest.param("ArnLike", "arn", "arn:aws:iam::${aws:PrincipalAccount}:root", T, id="substitution in Arn"),
    ],
)
def test_variables_only_in_string_and_arn_operators(op: str, key: str, value: str, expected: Tri) -> None:
    ctx = RequestContext.build(
        {"aws:PrincipalAccount": A, "aws:SecureTransport": "true", "k": {"Bool": "true"}.get(op, A), "arn": ROOT_A}
    )
    assert evaluate_clause(clause(op, key, value), ctx, variables=True).value is expected


def test_json_bool_and_number_values_compare_as_text() -> None:
    # IAM UG Bool example uses "true" as a string; AWS also stores JSON true. Numbers: the account id as a number.
    p = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {
                    "Bool": {"aws:SecureTransport": True},
                    "StringEquals": {"kms:CallerAccount": 111122223333},
                },
            },
        },
        "p",
    )
    clauses = p.statements[0].conditions
    assert [c.values for c in clauses] == [("true",), ("111122223333",)]


# --------------------------------------------------------------------------- actions and ARNs


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        # IAM UG Action element: "action names are not case-sensitive"
        pytest.param("KMS:decrypt", "kms:Decrypt", True, id="action names are case-insensitive"),
        pytest.param("kms:*", "kms:Decrypt", True, id="kms:* covers Decrypt"),
        pytest.param("kms:Gen*", "kms:Decrypt", False, id="kms:Gen* does not cover Decrypt"),
        pytest.param("kms:GenerateDataKey*", "kms:GenerateDataKey", True, id="trailing * matches the empty rest"),
        pytest.param("kms:?ecrypt", "kms:Decrypt", True, id="? matches one character"),
        pytest.param("kinesisvideo:*", "kms:Decrypt", False, id="another service prefix never matches"),
    ],
)
def test_action_rows(pattern: str, action: str, expected: bool) -> None:
    assert match_action(pattern, action) is expected


RES_ROWS = [
    # IAM UG Resource: wildcards inside a segment; "*" can replace everything in the resource segment,
    # including "/" characters
    pytest.param(f"arn:aws:kms:{REGION}:{A}:key/*", True, id="key/* covers the key"),
    pytest.param(f"arn:aws:kms:*:{A}:key/*", True, id="* in the region segment"),
    pytest.param(f"arn:aws:kms:{REGION}:{B}:key/*", False, id="another account's keys"),
    pytest.param(f"arn:aws:kms:{REGION}:1111*:key/*", True, id="* inside the account segment"),
    pytest.param(f"arn:aws:kms:{REGION}:{A}:alias/*", False, id="alias ARNs do not cover a key ARN"),
    pytest.param(f"arn:aws:kms:{REGION}:{A}:KEY/*", False, id="ARN matching is case-sensitive"),
    pytest.param(f"arn:aws:kms:us-?ast-1:{A}:key/*", True, id="? in a segment"),
    pytest.param(f"arn:aws:kms:us-east-1?:{A}:key/*", False, id="? matches exactly one character"),
    pytest.param("*", True, id="* alone covers everything"),
    # a whole-segment * keeps working (IAM UG Resource: "*" can replace everything in a segment)
    pytest.param("arn:aws:kms:*:*:*", True, id="whole-segment * in every part"),
    pytest.param(f"arn:aws:kms:{REGION}:{A}:*", True, id="whole resource part *"),
    # IAM UG ARNs: the resource type is a fixed word of the service's ARN format (resource-type/resource-id);
    # a wildcard inside it matches nothing (issue #10 class 2)
    pytest.param(f"arn:aws:kms:{REGION}:{A}:*/1234abcd-12ab-34cd-56ef-1234567890ab", False, id="* as resource type"),
    pytest.param(f"arn:aws:kms:{REGION}:{A}:k?y/*", False, id="? inside the resource type"),
    pytest.param(f"arn:aws:kms:{REGION}:{A}:ke*/*", False, id="* inside the resource type"),
]

# IAM UG Resource: "If the * wildcard is the last character of a resource ARN segment, it can expand to match
# beyond the colon boundaries" -- but no rule is documented for an ARN with fewer than six parts: whether it
# matches is unknown, so a Deny on it may apply and an Allow on it is not a definite allow (issue #10 class 2)
SHORT_ROWS = [
    pytest.param("arn:aws:kms:*", id="short ARN with a trailing *"),
    pytest.param(f"arn:aws:kms:{REGION}:*", id="arn:aws:kms:REGION:*"),
    pytest.param(f"arn:aws:kms:{REGION}:1111*", id="trailing * of the account segment"),
    pytest.param("arn:aws:kms:eu-*", id="short ARN whose prefix does not even match"),
    pytest.param("arn:aws:kms", id="truncated ARN without wildcard"),
]


@pytest.mark.parametrize("pattern", SHORT_ROWS)
def test_short_resource_arns_are_conditional(pattern: str) -> None:
    assert decide(K(ROLE, DEC, [ROOT_DELEGATION], iam=[s("Allow", DEC, resource=pattern)])) is COND
    assert decide(K(ROLE, DEC, [ROOT_DELEGATION], iam=[*IAM_DEC, s("Deny", DEC, resource=pattern)])) is COND


def test_not_resource_with_a_short_arn_is_never_a_definite_allow() -> None:
    c = K(ROLE, DEC, [ROOT_DELEGATION], iam=[{"Effect": "Allow", "Action": DEC, "NotResource": "arn:aws:s3:*"}])
    assert decide(c) is COND
    # with a full ARN, NotResource of another service's ARNs is a definite allow
    c = K(ROLE, DEC, [ROOT_DELEGATION], iam=[{"Effect": "Allow", "Action": DEC, "NotResource": "arn:aws:s3:::b/*"}])
    assert decide(c) is ALLOW


@pytest.mark.parametrize(("pattern", "expected"), RES_ROWS)
def test_resource_rows_deny(pattern: str, expected: bool) -> None:
    # a Deny on the pattern; the key policy and IAM otherwise allow. A missed Deny is a wrong allow.
    c = K(ROLE, DEC, [ROOT_DELEGATION], iam=[*IAM_DEC, s("Deny", DEC, resource=pattern)])
    assert decide(c) is (EXPLICIT if expected else ALLOW)


@pytest.mark.parametrize(("pattern", "expected"), RES_ROWS)
def test_resource_rows_allow(pattern: str, expected: bool) -> None:
    c = K(ROLE, DEC, [ROOT_DELEGATION], iam=[s("Allow", DEC, resource=pattern)])
    assert decide(c) is (ALLOW if expected else IMPLICIT)


# --------------------------------------------------------------------------- KMS authorization

KMS_ROWS = [
    # ---- Resource "*" in a key policy means "this key" (KMS DG Key policies)
    pytest.param(K(ROLE, DEC, [s("Allow", DEC, ROLE)]), ALLOW, id="KMS DG: Resource * in a key policy is this key"),
    # ---- NotAction / NotResource (IAM UG NotAction: Allow + NotAction allows every other action)
    pytest.param(
        K(ROLE, DEC, [s("Allow", na("kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"), ROLE)]),
        ALLOW,
        id="IAM UG NotAction: Allow NotAction in the key policy allows kms:Decrypt",
    ),
    pytest.param(
        K(ROLE, DEC, [ROOT_DELEGATION], iam=[s("Allow", na("iam:*"), resource="*")]),
        ALLOW,
        id="IAM UG NotAction: Allow NotAction iam:* in IAM allows kms:Decrypt",
    ),
    pytest.param(
        K(ROLE, DEC, [s("Allow", na("kms:Decrypt"), ROLE)]),
        IMPLICIT,
        id="IAM UG NotAction: the listed action is not allowed",
    ),
    pytest.param(
        K(ROLE, DEC, [s("Allow", DEC, ROLE), s("Deny", na("kms:Encrypt"), "*")]),
        EXPLICIT,
        id="IAM UG NotAction: Deny NotAction Encrypt denies Decrypt",
    ),
    pytest.param(
        K(ROLE, DEC, [ROOT_DELEGATION], iam=[s("Allow", DEC, resource=nr(f"arn:aws:kms:{REGION}:{A}:key/other"))]),
        ALLOW,
        id="IAM UG NotResource: Allow NotResource other key covers this key",
    ),
    pytest.param(
        K(ROLE, DEC, [ROOT_DELEGATION], iam=[s("Allow", DEC, resource=nr(KEY))]),
        IMPLICIT,
        id="IAM UG NotResource: Allow NotResource this key does not cover it",
    ),
    pytest.param(
        K(ROLE, DEC, [ROOT_DELEGATION], iam=[*IAM_DEC, s("Deny", "kms:*", resource=nr("arn:aws:kms:*:*:key/x"))]),
        EXPLICIT,
        id="IAM UG NotResource: Deny NotResource other key denies this key",
    ),
    # ---- NotPrincipal with Deny: "deny everyone except"
    pytest.param(
        K(
            USER,
            DEC,
            [s("Allow", DEC, USER), s("Deny", DEC, resource="*", NotPrincipal={"AWS": [USER, ROOT_A]})],
            iam=[],
        ),
        ALLOW,
        id="IAM UG NotPrincipal: Deny spares the listed user (with its account)",
    ),
    pytest.param(
        K(OTHER_USER, DEC, [s("Allow", DEC, "*"), s("Deny", DEC, resource="*", NotPrincipal={"AWS": [USER, ROOT_A]})]),
        EXPLICIT,
        id="IAM UG NotPrincipal: Deny hits everyone not listed",
    ),
    pytest.param(
        K(USER, DEC, [s("Allow", DEC, USER), s("Deny", DEC, resource="*", NotPrincipal={"AWS": [USER]})]),
        EXPLICIT,
        id="IAM UG NotPrincipal: without the account ARN the account itself is denied",
    ),
    pytest.param(
        K(
            SESSION,
            DEC,
            [s("Allow", DEC, ROLE), s("Deny", DEC, resource="*", NotPrincipal={"AWS": [SESSION, ROLE, ROOT_A]})],
            iam=[],
        ),
        ALLOW,
        id="IAM UG NotPrincipal: session, role and account listed -> session spared",
    ),
    pytest.param(
        K(
            OTHER_SESSION,
            DEC,
            [s("Allow", DEC, ROLE), s("Deny", DEC, resource="*", NotPrincipal={"AWS": [SESSION, ROLE, ROOT_A]})],
        ),
        EXPLICIT,
        id="IAM UG NotPrincipal: another session of the listed role is denied",
    ),
    # IAM UG NotPrincipal / Permissions boundaries: "The NotPrincipal element with a Deny effect will always deny
    # any IAM principal that has a permissions boundary policy attached, regardless of the values specified in
    # the NotPrincipal element."
    pytest.param(
        K(
            USER,
            DEC,
            [s("Allow", DEC, USER), s("Deny", DEC, resource="*", NotPrincipal={"AWS": [USER, ROOT_A]})],
            iam=[],
            boundary=[s("Allow", "kms:*")],
        ),
        EXPLICIT,
        id="IAM UG: Deny NotPrincipal always denies a principal with a permissions boundary",
    ),
    pytest.param(
        K(USER, DEC, [s("Allow", DEC, USER), s("Deny", DEC, resource="*", NotPrincipal={"AWS": [USER, ROOT_A]})]),
        COND,
        id="IAM UG: Deny NotPrincipal + IAM (boundary) not known -> conditional, not allow",
    ),
    pytest.param(
        K(
            USER,
            DEC,
            [s("Allow", DEC, USER), s("Deny", DEC, resource="*", NotPrincipal={"AWS": [USER, ROOT_A]})],
            iam=[],
        ),
        ALLOW,
        id="IAM UG: Deny NotPrincipal spares a listed principal known to have no boundary",
    ),
    # IAM UG NotPrincipal: "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is
    # not supported." -> never an allow on its strength alone.
    pytest.param(
        K(USER, DEC, [s("Allow", DEC, resource="*", NotPrincipal={"AWS": OTHER_USER})], iam=IAM_DEC),
        COND,
        id="IAM UG NotPrincipal: Allow with NotPrincipal is not supported -> conditional, not allow",
    ),
    pytest.param(
        K(USER, DEC, [s("Allow", DEC, resource="*", NotPrincipal={"AWS": [USER, ROOT_A]})], iam=IAM_DEC),
        IMPLICIT,
        id="IAM UG NotPrincipal: Allow with NotPrincipal never covers a listed principal",
    ),
    # ---- account principals delegate to IAM (KMS DG Key policies: root / account id)
    pytest.param(K(ROLE, DEC, [s("Allow", "kms:*", A)], iam=[]), IMPLICIT, id="KMS DG: bare account id alone"),
    pytest.param(K(ROLE, DEC, [ROOT_DELEGATION], iam=[]), IMPLICIT, id="KMS DG: account root ARN alone"),
    pytest.param(K(ROLE, DEC, [s("Allow", "kms:*", A)], iam=IAM_DEC), ALLOW, id="KMS DG: account id + IAM allow"),
    pytest.param(K(ROLE, DEC, [ROOT_DELEGATION], iam=IAM_DEC), ALLOW, id="KMS DG: root ARN + IAM allow"),
    pytest.param(K(ROLE, DEC, [ROOT_DELEGATION]), COND, id="KMS DG: root ARN + IAM not known -> conditional"),
    pytest.param(
        K(ROLE, DEC, [s("Allow", "kms:*", f"arn:aws:iam::{A}:role/Admin")], iam=[s("Allow", "kms:*")]),
        IMPLICIT,
        id="KMS DG: IAM allow alone is not enough when the key policy does not delegate",
    ),
    # ---- cross-account (KMS DG "Allowing users in other accounts": key policy AND the caller's IAM)
    pytest.param(
        K(EXT_ROLE, DEC, [s("Allow", DEC, ROOT_B)], iam=[]), IMPLICIT, id="KMS DG cross-account: key policy only"
    ),
    pytest.param(
        K(EXT_ROLE, DEC, [s("Allow", DEC, ROOT_B)], iam=IAM_DEC), ALLOW, id="KMS DG cross-account: both allow"
    ),
    pytest.param(K(EXT_ROLE, DEC, [s("Allow", DEC, ROOT_B)]), COND, id="KMS DG cross-account: caller IAM not known"),
    pytest.param(
        K(EXT_ROLE, DEC, [s("Allow", DEC, EXT_ROLE)], iam=[]),
        IMPLICIT,
        id="KMS DG cross-account: naming the external role directly still needs its IAM allow",
    ),
    pytest.param(
        K(EXT_ROLE, DEC, [ROOT_DELEGATION], iam=IAM_DEC),
        IMPLICIT,
        id="KMS DG cross-account: delegation to the key's own account does not cover another account",
    ),
    # ---- roles, sessions, paths (IAM UG Principal)
    pytest.param(K(SESSION, DEC, [s("Allow", DEC, ROLE)]), ALLOW, id="IAM UG: role principal covers its sessions"),
    pytest.param(
        K(SESSION, DEC, [s("Allow", DEC, ROLE_WITH_PATH)]),
        ALLOW,
        id="IAM UG: a role principal with a path covers the role's sessions (session ARNs carry no path)",
    ),
    pytest.param(
        K(OTHER_SESSION, DEC, [s("Allow", DEC, SESSION)]),
        IMPLICIT,
        id="IAM UG: a session principal does not cover another session",
    ),
    pytest.param(
        K(f"arn:aws:sts::{A}:assumed-role/Producer2/cam-1", DEC, [s("Allow", DEC, ROLE)]),
        IMPLICIT,
        id="IAM UG: role name must match exactly (Producer vs Producer2)",
    ),
    # ---- Principal * (KMS DG AWS managed keys; kms:CallerAccount)
    pytest.param(
        K(
            ROLE,
            DEC,
            [s("Allow", DEC, "*", Condition={"StringEquals": {"kms:CallerAccount": A, "kms:ViaService": VIA}})],
        ),
        ALLOW,
        id="KMS DG: Principal * pinned by kms:CallerAccount + kms:ViaService allows the account",
    ),
    pytest.param(
        K(
            EXT_ROLE,
            DEC,
            [s("Allow", DEC, "*", Condition={"StringEquals": {"kms:CallerAccount": A, "kms:ViaService": VIA}})],
            iam=[s("Allow", "kms:*")],
        ),
        IMPLICIT,
        id="KMS DG: Principal * pinned to account A does not allow account B",
    ),
    pytest.param(
        K(EXT_ROLE, DEC, [s("Allow", DEC, {"AWS": "*"})], iam=[]),
        IMPLICIT,
        id="KMS DG: Principal {AWS: *} cross-account still needs the caller's IAM allow",
    ),
    pytest.param(
        K(ROLE, DEC, [s("Allow", DEC, "*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})]),
        COND,
        id="Principal * pinned by an org condition the tool cannot know -> conditional",
    ),
    # ---- policy variables (IAM UG Variables: only with Version 2012-10-17; otherwise literal)
    pytest.param(
        K(
            ROLE,
            DEC,
            [s("Allow", DEC, "*", Condition={"StringEquals": {"kms:CallerAccount": "${aws:PrincipalAccount}"}})],
            version="2008-10-17",
        ),
        IMPLICIT,
        id="IAM UG Variables: ${aws:PrincipalAccount} is literal text in a 2008-10-17 key policy",
    ),
    pytest.param(
        K(
            ROLE,
            DEC,
            [s("Allow", DEC, "*", Condition={"StringEquals": {"kms:CallerAccount": "${aws:PrincipalAccount}"}})],
        ),
        ALLOW,
        id="IAM UG Variables: ${aws:PrincipalAccount} substituted in a 2012-10-17 key policy",
    ),
    pytest.param(
        K(
            USER,
            DEC,
            [ROOT_DELEGATION],
            iam=[s("Allow", DEC, resource=f"arn:aws:kms:{REGION}:{A}:key/${{aws:username}}")],
            context={"aws:username": "1234abcd-12ab-34cd-56ef-1234567890ab"},
            version="2008-10-17",
        ),
        IMPLICIT,
        id="IAM UG Variables: ${aws:username} in Resource is literal in 2008-10-17",
    ),
    pytest.param(
        K(
            USER,
            DEC,
            [ROOT_DELEGATION],
            iam=[
                *IAM_DEC,
                s("Deny", DEC, resource="*", Condition={"StringEquals": {"aws:username": "${aws:username}"}}),
            ],
            version="2008-10-17",
        ),
        ALLOW,
        id="IAM UG Variables: a 2008-10-17 Deny compares ${aws:username} literally (no match)",
    ),
    # IAM UG Variables "Principal key values": a key that is "not present ... any attempt to match it fails and
    # causes the statement to be invalid" -> an Allow built on it never applies.
    pytest.param(
        K(
            ROLE,
            DEC,
            [ROOT_DELEGATION],
            iam=[s("Allow", DEC, resource=f"arn:aws:kms:{REGION}:{A}:key/${{aws:username}}")],
        ),
        IMPLICIT,
        id="IAM UG Variables: ${aws:username} has no value for a role: Resource matches nothing",
    ),
    pytest.param(
        K(
            ROLE,
            DEC,
            [ROOT_DELEGATION],
            iam=[s("Allow", DEC, resource=nr(f"arn:aws:kms:{REGION}:{A}:key/${{aws:username}}"))],
        ),
        IMPLICIT,
        id="IAM UG Variables: an Allow with NotResource on a variable without value is invalid, not allow",
    ),
    pytest.param(
        K(
            ROLE,
            DEC,
            [s("Allow", DEC, ROLE, Condition={"StringNotEquals": {"kms:ViaService": "${aws:username}"}})],
        ),
        IMPLICIT,
        id="IAM UG Variables: an Allow with a negated condition on a variable without value is invalid",
    ),
    # IAM UG Variables: "You can use a policy variable in the Resource element, but only in the resource portion
    # of the ARN (after the fifth colon)". Elsewhere AWS documents no substitution: do not guess an allow.
    pytest.param(
        K(
            ROLE,
            DEC,
            [ROOT_DELEGATION],
            iam=[s("Allow", DEC, resource=f"arn:aws:kms:{REGION}:${{aws:PrincipalAccount}}:key/*")],
        ),
        COND,
        id="IAM UG Variables: a variable in the account segment is not documented to substitute",
    ),
    # ---- explicit deny anywhere beats every allow (IAM UG Policy evaluation logic)
    pytest.param(
        K(USER, DEC, [s("Allow", DEC, USER)], iam=[], scps=[[s("Allow", "*"), s("Deny", DEC)]]),
        EXPLICIT,
        id="IAM UG: explicit deny in an SCP beats a key-policy allow naming the user",
    ),
    pytest.param(
        K(USER, DEC, [s("Allow", DEC, USER)], iam=[], boundary=[s("Allow", "*"), s("Deny", DEC)]),
        EXPLICIT,
        id="IAM UG: explicit deny in a boundary beats a key-policy allow naming the user",
    ),
    pytest.param(
        K(USER, DEC, [s("Allow", DEC, USER)], iam=[s("Deny", "kms:*")]),
        EXPLICIT,
        id="IAM UG: explicit deny in an identity policy beats the key policy",
    ),
    pytest.param(
        K(USER, DEC, [ROOT_DELEGATION, s("Deny", DEC, "*")], iam=[s("Allow", "kms:*")]),
        EXPLICIT,
        id="KMS DG: explicit deny in the key policy beats an IAM allow",
    ),
    pytest.param(
        K(USER, DEC, [s("Allow", DEC, USER)], iam=[], scps=[[s("Allow", "kinesisvideo:*")]]),
        IMPLICIT,
        id="Organizations UG: an SCP that does not allow kms: limits even a key-policy allow",
    ),
    # Organizations UG SCP evaluation: every level from the root to the account must allow; SCPs at one level
    # combine as a union. Files given without their level: agreeing SCPs decide, disagreeing ones are unknown.
    pytest.param(
        K(USER, DEC, [s("Allow", DEC, USER)], iam=[], scps=[[s("Allow", "*")], [s("Allow", "s3:*")]]),
        COND,
        id="Organizations UG: SCPs that disagree (root allows *, another only s3:*) -> conditional",
    ),
    pytest.param(
        K(USER, DEC, [s("Allow", DEC, USER)], iam=[], scps=[[s("Allow", "*")], [s("Allow", "kms:*")]]),
        ALLOW,
        id="Organizations UG: every SCP given allows -> allow",
    ),
    pytest.param(
        K(USER, DEC, [s("Allow", DEC, USER)], iam=[], scps=[[s("Allow", "s3:*")], [s("Allow", "ec2:*")]]),
        IMPLICIT,
        id="Organizations UG: no SCP given allows -> implicit deny",
    ),
    # ---- permissions boundaries (IAM UG Permissions boundaries / Policy evaluation for a single account)
    pytest.param(
        K(USER, DEC, [ROOT_DELEGATION], iam=IAM_DEC, boundary=NO_KMS_BOUNDARY),
        IMPLICIT,
        id="IAM UG: a boundary without kms:Decrypt blocks an IAM-delegated allow",
    ),
    pytest.param(
        K(USER, DEC, [s("Allow", DEC, USER)], iam=[], boundary=NO_KMS_BOUNDARY),
        ALLOW,
        id="IAM UG: a boundary does not limit a resource-policy allow naming the IAM user ARN",
    ),
    pytest.param(
        K(SESSION, DEC, [s("Allow", DEC, SESSION)], iam=[], boundary=NO_KMS_BOUNDARY),
        ALLOW,
        id="IAM UG: a boundary does not limit a resource-policy allow naming the role session ARN",
    ),
    pytest.param(
        K(SESSION, DEC, [s("Allow", DEC, ROLE)], iam=[], boundary=NO_KMS_BOUNDARY),
        IMPLICIT,
        id="IAM UG: a boundary limits a resource-policy allow naming the role ARN",
    ),
    pytest.param(
        K(
            USER,
            DEC,
            [s("Allow", DEC, "*", Condition={"StringEquals": {"kms:CallerAccount": A}})],
            iam=[],
            boundary=NO_KMS_BOUNDARY,
        ),
        COND,
        id="Principal * is not the user's ARN, nor a role's: how a boundary limits it is undocumented: conditional",
    ),
    # ---- unknown context (conditional, never allow)
    pytest.param(
        K(
            ROLE,
            DEC,
            [s("Allow", DEC, ROLE), s("Deny", DEC, "*", Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})],
        ),
        COND,
        id="Deny on an unknown key (aws:SourceIp) -> conditional, not allow",
    ),
    pytest.param(
        K(ROLE, DEC, [s("Allow", DEC, ROLE, Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}})]),
        COND,
        id="Allow on an unknown key (aws:SourceVpce) -> conditional, never allow",
    ),
    pytest.param(
        K(ROLE, DEC, [s("Allow", DEC, ROLE, Condition={"StringEquals": {"kms:EncryptionContext:app": "kvs"}})]),
        COND,
        id="KVS documents no encryption context: a condition on it is conditional",
    ),
    pytest.param(
        K(
            ROLE,
            DEC,
            [
                s("Allow", DEC, ROLE),
                s("Deny", DEC, "*", Condition={"StringNotEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}),
            ],
        ),
        COND,
        id="Deny IfExists on an unknown key -> conditional",
    ),
    pytest.param(
        K(ROLE, DEC, [s("Allow", DEC, ROLE), s("Deny", DEC, "*", Condition={"Null": {"kms:ViaService": "true"}})]),
        ALLOW,
        id="IAM UG Null: Deny when kms:ViaService absent does not hit the KVS path",
    ),
    pytest.param(
        K(
            ROLE,
            DEC,
            [s("Allow", DEC, ROLE), s("Deny", DEC, "*", Condition={"Bool": {"aws:SecureTransport": "false"}})],
        ),
        ALLOW,
        id="IAM UG Bool: Deny on SecureTransport false does not hit KVS (TLS)",
    ),
    pytest.param(
        K(
            ROLE,
            DEC,
            [s("Allow", DEC, ROLE), s("Deny", DEC, "*", Condition={"StringNotEquals": {"kms:CallerAccount": B}})],
        ),
        EXPLICIT,
        id="Deny StringNotEquals kms:CallerAccount of another account hits",
    ),
    pytest.param(
        K(
            ROLE,
            DEC,
            [
                s("Allow", DEC, ROLE),
                s("Deny", DEC, "*", Condition={"ForAllValues:StringEquals": {"aws:PrincipalServiceNamesList": "x"}}),
            ],
        ),
        EXPLICIT,
        id="IAM UG: Deny ForAllValues on an absent key is true -> explicit deny",
    ),
    pytest.param(
        K(
            ROLE,
            DEC,
            [
                s("Allow", DEC, ROLE),
                s("Deny", DEC, "*", Condition={"ForAnyValue:StringEquals": {"aws:PrincipalServiceNamesList": "x"}}),
            ],
        ),
        ALLOW,
        id="IAM UG: Deny ForAnyValue on an absent key is false -> no deny",
    ),
    # KMS DG condition keys: kms:KeyOrigin / kms:KeySpec / kms:KeyUsage describe the key used and are set for
    # GenerateDataKey and Decrypt ("allow principals to call GenerateDataKey only when the Origin of the KMS
    # key is AWS_KMS"): not absent; offline they are unknown.
    pytest.param(
        K(
            ROLE,
            DEC,
            [s("Allow", DEC, ROLE), s("Deny", DEC, "*", Condition={"StringEquals": {"kms:KeyOrigin": "EXTERNAL"}})],
        ),
        COND,
        id="KMS DG: Deny on kms:KeyOrigin applies to Decrypt (key property, unknown offline)",
    ),
    pytest.param(
        K(ROLE, DEC, [s("Allow", DEC, ROLE, Condition={"StringNotEquals": {"kms:KeySpec": "RSA_2048"}})]),
        COND,
        id="KMS DG: kms:KeySpec is present for Decrypt, not absent (negated operator must not be true by absence)",
    ),
    pytest.param(
        K(
            ROLE,
            DEC,
            [s("Allow", DEC, ROLE, Condition={"StringEquals": {"kms:KeyUsage": "ENCRYPT_DECRYPT"}})],
            context={"kms:KeyUsage": "ENCRYPT_DECRYPT"},
        ),
        ALLOW,
        id="KMS DG: kms:KeyUsage supplied with --context decides",
    ),
    # ---- case rules on the KMS path
    pytest.param(
        K(ROLE, DEC, [s("Allow", "KMS:decrypt", ROLE, Condition={"StringEquals": {"KMS:VIASERVICE": VIA}})]),
        ALLOW,
        id="IAM UG: action and condition key names are case-insensitive",
    ),
    pytest.param(
        K(ROLE, DEC, [s("Allow", DEC, ROLE, Condition={"StringEquals": {"kms:ViaService": VIA.upper()}})]),
        IMPLICIT,
        id="IAM UG: StringEquals values are case-sensitive",
    ),
    # ---- grants (KMS DG Grants: a further allow path; constraints; operations)
    pytest.param(
        K(ROLE, DEC, [], grants=[Grant("g1", ROLE, ("Decrypt",))]), ALLOW, id="KMS DG Grants: grant to the role"
    ),
    pytest.param(
        K(SESSION, DEC, [], grants=[Grant("g1", ROLE, ("Decrypt",))]),
        ALLOW,
        id="KMS DG Grants: a grant to a role covers its sessions",
    ),
    pytest.param(
        K(ROLE, DEC, [], grants=[Grant("g1", ROLE, ("GenerateDataKey",))]),
        IMPLICIT,
        id="KMS DG Grants: a GenerateDataKey grant does not cover Decrypt",
    ),
    pytest.param(
        K(ROLE, DEC, [], grants=[Grant("g1", ROLE, ("Decrypt",), encryption_context_subset={"app": "kvs"})]),
        COND,
        id="KMS DG Grants: EncryptionContextSubset, KVS documents no context -> conditional",
    ),
    pytest.param(
        K(ROLE, DEC, [], grants=[Grant("g1", ROLE, ("Decrypt",), encryption_context_equals={"app": "kvs"})]),
        COND,
        id="KMS DG Grants: EncryptionContextEquals, KVS documents no context -> conditional",
    ),
    pytest.param(
        K(ROLE, DEC, [], grants=[Grant("g1", ROLE, ("Decrypt",), other_constraints=("SourceArn",))]),
        COND,
        id="KMS DG Grants: a constraint kind the tool does not evaluate (SourceArn) is never ignored",
    ),
    pytest.param(
        K(ROLE, DEC, [s("Deny", DEC, "*")], grants=[Grant("g1", ROLE, ("Decrypt",))]),
        EXPLICIT,
        id="KMS DG Grants: an explicit deny in the key policy beats a grant",
    ),
    pytest.param(
        K(ROLE, DEC, [], iam=[s("Deny", "kms:Decrypt")], grants=[Grant("g1", ROLE, ("Decrypt",))]),
        EXPLICIT,
        id="KMS DG Grants: an explicit deny in IAM beats a grant",
    ),
    pytest.param(
        K(SESSION, DEC, [], iam=[], boundary=NO_KMS_BOUNDARY, grants=[Grant("g1", ROLE, ("Decrypt",))]),
        COND,
        id="grant to a role whose boundary lacks kms: AWS documents no rule for boundaries vs grants",
    ),
    pytest.param(
        K(USER, DEC, [], iam=[], boundary=NO_KMS_BOUNDARY, grants=[Grant("g1", USER, ("Decrypt",))]),
        COND,
        id="grant to a user whose boundary lacks kms: likewise undocumented -> conditional",
    ),
    pytest.param(
        K(USER, DEC, [], iam=[], boundary=[s("Allow", "kms:Decrypt")], grants=[Grant("g1", USER, ("Decrypt",))]),
        ALLOW,
        id="grant to a user whose boundary allows the action -> allow",
    ),
    pytest.param(
        K(USER, DEC, [], grants=[Grant("g1", ROLE, ("Decrypt",))]),
        IMPLICIT,
        id="KMS DG Grants: a grant to someone else does nothing",
    ),
]


@pytest.mark.parametrize(("case", "expected"), KMS_ROWS)
def test_kms_rows(case: K, expected: DecisionKind) -> None:
    assert decide(case) is expected


# --------------------------------------------------------------------------- weird documents


def test_duplicate_keys_are_an_input_error() -> None:
    # JSON objects with duplicate names are not interoperable (RFC 8259 4); AWS documents no rule for which one
    # wins. A statement whose text says "Deny" then "Allow" must not be read as an allow.
    text = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:*",\n'
        '  "Resource": "*", "Effect": "Allow"}]}'
    )
    with pytest.raises(PolicyParseError, match="duplicate"):
        parse_policy(text, "kp.json", PolicyKind.RESOURCE)


def test_duplicate_condition_keys_are_an_input_error() -> None:
    text = (
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",\n'
        '  "Condition": {"StringEquals": {"kms:ViaService": "x", "kms:ViaService": "y"}}}}'
    )
    with pytest.raises(PolicyParseError, match="duplicate") as e:
        parse_policy(text, "id.json")
    assert e.value.line == 2


def test_duplicate_keys_in_key_policy_never_allow_in_audit() -> None:
    text = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "kms:*",'
        ' "Resource": "*", "Effect": "Allow"}]}'
    )
    report = run_audit(
        AuditInput(
            key_arn=KEY,
            key_policy=PolicyDoc("kp.json", text),
            grants=(),
            stream_arn=None,
            producers=(),
            consumers=(ROLE,),
            principals={},
        )
    )
    assert [r.decision for r in report.results] != [] and all(r.decision != "allow" for r in report.results)


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(
            {"Version": "2012-10-17", "Statement": {"Effect": "allow", "Action": "*", "Resource": "*"}},
            id="lowercase Effect",
        ),
        pytest.param(
            {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": 5, "Resource": "*"}},
            id="number as Action",
        ),
        pytest.param(
            {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": [], "Resource": "*"}},
            id="empty Action",
        ),
        pytest.param({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*"}}, id="no Resource"),
        pytest.param(
            {"Version": 2012, "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}, id="numeric Version"
        ),
        pytest.param(
            {
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"NumericEquals": {"k": "x"}},
                },
            },
            id="non-number for Numeric",
        ),
        pytest.param(
            {
                "Version": "2012-10-17",
                "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Null": {"k": "yes"}}},
            },
            id="Null with a value other than true/false",
        ),
    ],
)
def test_malformed_documents_are_input_errors(document: dict[str, Any]) -> None:
    with pytest.raises(PolicyParseError):
        parse_policy(document, "p.json")


def test_cli_duplicate_keys_exit_2_with_file_and_line(tmp_path: Any) -> None:
    from tests.helpers import run_cli

    f = tmp_path / "kp.json"
    f.write_text(
        '{"Version": "2012-10-17",\n "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:*",'
        ' "Resource": "*", "Effect": "Allow"}]}'
    )
    r = run_cli("audit", "policy", "--key-policy", str(f), "--key-arn", KEY, "--consumer", ROLE, "-o", "json")
    assert r.exit_code == 2
    assert f"{f}:2: duplicate key" in r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr


def test_cli_not_principal_deny_with_boundary(tmp_path: Any) -> None:
    # IAM UG NotPrincipal: a Deny with NotPrincipal always denies a principal that has a permissions boundary
    from tests.helpers import run_cli

    kp = tmp_path / "kp.json"
    kp.write_text(
        '{"Version": "2012-10-17", "Statement": ['
        f'{{"Effect": "Allow", "Principal": {{"AWS": "{USER}"}}, "Action": "kms:Decrypt", "Resource": "*"}},'
        f'{{"Effect": "Deny", "NotPrincipal": {{"AWS": ["{USER}", "{ROOT_A}"]}}, "Action": "kms:*",'
        ' "Resource": "*"}]}'
    )
    ident = tmp_path / "id.json"
    ident.write_text('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}')
    bnd = tmp_path / "b.json"
    bnd.write_text('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}')
    base = ("audit", "policy", "--key-policy", str(kp), "--key-arn", KEY, "--consumer", USER, "-o", "json")
    with_boundary = run_cli(*base, "--identity-policy", f"{USER}={ident}", "--permissions-boundary", f"{USER}={bnd}")
    assert with_boundary.exit_code == 1
    assert [x["decision"] for x in with_boundary.json["results"]] == ["explicit_deny"]
    without = run_cli(*base, "--identity-policy", f"{USER}={ident}")
    assert [x["decision"] for x in without.json["results"]] == ["allow"], without.json
    unknown_iam = run_cli(*base)
    assert [x["decision"] for x in unknown_iam.json["results"]] == ["conditional"]


def test_grant_from_api_keeps_unknown_constraint_kinds() -> None:
    # KMS API GrantConstraints: newer KMS adds constraint kinds (SourceArn for service-principal grants)
    from kvsctl.audit.model import Grant as ApiGrant

    g = ApiGrant.from_api(
        {
            "GrantId": "g",
            "GranteePrincipal": ROLE,
            "Operations": ["Decrypt"],
            "Constraints": {"SourceArn": "arn:aws:kinesisvideo:us-east-1:111122223333:stream/x/1"},
        }
    )
    assert g.other_constraints == ("SourceArn",)
    who = parse_principal(ROLE)
    req = Request(who, DEC, KEY, kvs_request_context(who, action=DEC, resource=KEY))
    kp = _doc([s("Allow", "kms:Encrypt", OTHER_USER)], "key policy", PolicyKind.RESOURCE)
    d = authorize_kms(req, key_arn=KEY, key_policy=kp, iam=IamPolicies(), grants=[g])
    assert d.kind is COND
    unconstrained = ApiGrant.from_api({"GrantId": "g", "GranteePrincipal": ROLE, "Operations": ["Decrypt"]})
    assert authorize_kms(req, key_arn=KEY, key_policy=kp, iam=IamPolicies(), grants=[unconstrained]).kind is ALLOW
