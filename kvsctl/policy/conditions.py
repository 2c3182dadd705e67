"""Condition operators (IAM UG, "IAM JSON policy elements: Condition operators").

Rules encoded here:
- all keys of a Condition block must be true (AND); the values of one key are alternatives (OR);
- a key missing from the request makes the clause false, except negated operators (true),
  ``...IfExists`` (true), ``ForAllValues`` (true) and ``ForAnyValue`` (false); ``Null`` tests presence;
- condition key names are case-insensitive, values follow the operator's own case rules;
- an unknown key makes the clause unknown; an unknown clause never hides a definite false (AND).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Literal

from kvsctl.policy.context import KeyStatus, RequestContext, Tri, tri_all, tri_any
from kvsctl.policy.match import decode_literals, glob_match, match_arn
from kvsctl.policy.variables import expand

if TYPE_CHECKING:
    from kvsctl.policy.document import ConditionClause

# canonical base operator -> negated?
OPERATOR_BASES: dict[str, bool] = {
    "StringEquals": False,
    "StringNotEquals": True,
    "StringEqualsIgnoreCase": False,
    "StringNotEqualsIgnoreCase": True,
    "StringLike": False,
    "StringNotLike": True,
    "NumericEquals": False,
    "NumericNotEquals": True,
    "NumericLessThan": False,
    "NumericLessThanEquals": False,
    "NumericGreaterThan": False,
    "NumericGreaterThanEquals": False,
    "DateEquals": False,
    "DateNotEquals": True,
    "DateLessThan": False,
    "DateLessThanEquals": False,
    "DateGreaterThan": False,
    "DateGreaterThanEquals": False,
    "Bool": False,
    "BinaryEquals": False,
    "IpAddress": False,
    "NotIpAddress": True,
    "ArnEquals": False,
    "ArnLike": False,
    "ArnNotEquals": True,
    "ArnNotLike": True,
    "Null": False,
}
_LOWER_BASES = {k.lower(): k for k in OPERATOR_BASES}

SetOp = Literal["", "ForAnyValue", "ForAllValues"]


def split_operator(op: str) -> tuple[SetOp, str, bool] | None:
    """``"ForAnyValue:StringLikeIfExists"`` -> ``("ForAnyValue", "StringLike", True)``; None if unknown."""
    set_op: SetOp = ""
    rest = op
    if ":" in op:
        prefix, rest = op.split(":", 1)
        if prefix.lower() == "foranyvalue":
            set_op = "ForAnyValue"
        elif prefix.lower() == "forallvalues":
            set_op = "ForAllValues"
        else:
            return None
    if_exists = False
    if rest.lower().endswith("ifexists"):
        rest, if_exists = rest[: -len("ifexists")], True
    base = _LOWER_BASES.get(rest.lower())
    if base is None or (base == "Null" and (if_exists or set_op)):
        return None  # IAM UG: Null cannot be combined with IfExists
    return set_op, base, if_exists


def takes_variables(base: str) -> bool:
    """IAM UG, Policy variables: "You can use a policy variable for Condition values in any condition that
    involves the string operators or the ARN operators ... You can't use a policy variable with other
    operators, such as Numeric, Date, Boolean, Binary, IP Address, or Null operators." """
    return base.startswith(("String", "Arn"))


def is_negated(base: str) -> bool:
    return OPERATOR_BASES.get(base, False)


def parse_number(s: str) -> float | None:
    try:
        v = float(s)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


_EPOCH = re.compile(r"^-?\d+(\.\d+)?$")


def parse_date(s: str) -> datetime | None:
    """ISO 8601 date/time (``Z`` allowed) or epoch seconds, as AWS accepts in Date operators."""
    s = s.strip()
    if _EPOCH.match(s):
        try:
            return datetime.fromtimestamp(float(s), tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    t = s[:-1] + "+00:00" if s.endswith(("Z", "z")) else s
    try:
        d = datetime.fromisoformat(t)
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


def _b64(s: str) -> bytes | None:
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        return None


def _ip_in(ctx_value: str, net: str) -> bool:
    try:
        return ipaddress.ip_address(ctx_value.split("/")[0]) in ipaddress.ip_network(net, strict=False)
    except ValueError:
        return False


def _cmp(
    parse: Callable[[str], float | datetime | None],
    test: Callable[[float | datetime, float | datetime], bool],
) -> Callable[[str, str], bool]:
    def f(ctx_value: str, pol: str) -> bool:
        a, b = parse(ctx_value), parse(pol)
        if a is None or b is None:
            return False
        try:
            return test(a, b)
        except TypeError:
            return False

    return f


def _ts(s: str) -> float | None:
    d = parse_date(s)
    return d.timestamp() if d else None


# positive comparison ctx_value ~ policy_value for each base (negated bases use their positive twin)
_POSITIVE: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda c, p: c == decode_literals(p),
    "StringEqualsIgnoreCase": lambda c, p: c.casefold() == decode_literals(p).casefold(),
    "StringLike": lambda c, p: glob_match(p, c),
    "NumericEquals": _cmp(parse_number, lambda a, b: a == b),
    "NumericLessThan": _cmp(parse_number, lambda a, b: a < b),  # type: ignore[operator]
    "NumericLessThanEquals": _cmp(parse_number, lambda a, b: a <= b),  # type: ignore[operator]
    "NumericGreaterThan": _cmp(parse_number, lambda a, b: a > b),  # type: ignore[operator]
    "NumericGreaterThanEquals": _cmp(parse_number, lambda a, b: a >= b),  # type: ignore[operator]
    "DateEquals": _cmp(_ts, lambda a, b: a == b),
    "DateLessThan": _cmp(_ts, lambda a, b: a < b),  # type: ignore[operator]
    "DateLessThanEquals": _cmp(_ts, lambda a, b: a <= b),  # type: ignore[operator]
    "DateGreaterThan": _cmp(_ts, lambda a, b: a > b),  # type: ignore[operator]
    "DateGreaterThanEquals": _cmp(_ts, lambda a, b: a >= b),  # type: ignore[operator]
    "Bool": lambda c, p: c.lower() == decode_literals(p).lower(),
    "BinaryEquals": lambda c, p: (_b64(c) or c.encode()) == (_b64(decode_literals(p)) or p.encode()),
    "IpAddress": lambda c, p: _ip_in(c, decode_literals(p)),
    "ArnEquals": lambda c, p: match_arn(p, c),
    "ArnLike": lambda c, p: match_arn(p, c),
}
_TWIN = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


@dataclass(frozen=True)
class ConditionResult:
    value: Tri
    unknown: frozenset[str] = frozenset()
    detail: str = ""  # first clause that decided, for explanations


def evaluate_clause(clause: ConditionClause, ctx: RequestContext, *, variables: bool) -> ConditionResult:
    state = ctx.get(clause.key)
    desc = clause.describe()
    if state.status is KeyStatus.UNKNOWN:
        return ConditionResult(Tri.UNKNOWN, frozenset({clause.key}), f"{desc}: {clause.key} not known")

    if clause.base == "Null":
        present = state.status is KeyStatus.PRESENT
        ok = any((v.lower() == "true") != present for v in clause.values)
        return ConditionResult(Tri.of(ok), detail=f"{desc}: key {'present' if present else 'absent'}")

    negated = is_negated(clause.base)
    if state.status is KeyStatus.ABSENT:
        if clause.if_exists:
            ok, why = True, "IfExists and key absent"
        elif clause.set_operator == "ForAllValues":
            ok, why = True, "ForAllValues with no values"
        elif clause.set_operator == "ForAnyValue":
            ok, why = False, "ForAnyValue with no values"
        else:
            ok, why = negated, "key absent" + (" (negated operator)" if negated else "")
        return ConditionResult(Tri.of(ok), detail=f"{desc}: {why}")

    # resolve policy values (variables) once
    unknown: set[str] = set()
    resolved: list[str] = []
    for pv in clause.values:
        e = expand(pv, ctx, enabled=variables and takes_variables(clause.base))
        if e.unknown:
            unknown |= e.unknown
        elif e.text is not None:
            resolved.append(e.text)
    positive = _POSITIVE[_TWIN.get(clause.base, clause.base)]

    def per_value(cv: str) -> Tri:
        """Does this context value match any policy value (positive sense)?"""
        hit = any(positive(cv, pv) for pv in resolved)
        if hit:
            return Tri.TRUE
        return Tri.UNKNOWN if unknown else Tri.FALSE

    ctx_values: Sequence[str] = state.values
    pos = [per_value(cv) for cv in ctx_values]
    each = [~p for p in pos] if negated else pos
    if clause.set_operator == "ForAnyValue":
        res = tri_any(each)
    elif clause.set_operator == "ForAllValues":
        res = tri_all(each)
    else:
        # IAM UG "Single-valued vs. multivalued context keys": "Multivalued context keys require a condition
        # set operator". Without one, AWS does not document whether several request values are read as
        # ForAnyValue or ForAllValues; where the two readings differ the answer is unknown, not a guess.
        res = tri_any(each) if len(each) == 1 else _agree(tri_any(each), tri_all(each))
        if res is Tri.UNKNOWN and len(each) > 1 and not unknown:
            return ConditionResult(
                Tri.UNKNOWN,
                frozenset({clause.key}),
                f"{desc}: {clause.key} has several values {list(ctx_values)!r} and no ForAnyValue/ForAllValues; "
                "AWS does not document how that is read",
            )
    shown = ctx_values[0] if len(ctx_values) == 1 else list(ctx_values)
    return ConditionResult(
        res,
        frozenset(unknown) if res is Tri.UNKNOWN else frozenset(),
        f"{desc}: request has {shown!r} -> {res.name.lower()}",
    )


def _agree(a: Tri, b: Tri) -> Tri:
    return a if a is b else Tri.UNKNOWN


def evaluate_conditions(clauses: Sequence[ConditionClause], ctx: RequestContext, *, variables: bool) -> ConditionResult:
    """AND over all clauses; the first false clause (or the union of unknown keys) explains it."""
    unknown: set[str] = set()
    details: list[str] = []
    for c in clauses:
        r = evaluate_clause(c, ctx, variables=variables)
        if r.value is Tri.FALSE:
            return ConditionResult(Tri.FALSE, detail=r.detail)
        if r.value is Tri.UNKNOWN:
            unknown |= r.unknown
            details.append(r.detail)
    if unknown:
        return ConditionResult(Tri.UNKNOWN, frozenset(unknown), "; ".join(details))
    return ConditionResult(Tri.TRUE, detail="all conditions true" if clauses else "")
