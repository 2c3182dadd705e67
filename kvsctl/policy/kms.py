"""Authorization of one request the way AWS decides it: KMS keys (key policy + IAM + grants) and
services without resource policies (identity policies only, e.g. ``kinesisvideo:``).

Rules (KMS DG "KMS key access and permissions", "Key policies", "Grants"; IAM UG "Policy evaluation
logic", "Permissions boundaries", "Cross-account policy evaluation logic"; Organizations UG "SCP
evaluation"):

- an explicit Deny in any policy that applies (key policy, identity policies, boundary, SCPs) wins;
- same account: the key policy must allow, either naming the requester (or ``*``) — enough on its own —
  or naming the account (root ARN or account id), which delegates to IAM: then an identity policy
  must allow too;
- cross account: the key policy must allow (principal, ``*`` or account) *and* the caller's identity
  policies must allow;
- a grant whose grantee is the requester (a role grantee covers its sessions) and whose operations
  include the action is a further allow path; its encryption-context constraints depend on a context
  KVS does not document, so they make the path conditional unless the context is given;
- permissions boundaries limit identity-policy allows and resource-policy allows that name a *role*,
  but not those naming the user or the role session itself; SCPs limit every allow;
- IAM policies that were not given (``iam=None``) make every path that needs them conditional; a
  decision that needs no IAM allow stands, noting that an unseen IAM Deny cannot be accounted for.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from kvsctl.policy.context import KeyStatus, Tri
from kvsctl.policy.document import Policy, PrincipalSpec
from kvsctl.policy.evaluate import (
    Decision,
    DecisionKind,
    Outcome,
    PolicySetResult,
    Request,
    StatementResult,
    all_of,
    any_of,
    decide,
    evaluate_policies,
    trace_lines,
)
from kvsctl.policy.match import parse_arn
from kvsctl.policy.principals import Named, PrincipalKind, match_principal

EXEMPT = (Named.EXACT,)  # named user / session / root: not limited by a boundary
ROLE_OR_PUBLIC = (Named.ROLE, Named.PUBLIC)
ACCOUNT = (Named.ACCOUNT,)

NOTE_UNSEEN_IAM = (
    "IAM policies of {p} were not given: an IAM Deny or permissions boundary there cannot be accounted for"
)
NOTE_SCP_DEFAULT = "the SCPs given contain no Allow statement: FullAWSAccess is assumed to be attached"


@dataclass(frozen=True)
class IamPolicies:
    """What is known of a principal's IAM side: identity policies and an optional boundary."""

    identity: tuple[Policy, ...] = ()
    boundary: Policy | None = None


class GrantLike(Protocol):
    @property
    def grant_id(self) -> str: ...
    @property
    def grantee_principal(self) -> str: ...
    @property
    def operations(self) -> tuple[str, ...]: ...
    @property
    def encryption_context_equals(self) -> Mapping[str, str] | None: ...
    @property
    def encryption_context_subset(self) -> Mapping[str, str] | None: ...
    @property
    def name(self) -> str | None: ...


def grant_label(g: GrantLike) -> str:
    return f"grant {g.name or g.grant_id}" if g.name else f"grant {g.grant_id}"


# --------------------------------------------------------------------------- shared pieces


@dataclass(frozen=True)
class _Sides:
    identity: PolicySetResult | None  # None: IAM not known
    boundary: PolicySetResult | None  # None: no boundary (or IAM not known)
    scps: PolicySetResult
    scp_has_allow: bool
    scp_allows: tuple[PolicySetResult, ...]  # one per SCP that has Allow statements
    who: str
    action: str
    levels: tuple[PolicySetResult, ...] = ()  # SCPs attached at each level, root first

    def iam_allow(self) -> Outcome:
        if self.identity is None:
            return Outcome.unknown_(f"IAM policies of {self.who} were not given; they must allow {self.action}")
        return self.identity.outcome("Allow", what=f"no identity policy of {self.who} allows {self.action}")

    def boundary_gate(self) -> Outcome:
        if self.boundary is None:
            return Outcome.true()
        return self.boundary.outcome(
            "Allow", what=f"the permissions boundary of {self.who} does not allow {self.action}"
        )

    def scp_gate(self) -> Outcome:
        return all_of([self._flat_scp_gate(), *self._level_gates()])

    def _level_gates(self) -> list[Outcome]:
        """Organizations UG, SCP evaluation: "for a permission to be allowed for a specific account, there
        must be an explicit Allow statement at every level from the root through each OU in the direct path
        to the account (including the target account itself)". A level whose SCPs allow nothing denies."""
        out: list[Outcome] = []
        for n, level in enumerate(self.levels):
            where = "the root" if n == 0 else f"level {n + 1} (from the root)"
            out.append(level.outcome("Allow", what=f"no SCP attached at {where} allows {self.action}"))
        return out

    def _flat_scp_gate(self) -> Outcome:
        """SCPs given without their levels (``--scp``): SCPs attached at one level combine as a union, but
        every level from the root to the account must allow. Which level each sits at is not known: when
        some allow the action and others do not, the answer is unknown rather than the union."""
        if not self.scp_has_allow:
            return Outcome.true()
        what = f"no SCP allows {self.action}"
        per = [r.outcome("Allow", what=what) for r in self.scp_allows]
        union, every = any_of(per, if_none=what), all_of(per)
        if union.value is every.value:
            return union
        return Outcome(
            Tri.UNKNOWN,
            union.refs,
            reasons=(
                f"some SCPs given allow {self.action} and others do not; that is an allow only if they are "
                "attached at the same level (every level from the root to the account must allow)",
            ),
        )

    def denies(self) -> list[Outcome]:
        out = [self.scps.outcome("Deny"), *(level.outcome("Deny") for level in self.levels)]
        if self.identity is not None:
            out.append(self.identity.outcome("Deny"))
        if self.boundary is not None:
            out.append(self.boundary.outcome("Deny"))
        return out

    def results(self) -> list[StatementResult]:
        out: list[StatementResult] = []
        for side in (self.identity, self.boundary, self.scps, *self.levels):
            if side is not None:
                out += side.results
        return out

    def notes(self, allowed: bool) -> list[str]:
        notes: list[str] = []
        if self.identity is None and allowed:
            notes.append(NOTE_UNSEEN_IAM.format(p=self.who))
        if self.scps.results and not self.scp_has_allow:
            notes.append(NOTE_SCP_DEFAULT)
        return notes


def _sides(
    req: Request, iam: IamPolicies | None, scps: Sequence[Policy], scp_levels: Sequence[Sequence[Policy]] = ()
) -> _Sides:
    return _Sides(
        levels=tuple(evaluate_policies(level, req) for level in scp_levels),
        identity=evaluate_policies(iam.identity, req) if iam is not None else None,
        boundary=evaluate_policies([iam.boundary], req) if iam is not None and iam.boundary is not None else None,
        scps=evaluate_policies(scps, req),
        scp_has_allow=any(st.effect == "Allow" for p in scps for st in p.statements),
        scp_allows=tuple(evaluate_policies([p], req) for p in scps if any(st.effect == "Allow" for st in p.statements)),
        who=req.principal.arn,
        action=req.action,
    )


def _decide(s: _Sides, deny: Outcome, allow: Outcome, trace: list[str]) -> Decision:
    d = decide(deny, allow, trace=trace)
    notes = s.notes(d.kind is DecisionKind.ALLOW)
    return dataclasses.replace(d, notes=tuple(notes)) if notes else d


# --------------------------------------------------------------------------- identity-only services


def cross_account_without_resource_policy(req: Request) -> str | None:
    """Why ``req`` can never be allowed by a service without resource-based policies, or None.

    IAM UG, "Cross-account policy evaluation logic": for a request from another account, "the identity-based
    policy and the resource-based policy both" must allow; a service with no resource-based policy (KVS:
    "Kinesis Video Streams does not support resource-based policies", IAM UG "AWS services that work with
    IAM") has nothing that could allow the other account, so the caller must use a role in the resource's
    account instead.
    """
    arn = parse_arn(req.resource)
    who = req.principal
    if arn is None or not who.account or not arn.account or not arn.account.isdigit():
        return None
    if arn.account == who.account:
        return None
    service = req.action.split(":", 1)[0]
    return (
        f"{who.arn} is in account {who.account} and {req.resource} in account {arn.account}: {service} has no "
        f"resource-based policy, so no policy can allow another account's principal; it must assume a role "
        f"in account {arn.account}"
    )


def authorize_identity_only(
    req: Request,
    *,
    iam: IamPolicies | None,
    scps: Sequence[Policy] = (),
    scp_levels: Sequence[Sequence[Policy]] = (),
) -> Decision:
    """A service with no resource policy (``kinesisvideo:`` streams): the identity policy must allow, and
    the requester must be in the resource's account (see :func:`cross_account_without_resource_policy`).
    KVS is not among the services resource control policies apply to, so there are none here."""
    s = _sides(req, iam, scps, scp_levels)
    deny = any_of(s.denies())
    cross = cross_account_without_resource_policy(req)
    gates = [s.scp_gate(), s.iam_allow(), s.boundary_gate()]
    allow = Outcome.false(cross) if cross is not None else all_of(gates)
    return _decide(s, deny, allow, trace_lines(s.results()))


# --------------------------------------------------------------------------- KMS


def _grant_outcome(g: GrantLike, req: Request, s: _Sides, same_account: bool) -> Outcome:
    op = req.action.split(":", 1)[-1].lower()
    if op not in {o.lower() for o in g.operations}:
        return Outcome.false()
    pm = match_principal(PrincipalSpec(aws=(g.grantee_principal,)), req.principal)
    if pm.applies is Tri.FALSE:
        return Outcome.false()
    label = grant_label(g)
    parts: list[Outcome] = []
    if pm.applies is Tri.UNKNOWN:
        parts.append(Outcome.unknown_(f"{label}: {pm.detail}", pm.unknown))
    parts.append(_grant_constraints(g, req, label))
    if pm.named is Named.ACCOUNT:
        # a grant to an account delegates to that account's IAM (KMS DG Grants: "grantee principal ... an
        # AWS account ... the account's administrators can delegate")
        parts += [s.iam_allow(), s.boundary_gate()]
    elif not same_account:
        # KMS DG "Grants in AWS KMS" allows a grantee principal in another account; KMS DG "Allowing users in
        # other accounts to use a KMS key" describes the key policy + IAM policy steps for key-policy access
        # only. Whether a cross-account grantee also needs an IAM allow at home is not documented: allow only
        # when its IAM allows anyway, otherwise conditional (never a guessed allow or deny)
        iam = s.iam_allow()
        if iam.value is not Tri.TRUE:
            parts.append(
                Outcome.unknown_(
                    f"{label} is for a principal of another account; AWS does not document whether it also "
                    f"needs an IAM allow in account {req.principal.account}"
                )
            )
        parts.append(s.boundary_gate())
    elif s.boundary_gate().value is Tri.FALSE:
        # AWS documents how a permissions boundary limits identity and resource-based policies, not
        # grants: a known boundary that does not allow the action makes the grant path unknown rather
        # than a guessed allow
        parts.append(
            Outcome.unknown_(
                f"the permissions boundary of {req.principal.arn} does not allow {req.action}, and AWS does "
                f"not document whether boundaries limit grants ({label})"
            )
        )
    res = all_of([Outcome.true(f"{label} gives {g.grantee_principal} {req.action.split(':', 1)[-1]}"), *parts])
    return res


def _grant_constraints(g: GrantLike, req: Request, label: str) -> Outcome:
    other: tuple[str, ...] = getattr(g, "other_constraints", ())
    if other:
        # KMS DG Grants: a grant allows only when the request meets all its constraints; a constraint kind
        # this tool does not evaluate (e.g. SourceArn) is unknown, never treated as absent
        return Outcome.unknown_(f"{label} has constraints this tool does not evaluate: {', '.join(other)}")
    equals, subset = g.encryption_context_equals, g.encryption_context_subset
    if not equals and not subset:
        return Outcome.true()
    need: Mapping[str, str] = dict(equals or subset or {})
    unknown: list[str] = []
    for k, v in need.items():
        st = req.context.get(f"kms:EncryptionContext:{k}")
        if st.status is KeyStatus.UNKNOWN:
            unknown.append(f"kms:EncryptionContext:{k}")
        elif st.status is KeyStatus.ABSENT or v not in st.values:
            return Outcome.false(f"{label}: encryption context constraint {k}={v} not met")
    if equals:
        keys = req.context.get("kms:EncryptionContextKeys")
        if keys.status is KeyStatus.UNKNOWN:
            unknown.append("kms:EncryptionContextKeys")
        elif set(keys.values) != set(equals):
            return Outcome.false(f"{label}: encryption context must equal {dict(equals)}")
    if unknown:
        return Outcome.unknown_(f"{label} has an encryption context constraint; KVS documents no context", unknown)
    return Outcome.true()


def authorize_kms(
    req: Request,
    *,
    key_arn: str,
    key_policy: Policy | None,
    iam: IamPolicies | None,
    scps: Sequence[Policy] = (),
    grants: Sequence[GrantLike] | None = (),
    scp_levels: Sequence[Sequence[Policy]] = (),
    rcps: Sequence[Policy] = (),
) -> Decision:
    """Decide one KMS request (``req.resource`` should be ``key_arn``).

    ``key_policy=None`` and ``grants=None`` mean "could not be read": they make the decision
    conditional where they could matter, never allow or deny on a guess.

    ``rcps``: the resource control policies of the key's account (every level), for a customer managed key
    only (KMS DG "Resource control policies in AWS KMS": they "do not apply to AWS managed keys"). Only their
    Deny statements count: Organizations UG "RCP syntax": Allow "is only supported for the RCPFullAWSAccess
    policy", which is attached at every level and cannot be detached, so every level always allows.
    """
    # a key-policy Deny with NotPrincipal applies to every principal with a permissions boundary
    req = dataclasses.replace(req, has_boundary=Tri.UNKNOWN if iam is None else Tri.of(iam.boundary is not None))
    s = _sides(req, iam, scps, scp_levels)
    rcp = evaluate_policies(rcps, req)
    arn = parse_arn(key_arn)
    same_account = arn is not None and arn.account == req.principal.account
    trace: list[str] = trace_lines(rcp.results)
    rcp_deny = rcp.outcome("Deny")
    deny_parts = [*s.denies(), rcp_deny]
    if key_policy is None:
        unread = Outcome.unknown_("the key policy could not be read")
        exempt = role_named = role_only = public = account = unread
        deny_parts.append(unread)
    else:
        kp = evaluate_policies([key_policy], req)
        trace += trace_lines(kp.results)
        exempt = kp.outcome("Allow", named=EXEMPT)
        role_named = kp.outcome("Allow", named=ROLE_OR_PUBLIC)
        role_only = kp.outcome("Allow", named=(Named.ROLE,))
        public = kp.outcome("Allow", named=(Named.PUBLIC,))
        account = kp.outcome("Allow", named=ACCOUNT)
        deny_parts.append(kp.outcome("Deny"))
    trace += trace_lines(s.results())

    iam_allow, boundary = s.iam_allow(), s.boundary_gate()
    acct = req.principal.account
    if req.principal.kind is PrincipalKind.SERVICE:
        # IAM UG Principal element, AWS service principals: a service has no identity policies, so a key
        # policy statement naming the service allows on its own. Whether Principal "*" covers a service
        # principal is not spelled out: conditional.
        public = (
            Outcome.unknown_(
                f'whether Principal "*" covers the service principal {req.principal.arn} is not documented'
            )
            if role_named.value is not Tri.FALSE
            else role_named
        )
        key_path = any_of(
            [exempt, public],
            if_none=f"the key policy does not name the service principal {req.principal.arn} for {req.action}",
        )
        # SCPs limit the IAM users and roles of member accounts, not service principals (Organizations UG,
        # SCP effects on permissions); only the key policy's own Deny statements apply
        # RCPs do apply to service principals (Organizations UG, RCP examples exempt them by condition)
        return decide(any_of([deny_parts[-1], rcp_deny]), key_path, trace=trace)
    if same_account:
        # IAM UG "Policy evaluation logic" says how a permissions boundary limits a resource policy that names
        # a user or session (not at all) or a role (it must allow), not one that allows Principal "*": with a
        # boundary that does not allow the action, that path is conditional, never a definite answer.
        if boundary.value is Tri.FALSE and public.value is not Tri.FALSE:
            public_path = Outcome.unknown_(
                f'the key policy allows Principal "*" and the permissions boundary of {req.principal.arn} does '
                f"not allow {req.action}: AWS documents how a boundary limits a resource policy naming a user, "
                'session or role, not "*"'
            )
        else:
            public_path = all_of([public, boundary])
        key_path = any_of(
            [
                exempt,
                all_of([role_only, boundary]),
                public_path,
                all_of(
                    [
                        account.with_reason("the key policy delegates to IAM by naming the account")
                        if account.value is Tri.TRUE
                        else account,
                        iam_allow,
                        boundary,
                    ]
                ),
            ]
        )
        if key_path.value is Tri.FALSE:
            if account.value is Tri.TRUE:
                why = ["the key policy delegates to IAM (names the account)", *iam_allow.reasons, *boundary.reasons]
            elif role_named.value is Tri.TRUE:
                why = ["the key policy names the role", *boundary.reasons]
            else:
                why = [
                    f"the key policy does not allow {req.action} for {req.principal.arn}, "
                    f"and no statement naming account {acct} delegates it to IAM"
                ]
            key_path = Outcome(Tri.FALSE, key_path.refs, reasons=tuple(why))
    else:
        kp_allows = any_of(
            [exempt, role_named, account],
            if_none=f"the key policy does not allow {req.action} for {req.principal.arn} "
            f"(cross-account: it must name the principal or account {acct})",
        )
        key_path = all_of(
            [
                kp_allows,
                iam_allow
                if iam_allow.value is Tri.TRUE
                else iam_allow.with_reason("cross-account use also needs an identity-policy allow"),
                boundary,
            ]
        )

    if grants is None:
        grant_path = Outcome.unknown_("the key's grants could not be read")
    else:
        grant_path = any_of([_grant_outcome(g, req, s, same_account) for g in grants])

    deny = any_of(deny_parts)
    allow = all_of([s.scp_gate(), any_of([key_path, grant_path])])
    return _decide(s, deny, allow, trace)
