"""The fix for a failing check: the smallest policy change that makes it pass, proven by re-running it.

For an implicit deny the fix adds one Allow statement where it belongs:

- ``kinesisvideo:`` actions: the principal's identity policy (KVS has no resource policy), plus its
  permissions boundary and the SCPs when those do not allow the action either;
- ``kms:`` actions: the identity policy when the key policy delegates to IAM; the key policy when it
  does not allow the principal (both for a principal of another account); boundary and SCPs as above.

For an explicit deny the fix takes the action out of the Deny statement's ``Action`` list (or removes
the statement when it denies only that action). A Deny that matches by wildcard cannot be narrowed to
this one request without changing what else it denies: that fix names the statement and changes nothing.

Candidates are tried in order, smallest first; each is applied to the audit's inputs and the check is
evaluated again with the project's own evaluator. The first that makes it ``allow`` is the fix.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from kvsctl.policy.principals import PrincipalError, PrincipalKind, parse_principal

if TYPE_CHECKING:
    from kvsctl.audit.model import AuditInput, AuditReport, PolicyDoc, PrincipalPolicies
    from kvsctl.checks.model import Result

Target = Literal["identity", "key_policy", "boundary", "scp"]
Op = Literal["add", "replace", "remove"]
FIX_POLICY_NAME = "kvsctl fix"
VERSION = "2012-10-17"


@dataclass(frozen=True)
class Change:
    """One edit of one policy: add a statement, or replace / remove the statement at ``index``."""

    target: Target
    where: str  # one line: which policy, and whose
    statement: Mapping[str, Any] | None  # None for "remove"
    op: Op = "add"
    principal: str | None = None  # identity / boundary: whose policy
    policy: str | None = None  # the document's name (replace/remove, scp)
    index: int | None = None  # statement index (replace/remove)

    def to_json(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "target": self.target,
            "where": self.where,
            "principal": self.principal,
            "policy": self.policy,
            "index": self.index,
            "statement": dict(self.statement) if self.statement is not None else None,
        }


@dataclass(frozen=True)
class Fix:
    summary: str
    changes: tuple[Change, ...]
    verified: bool  # re-running the check with the changes applied gives allow

    @property
    def where(self) -> str:
        return "; ".join(c.where for c in self.changes) if self.changes else "no automatic change"

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "where": self.where,
            "verified": self.verified,
            "changes": [c.to_json() for c in self.changes],
        }


# -- applying ----------------------------------------------------------------------------------------


def _decoded(doc: object) -> dict[str, Any]:
    data = json.loads(doc) if isinstance(doc, str) else copy.deepcopy(doc)
    if not isinstance(data, dict):
        raise ValueError("policy document is not an object")
    return data


def _statements(data: dict[str, Any]) -> list[Any]:
    st = data.get("Statement")
    if isinstance(st, dict):
        st = [st]
    out = list(st) if isinstance(st, list) else []
    data["Statement"] = out
    return out


def _edit_doc(doc: object, change: Change) -> dict[str, Any]:
    data = _decoded(doc)
    sts = _statements(data)
    if change.op == "add":
        assert change.statement is not None
        sts.append(dict(change.statement))
    elif change.index is not None and 0 <= change.index < len(sts):
        if change.op == "remove":
            del sts[change.index]
        else:
            assert change.statement is not None
            sts[change.index] = dict(change.statement)
    else:
        raise ValueError(f"no statement #{change.index} in {change.policy}")
    return data


def _iam_key(inp: AuditInput, principal: str) -> str | None:
    """The key of ``inp.principals`` whose policies the engine uses for ``principal``."""
    from kvsctl.audit.engine import _lookup_iam

    try:
        who = parse_principal(principal)
    except PrincipalError:
        return None
    pp = _lookup_iam(who, principal, inp.principals)
    if pp is None:
        return None
    return next(k for k, v in inp.principals.items() if v is pp)


def apply_fix(inp: AuditInput, fix: Fix) -> AuditInput:
    """The audit inputs with the fix's changes made (pure: returns a new AuditInput)."""
    from kvsctl.audit.model import PolicyDoc, PrincipalPolicies

    out = inp
    for ch in fix.changes:
        if ch.target == "key_policy":
            if out.key_policy is None:
                raise ValueError("the key policy is unknown")
            out = dataclasses.replace(
                out, key_policy=PolicyDoc(out.key_policy.name, _edit_doc(out.key_policy.document, ch))
            )
        elif ch.target == "scp":
            scps = tuple(PolicyDoc(d.name, _edit_doc(d.document, ch)) if d.name == ch.policy else d for d in out.scps)
            out = dataclasses.replace(out, scps=scps)
        else:
            assert ch.principal is not None
            key = _iam_key(out, ch.principal)
            principals: dict[str, PrincipalPolicies] = dict(out.principals)
            pp = principals.get(key) if key else None
            if key is None or pp is None:
                key = ch.principal
                pp = PrincipalPolicies(ch.principal, ())
            if ch.target == "boundary":
                if pp.boundary is None:
                    raise ValueError(f"{ch.principal} has no permissions boundary")
                pp = dataclasses.replace(pp, boundary=PolicyDoc(pp.boundary.name, _edit_doc(pp.boundary.document, ch)))
            elif ch.op == "add":
                assert ch.statement is not None
                new = PolicyDoc(FIX_POLICY_NAME, {"Version": VERSION, "Statement": [dict(ch.statement)]})
                pp = dataclasses.replace(pp, identity=(*pp.identity, new))
            else:
                docs = tuple(
                    PolicyDoc(d.name, _edit_doc(d.document, ch)) if d.name == ch.policy else d for d in pp.identity
                )
                pp = dataclasses.replace(pp, identity=docs)
            principals[key] = pp
            out = dataclasses.replace(out, principals=principals)
    return out


# -- finding ------------------------------------------------------------------------------------------


def _arn_part(arn: str, i: int) -> str:
    parts = arn.split(":")
    return parts[i] if len(parts) > i else ""


def _sid(action: str, suffix: str = "") -> str:
    return "Allow" + "".join(ch for ch in action.split(":", 1)[-1] if ch.isalnum()) + suffix


def _principal_arn(principal: str) -> str:
    """What a policy's Principal element can name: a session is named by its role."""
    try:
        who = parse_principal(principal)
    except PrincipalError:
        return principal
    if who.kind is PrincipalKind.SESSION and who.role_arn:
        return who.role_arn
    if who.kind is PrincipalKind.SESSION:
        return f"arn:{_arn_part(principal, 1) or 'aws'}:iam::{who.account}:role/{who.name}"
    return who.arn


@dataclass(frozen=True)
class _Check:
    """An access check's fields, all present (a Result of an access check always has them)."""

    principal: str
    role: str
    action: str
    resource: str
    decision: str
    path: str
    refs: tuple[Any, ...]

    @classmethod
    def of(cls, r: Result) -> _Check:
        if r.decision is None or r.principal is None or r.action is None or r.resource is None:
            raise ValueError(f"not an access check: {r.rule}")
        return cls(r.principal, r.role or "", r.action, r.resource, r.decision.value, r.path or "", r.refs)


def _short(principal: str) -> str:
    return principal.split(":", 5)[-1]


def _has_boundary(inp: AuditInput, principal: str) -> bool:
    key = _iam_key(inp, principal)
    return key is not None and inp.principals[key].boundary is not None


def _allow_candidates(inp: AuditInput, r: _Check) -> list[list[Change]]:
    p = r.principal
    who = _short(p)
    if r.action.startswith("kms:"):
        region = _arn_part(inp.key_arn, 3)
        via = {"StringEquals": {"kms:ViaService": f"kinesisvideo.{region}.amazonaws.com"}}
        iam_stmt: dict[str, Any] = {
            "Sid": _sid(r.action, "ViaKvs"),
            "Effect": "Allow",
            "Action": r.action,
            "Resource": inp.key_arn,
            "Condition": via,
        }
        key_stmt: dict[str, Any] = {
            "Sid": _sid(r.action, "ViaKvs") + "For" + "".join(c for c in who.rsplit("/", 1)[-1] if c.isalnum()),
            "Effect": "Allow",
            "Principal": {"AWS": _principal_arn(p)},
            "Action": r.action,
            "Resource": "*",
            "Condition": via,
        }
        identity = Change("identity", f"identity policy of {who} (inline or attached)", iam_stmt, principal=p)
        key = Change("key_policy", f"key policy of {inp.key_arn}", key_stmt)
        bases: list[list[Change]] = [[], [identity], [key], [key, identity]]
        gate_stmt = iam_stmt
    else:
        stmt = {"Sid": _sid(r.action), "Effect": "Allow", "Action": r.action, "Resource": r.resource}
        bases = [[], [Change("identity", f"identity policy of {who} (inline or attached)", stmt, principal=p)]]
        gate_stmt = stmt
    gates: list[list[Change]] = [[]]
    if _has_boundary(inp, p):
        gates.append([Change("boundary", f"permissions boundary of {who}", gate_stmt, principal=p)])
    if inp.scps:
        scp_stmt = {
            **{k: v for k, v in gate_stmt.items() if k != "Condition"},
            "Sid": _sid(r.action, "ForPrincipal"),
            "Condition": {"ArnEquals": {"aws:PrincipalArn": _principal_arn(p)}},
        }
        scp_changes = [Change("scp", f"SCP {d.name}", scp_stmt, policy=d.name) for d in inp.scps]
        gates += [[*g, *scp_changes] for g in list(gates)]
    combos = [[*b, *g] for g in gates for b in bases if b or g]
    # fewest policies touched first; among equals, the order above (identity before key policy)
    return sorted(combos, key=len)


def _deny_candidates(inp: AuditInput, r: _Check) -> tuple[list[list[Change]], list[str]]:
    """Take the action out of each deciding Deny statement; what cannot be narrowed is reported."""
    changes: list[Change] = []
    manual: list[str] = []
    for ref in r.refs:
        if ref.effect != "Deny":
            continue
        doc, target = _find_doc(inp, r.principal, ref.policy)
        if doc is None or target is None:
            manual.append(f"{ref.label()}: the policy is not among the audit's inputs")
            continue
        sts = _statements(_decoded(doc.document))
        st = sts[ref.index] if 0 <= ref.index < len(sts) else None
        actions = st.get("Action") if isinstance(st, dict) else None
        listed = [actions] if isinstance(actions, str) else actions if isinstance(actions, list) else []
        keep = [a for a in listed if not (isinstance(a, str) and a.lower() == r.action.lower())]
        if (
            not isinstance(st, dict)
            or len(keep) == len(listed)
            or any("*" in str(a) or "?" in str(a) for a in keep if a)
        ):
            if isinstance(st, dict) and len(keep) < len(listed):
                pass  # the literal action goes; wildcards left in the list may still match it
            else:
                manual.append(f"{ref.label()} denies {r.action} by a wildcard or NotAction")
                continue
        principal = r.principal if target in ("identity", "boundary") else None
        if keep:
            new = {**st, "Action": keep if len(keep) > 1 else keep[0]}
            changes.append(
                Change(
                    target,
                    f"{ref.label()}: drop {r.action} from its Action",
                    new,
                    "replace",
                    principal,
                    ref.policy,
                    ref.index,
                )
            )
        else:
            changes.append(
                Change(target, f"{ref.label()}: remove the statement", None, "remove", principal, ref.policy, ref.index)
            )
    return ([changes] if changes else []), manual


def _find_doc(inp: AuditInput, principal: str, name: str) -> tuple[PolicyDoc | None, Target | None]:
    if inp.key_policy is not None and inp.key_policy.name == name:
        return inp.key_policy, "key_policy"
    for d in inp.scps:
        if d.name == name:
            return d, "scp"
    key = _iam_key(inp, principal)
    if key is not None:
        pp = inp.principals[key]
        for d in pp.identity:
            if d.name == name:
                return d, "identity"
        if pp.boundary is not None and pp.boundary.name == name:
            return pp.boundary, "boundary"
    return None, None


Rerun = Callable[["AuditInput"], "AuditReport"]


def _narrow(inp: AuditInput, r: _Check) -> AuditInput:
    """Only this principal in this role (and path): re-running it is cheap."""
    producers = (r.principal,) if r.role == "producer" else ()
    consumers = (r.principal,) if r.role == "consumer" else ()
    reads = (r.path,) if r.role == "consumer" and r.path else inp.reads
    return dataclasses.replace(inp, producers=producers, consumers=consumers, reads=reads, consumer_reads={})


def _decision(report: AuditReport, r: _Check) -> str | None:
    for x in report.results:
        if x.principal == r.principal and x.action == r.action and x.resource == r.resource and x.role == r.role:
            return x.decision.value if x.decision is not None else None
    return None


def _cross_account(r: _Check) -> str | None:
    if r.action.startswith("kms:"):
        return None
    from kvsctl.policy.context import RequestContext
    from kvsctl.policy.evaluate import Request
    from kvsctl.policy.kms import cross_account_without_resource_policy

    try:
        who = parse_principal(r.principal)
    except PrincipalError:
        return None
    return cross_account_without_resource_policy(Request(who, r.action, r.resource, RequestContext()))


def find_fix(inp: AuditInput, result: Result, rerun: Rerun) -> Fix:
    r = _Check.of(result)
    cross = _cross_account(r)
    if cross is not None:
        # no policy change can help: KVS has no resource policy (finding KVS130 says how to assume a role)
        return Fix(f"{r.action} for {_short(r.principal)} needs a manual change: {cross}", (), verified=False)
    narrow = _narrow(inp, r)
    manual: list[str] = []
    if r.decision == "explicit_deny":
        candidates, manual = _deny_candidates(narrow, r)
        verb = "narrow the Deny"
    else:
        candidates = _allow_candidates(narrow, r)
        verb = "allow"
    for changes in candidates:
        fix = Fix("", tuple(changes), verified=False)
        try:
            decision = _decision(rerun(apply_fix(narrow, fix)), r)
        except ValueError:
            continue
        if decision == "allow":
            summary = f"{verb} {r.action} for {_short(r.principal)}: " + "; then ".join(c.where for c in changes)
            if manual:
                summary += " (also: " + "; ".join(manual) + ")"
            return Fix(summary, tuple(changes), verified=True)
    why = "; ".join(manual) or "no single statement makes it pass (see the reasons)"
    return Fix(f"{r.action} for {_short(r.principal)} needs a manual change: {why}", (), verified=False)


def add_fixes(inp: AuditInput, report: AuditReport, rerun: Rerun | None = None) -> AuditReport:
    """The report with a ``fix`` on every failing (denied) check."""
    from kvsctl.audit.engine import run_audit
    from kvsctl.audit.model import AuditReport

    run = rerun or run_audit
    cache: dict[tuple[str, str, str, str, str], Fix] = {}
    results = []
    for r in report.results:
        if r.failing:
            c = _Check.of(r)
            k = (c.principal, c.role, c.action, c.resource, c.decision)
            if k not in cache:
                cache[k] = find_fix(inp, r, run)
            r = dataclasses.replace(r, patch=cache[k])
        results.append(r)
    return AuditReport(tuple(results), report.findings)


def fixes_by_policy(results: Sequence[Result]) -> dict[str, list[Mapping[str, Any]]]:
    """Statements to add, grouped by where they go (for a one-glance summary)."""
    out: dict[str, list[Mapping[str, Any]]] = {}
    for r in results:
        if r.patch is None:
            continue
        for c in r.patch.changes:
            if c.op == "add" and c.statement is not None and c.statement not in out.setdefault(c.where, []):
                out[c.where].append(c.statement)
    return out
