"""The view of the rule registry (`kvsctl rules`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kvsctl.checks.rules import catalogue, rules_json

_STYLE = {"error": "red", "warning": "yellow", "info": "dim"}


@dataclass(frozen=True)
class RulesView:
    def to_json(self) -> dict[str, Any]:
        return rules_json()

    def render_table(self) -> list[Any]:
        from rich.markup import escape
        from rich.table import Table

        table = Table(title="Rules", title_justify="left")
        for col in ("id", "name", "severity", "title"):
            table.add_column(col, overflow="fold")
        for r in catalogue():
            st = _STYLE[r.severity.value]
            table.add_row(r.id, r.name, f"[{st}]{r.severity.value}[/{st}]", escape(r.title))
        return [table, f"{len(table.rows)} rules; details: kvsctl rules -o json, or docs/rules.md"]
