"""Properties of the evaluator that hold for every policy set (hypothesis).

- adding a Deny statement never turns a decision into allow (IAM UG: explicit deny overrides);
- adding an Allow statement never turns allow into a deny (allows only add paths);
- the order of statements never changes the decision (IAM UG: evaluation is order-independent).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as hs

from kvsctl.policy.context import RequestContext
from kvsctl.policy.document import PolicyKind, parse_policy
from kvsctl.policy.evaluate import DecisionKind, Request
from kvsctl.policy.kms import IamPolicies, authorize_kms
from kvsctl.policy.principals import parse_principal

A, B = "111122223333", "444455556666"
KEY = f"arn:aws:kms:us-east-1:{A}:key/k1"
VIA = "kinesisvideo.us-east-1.amazonaws.com"
WHO = [
    f"arn:aws:iam::{A}:role/Producer",
    f"arn:aws:sts::{A}:assumed-role/Producer/s1",
    f"arn:aws:iam::{A}:user/alice",
    f"arn:aws:iam::{B}:role/Viewer",
]
PRINCIPALS = [
    "*",
    A,
    f"arn:aws:iam::{A}:root",
    f"arn:aws:iam::{B}:root",
    *WHO,
    f"arn:aws:sts::{A}:assumed-role/Producer/s2",
]
ACTIONS = ["kms:*", "kms:GenerateDataKey", "kms:Decrypt", "kms:Gen*", "*"]
RESOURCES = ["*", KEY, f"arn:aws:kms:us-east-1:{A}:key/other", f"arn:aws:kms:*:{A}:key/*"]
CONDITIONS: list[dict[str, Any]] = [
    {},
    {"StringEquals": {"kms:ViaService": VIA}},
    {"StringEquals": {"kms:ViaService": "kinesisvideo.eu-west-1.amazonaws.com"}},
    {"StringEquals": {"kms:CallerAccount": A}},
    {"StringEquals": {"kms:EncryptionContext:app": "video"}},
    {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"Null": {"kms:EncryptionContext:app": "true"}},
    {"StringNotEqualsIfExists": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/Producer"}},
]


def statement(resource_policy: bool) -> hs.SearchStrategy[dict[str, Any]]:
    def build(
        effect: str, actions: list[str], principals: list[str], resource: str, cond: dict[str, Any]
    ) -> dict[str, Any]:
        s: dict[str, Any] = {"Effect": effect, "Action": actions, "Resource": resource}
        if resource_policy:
            s["Principal"] = "*" if principals == ["*"] else {"AWS": principals}
        if cond:
            s["Condition"] = cond
        return s

    return hs.builds(
        build,
        hs.sampled_from(["Allow", "Deny"]),
        hs.lists(hs.sampled_from(ACTIONS), min_size=1, max_size=2, unique=True),
        hs.lists(hs.sampled_from(PRINCIPALS), min_size=1, max_size=2, unique=True),
        hs.sampled_from(RESOURCES),
        hs.sampled_from(CONDITIONS),
    )


def decide(
    who: str, action: str, kp: list[dict[str, Any]], iam: list[dict[str, Any]] | None, bnd: list[dict[str, Any]] | None
) -> DecisionKind:
    p = parse_principal(who)
    ctx = RequestContext.build(
        {
            "kms:ViaService": VIA,
            "kms:CallerAccount": p.account,
            "aws:PrincipalAccount": p.account,
            **({"aws:PrincipalArn": p.principal_arn} if p.principal_arn else {}),
        },
        unknown_by_default=True,
    )
    key_policy = parse_policy({"Version": "2012-10-17", "Statement": kp}, "key policy", PolicyKind.RESOURCE)
    iam_p = None
    if iam is not None:
        identity = parse_policy({"Version": "2012-10-17", "Statement": iam}, "identity", PolicyKind.IDENTITY)
        boundary = (
            parse_policy({"Version": "2012-10-17", "Statement": bnd}, "boundary", PolicyKind.BOUNDARY) if bnd else None
        )
        iam_p = IamPolicies((identity,), boundary)
    return authorize_kms(Request(p, action, KEY, ctx), key_arn=KEY, key_policy=key_policy, iam=iam_p).kind


scenario = hs.fixed_dictionaries(
    {
        "who": hs.sampled_from(WHO),
        "action": hs.sampled_from(["kms:GenerateDataKey", "kms:Decrypt"]),
        "kp": hs.lists(statement(True), min_size=1, max_size=4),
        "iam": hs.one_of(hs.none(), hs.lists(statement(False), max_size=3)),
        "bnd": hs.one_of(hs.none(), hs.lists(statement(False), min_size=1, max_size=2)),
    }
)

SETTINGS = settings(max_examples=150, deadline=None)


@SETTINGS
@given(scenario, statement(True), statement(False), hs.booleans())
def test_adding_a_deny_never_creates_an_allow(
    s: dict[str, Any], extra_kp: dict[str, Any], extra_iam: dict[str, Any], to_kp: bool
) -> None:
    before = decide(**s)
    if to_kp:
        after = decide(s["who"], s["action"], [*s["kp"], {**extra_kp, "Effect": "Deny"}], s["iam"], s["bnd"])
    else:
        iam = [*(s["iam"] or []), {**extra_iam, "Effect": "Deny"}] if s["iam"] is not None else None
        after = decide(s["who"], s["action"], s["kp"], iam, s["bnd"])
    if after is DecisionKind.ALLOW:
        assert before is DecisionKind.ALLOW
    if before is DecisionKind.EXPLICIT_DENY:
        assert after is DecisionKind.EXPLICIT_DENY


@SETTINGS
@given(scenario, statement(True), statement(False), hs.booleans())
def test_adding_an_allow_never_removes_an_allow(
    s: dict[str, Any], extra_kp: dict[str, Any], extra_iam: dict[str, Any], to_kp: bool
) -> None:
    before = decide(**s)
    if to_kp:
        after = decide(s["who"], s["action"], [*s["kp"], {**extra_kp, "Effect": "Allow"}], s["iam"], s["bnd"])
    else:
        iam = [*(s["iam"] or []), {**extra_iam, "Effect": "Allow"}] if s["iam"] is not None else None
        after = decide(s["who"], s["action"], s["kp"], iam, s["bnd"])
    if before is DecisionKind.ALLOW:
        assert after is DecisionKind.ALLOW
    if before is DecisionKind.EXPLICIT_DENY:
        assert after is DecisionKind.EXPLICIT_DENY


@SETTINGS
@given(scenario, hs.randoms(use_true_random=False))
def test_statement_order_never_matters(s: dict[str, Any], rnd: Any) -> None:
    before = decide(**s)
    kp = list(s["kp"])
    rnd.shuffle(kp)
    iam = list(s["iam"]) if s["iam"] is not None else None
    if iam is not None:
        rnd.shuffle(iam)
    assert decide(s["who"], s["action"], kp, iam, s["bnd"]) is before
