"""Views of key policies and keys for the table and JSON renderers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kvsctl.keys.policy import RecommendedPolicy
from kvsctl.render.streams import key_table

if TYPE_CHECKING:
    from kvsctl.keys.access import KeyAccess


def _statement_table(document: dict[str, Any], title: str) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for col in ("Sid", "principals", "actions", "only when"):
        table.add_column(col, overflow="fold")
    for st in document.get("Statement", []):
        principal = st.get("Principal", {})
        aws = principal.get("AWS", principal) if isinstance(principal, dict) else principal
        principals = "\n".join(aws if isinstance(aws, list) else [str(aws)])
        actions = st.get("Action", [])
        actions_text = "\n".join(actions if isinstance(actions, list) else [actions])
        cond = st.get("Condition") or {}
        only = "; ".join(f"{k} {op} {v}" for op, kv in cond.items() for k, v in kv.items()) or "-"
        table.add_row(str(st.get("Sid", "-")), principals, actions_text, only)
    return table


@dataclass(frozen=True)
class RecommendPolicyView:
    rec: RecommendedPolicy

    def to_json(self) -> dict[str, Any]:
        # The document alone, ready for `aws kms put-key-policy --policy file://...`
        # (README, "kvsctl key recommend-policy").
        return self.rec.document

    def render_table(self) -> list[Any]:
        from rich.text import Text

        r = self.rec
        return [
            _statement_table(
                r.document,
                f"Key policy for KVS in {r.region} (account {r.account}; paths: {', '.join(r.paths) or 'none'})",
            ),
            *[f"note: {n}" for n in r.notes],
            "Policy document (-o json prints it alone):",
            Text(json.dumps(r.document, indent=2), no_wrap=True, overflow="ignore"),
        ]


@dataclass(frozen=True)
class KeyCreateView:
    outcome: Any  # services.keyadmin.KeyCreateOutcome

    def created(self) -> list[str]:
        """What this run created (said on stderr when the output cannot be written)."""
        o = self.outcome
        if o.action != "created" or o.key is None:
            return []
        return [f"key {o.key.arn} with alias {o.request.alias}"]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.outcome.to_json()
        return data

    def render_table(self) -> list[Any]:
        o = self.outcome
        parts: list[Any] = []
        if o.action == "created":
            parts.append(f"[green]Created[/green] key {o.key.arn} with alias {o.request.alias}, rotation enabled")
            parts.append(key_table(o.key))
        else:
            parts.append(
                f"[cyan]Dry run:[/cyan] would create a SYMMETRIC_DEFAULT key with alias {o.request.alias}, "
                "rotation enabled; nothing was created"
            )
        parts.append(_statement_table(o.policy.document, "Key policy"))
        parts += [f"note: {n}" for n in o.policy.notes]
        return parts


def access_parts(access: KeyAccess) -> list[Any]:
    """Who can use the key through KVS, as a table and its notes."""
    from rich.table import Table

    table = Table(title="Who can use this key through KVS", title_justify="left")
    for col in ("principal", "write video (GenerateDataKey)", "read video (Decrypt)"):
        table.add_column(col, overflow="fold")
    for r in access.rows:
        table.add_row(r.principal, r.write, r.read)
    parts: list[Any] = [table] if access.rows else ["No principal is named by the key policy or a grant."]
    return parts + [f"note: {n}" for n in access.notes]


@dataclass(frozen=True)
class KeyDescribeView:
    report: Any  # services.keyadmin.KeyReport

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.report.to_json()
        return data

    def render_table(self) -> list[Any]:
        from rich.table import Table

        r = self.report
        parts: list[Any] = [key_table(r.key)]
        from kvsctl.checks.keys import usable_problems

        for problem in usable_problems(r.key):
            parts.append(f"[red]problem:[/red] {problem}")
        from kvsctl.render.account import plural

        uses = "uses" if len(r.streams) == 1 else "use"
        streams = Table(title=f"{plural(len(r.streams), 'stream')} {uses} this key", title_justify="left")
        for col in ("name", "status", "retention"):
            streams.add_column(col, overflow="fold")
        for v in r.streams:
            streams.add_row(v.stream.name, v.stream.status, f"{v.stream.retention_hours} h")
        parts.append(streams)
        if r.policy is not None:
            parts.append(_statement_table(r.policy, "Key policy"))
        if r.access is not None:
            parts += access_parts(r.access)
        parts += [f"note: {n}" for n in r.notes]
        return parts
