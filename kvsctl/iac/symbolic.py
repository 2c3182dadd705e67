"""Turn a resolved policy document that still holds Unknown values into one the evaluator can read.

The evaluator already answers ``conditional`` when a condition reads a context key it does not know, and
names the key. So a statement part that depends on an unresolved value is rewritten into that form:

- an Action / Resource / Principal list with unknown entries becomes two statements: one with the known
  entries (decided as usual) and one where the unknown part matches anything but only under the condition
  ``Null {"iac:Unresolved/<what>": "false"}`` -- a key no request carries, so whatever that statement
  would decide is conditional and names what was missing;
- a NotAction / NotResource / NotPrincipal list keeps its known entries and gets that condition;
- a condition whose value is unknown is replaced by that condition.

Over-approximating is the point: where an unknown could change the answer, the answer is conditional.
"""

from __future__ import annotations

import json
from typing import Any

from kvsctl.iac.facts import Loc, PolicyFact, Unknown, unknowns_in
from kvsctl.iac.loader import line_of

_POSITIVE = ("Action", "Resource")
_NEGATIVE = ("NotAction", "NotResource")


def _as_list(v: Any) -> list[Any]:
    return list(v) if isinstance(v, list) else [v]


def _unknown_condition(unknowns: list[Unknown]) -> dict[str, Any]:
    return {"Null": {u.key: "false" for u in unknowns}}


def _merge_condition(cond: Any, unknowns: list[Unknown]) -> dict[str, Any]:
    out: dict[str, Any] = {k: dict(v) if isinstance(v, dict) else v for k, v in (cond or {}).items()}
    null = dict(out.get("Null") or {})
    null.update(_unknown_condition(unknowns)["Null"])
    out["Null"] = null
    return out


def _clean_condition(cond: Any) -> tuple[Any, list[Unknown]]:
    """Drop the condition entries whose operator, key or value is unknown; return them as unknowns."""
    if isinstance(cond, Unknown):
        return None, [cond]
    if not isinstance(cond, dict):
        return cond, []
    found: list[Unknown] = []
    out: dict[str, Any] = {}
    for op, block in cond.items():
        if isinstance(block, Unknown):
            found.append(block)
            continue
        if not isinstance(block, dict):
            out[op] = block
            continue
        kept: dict[str, Any] = {}
        for key, value in block.items():
            u = unknowns_in(value)
            if u:
                found += [x for x in u if x not in found]
            else:
                kept[key] = value
        if kept:
            out[op] = kept
    return (out or None), found


def _split_principal(principal: Any) -> tuple[Any, list[Unknown]]:
    """(the known part or None, unknowns) of a Principal element."""
    if isinstance(principal, Unknown):
        return None, [principal]
    if not isinstance(principal, dict):
        return principal, unknowns_in(principal)
    known: dict[str, Any] = {}
    found: list[Unknown] = []
    for kind, ids in principal.items():
        items = _as_list(ids)
        good = [i for i in items if not isinstance(i, Unknown) and not unknowns_in(i)]
        for i in items:
            found += [u for u in unknowns_in(i) if u not in found]
        if good:
            known[kind] = good if isinstance(ids, list) else good[0]
    return (known or None), found


def concretize_statement(st: Any) -> tuple[list[dict[str, Any]], list[bool], list[Unknown]]:
    """Statements equivalent to ``st`` or wider under an unknown condition; flags mark those whose
    Principal was widened to ``*``; and the unknowns involved."""
    if isinstance(st, Unknown) or not isinstance(st, dict):
        unknowns = unknowns_in(st) if not isinstance(st, Unknown) else [st]
        if not unknowns:
            return [{"Statement": st}], [False], []  # not a statement: the evaluator says why
        # a whole statement we cannot see: it may allow or deny anything
        blind: list[dict[str, Any]] = [
            {"Effect": effect, "Action": "*", "Resource": "*", "Condition": _unknown_condition(unknowns)}
            for effect in ("Allow", "Deny")
        ]
        return blind, [False, False], unknowns
    all_unknowns = unknowns_in({k: v for k, v in st.items() if k != "Sid"})
    if not all_unknowns:
        return [{k: v for k, v in st.items() if not isinstance(v, Unknown)}], [False], []
    base = {k: v for k, v in st.items() if k not in ("Sid",)}
    sid = st.get("Sid")
    if isinstance(sid, str):
        base["Sid"] = sid
    effect = st.get("Effect")
    effects = [effect] if isinstance(effect, str) else ["Allow", "Deny"]
    cond, cond_unknowns = _clean_condition(st.get("Condition"))
    if cond is None:
        base.pop("Condition", None)
    else:
        base["Condition"] = cond

    known: dict[str, Any] = dict(base)
    wide: dict[str, Any] = dict(base)
    wide_unknowns: list[Unknown] = list(cond_unknowns)
    known_possible = not cond_unknowns and isinstance(effect, str)
    widened_principal = False
    for element in _POSITIVE:
        if element not in st:
            continue
        items = _as_list(st[element])
        good = [i for i in items if not unknowns_in(i) and not isinstance(i, Unknown)]
        bad = [u for i in items for u in ([i] if isinstance(i, Unknown) else unknowns_in(i))]
        if bad:
            wide[element] = "*"
            wide_unknowns += [u for u in bad if u not in wide_unknowns]
            if good:
                known[element] = good
            else:
                known_possible = False
    for element in _NEGATIVE:
        if element not in st:
            continue
        items = _as_list(st[element])
        good = [i for i in items if not unknowns_in(i) and not isinstance(i, Unknown)]
        bad = [u for i in items for u in ([i] if isinstance(i, Unknown) else unknowns_in(i))]
        if bad:
            known_possible = False
            wide_unknowns += [u for u in bad if u not in wide_unknowns]
            if good:
                wide[element] = good
            else:
                del wide[element]
                wide["Action" if element == "NotAction" else "Resource"] = "*"
    if "Principal" in st:
        good_p, bad_p = _split_principal(st["Principal"])
        if bad_p:
            wide["Principal"] = "*"
            widened_principal = True
            wide_unknowns += [u for u in bad_p if u not in wide_unknowns]
            if good_p is not None:
                known["Principal"] = good_p
            else:
                known_possible = False
    if "NotPrincipal" in st:
        good_p, bad_p = _split_principal(st["NotPrincipal"])
        if bad_p:
            known_possible = False
            wide_unknowns += [u for u in bad_p if u not in wide_unknowns]
            if good_p is not None:
                wide["NotPrincipal"] = good_p
            else:
                del wide["NotPrincipal"]
                wide["Principal"] = "*"
                widened_principal = True
    out: list[dict[str, Any]] = []
    flags: list[bool] = []
    if known_possible and wide_unknowns != list(cond_unknowns):
        out.append(known)
        flags.append(False)
    for eff in effects:
        w = dict(wide)
        w["Effect"] = eff
        w["Condition"] = _merge_condition(w.get("Condition"), wide_unknowns or all_unknowns)
        out.append(w)
        flags.append(widened_principal)
    return out, flags, all_unknowns


def concretize_policy(name: str, resolved: Any, loc: Loc) -> PolicyFact:
    """A PolicyFact from a resolved document (a dict, or JSON text as some templates give it)."""
    if isinstance(resolved, str):
        try:
            resolved = json.loads(resolved)
        except ValueError:
            pass  # the evaluator reports it as unparseable
    if not isinstance(resolved, dict):
        whole = [resolved] if isinstance(resolved, Unknown) else unknowns_in(resolved)
        if whole:
            stmts, _flags, _u = concretize_statement(resolved)
            blind: dict[str, Any] = {"Version": "2012-10-17", "Statement": stmts}
            return PolicyFact(name, blind, loc, tuple(loc.line for _ in stmts), frozenset(), tuple(whole))
        return PolicyFact(name, {"Statement": resolved}, loc)
    doc: dict[str, Any] = {k: v for k, v in resolved.items() if k != "Statement"}
    version = doc.get("Version")
    if isinstance(version, Unknown):
        doc["Version"] = "2012-10-17"
    raw = resolved.get("Statement")
    items = raw if isinstance(raw, list) else [raw] if raw is not None else []
    statements: list[Any] = []
    lines: list[int | None] = []
    widened: set[int] = set()
    unknowns: list[Unknown] = []
    if isinstance(raw, Unknown):
        items = [raw]
    for st in items:
        out, flags, u = concretize_statement(st)
        unknowns += [x for x in u if x not in unknowns]
        for s, flag in zip(out, flags, strict=True):
            if flag:
                widened.add(len(statements))
            statements.append(s)
            lines.append(line_of(st, line_of(raw, loc.line or 0)) or None)
    if "Statement" in resolved:
        doc["Statement"] = statements
    return PolicyFact(name, doc, loc, tuple(lines), frozenset(widened), tuple(unknowns))
