"""Audit input and output models: what the offline and live audits feed in, and the report they get.

Inputs hold raw policy documents (decoded JSON or text); the engine parses them, so a live audit can
hand over whatever AWS returned and a document that does not parse becomes a finding, not a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from kvsctl.policy.evaluate import DecisionKind, StatementRef
from kvsctl.workloads.paths import DEFAULT_READS

if TYPE_CHECKING:
    from kvsctl.workloads.fixes import Fix

Role = Literal["producer", "consumer"]


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


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
    producer_creates: bool = False  # producers also checked for CreateStream + TagStream
    scp_levels: tuple[tuple[PolicyDoc, ...], ...] = ()  # SCPs attached at each level, root first
    rcps: tuple[PolicyDoc, ...] | None = ()  # the key account's RCPs; None = could not be read
    rcps_unread_why: str = ""
    key_aws_managed: bool = False  # RCPs do not apply to AWS managed keys


@dataclass(frozen=True)
class CheckResult:
    principal: str
    role: Role
    action: str
    resource: str
    decision: str  # a DecisionKind value
    reasons: tuple[str, ...]
    statements: tuple[str, ...] = ()  # labels of the deciding statements
    unknown_keys: tuple[str, ...] = ()
    trace: tuple[str, ...] = field(default=(), compare=False)
    path: str = ""  # "producer", "getmedia", "hls", ... (kvsctl/workloads/paths.py)
    basis: str = "documented"  # "inferred" where AWS documents nothing (KMS on read paths but getmedia)
    fix: Fix | None = field(default=None, compare=False)
    refs: tuple[StatementRef, ...] = field(
        default=(), compare=False
    )  # the deciding statements themselves  # the smallest change that makes a failing check pass

    @property
    def failing(self) -> bool:
        return self.decision in _DENIES

    def to_json(self) -> dict[str, object]:
        return {
            "principal": self.principal,
            "role": self.role,
            "path": self.path,
            "action": self.action,
            "resource": self.resource,
            "decision": self.decision,
            "basis": self.basis,
            "reasons": list(self.reasons),
            "statements": list(self.statements),
            "unknown_keys": list(self.unknown_keys),
            "fix": self.fix.to_json() if self.fix is not None else None,
        }


@dataclass(frozen=True)
class Finding:
    code: str  # stable, e.g. "KVS101"
    severity: Severity
    message: str
    remediation: str
    title: str = ""
    principal: str | None = None
    resource: str | None = None
    location: str | None = None  # "key policy #2 \"Sid\"", "policies/x.json:12"

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "code": self.code,
            "severity": self.severity.value,
            "title": self.title,
            "message": self.message,
            "remediation": self.remediation,
        }
        for k in ("principal", "resource", "location"):
            v = getattr(self, k)
            if v is not None:
                out[k] = v
        return out


_DENIES = {DecisionKind.IMPLICIT_DENY.value, DecisionKind.EXPLICIT_DENY.value}
STRICT_REQUIRES = {"KVS134"}  # info findings that --strict turns into a failure


@dataclass(frozen=True)
class AuditReport:
    results: tuple[CheckResult, ...]
    findings: tuple[Finding, ...]

    def ok(self, strict: bool = False) -> bool:
        """No check denied and no error finding; with ``strict`` no check is conditional either."""
        if any(r.decision in _DENIES for r in self.results):
            return False
        if strict and any(r.decision == DecisionKind.CONDITIONAL.value for r in self.results):
            return False
        if strict and any(f.code in STRICT_REQUIRES for f in self.findings):
            return False  # something that could deny was not checked (resource control policies)
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def to_json(self, strict: bool = False) -> dict[str, object]:
        return {
            "ok": self.ok(strict),
            "results": [r.to_json() for r in self.results],
            "findings": [f.to_json() for f in self.findings],
        }
