"""Views of spec results (apply; preflight) for the renderers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_ACTION_STYLE = {
    "would-create": "cyan",
    "created": "green",
    "exists": "green",
    "drift": "yellow",
    "wrong-key": "red",
    "blocked": "red",
    "failed": "red",
}


@dataclass(frozen=True)
class ApplyView:
    result: Any  # services.apply.ApplyResult

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.result.to_json()
        return data

    def render_table(self) -> list[Any]:
        from rich.table import Table

        r = self.result
        title = f"{'Plan (dry run: nothing changed)' if r.dry_run else 'Apply'}: {r.spec.path} in {r.region}"
        table = Table(title=title, title_justify="left")
        for col in ("stream", "action", "key", "details"):
            table.add_column(col, overflow="fold")
        for item in r.items:
            style = _ACTION_STYLE.get(item.action, "")
            key = item.key.arn if item.key else item.spec.kms_key
            table.add_row(item.spec.name, f"[{style}]{item.action}[/{style}]", key, item.message)
        parts: list[Any] = [table]
        for item in r.items:
            if item.fix and (not item.ok or item.action == "drift"):
                parts.append(f"{item.spec.name}: fix: {item.fix}")
        summary = ", ".join(f"{n} {a}" for a, n in sorted(r.counts().items()))
        verdict = "[green]ok[/green]" if r.ok else "[red]not everything is as declared[/red]"
        parts.append(f"{summary}: {verdict}")
        return parts
