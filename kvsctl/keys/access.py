"""Who can use a key through KVS: the principals its key policy and grants name, each judged by the
project's evaluator for kms:GenerateDataKey (write video) and kms:Decrypt (read video). Pure, and it
renders nothing: the table is render/keys.py's."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kvsctl.audit.model import AuditInput, Grant, PolicyDoc, PrincipalPolicies

WRITE = "kms:GenerateDataKey"
READ = "kms:Decrypt"
_ACCOUNT = re.compile(r"[0-9]{12}", re.ASCII)
_ROOT = re.compile(r"arn:[a-z-]+:iam::([0-9]{12}):root", re.ASCII)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def named_principals(policy: Any, grants: Iterable[Grant] = ()) -> tuple[list[str], list[str], bool]:
    """(principal ARNs, accounts delegated to IAM, public) named by the Allow statements and grants."""
    principals: list[str] = []
    accounts: list[str] = []
    public = False
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    for st in _as_list(statements):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal")
        entries = (
            [principal] if principal == "*" else _as_list(principal.get("AWS")) if isinstance(principal, dict) else []
        )
        if isinstance(principal, dict):
            # service principals use the key on the key policy's word alone (they have no IAM policies)
            principals += [str(v) for v in _as_list(principal.get("Service")) if str(v).endswith(".amazonaws.com")]
        for entry in entries:
            text = str(entry)
            root = _ROOT.fullmatch(text)
            if text == "*":
                public = True
            elif _ACCOUNT.fullmatch(text) or root:
                accounts.append(root.group(1) if root else text)
            elif text.startswith("arn:"):
                principals.append(text)
    principals += [g.grantee_principal for g in grants if g.grantee_principal.startswith("arn:")]
    return list(dict.fromkeys(principals)), list(dict.fromkeys(accounts)), public


@dataclass(frozen=True)
class AccessRow:
    principal: str
    write: str  # decision for kms:GenerateDataKey through KVS
    read: str  # decision for kms:Decrypt through KVS
    write_reasons: tuple[str, ...]
    read_reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "principal": self.principal,
            WRITE: self.write,
            READ: self.read,
            "reasons": {WRITE: list(self.write_reasons), READ: list(self.read_reasons)},
        }


@dataclass(frozen=True)
class KeyAccess:
    rows: tuple[AccessRow, ...]
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"principals": [r.to_json() for r in self.rows], "notes": list(self.notes)}


def summarize(
    key_arn: str,
    policy: Any,
    grants: tuple[Grant, ...] | None,
    principals: Mapping[str, PrincipalPolicies],
    unread: Mapping[str, str] | None = None,
) -> KeyAccess:
    """Evaluate each named principal as a KVS producer (GenerateDataKey) and consumer (Decrypt)."""
    from kvsctl.audit.engine import run_audit

    named, accounts, public = named_principals(policy, grants or ())
    notes: list[str] = []
    if public:
        notes.append('the key policy allows Principal "*": check its conditions (kvsctl audit) before trusting it')
    for account in accounts:
        notes.append(
            f"the key policy delegates to IAM in account {account}: any principal there whose IAM policies allow "
            "it can use the key, not only those listed"
        )
    for arn, why in (unread or {}).items():
        notes.append(f"{why}; decisions for {arn} that need IAM are conditional")
    if grants is None:
        notes.append("the key's grants could not be read")
    if not named:
        return KeyAccess((), tuple(notes))
    report = run_audit(
        AuditInput(
            key_arn=key_arn,
            key_policy=PolicyDoc("key policy", policy),
            grants=grants,
            stream_arn=None,
            producers=tuple(named),
            consumers=tuple(named),
            principals=principals,
        )
    )
    by = {(r.principal, r.action): r for r in report.results}
    rows = []
    for arn in named:
        w, r = by.get((arn, WRITE)), by.get((arn, READ))
        rows.append(
            AccessRow(
                arn,
                w.decision.value if w and w.decision else "unknown",
                r.decision.value if r and r.decision else "unknown",
                w.reasons if w else (),
                r.reasons if r else (),
            )
        )
    return KeyAccess(tuple(rows), tuple(notes))
