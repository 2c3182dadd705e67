"""Statement evaluation (IAM UG: Action/NotAction, Resource/NotResource, policy variables in Resource)."""

from __future__ import annotations

from typing import Any

import pytest

from kvsctl.policy.context import RequestContext, Tri
from kvsctl.policy.document import PolicyKind, parse_policy
from kvsctl.policy.evaluate import Request, evaluate_statement
from kvsctl.policy.principals import parse_principal

A = "111122223333"
STREAM = f"arn:aws:kinesisvideo:us-east-1:{A}:stream/alice/1"
USER = f"arn:aws:iam::{A}:user/alice"


def applies(
    stmt: dict[str, Any],
    *,
    version: str = "2012-10-17",
    action: str = "kinesisvideo:PutMedia",
    unknown: tuple[str, ...] = (),
) -> Tri:
    p = parse_policy({"Version": version, "Statement": [stmt]}, "p", PolicyKind.IDENTITY)
    ctx = RequestContext.build({"aws:username": "alice", "aws:PrincipalAccount": A}, unknown=unknown)
    req = Request(parse_principal(USER), action, STREAM, ctx)
    return evaluate_statement(p.statements[0], p, req).applies


def s(**kw: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "kinesisvideo:PutMedia", "Resource": "*", **kw}


@pytest.mark.parametrize(
    ("stmt", "kwargs", "expected"),
    [
        pytest.param(s(), {}, Tri.TRUE, id="plain allow applies"),
        pytest.param({**s(), "Action": "kinesisvideo:GetMedia"}, {}, Tri.FALSE, id="other action"),
        pytest.param(
            {"Effect": "Allow", "NotAction": "kinesisvideo:GetMedia", "Resource": "*"},
            {},
            Tri.TRUE,
            id="NotAction: everything but the listed",
        ),
        pytest.param(
            {"Effect": "Allow", "NotAction": "kinesisvideo:*", "Resource": "*"},
            {},
            Tri.FALSE,
            id="NotAction covering the action",
        ),
        pytest.param(
            {"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:kinesisvideo:*:*:stream/bob/*"},
            {},
            Tri.TRUE,
            id="NotResource: other resource",
        ),
        pytest.param(
            {"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:kinesisvideo:*:*:stream/alice/*"},
            {},
            Tri.FALSE,
            id="NotResource: listed resource",
        ),
        pytest.param(
            s(Resource="arn:aws:kinesisvideo:*:*:stream/${aws:username}/*"),
            {},
            Tri.TRUE,
            id="IAM UG: variables in Resource",
        ),
        pytest.param(
            # IAM UG Policy variables: "only in the resource portion of the ARN ... after the fifth colon. You
            # can't use a variable to replace parts of the ARN before the fifth colon, such as the service or
            # account." What AWS does with one there is not documented: unknown, not a guessed match.
            s(Resource="arn:aws:kinesisvideo:*:${aws:PrincipalAccount}:stream/${aws:username}/*"),
            {},
            Tri.UNKNOWN,
            id="IAM UG: variable before the fifth colon is not documented to substitute",
        ),
        pytest.param(
            s(Resource="arn:aws:kinesisvideo:*:*:stream/${aws:username}/*"),
            {"version": "2008-10-17"},
            Tri.FALSE,
            id="IAM UG: no substitution without Version 2012-10-17",
        ),
        pytest.param(
            s(Resource="arn:aws:kinesisvideo:*:*:stream/${aws:PrincipalTag/team}/*"),
            {},
            Tri.FALSE,
            id="IAM UG: absent variable matches nothing",
        ),
        pytest.param(
            s(Resource="arn:aws:kinesisvideo:*:*:stream/${aws:PrincipalTag/team, 'alice'}/*"),
            {},
            Tri.TRUE,
            id="IAM UG: variable default",
        ),
        pytest.param(
            s(Resource="arn:aws:kinesisvideo:*:*:stream/${aws:userid}/*"),
            {"unknown": ("aws:userid",)},
            Tri.UNKNOWN,
            id="unknown variable in Resource",
        ),
        pytest.param(
            s(Condition={"StringEquals": {"aws:SourceVpce": "v"}}),
            {"unknown": ("aws:SourceVpce",)},
            Tri.UNKNOWN,
            id="unknown condition key",
        ),
        pytest.param(
            {**s(Condition={"StringEquals": {"aws:SourceVpce": "v"}}), "Action": "kms:Decrypt"},
            {"unknown": ("aws:SourceVpce",)},
            Tri.FALSE,
            id="definite mismatch beats an unknown condition",
        ),
    ],
)
def test_statement(stmt: dict[str, Any], kwargs: dict[str, Any], expected: Tri) -> None:
    assert applies(stmt, **kwargs) is expected
