"""View of a recommended IAM identity policy: the document alone in JSON, a summary and it in tables."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kvsctl.workloads.identity import IdentityPolicy


@dataclass(frozen=True)
class IdentityPolicyView:
    policy: IdentityPolicy

    def to_json(self) -> dict[str, Any]:
        # The document alone, ready for `aws iam put-role-policy --policy-document file://...` (README).
        return self.policy.document

    def render_table(self) -> list[Any]:
        from rich.table import Table
        from rich.text import Text

        table = Table(
            title="IAM identity policy for KVS (paths: " + ", ".join(self.policy.paths) + ")", title_justify="left"
        )
        for col in ("Sid", "actions", "resources", "only when"):
            table.add_column(col, overflow="fold")
        for st in self.policy.document["Statement"]:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            cond = st.get("Condition") or {}
            only = "; ".join(f"{k} {op} {v}" for op, kv in cond.items() for k, v in kv.items()) or "-"
            table.add_row(st["Sid"], "\n".join(actions), "\n".join(resources), only)
        return [
            table,
            *[f"note: {n}" for n in self.policy.notes],
            "Policy document (-o json prints it alone):",
            Text(json.dumps(self.policy.document, indent=2), no_wrap=True, overflow="ignore"),
        ]
