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
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

from kvsctl.policy.context import KeyState, KeyStatus, RequestContext, Tri, tri_all, tri_any
from kvsctl.policy.match import decode_literals, glob_match, match_arn
from kvsctl.policy.variables import expand

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


@dataclass(frozen=True)
class ConditionClause:
    """One ``Operator: {Key: values}`` pair. Several keys under one operator are several clauses."""

    operator: str  # as written, e.g. "ForAnyValue:StringEqualsIfExists"
    base: str  # canonical base operator, e.g. "StringEquals"
    set_operator: Literal["", "ForAnyValue", "ForAllValues"]
    if_exists: bool
    key: str  # as written; compare with .lower()
    values: tuple[str, ...]

    def describe(self) -> str:
        vals = self.values[0] if len(self.values) == 1 else list(self.values)
        return f"{self.operator} {self.key} {json.dumps(vals)}"


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


def _well_formed(base: str, value: str) -> bool:
    """Whether a request value has the shape the operator compares (IAM UG, Condition operators)."""
    if base.startswith("Numeric"):
        return parse_number(value) is not None
    if base.startswith("Date"):
        return parse_date(value) is not None
    if base == "Bool":
        return value.lower() in ("true", "false")
    if base in ("IpAddress", "NotIpAddress"):
        try:
            ipaddress.ip_address(value.split("/")[0])
        except ValueError:
            return False
        return True
    if base.startswith("Arn"):
        return len(value.split(":", 5)) == 6 and value.startswith("arn:")
    return True


def _arn_pattern_ok(value: str) -> bool:
    return value == "*" or len(value.split(":", 5)) == 6


_STS_ARN = re.compile(r"\Aarn:[a-z-]+:sts:")


@dataclass(frozen=True)
class ConditionResult:
    value: Tri
    unknown: frozenset[str] = frozenset()
    detail: str = ""  # first clause that decided, for explanations


def evaluate_clause(clause: ConditionClause, ctx: RequestContext, *, variables: bool) -> ConditionResult:
    state = ctx.get(clause.key)
    desc = clause.describe()
    if not clause.values:
        # IAM accepts an empty value list; no value can match it. What a negated operator makes of it is
        # not documented (vacuously true, or never matching): unknown rather than a guess.
        if is_negated(clause.base):
            return ConditionResult(
                Tri.UNKNOWN,
                frozenset({clause.key}),
                f"{desc}: no values under a negated operator; AWS does not document how that is read",
            )
        return ConditionResult(Tri.FALSE, detail=f"{desc}: no values, nothing can match")
    if not takes_variables(clause.base) and any("${" in v for v in clause.values):
        # IAM UG "Policy variables" says variables are not supported with Numeric, Date, Boolean, Binary, IP
        # address or Null operators; IAM UG "Condition operators" lists policy variables as supported for the
        # Boolean operator. The pages disagree: the conservative reading is that the answer is not known.
        return ConditionResult(
            Tri.UNKNOWN,
            frozenset({clause.key}),
            f"{desc}: policy variable under {clause.base}; the IAM user guide's pages disagree on whether it "
            "is substituted",
        )
    if state.status is KeyStatus.UNKNOWN and clause.key.lower() == "aws:principalarn" and clause.base != "Null":
        sts = [v for v in clause.values if _STS_ARN.match(v)]
        if sts and len(sts) == len(clause.values):
            # IAM UG, aws:PrincipalArn: for a role session the value is the role's ARN, never the
            # assumed-role (sts) ARN; an sts pattern can never match whatever the session is
            state = KeyState(KeyStatus.PRESENT, ("arn:aws:iam::000000000000:role/(any IAM ARN)",))
            desc += " (aws:PrincipalArn is an IAM ARN, never an sts ARN)"
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
    malformed: list[str] = []
    if clause.base.startswith("Arn"):
        bad_patterns = [pv for pv in resolved if not _arn_pattern_ok(pv)]
        if bad_patterns:
            # AWS documents Arn* operators on six-part ARNs only: a value that is not one is undocumented
            malformed += [f"policy value {pv!r} is not an ARN" for pv in bad_patterns]
            resolved = [pv for pv in resolved if _arn_pattern_ok(pv)]

    def per_value(cv: str) -> Tri:
        """Does this context value match any policy value (positive sense)?"""
        if not _well_formed(clause.base, cv):
            # a request value the operator cannot read: AWS does not document the result (never a
            # definite true through a negated operator, never a definite false that hides a Deny)
            malformed.append(f"request value {cv!r} is not a valid {clause.base} value")
            return Tri.UNKNOWN
        hit = any(positive(cv, pv) for pv in resolved)
        if hit:
            return Tri.TRUE
        return Tri.UNKNOWN if (unknown or malformed) else Tri.FALSE

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
    why = f" ({'; '.join(dict.fromkeys(malformed))}: undocumented)" if malformed and res is Tri.UNKNOWN else ""
    keys = set(unknown) | ({clause.key} if malformed else set())
    return ConditionResult(
        res,
        frozenset(keys) if res is Tri.UNKNOWN else frozenset(),
        f"{desc}: request has {shown!r} -> {res.name.lower()}{why}",
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
