"""Fragment acknowledgement (PutMedia) and GetMedia error codes 4500-4506 -> which layer denies (pure).

KVS reports the KMS failures it meets on the caller's behalf as these codes (PutMedia / GetMedia API
reference): 4500 access denied for the stream's KMS key, 4501 key disabled, 4502 validation error on
the key, 4503 key unavailable, 4504 invalid usage of the key, 4505 key in an invalid state, 4506 key not
found. The diagnosis reads the audit of that principal on that stream and names the layer: key policy,
IAM identity policy, permissions boundary, SCP, grant, or the key's own state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kvsctl.audit.live import StreamAudit
from kvsctl.checks.model import Change, Result
from kvsctl.errors import UsageError

ACK_CODES: dict[int, str] = {
    4500: "access denied for the stream's KMS key",
    4501: "the stream's KMS key is disabled",
    4502: "validation error on the stream's KMS key",
    4503: "the stream's KMS key is unavailable",
    4504: "invalid usage of the stream's KMS key",
    4505: "the stream's KMS key is in an invalid state",
    4506: "the stream's KMS key was not found",
}
#: the key findings (kvsctl/checks/rules.py) that explain each code
_KEY_FINDINGS: dict[int, tuple[str, ...]] = {
    4501: ("KVS203",),
    4502: ("KVS205", "KVS212"),
    4503: ("KVS241", "KVS203", "KVS202"),
    4504: ("KVS205", "KVS212"),
    4505: ("KVS204", "KVS243", "KVS241", "KVS203"),
    4506: ("KVS202", "KVS212"),
}
_LAYER = {
    "identity": "IAM identity policy",
    "key_policy": "key policy",
    "boundary": "permissions boundary",
    "scp": "SCP",
}
KMS_ACTION = {"producer": "kms:GenerateDataKey", "consumer": "kms:Decrypt"}


def check_ack_code(code: int) -> int:
    if code not in ACK_CODES:
        raise UsageError(
            f"--ack-code {code}: not a KMS acknowledgement code",
            hint="KVS reports KMS failures as 4500-4506 (fragment acks of PutMedia, error ids of GetMedia).",
        )
    return code


@dataclass(frozen=True)
class Diagnosis:
    ack_code: int
    meaning: str
    stream: str
    principal: str
    role: str | None
    layers: tuple[str, ...]  # what denies: "key policy", "IAM identity policy", "key state", ...
    explanation: tuple[str, ...]
    fix: Change | None = None
    explained: bool = True  # False: the audit finds nothing that produces this code now

    def to_json(self) -> dict[str, Any]:
        return {
            "ack_code": self.ack_code,
            "meaning": self.meaning,
            "stream": self.stream,
            "principal": self.principal,
            "role": self.role,
            "layers": list(self.layers),
            "explained": self.explained,
            "explanation": list(self.explanation),
            "fix": self.fix.to_json() if self.fix is not None else None,
        }


def _deny_layers(r: Result) -> list[str]:
    if r.decision == "explicit_deny":
        out = []
        for ref in r.refs:
            name = ref.policy.lower()
            if name == "key policy":
                out.append("key policy (explicit Deny)")
            elif "boundary" in name:
                out.append("permissions boundary (explicit Deny)")
            elif "scp" in name:
                out.append("SCP (explicit Deny)")
            else:
                out.append("IAM identity policy (explicit Deny)")
        return list(dict.fromkeys(out)) or ["an explicit Deny"]
    if r.patch is not None and r.patch.changes:
        return list(dict.fromkeys(_LAYER[c.target] for c in r.patch.changes))
    return ["no policy allows it"]


def diagnose(code: int, audit: StreamAudit, principal: str) -> Diagnosis:
    """Name the layer that produces ``code`` for ``principal`` on the audited stream."""
    meaning = ACK_CODES[check_ack_code(code)]
    mine = [r for r in audit.report.results if r.principal == principal]
    role = mine[0].role if mine else None

    def make(
        layers: tuple[str, ...], explanation: tuple[str, ...], fix: Change | None = None, explained: bool = True
    ) -> Diagnosis:
        return Diagnosis(code, meaning, audit.name, principal, role, layers, explanation, fix, explained)

    key_findings = [f for f in audit.report.findings if f.code in _KEY_FINDINGS.get(code, ())]
    if code != 4500:
        if key_findings:
            return make(layers=("key state",), explanation=tuple(f.message for f in key_findings))
        state = [f.message for f in audit.report.findings if f.code in ("KVS202", "KVS203", "KVS204", "KVS205")]
        return make(
            layers=(),
            explanation=(
                f"the key of stream {audit.name} ({audit.key_arn or 'unknown'}) shows nothing that gives {code} now",
                *state,
                "the key may have changed since (enabled again, key material imported); or a KMS outage",
            ),
            explained=False,
        )
    if role is None:
        return make(
            layers=(),
            explanation=(f"{principal} was not audited: give it as --producer or --consumer",),
            explained=False,
        )
    action = KMS_ACTION[role]
    kms = next((r for r in mine if r.action == action), None)
    if kms is None:
        return make(layers=(), explanation=(f"no {action} check for {principal}",), explained=False)
    if kms.failing:
        return make(
            layers=tuple(_deny_layers(kms)),
            explanation=(f"{action} on {kms.resource} is {kms.decision.value if kms.decision else None}", *kms.reasons),
            fix=kms.patch,
        )
    if kms.decision == "conditional":
        return make(
            layers=("request context or unseen policies",),
            explanation=(
                f"{action} is conditional: it depends on what the audit could not see",
                *kms.reasons,
                "give the missing values with --context KEY=VALUE, or the missing policies",
            ),
            explained=False,
        )
    grants = any("grant" in x.lower() for x in kms.reasons)
    return make(
        layers=(),
        explanation=(
            f"the audit allows {action} for {principal} now ({'; '.join(kms.statements) or 'grants'})",
            "so the denial came from something kvsctl does not see or that changed since: a resource control "
            "policy, a VPC endpoint policy, a condition on request context (source IP, tags, MFA), "
            + ("a grant's encryption-context constraint, " if grants else "")
            + "or a policy edited after the fragment was sent",
        ),
        explained=False,
    )
