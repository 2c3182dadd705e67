"""Audit input and output models: what the offline and live audits feed in, and the report they get.

Inputs hold raw policy documents (decoded JSON or text); the engine parses them, so a live audit can
hand over whatever AWS returned and a document that does not parse becomes a finding, not a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kvsctl.checks.model import Location, Result, Role, Severity, Subject
from kvsctl.checks.verdict import Verdict
from kvsctl.workloads.paths import DEFAULT_READS

__all__ = ["AuditInput", "AuditReport", "Grant", "PolicyDoc", "PrincipalPolicies", "Result", "Role", "Severity"]


@dataclass(frozen=True)
class PolicyDoc:
    """One raw policy document: ``document`` is a decoded JSON object or JSON text."""

    name: str  # "key policy", "role/Producer inline:put", a file path...
    document: object


@dataclass(frozen=True)
class PrincipalPolicies:
    """What is known of one principal's IAM side."""

    arn: str
    identity: tuple[PolicyDoc, ...]  # inline + attached managed + group policies
    boundary: PolicyDoc | None = None


def _str_map(v: object) -> Mapping[str, str] | None:
    if not isinstance(v, Mapping):
        return None
    return {str(k): str(x) for k, x in v.items()}


_EC_CONSTRAINTS = ("EncryptionContextEquals", "EncryptionContextSubset")


@dataclass(frozen=True)
class Grant:
    """A KMS grant, as ListGrants returns it."""

    grant_id: str
    grantee_principal: str
    operations: tuple[str, ...]
    encryption_context_equals: Mapping[str, str] | None = None
    encryption_context_subset: Mapping[str, str] | None = None
    name: str | None = None
    retiring_principal: str | None = None
    # constraint kinds this tool does not evaluate (e.g. a newer SourceArn constraint): never ignored
    other_constraints: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> Grant:
        """Build from one item of ListGrants' ``Grants`` list. Raises ValueError on a wrong shape."""
        if not isinstance(d, Mapping):
            raise ValueError("a grant must be an object")
        gid, grantee, ops = d.get("GrantId"), d.get("GranteePrincipal"), d.get("Operations")
        if not isinstance(gid, str) or not gid:
            raise ValueError("a grant needs a GrantId string")
        if not isinstance(grantee, str) or not grantee:
            raise ValueError(f"grant {gid}: needs a GranteePrincipal string")
        if not isinstance(ops, list) or not all(isinstance(o, str) for o in ops):
            raise ValueError(f"grant {gid}: Operations must be a list of strings")
        constraints = d.get("Constraints") or {}
        if not isinstance(constraints, Mapping):
            raise ValueError(f"grant {gid}: Constraints must be an object")
        name = d.get("Name")
        retiring = d.get("RetiringPrincipal")
        return cls(
            grant_id=gid,
            grantee_principal=grantee,
            operations=tuple(ops),
            encryption_context_equals=_str_map(constraints.get("EncryptionContextEquals")),
            encryption_context_subset=_str_map(constraints.get("EncryptionContextSubset")),
            name=name if isinstance(name, str) and name else None,
            retiring_principal=retiring if isinstance(retiring, str) else None,
            other_constraints=tuple(
                sorted(str(k) for k, v in constraints.items() if k not in _EC_CONSTRAINTS and v not in (None, {}))
            ),
        )


@dataclass(frozen=True)
class AuditInput:
    key_arn: str
    key_policy: PolicyDoc | None  # None = could not be read -> finding + conditional
    grants: tuple[Grant, ...] | None  # None = could not be read
    stream_arn: str | None
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    principals: Mapping[str, PrincipalPolicies]  # principal ARN -> known IAM; missing = unknown IAM
    scps: tuple[PolicyDoc, ...] = ()  # SCPs whose level is not known
    context: Mapping[str, str] = field(default_factory=dict)  # overrides; "" marks a key absent
    reads: tuple[str, ...] = DEFAULT_READS  # consumer read paths (kvsctl/workloads/paths.py)
    # consumer ARN -> its own read paths, instead of ``reads`` (a template's inferred consumers are checked
    # on the paths their policies grant)
    consumer_reads: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    producer_creates: bool = False  # producers also checked for CreateStream + TagStream
    scp_levels: tuple[tuple[PolicyDoc, ...], ...] = ()  # SCPs attached at each level, root first
    rcps: tuple[PolicyDoc, ...] | None = ()  # the key account's RCPs; None = could not be read
    rcps_unread_why: str = ""
    key_aws_managed: bool = False  # RCPs do not apply to AWS managed keys


def result_json(r: Result) -> dict[str, object]:
    """The JSON of one access check (README, "kvsctl audit": results; its JSON Schema in kvsctl/schemas)."""
    return {
        "rule": r.rule,
        "principal": r.subject.principal,
        "role": r.subject.role,
        "path": r.subject.path,
        "action": r.action,
        "resource": r.resource,
        "decision": r.decision.value if r.decision else None,
        "basis": r.basis,
        "reasons": list(r.reasons),
        "statements": list(r.statements),
        "unknown_keys": list(r.unknown_keys),
        "fix": r.patch.to_json() if r.patch is not None else None,
    }


def subject_json(s: Subject) -> dict[str, object]:
    return {
        "stream": s.stream,
        "stream_arn": s.stream_arn,
        "key": s.key,
        "principal": s.principal,
        "role": s.role,
        "account": s.account,
        "region": s.region,
        "path": s.path,
    }


def location_json(loc: Location | None) -> dict[str, object] | None:
    if loc is None:
        return None
    return {"file": loc.file, "line": loc.line, "label": str(loc)}


def finding_json(f: Result) -> dict[str, object]:
    """The JSON of one finding: {rule, severity, title, message, fix, subject, location} (the finding schema
    in kvsctl/schemas); ``code``, ``remediation``, ``principal`` and ``resource`` are the deprecated names of
    the first wave."""
    out: dict[str, object] = {
        "rule": f.rule,
        "severity": f.severity.value,
        "status": f.status.value,
        "title": f.title,
        "message": f.message,
        "fix": f.remediation,
        "subject": subject_json(f.subject),
        "location": location_json(f.location),
        "code": f.rule,
        "remediation": f.remediation,
    }
    where = {"principal": f.subject.principal, "resource": f.resource or f.subject.key or f.subject.stream_arn}
    out.update({k: v for k, v in where.items() if v is not None})
    return out


@dataclass(frozen=True)
class AuditReport:
    """One evaluation: the access checks (results with a decision) and the findings (rules that fired)."""

    results: tuple[Result, ...]
    findings: tuple[Result, ...]

    def all(self) -> tuple[Result, ...]:
        return (*self.results, *self.findings)

    def ok(self, strict: bool = False, fail_on: str = "error") -> bool:
        """No check denied and no error finding; with ``strict`` no check is conditional either."""
        return Verdict.of(fail_on, strict).ok(self.all())

    def to_json(self, strict: bool = False, fail_on: str = "error") -> dict[str, object]:
        return {
            "ok": self.ok(strict, fail_on),
            "results": [result_json(r) for r in self.results],
            "findings": [finding_json(f) for f in self.findings],
        }
