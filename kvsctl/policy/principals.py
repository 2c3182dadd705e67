"""Who is asking, and whether a Principal / NotPrincipal element names them.

IAM UG, "AWS JSON policy elements: Principal":
- ``"*"`` and ``{"AWS": "*"}`` name everyone;
- an account id or ``arn:aws:iam::ACCT:root`` names the account, which *delegates* to the account's
  IAM policies (it does not by itself allow anybody but the root user);
- a role ARN covers every session of the role; a session ARN names that one session; the role path
  appears in the role ARN but never in the session ARN, and role / user names are unique per account
  (case-insensitively), so names are compared without path and without case;
- principal ARNs cannot contain wildcards (only the whole value ``*``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from kvsctl.errors import shown
from kvsctl.policy.context import Tri, tri_all, tri_any
from kvsctl.policy.document import PrincipalSpec
from kvsctl.policy.match import parse_arn

ACCOUNT_ID = re.compile(r"^\d{12}$")
UNIQUE_ID = re.compile(r"^A(ROA|IDA|GPA|NPA|NPA|KIA|SIA)[A-Z0-9]{12,}$")


class PrincipalKind(str, Enum):
    ROOT = "root"
    USER = "user"
    ROLE = "role"  # the role itself: some session of it, name unknown
    SESSION = "assumed-role"  # one session of a role
    FEDERATED_USER = "federated-user"
    SERVICE = "service"


_TYPE = {
    PrincipalKind.ROOT: "Account",
    PrincipalKind.USER: "User",
    PrincipalKind.ROLE: "AssumedRole",
    PrincipalKind.SESSION: "AssumedRole",
    PrincipalKind.FEDERATED_USER: "FederatedUser",
    PrincipalKind.SERVICE: "Service",
}


@dataclass(frozen=True)
class PrincipalId:
    """A requester. ``role_arn`` is the role's full IAM ARN (with path) when known."""

    arn: str
    kind: PrincipalKind
    account: str
    partition: str = "aws"
    name: str = ""  # user name, role name, federated user name, service name
    session: str | None = None  # session name (sessions only)
    role_arn: str | None = None  # for ROLE / SESSION when the path is known

    @property
    def principal_type(self) -> str:
        """Value of ``aws:PrincipalType``."""
        return _TYPE[self.kind]

    @property
    def principal_arn(self) -> str | None:
        """Value of ``aws:PrincipalArn``: a session's is its role's ARN (None if the path is unknown)."""
        if self.kind in (PrincipalKind.ROLE, PrincipalKind.SESSION):
            return self.role_arn
        if self.kind is PrincipalKind.SERVICE:
            return None
        return self.arn

    @property
    def root_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:root"

    def describe(self) -> str:
        return self.arn


class PrincipalError(ValueError):
    pass


def parse_principal(text: str) -> PrincipalId:
    """Parse a requester ARN (or a bare 12-digit account id, meaning its root)."""
    t = text.strip()
    if ACCOUNT_ID.match(t):
        return PrincipalId(arn=f"arn:aws:iam::{t}:root", kind=PrincipalKind.ROOT, account=t)
    if t.endswith(".amazonaws.com") and "/" not in t and ":" not in t:
        return PrincipalId(arn=t, kind=PrincipalKind.SERVICE, account="", name=t)
    a = parse_arn(t)
    if a is None or "*" in t or "?" in t:
        raise PrincipalError(f"not a principal ARN: {shown(text)}")
    if not ACCOUNT_ID.match(a.account):
        raise PrincipalError(f"principal ARN needs a 12-digit account id: {shown(text)}")
    res = a.resource
    if a.service == "iam":
        if res == "root":
            return PrincipalId(t, PrincipalKind.ROOT, a.account, a.partition)
        typ, _, rest = res.partition("/")
        if typ in ("user", "role") and rest and not rest.endswith("/"):
            name = rest.rsplit("/", 1)[-1]
            if typ == "user":
                return PrincipalId(t, PrincipalKind.USER, a.account, a.partition, name=name)
            return PrincipalId(t, PrincipalKind.ROLE, a.account, a.partition, name=name, role_arn=t)
    elif a.service == "sts":
        parts = res.split("/")
        if parts[0] == "assumed-role" and len(parts) == 3 and parts[1] and parts[2]:
            return PrincipalId(t, PrincipalKind.SESSION, a.account, a.partition, name=parts[1], session=parts[2])
        if parts[0] == "federated-user" and len(parts) == 2 and parts[1]:
            return PrincipalId(t, PrincipalKind.FEDERATED_USER, a.account, a.partition, name=parts[1])
    raise PrincipalError(f"not a user, role, session, federated user or account ARN: {shown(text)}")


def is_valid_principal_entry(kind: str, value: str) -> bool:
    """Whether a Principal element entry is well formed (wildcards only as the whole value)."""
    if kind in ("*",) or value == "*":
        return kind in ("*", "AWS")
    if kind == "AWS":
        try:
            parse_principal(value)
        except PrincipalError:
            return bool(UNIQUE_ID.match(value))
        return not value.endswith(".amazonaws.com")
    if kind == "Service":
        return value.endswith((".amazonaws.com", ".amazonaws.com.cn")) and "*" not in value
    return "*" not in value


class Named(Enum):
    """How strongly a Principal element names the requester (for an Allow)."""

    NONE = 0
    ACCOUNT = 1  # only the requester's account: delegation to IAM policies
    PUBLIC = 2  # "*" (or NotPrincipal that leaves the requester in)
    ROLE = 3  # the requester's role ARN: limited by the role's permissions boundary
    EXACT = 4  # the user / session / root itself: not limited by a boundary


@dataclass(frozen=True)
class PrincipalMatch:
    applies: Tri
    named: Named = Named.NONE
    unknown: frozenset[str] = frozenset()
    detail: str = ""


def _entry_named(kind: str, value: str, who: PrincipalId) -> tuple[Tri, Named]:
    if kind == "*" or (kind == "AWS" and value == "*"):
        return Tri.TRUE, Named.PUBLIC
    if kind == "Service":
        return Tri.of(who.kind is PrincipalKind.SERVICE and value.lower() == who.name.lower()), Named.EXACT
    if kind != "AWS":
        return Tri.FALSE, Named.NONE
    try:
        p = parse_principal(value)
    except PrincipalError:
        return Tri.FALSE, Named.NONE
    if p.kind is PrincipalKind.SERVICE or who.kind is PrincipalKind.SERVICE:
        return Tri.FALSE, Named.NONE
    if p.account != who.account or p.partition != who.partition:
        return Tri.FALSE, Named.NONE
    if p.kind is PrincipalKind.ROOT:
        return Tri.TRUE, Named.EXACT if who.kind is PrincipalKind.ROOT else Named.ACCOUNT
    same_name = p.name.lower() == who.name.lower()
    if p.kind is PrincipalKind.USER:
        return Tri.of(who.kind is PrincipalKind.USER and same_name), Named.EXACT
    if p.kind is PrincipalKind.ROLE:
        return Tri.of(who.kind in (PrincipalKind.ROLE, PrincipalKind.SESSION) and same_name), Named.ROLE
    if p.kind is PrincipalKind.SESSION:
        if who.kind is PrincipalKind.SESSION:
            return Tri.of(same_name and p.session == who.session), Named.EXACT
        if who.kind is PrincipalKind.ROLE and same_name:
            return Tri.UNKNOWN, Named.EXACT  # depends on which session of the role asks
        return Tri.FALSE, Named.NONE
    if p.kind is PrincipalKind.FEDERATED_USER:
        return Tri.of(who.kind is PrincipalKind.FEDERATED_USER and p.name == who.name), Named.EXACT
    return Tri.FALSE, Named.NONE


SESSION_KEY = "aws:userid"  # the key that carries a role session's name


def match_principal(spec: PrincipalSpec, who: PrincipalId) -> PrincipalMatch:
    """Does a Principal element name ``who``? Picks the strongest way it does."""
    best = PrincipalMatch(Tri.FALSE, detail="principal not named")
    for kind, value in spec.entries():
        applies, named = _entry_named(kind, value, who)
        if applies is Tri.TRUE and (best.applies is not Tri.TRUE or named.value > best.named.value):
            best = PrincipalMatch(Tri.TRUE, named, detail=f"principal named as {value}")
        elif applies is Tri.UNKNOWN and best.applies is Tri.FALSE:
            best = PrincipalMatch(
                Tri.UNKNOWN,
                named,
                frozenset({SESSION_KEY}),
                f"principal {value} is one session of the role; which session asks is not known",
            )
    return best


def _identities(who: PrincipalId) -> list[tuple[str, str]]:
    """The identities AWS matches NotPrincipal against: the session, its role, its account."""
    out: list[tuple[str, str]] = []
    if who.kind is PrincipalKind.SERVICE:
        return [("Service", who.name)]
    if who.kind is PrincipalKind.USER:
        out.append(("user", who.name))
    elif who.kind is PrincipalKind.SESSION:
        out += [("session", f"{who.name}/{who.session}"), ("role", who.name)]
    elif who.kind is PrincipalKind.ROLE:
        out += [("session", f"{who.name}/?"), ("role", who.name)]
    elif who.kind is PrincipalKind.FEDERATED_USER:
        out.append(("federated", who.name))
    out.append(("account", who.account))
    return out


def _covered(identity: tuple[str, str], spec: PrincipalSpec, who: PrincipalId) -> Tri:
    kind, ident = identity
    results: list[Tri] = []
    for ekind, value in spec.entries():
        if ekind == "*" or (ekind == "AWS" and value == "*"):
            return Tri.TRUE
        if ekind == "Service":
            results.append(Tri.of(kind == "Service" and value.lower() == ident.lower()))
            continue
        if ekind != "AWS":
            continue
        try:
            p = parse_principal(value)
        except PrincipalError:
            continue
        if p.account != who.account:
            continue
        if kind == "account":
            results.append(Tri.of(p.kind is PrincipalKind.ROOT))
        elif kind == "user":
            results.append(Tri.of(p.kind is PrincipalKind.USER and p.name.lower() == ident.lower()))
        elif kind == "role":
            results.append(Tri.of(p.kind is PrincipalKind.ROLE and p.name.lower() == ident.lower()))
        elif kind == "federated":
            results.append(Tri.of(p.kind is PrincipalKind.FEDERATED_USER and p.name == ident))
        elif kind == "session" and p.kind is PrincipalKind.SESSION:
            role, sess = ident.split("/", 1)
            if p.name.lower() != role.lower():
                continue
            results.append(Tri.UNKNOWN if sess == "?" else Tri.of(p.session == sess))
    return tri_any(results)


def match_not_principal(spec: PrincipalSpec, who: PrincipalId, *, effect: str) -> PrincipalMatch:
    """NotPrincipal (IAM UG): the statement applies to everyone the element does not list.

    A request carries several identities (session, role, account). With Deny, the requester escapes
    only if *every* identity is listed — which is why AWS tells you to list the account too. With Allow
    (discouraged by AWS) this tool is conservative: the statement applies only if *no* identity is
    listed.
    """
    covered = [_covered(i, spec, who) for i in _identities(who)]
    unknown = frozenset({SESSION_KEY}) if any(c is Tri.UNKNOWN for c in covered) else frozenset()
    applies = ~tri_all(covered) if effect == "Deny" else ~tri_any(covered)
    detail = {
        Tri.TRUE: "requester not excluded by NotPrincipal",
        Tri.FALSE: "requester excluded by NotPrincipal",
        Tri.UNKNOWN: "NotPrincipal names a session of the role; which session asks is not known",
    }[applies]
    return PrincipalMatch(applies, Named.PUBLIC, unknown if applies is Tri.UNKNOWN else frozenset(), detail)
