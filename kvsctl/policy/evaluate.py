"""Evaluate statements and policies against one request, three-valued, with explanations.

A statement *applies* when its action, resource, principal (resource policies only) and condition
parts all match (IAM UG, "Policy evaluation logic"). Each part is TRUE / FALSE / UNKNOWN; the statement
is the AND of its parts, so a definite mismatch anywhere wins over an unknown condition key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from kvsctl.policy.conditions import evaluate_conditions
from kvsctl.policy.context import RequestContext, Tri
from kvsctl.policy.document import Policy, PolicyKind, Statement
from kvsctl.policy.match import match_action, match_arn
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


def _resource_applies(st: Statement, policy: Policy, req: Request) -> tuple[Tri, frozenset[str]]:
    assert st.resources is not None
    unknown: set[str] = set()
    hit = False
    for pattern in st.resources:
        e = expand(pattern, req.context, enabled=policy.variables_enabled)
        if e.unknown:
            unknown |= e.unknown
        elif e.text is not None and match_arn(e.text, req.resource):
            hit = True
            break
    if st.not_resource:
        res = Tri.FALSE if hit else (Tri.UNKNOWN if unknown else Tri.TRUE)
    else:
        res = Tri.TRUE if hit else (Tri.UNKNOWN if unknown else Tri.FALSE)
    return res, frozenset(unknown) if res is Tri.UNKNOWN else frozenset()


def evaluate_statement(st: Statement, policy: Policy, req: Request) -> StatementResult:
    ref = statement_ref(policy, st)
    action_hit = any(match_action(a, req.action) for a in st.actions)
    if action_hit == st.not_action:
        return StatementResult(ref, Tri.FALSE, detail=f"action {req.action} not covered")
    unknown: set[str] = set()
    parts: list[str] = []
    if st.resources is not None:
        r, ru = _resource_applies(st, policy, req)
        if r is Tri.FALSE:
            return StatementResult(ref, Tri.FALSE, detail=f"resource {req.resource} not covered")
        unknown |= ru
        if ru:
            parts.append(f"resource depends on {', '.join(sorted(ru))}")
    named = Named.EXACT  # identity policies: the policy's own principal
    if policy.kind is PolicyKind.RESOURCE:
        pm: PrincipalMatch
        if st.principal is None:
            pm = PrincipalMatch(Tri.FALSE, detail="no Principal")
        elif st.not_principal:
            pm = match_not_principal(st.principal, req.principal, effect=st.effect)
        else:
            pm = match_principal(st.principal, req.principal)
        if pm.applies is Tri.FALSE:
            return StatementResult(ref, Tri.FALSE, detail=pm.detail)
        named = pm.named
        unknown |= pm.unknown
        if pm.applies is Tri.UNKNOWN:
            parts.append(pm.detail)
    c = evaluate_conditions(st.conditions, req.context, variables=policy.variables_enabled)
    if c.value is Tri.FALSE:
        return StatementResult(ref, Tri.FALSE, named, detail=f"condition false: {c.detail}")
    unknown |= c.unknown
    if c.value is Tri.UNKNOWN:
        parts.append(f"condition unknown: {c.detail}")
    if unknown:
        return StatementResult(ref, Tri.UNKNOWN, named, frozenset(unknown), "; ".join(parts))
    return StatementResult(ref, Tri.TRUE, named, detail="applies")


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
