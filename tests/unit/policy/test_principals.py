"""Principal and NotPrincipal matching (IAM UG "AWS JSON policy elements: Principal" / "NotPrincipal")."""

from __future__ import annotations

import pytest

from kvsctl.policy.context import Tri
from kvsctl.policy.document import PrincipalSpec
from kvsctl.policy.principals import (
    Named,
    PrincipalError,
    PrincipalKind,
    match_not_principal,
    match_principal,
    parse_principal,
)

A = "111122223333"
B = "444455556666"
ROLE = f"arn:aws:iam::{A}:role/Producer"
ROLE_PATH = f"arn:aws:iam::{A}:role/team/cams/Producer"
SESSION = f"arn:aws:sts::{A}:assumed-role/Producer/cam-1"
USER = f"arn:aws:iam::{A}:user/alice"
ROOT = f"arn:aws:iam::{A}:root"
FED = f"arn:aws:sts::{A}:federated-user/bob"


@pytest.mark.parametrize(
    ("text", "kind", "ptype", "principal_arn"),
    [
        pytest.param(ROLE, PrincipalKind.ROLE, "AssumedRole", ROLE, id="role"),
        pytest.param(ROLE_PATH, PrincipalKind.ROLE, "AssumedRole", ROLE_PATH, id="role with path"),
        pytest.param(
            SESSION,
            PrincipalKind.SESSION,
            "AssumedRole",
            None,
            id="session: PrincipalArn is the role ARN (path unknown)",
        ),
        pytest.param(USER, PrincipalKind.USER, "User", USER, id="user"),
        pytest.param(ROOT, PrincipalKind.ROOT, "Account", ROOT, id="root"),
        pytest.param(A, PrincipalKind.ROOT, "Account", ROOT, id="bare account id means root"),
        pytest.param(FED, PrincipalKind.FEDERATED_USER, "FederatedUser", FED, id="federated user"),
    ],
)
def test_parse_principal(text: str, kind: PrincipalKind, ptype: str, principal_arn: str | None) -> None:
    p = parse_principal(text)
    assert (p.kind, p.principal_type, p.principal_arn, p.account) == (kind, ptype, principal_arn, A)


@pytest.mark.parametrize(
    "text",
    [
        "arn:aws:iam::111122223333:role/*",
        "arn:aws:iam::12345:role/R",
        "role/R",
        "arn:aws:s3:::bucket",
        "arn:aws:iam::111122223333:group/G",
    ],
)
def test_invalid_principals(text: str) -> None:
    with pytest.raises(PrincipalError):
        parse_principal(text)


def spec(*aws: str, star: bool = False, service: tuple[str, ...] = ()) -> PrincipalSpec:
    return PrincipalSpec(wildcard=star, aws=aws, service=service)


@pytest.mark.parametrize(
    ("element", "who", "applies", "named"),
    [
        pytest.param(spec(star=True), SESSION, Tri.TRUE, Named.PUBLIC, id='"*" names everyone'),
        pytest.param(spec("*"), USER, Tri.TRUE, Named.PUBLIC, id='{"AWS": "*"} names everyone'),
        pytest.param(spec(A), ROLE, Tri.TRUE, Named.ACCOUNT, id="account id delegates to the account"),
        pytest.param(spec(ROOT), USER, Tri.TRUE, Named.ACCOUNT, id="root ARN delegates to the account"),
        pytest.param(spec(ROOT), f"arn:aws:iam::{B}:role/X", Tri.FALSE, Named.NONE, id="other account's root"),
        pytest.param(spec(ROLE), SESSION, Tri.TRUE, Named.ROLE, id="role principal covers its sessions"),
        pytest.param(spec(ROLE_PATH), SESSION, Tri.TRUE, Named.ROLE, id="role path is absent from session ARNs"),
        pytest.param(spec(ROLE), ROLE, Tri.TRUE, Named.ROLE, id="role names itself"),
        pytest.param(spec(f"arn:aws:iam::{A}:role/Consumer"), SESSION, Tri.FALSE, Named.NONE, id="other role"),
        pytest.param(spec(SESSION), SESSION, Tri.TRUE, Named.EXACT, id="session ARN names that session"),
        pytest.param(
            spec(f"arn:aws:sts::{A}:assumed-role/Producer/other"), SESSION, Tri.FALSE, Named.NONE, id="other session"
        ),
        pytest.param(
            spec(SESSION), ROLE, Tri.UNKNOWN, Named.EXACT, id="session ARN vs any session of the role: unknown"
        ),
        pytest.param(spec(USER), USER, Tri.TRUE, Named.EXACT, id="user"),
        pytest.param(
            spec(f"arn:aws:iam::{A}:user/Alice"), USER, Tri.TRUE, Named.EXACT, id="IAM names are case-insensitive"
        ),
        pytest.param(spec(USER), FED, Tri.FALSE, Named.NONE, id="user does not cover its federated sessions"),
        pytest.param(spec(FED), FED, Tri.TRUE, Named.EXACT, id="federated user"),
        pytest.param(
            spec(service=("kinesisvideo.amazonaws.com",)),
            ROLE,
            Tri.FALSE,
            Named.NONE,
            id="service principal is not the caller",
        ),
        pytest.param(
            spec(f"arn:aws:iam::{A}:role/*"), ROLE, Tri.FALSE, Named.NONE, id="wildcard inside an ARN matches nothing"
        ),
        pytest.param(spec(ROOT, ROLE), SESSION, Tri.TRUE, Named.ROLE, id="strongest naming wins"),
    ],
)
def test_match_principal(element: PrincipalSpec, who: str, applies: Tri, named: Named) -> None:
    m = match_principal(element, parse_principal(who))
    assert m.applies is applies
    if applies is not Tri.FALSE:
        assert m.named is named


@pytest.mark.parametrize(
    ("listed", "who", "effect", "applies"),
    [
        # IAM UG NotPrincipal: with Deny, list the session, the role and the account to escape
        pytest.param((SESSION, ROLE, ROOT), SESSION, "Deny", Tri.FALSE, id="Deny: all identities listed -> excluded"),
        pytest.param((ROLE,), SESSION, "Deny", Tri.TRUE, id="Deny: role alone does not exclude its session"),
        pytest.param((ROLE, ROOT), SESSION, "Deny", Tri.TRUE, id="Deny: session ARN missing -> still denied"),
        pytest.param((USER, ROOT), USER, "Deny", Tri.FALSE, id="Deny: user and account listed -> excluded"),
        pytest.param((USER,), USER, "Deny", Tri.TRUE, id="Deny: account not listed -> applies"),
        pytest.param(
            (SESSION, ROLE, ROOT), ROLE, "Deny", Tri.UNKNOWN, id="Deny: one session listed, which session asks unknown"
        ),
        pytest.param((f"arn:aws:iam::{B}:root",), USER, "Deny", Tri.TRUE, id="Deny: other account listed -> applies"),
        pytest.param((f"arn:aws:iam::{B}:root",), USER, "Allow", Tri.TRUE, id="Allow: nothing of the requester listed"),
        pytest.param(
            (ROOT,), USER, "Allow", Tri.FALSE, id="Allow: any identity listed -> does not apply (conservative)"
        ),
    ],
)
def test_not_principal(listed: tuple[str, ...], who: str, effect: str, applies: Tri) -> None:
    m = match_not_principal(spec(*listed), parse_principal(who), effect=effect)
    assert m.applies is applies
