"""Evaluate statements and policies against one request, three-valued, with explanations.

A statement *applies* when its action, resource, principal (resource policies only) and condition
parts all match (IAM UG, "Policy evaluation logic"). Each part is TRUE / FALSE / UNKNOWN; the statement
is the AND of its parts, so a definite mismatch anywhere wins over an unknown condition key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from kvsctl.policy.conditions import evaluate_conditions, takes_variables
from kvsctl.policy.context import RequestContext, Tri
from kvsctl.policy.document import Policy, PolicyKind, Statement
from kvsctl.policy.match import match_action, match_resource, resource_pattern_problem
from kvsctl.policy.principals import (
    Named,
    PrincipalId,
    PrincipalMatch,
    match_not_principal,
    match_principal,
)
from kvsctl.policy.variables import expand


@dataclass(frozen=True)
class Request:
    principal: PrincipalId
    action: str  # "kms:Decrypt"
    resource: str  # ARN
    context: RequestContext
    # whether the requester has a permissions boundary attached (UNKNOWN when its IAM side is not known);
    # a Deny with NotPrincipal applies to every principal that has one (IAM UG, NotPrincipal)
    has_boundary: Tri = Tri.FALSE


class DecisionKind(str, Enum):
    ALLOW = "allow"
    IMPLICIT_DENY = "implicit_deny"
    EXPLICIT_DENY = "explicit_deny"
    CONDITIONAL = "conditional"


@dataclass(frozen=True)
class StatementRef:
    policy: str
    index: int
    sid: str | None
    effect: str
    line: int | None = None

    def label(self) -> str:
        sid = f' "{self.sid}"' if self.sid else ""
        return f"{self.policy} #{self.index}{sid}"

    def __str__(self) -> str:
        return self.label()


@dataclass(frozen=True)
class StatementResult:
    ref: StatementRef
    applies: Tri
    named: Named = Named.NONE  # resource policies: how the principal is named
    unknown: frozenset[str] = frozenset()
    detail: str = ""


def statement_ref(policy: Policy, st: Statement) -> StatementRef:
    return StatementRef(policy.name, st.index, st.sid, st.effect, st.line)


def _variable_before_resource_part(pattern: str) -> bool:
    """IAM UG, Policy variables: "You can use a policy variable in the Resource element, but only in the
    resource portion of the ARN. This portion of the ARN appears after the fifth colon." What AWS does with
    one earlier is not documented."""
    i = pattern.find("${")
    return i >= 0 and pattern.count(":", 0, i) < 5


def _resource_applies(st: Statement, policy: Policy, req: Request) -> tuple[Tri, frozenset[str], str]:
    assert st.resources is not None
    unknown: set[str] = set()
    undocumented: list[str] = []
    hit = False
    for pattern in st.resources:
        if policy.variables_enabled and _variable_before_resource_part(pattern):
            undocumented.append(f"{pattern}: AWS documents policy variables only after the fifth colon of an ARN")
            continue
        e = expand(pattern, req.context, enabled=policy.variables_enabled)
        if e.unknown:
            unknown |= e.unknown
        elif e.text is not None:
            problem = resource_pattern_problem(e.text)
            if problem == "type":
                continue  # matches nothing (a finding says so)
            if problem == "short":
                undocumented.append(f"{pattern}: an ARN with fewer than six parts has no documented matching rule")
                continue
            if match_resource(e.text, req.resource):
                hit = True
                break
    unsure = bool(unknown or undocumented)
    if st.not_resource:
        res = Tri.FALSE if hit else (Tri.UNKNOWN if unsure else Tri.TRUE)
    else:
        res = Tri.TRUE if hit else (Tri.UNKNOWN if unsure else Tri.FALSE)
    if res is not Tri.UNKNOWN:
        return res, frozenset(), ""
    why = [f"resource depends on {', '.join(sorted(unknown))}"] if unknown else []
    why += undocumented
    return res, frozenset(unknown), "; ".join(why)


def _unresolved_variable(st: Statement, policy: Policy, req: Request) -> str | None:
    """IAM UG, Policy variables: a key that is not present makes "any attempt to match it fail" and "causes
    the statement to be invalid" (likewise a multivalued key). Returns the first such value, if any."""
    if not policy.variables_enabled:
        return None
    values = [*(st.resources or ()), *(v for c in st.conditions if takes_variables(c.base) for v in c.values)]
    for v in values:
        e = expand(v, req.context, enabled=True)
        if e.text is None and not e.unknown:
            return v
    return None


def evaluate_statement(st: Statement, policy: Policy, req: Request) -> StatementResult:
    ref = statement_ref(policy, st)
    action_hit = any(match_action(a, req.action) for a in st.actions)
    if action_hit == st.not_action:
        return StatementResult(ref, Tri.FALSE, detail=f"action {req.action} not covered")
    unknown: set[str] = set()
    uncertain = False  # some part is unknown even where no context key is to blame
    parts: list[str] = []
    if st.effect == "Allow":
        # an Allow that AWS treats as invalid never applies (for a Deny the operators' rules stand: the
        # conservative reading)
        bad = _unresolved_variable(st, policy, req)
        if bad is not None:
            return StatementResult(
                ref, Tri.FALSE, detail=f"policy variable in {bad!r} has no value: AWS treats the statement as invalid"
            )
    if st.resources is not None:
        r, ru, why = _resource_applies(st, policy, req)
        if r is Tri.FALSE:
            return StatementResult(ref, Tri.FALSE, detail=f"resource {req.resource} not covered")
        unknown |= ru
        if r is Tri.UNKNOWN:
            uncertain = True
            parts.append(why)
    named = Named.EXACT  # identity policies: the policy's own principal
    if policy.kind in (PolicyKind.RESOURCE, PolicyKind.RCP):
        pm: PrincipalMatch
        if st.principal is None:
            pm = PrincipalMatch(Tri.FALSE, detail="no Principal")
        elif st.not_principal:
            pm = match_not_principal(st.principal, req.principal, effect=st.effect)
            if st.effect == "Deny" and pm.applies is not Tri.TRUE and req.has_boundary is not Tri.FALSE:
                pm = _not_principal_boundary(pm, req.has_boundary)
            elif st.effect == "Allow" and pm.applies is not Tri.FALSE:
                # IAM UG NotPrincipal: "NotPrincipal must be used with "Effect":"Deny". Using it with
                # "Effect":"Allow" is not supported." Whether such a statement grants anything is not
                # documented any more: never an allow on its strength alone.
                pm = PrincipalMatch(
                    Tri.UNKNOWN,
                    Named.PUBLIC,
                    pm.unknown,
                    "NotPrincipal with Allow: AWS documents it as not supported, so what it grants is not known",
                )
        else:
            pm = match_principal(st.principal, req.principal)
        if pm.applies is Tri.FALSE:
            return StatementResult(ref, Tri.FALSE, detail=pm.detail)
        named = pm.named
        unknown |= pm.unknown
        if pm.applies is Tri.UNKNOWN:
            uncertain = True
            parts.append(pm.detail)
    c = evaluate_conditions(st.conditions, req.context, variables=policy.variables_enabled)
    if c.value is Tri.FALSE:
        return StatementResult(ref, Tri.FALSE, named, detail=f"condition false: {c.detail}")
    unknown |= c.unknown
    if c.value is Tri.UNKNOWN:
        parts.append(f"condition unknown: {c.detail}")
    if unknown or uncertain:
        return StatementResult(ref, Tri.UNKNOWN, named, frozenset(unknown), "; ".join(parts))
    return StatementResult(ref, Tri.TRUE, named, detail="applies")


def _not_principal_boundary(pm: PrincipalMatch, has_boundary: Tri) -> PrincipalMatch:
    """IAM UG, NotPrincipal: "The NotPrincipal element with a Deny effect will always deny any IAM
    principal that has a permissions boundary policy attached, regardless of the values specified in the
    NotPrincipal element." """
    if has_boundary is Tri.TRUE:
        return PrincipalMatch(
            Tri.TRUE,
            Named.PUBLIC,
            detail="NotPrincipal with Deny applies to every principal with a permissions boundary",
        )
    return PrincipalMatch(
        Tri.UNKNOWN,
        Named.PUBLIC,
        pm.unknown,
        "requester excluded by NotPrincipal, but a Deny with NotPrincipal applies to any principal with a "
        "permissions boundary, and whether it has one is not known",
    )


def evaluate_policy(policy: Policy, req: Request) -> tuple[StatementResult, ...]:
    return tuple(evaluate_statement(st, policy, req) for st in policy.statements)


# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class Outcome:
    """A three-valued fact with its evidence: deciding statements, unknown keys, reasons."""

    value: Tri
    refs: tuple[StatementRef, ...] = ()
    unknown: frozenset[str] = frozenset()
    reasons: tuple[str, ...] = ()

    @staticmethod
    def true(reason: str = "") -> Outcome:
        return Outcome(Tri.TRUE, reasons=(reason,) if reason else ())

    @staticmethod
    def false(reason: str = "") -> Outcome:
        return Outcome(Tri.FALSE, reasons=(reason,) if reason else ())

    @staticmethod
    def unknown_(reason: str, keys: Iterable[str] = ()) -> Outcome:
        return Outcome(Tri.UNKNOWN, unknown=frozenset(keys), reasons=(reason,))

    def with_reason(self, reason: str) -> Outcome:
        return Outcome(self.value, self.refs, self.unknown, (*self.reasons, reason))


def _merge(outs: Sequence[Outcome], value: Tri) -> Outcome:
    refs: list[StatementRef] = []
    reasons: list[str] = []
    unknown: set[str] = set()
    for o in outs:
        refs += [r for r in o.refs if r not in refs]
        reasons += [r for r in o.reasons if r not in reasons]
        unknown |= o.unknown
    return Outcome(value, tuple(refs), frozenset(unknown) if value is Tri.UNKNOWN else frozenset(), tuple(reasons))


def any_of(outs: Sequence[Outcome], *, if_none: str = "") -> Outcome:
    trues = [o for o in outs if o.value is Tri.TRUE]
    if trues:
        return _merge(trues, Tri.TRUE)
    unknowns = [o for o in outs if o.value is Tri.UNKNOWN]
    if unknowns:
        return _merge(unknowns, Tri.UNKNOWN)
    merged = _merge(outs, Tri.FALSE)
    if if_none and not merged.reasons:
        return merged.with_reason(if_none)
    return merged


def all_of(outs: Sequence[Outcome]) -> Outcome:
    falses = [o for o in outs if o.value is Tri.FALSE]
    if falses:
        return _merge(falses, Tri.FALSE)
    if any(o.value is Tri.UNKNOWN for o in outs):
        return _merge(outs, Tri.UNKNOWN)
    return _merge(outs, Tri.TRUE)


def statement_outcome(r: StatementResult) -> Outcome:
    if r.applies is Tri.FALSE:
        return Outcome(Tri.FALSE)
    if r.applies is Tri.UNKNOWN:
        return Outcome(Tri.UNKNOWN, (r.ref,), r.unknown, (f"{r.ref.label()}: {r.detail}",))
    return Outcome(Tri.TRUE, (r.ref,), reasons=(f"{r.ref.label()} {r.ref.effect.lower()}s",))


@dataclass(frozen=True)
class PolicySetResult:
    """All statement results for a set of policies, split by effect."""

    results: tuple[StatementResult, ...] = ()

    def effect(self, effect: str, *, named: Iterable[Named] | None = None) -> list[StatementResult]:
        keep = set(named) if named is not None else None
        return [r for r in self.results if r.ref.effect == effect and (keep is None or r.named in keep)]

    def outcome(self, effect: str, *, named: Iterable[Named] | None = None, what: str = "") -> Outcome:
        return any_of([statement_outcome(r) for r in self.effect(effect, named=named)], if_none=what)


def evaluate_policies(policies: Iterable[Policy], req: Request) -> PolicySetResult:
    out: list[StatementResult] = []
    for p in policies:
        out += evaluate_policy(p, req)
    return PolicySetResult(tuple(out))


# --------------------------------------------------------------------------- decisions


@dataclass(frozen=True)
class Decision:
    kind: DecisionKind
    statements: tuple[StatementRef, ...] = ()  # deciding statements
    unknown_keys: tuple[str, ...] = ()  # sorted context keys the decision depends on
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # caveats that do not change the decision
    trace: tuple[str, ...] = field(default=(), compare=False)  # every statement, for --explain

    @property
    def value(self) -> str:
        return self.kind.value

    def reason_lines(self) -> tuple[str, ...]:
        lines = list(self.reasons)
        if self.unknown_keys:
            lines.append("depends on: " + ", ".join(self.unknown_keys))
        return (*lines, *self.notes)


def decide(deny: Outcome, allow: Outcome, *, notes: Sequence[str] = (), trace: Sequence[str] = ()) -> Decision:
    """Explicit deny wins; otherwise an allow is needed; unknown facts make the result conditional.

    If nothing can allow, the result is a deny even when some Deny is uncertain (implicit deny: the
    request fails either way).
    """
    tr = tuple(trace)
    if deny.value is Tri.TRUE:
        return Decision(DecisionKind.EXPLICIT_DENY, deny.refs, (), deny.reasons, tuple(notes), tr)
    if allow.value is Tri.FALSE:
        extra = (f"an explicit deny may also apply: {'; '.join(deny.reasons)}",) if deny.value is Tri.UNKNOWN else ()
        return Decision(DecisionKind.IMPLICIT_DENY, allow.refs, (), (*allow.reasons, *extra), tuple(notes), tr)
    if deny.value is Tri.UNKNOWN or allow.value is Tri.UNKNOWN:
        keys = set(allow.unknown if allow.value is Tri.UNKNOWN else ()) | set(
            deny.unknown if deny.value is Tri.UNKNOWN else ()
        )
        refs = list(allow.refs) + [r for r in deny.refs if r not in allow.refs and deny.value is Tri.UNKNOWN]
        reasons = list(allow.reasons)
        if deny.value is Tri.UNKNOWN:
            reasons += [f"a deny may apply: {r}" for r in deny.reasons]
        return Decision(DecisionKind.CONDITIONAL, tuple(refs), tuple(sorted(keys)), tuple(reasons), tuple(notes), tr)
    return Decision(DecisionKind.ALLOW, allow.refs, (), allow.reasons, tuple(notes), tr)


def trace_lines(results: Iterable[StatementResult]) -> list[str]:
    return [f"{r.ref.label()} [{r.ref.effect}] -> {r.applies.name.lower()}: {r.detail}" for r in results]
