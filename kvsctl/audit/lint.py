"""Static checks on policy documents: what is wrong with a policy regardless of any one request."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from kvsctl.audit.actions import ACTIONS_BY_PREFIX, CANONICAL_ACTION, KNOWN_PREFIXES, PREFIX_FIXES
from kvsctl.audit.context import kvs_via_service
from kvsctl.checks.model import Location, Result
from kvsctl.checks.rules import (
    DELETED_PRINCIPAL,
    EMPTY_CONDITION_VALUES,
    KEY_POLICY_PUBLIC,
    MALFORMED_PRINCIPAL,
    MALFORMED_RESOURCE,
    NEVER_MATCHES,
    PREFIX_NOT_KNOWN,
    RESOURCE_TYPE_WILDCARD,
    SERVICE_PRINCIPAL_KVS,
    SHORT_RESOURCE_ARN,
    UNKNOWN_ACTION,
    UNKNOWN_ARN_SERVICE,
    UNKNOWN_PREFIX,
    VARIABLES_WITHOUT_VERSION,
    VIA_SERVICE_MISMATCH,
)
from kvsctl.policy.conditions import ConditionClause, is_negated
from kvsctl.policy.document import Policy, PolicyKind, Statement
from kvsctl.policy.match import glob_match, match_resource, parse_arn, resource_pattern_problem
from kvsctl.policy.principals import UNIQUE_ID, is_valid_principal_entry
from kvsctl.policy.variables import has_variables

# keys whose positive, exact-ish test pins who may call (KMS DG: "Principal * ... with conditions")
_ACCOUNT_KEYS = {"kms:calleraccount", "aws:principalaccount", "aws:sourceaccount", "aws:sourceowner"}
_ARN_KEYS = {"aws:principalarn", "aws:sourcearn"}
_OTHER_PIN_KEYS = {"aws:principalorgid", "aws:principalorgpaths", "aws:userid", "aws:username"}
_PIN_OPS = {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"}


def location(policy: Policy, st: Statement) -> Location:
    sid = f' "{st.sid}"' if st.sid else ""
    line = f" (line {st.line})" if st.line is not None else ""
    return Location(document=policy.name, line=st.line, label=f"{policy.name} #{st.index}{sid}{line}")


def _wild(s: str) -> bool:
    return "*" in s or "?" in s


def _pins(c: ConditionClause) -> bool:
    key = c.key.lower()
    if c.base not in _PIN_OPS or c.if_exists or c.set_operator == "ForAllValues":
        return False
    if key in _ACCOUNT_KEYS:
        return all(not _wild(v) for v in c.values)
    if key in _ARN_KEYS:
        arns = [parse_arn(v) for v in c.values]
        return all(a is not None and a.account and not _wild(a.account) for a in arns)
    if key in _OTHER_PIN_KEYS:
        return all(v.strip("*?") != "" for v in c.values)
    return False


def is_public(st: Statement) -> bool:
    """An Allow that names everyone and no condition pins the caller."""
    if st.effect != "Allow" or st.principal is None:
        return False
    everyone = st.not_principal or st.principal.wildcard or "*" in st.principal.aws
    return everyone and not any(_pins(c) for c in st.conditions)


def _action_findings(policy: Policy, st: Statement) -> tuple[list[Result], bool]:
    """Findings for Action/NotAction entries; second value: every entry is known not to exist."""
    out: list[Result] = []
    dead = 0
    loc = location(policy, st)
    for a in st.actions:
        if a == "*":
            continue
        prefix, sep, name = a.partition(":")
        p = prefix.lower()
        if not sep or not name:
            out.append(UNKNOWN_ACTION(f'"{a}" is not of the form service:Action', location=loc))
            dead += 1
            continue
        if _wild(p):
            continue
        if p in PREFIX_FIXES or p not in KNOWN_PREFIXES:
            fix = PREFIX_FIXES.get(p) or next(iter(difflib.get_close_matches(p, KNOWN_PREFIXES, n=1, cutoff=0.8)), None)
            if fix:
                out.append(
                    UNKNOWN_PREFIX(f'unknown service prefix "{prefix}:" in "{a}"; did you mean "{fix}:"?', location=loc)
                )
                dead += 1
            else:
                out.append(
                    PREFIX_NOT_KNOWN(f'service prefix "{prefix}:" in "{a}" is not one kvsctl knows', location=loc)
                )
            continue
        known = ACTIONS_BY_PREFIX.get(p)
        if known is not None and not any(glob_match(name.lower(), k) for k in known):
            guess = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.7)
            hint = f'; did you mean "{CANONICAL_ACTION[f"{p}:{guess[0]}"]}"?' if guess else ""
            out.append(UNKNOWN_ACTION(f'"{a}" matches no {p} action{hint}', location=loc))
            dead += 1
    return out, bool(st.actions) and dead == len(st.actions) and not st.not_action


def _resource_findings(policy: Policy, st: Statement, key_arn: str | None) -> tuple[list[Result], bool]:
    out: list[Result] = []
    loc = location(policy, st)
    if st.resources is None:
        return out, False
    for r in st.resources:
        if r == "*" or has_variables(r):
            continue
        problem = resource_pattern_problem(r)
        if problem == "short" and r.startswith("arn:"):
            out.append(SHORT_RESOURCE_ARN(f'"{r}" has fewer than six parts', location=loc, resource=r))
            continue
        if problem == "type":
            out.append(RESOURCE_TYPE_WILDCARD(f'"{r}" has a wildcard in its resource type', location=loc, resource=r))
            continue
        a = parse_arn(r)
        if a is None:
            out.append(MALFORMED_RESOURCE(f'"{r}" is not an ARN', location=loc, resource=r))
            continue
        svc = a.service.lower()
        if svc in PREFIX_FIXES:
            out.append(
                UNKNOWN_ARN_SERVICE(
                    f'"{r}" uses service "{a.service}"; ARNs use "{PREFIX_FIXES[svc]}"', location=loc, resource=r
                )
            )
        elif (
            svc == "kinesisvideo"
            and a.resource_type not in ("stream", "channel")
            and not _wild(a.resource.split("/")[0])
        ):
            out.append(
                MALFORMED_RESOURCE(
                    f'"{r}" is not a stream ARN (arn:aws:kinesisvideo:REGION:ACCOUNT:stream/NAME/CREATION_MS)',
                    location=loc,
                    resource=r,
                )
            )
    never = False
    if policy.kind is PolicyKind.RESOURCE and key_arn:
        hits = any(
            match_resource(r, key_arn)
            for r in st.resources
            if not has_variables(r) and resource_pattern_problem(r) is None
        )
        vars_ = any(has_variables(r) or resource_pattern_problem(r) == "short" for r in st.resources)
        never = not vars_ and (hits == st.not_resource)
        if never:
            out.append(
                NEVER_MATCHES(
                    'the key policy statement\'s resource does not cover this key (in a key policy, use "*")',
                    location=loc,
                    resource=key_arn,
                )
            )
    return out, never


def _principal_findings(policy: Policy, st: Statement) -> list[Result]:
    out: list[Result] = []
    if st.principal is None:
        return out
    loc = location(policy, st)
    for kind, value in st.principal.entries():
        if kind == "AWS" and UNIQUE_ID.match(value):
            out.append(
                DELETED_PRINCIPAL(f'principal "{value}" is a unique id, not an ARN', location=loc, principal=value)
            )
        elif not is_valid_principal_entry(kind, value):
            out.append(MALFORMED_PRINCIPAL(f'{kind} principal "{value}" is not valid', location=loc, principal=value))
        elif kind == "Service" and value.lower().startswith("kinesisvideo.") and st.effect == "Allow":
            out.append(
                SERVICE_PRINCIPAL_KVS(
                    f'"{value}" does not let producers or consumers use the key', location=loc, principal=value
                )
            )
    if is_public(st):
        out.append(
            KEY_POLICY_PUBLIC(
                f"{'NotPrincipal' if st.not_principal else 'Principal *'} allows "
                f"{', '.join(st.actions)} to everyone, with no condition pinning the caller",
                location=loc,
            )
        )
    return out


def _condition_findings(policy: Policy, st: Statement, key_arn: str | None) -> tuple[list[Result], bool]:
    out: list[Result] = []
    loc = location(policy, st)
    never = False
    null_true = {
        c.key.lower() for c in st.conditions if c.base == "Null" and all(v.lower() == "true" for v in c.values)
    }
    for c in st.conditions:
        k = c.key.lower()
        if not c.values:
            out.append(EMPTY_CONDITION_VALUES(f"{c.operator} {c.key} has an empty list of values", location=loc))
        if k in null_true and c.base != "Null" and not c.if_exists and not is_negated(c.base) and not c.set_operator:
            out.append(NEVER_MATCHES(f"{c.key} must be absent (Null) and also match {c.operator}", location=loc))
            never = True
        if k == "kms:viaservice" and key_arn and c.base in ("StringEquals", "StringLike", "StringEqualsIgnoreCase"):
            want = kvs_via_service(key_arn)
            vals = [v for v in c.values if "kinesis" in v.lower()]
            if want and vals and not any(glob_match(v.lower(), want) for v in vals):
                out.append(
                    VIA_SERVICE_MISMATCH(
                        f"kms:ViaService {', '.join(vals)} does not match {want}", location=loc, resource=key_arn
                    )
                )
    return out, never


def lint_policy(policy: Policy, *, key_arn: str | None = None) -> list[Result]:
    """Every finding for one parsed policy. ``key_arn`` enables key-specific checks."""
    out: list[Result] = []
    uses_vars = False
    for st in policy.statements:
        af, dead = _action_findings(policy, st)
        rf, never_r = _resource_findings(policy, st, key_arn)
        cf, never_c = _condition_findings(policy, st, key_arn)
        out += af + rf + cf
        if policy.kind is PolicyKind.RESOURCE:
            out += _principal_findings(policy, st)
        if dead and not (never_r or never_c):
            out.append(NEVER_MATCHES("none of the statement's actions exist", location=location(policy, st)))
        if not policy.variables_enabled and _statement_has_vars(st):
            uses_vars = True
    if uses_vars:
        out.append(
            VARIABLES_WITHOUT_VERSION(f"{policy.name} uses ${{...}} but its Version is {policy.version or 'missing'}")
        )
    return out


def _statement_has_vars(st: Statement) -> bool:
    vals: Iterable[str] = [*(st.resources or ()), *(v for c in st.conditions for v in c.values)]
    return any(has_variables(v) for v in vals)
