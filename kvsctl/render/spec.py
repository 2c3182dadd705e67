"""Views of spec results (apply; preflight) for the renderers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
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

    def created(self) -> list[str]:
        """What this run created (said on stderr when the output cannot be written)."""
        return [
            f"stream {i.existing.stream.arn if i.existing else i.spec.name}"
            for i in self.result.items
            if i.action == "created"
        ]

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


_STATUS_STYLE = {"pass": "green", "fail": "red", "warn": "yellow", "info": "dim", "skip": "dim"}


@dataclass(frozen=True)
class PreflightView:
    report: Any  # streamspec.preflight.PreflightReport
    sarif_root: Path | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.report.to_json()
        return data

    def render_table(self) -> list[Any]:
        from rich.table import Table

        from kvsctl.render.audit_live import OneLine
        from kvsctl.streamspec.preflight import check_name

        r = self.report
        v = r.verdict
        parts: list[Any] = []
        for s in r.streams:
            verdict = "[green]ok[/green]" if r.stream_ok(s) else "[red]FAIL[/red]"
            table = Table(title=f"Stream {s.spec.name} {verdict} ({r.spec.path}:{s.spec.line})", title_justify="left")
            for col in ("status", "check", "line", "details"):
                table.add_column(col, overflow="fold")
            for c in s.checks:
                shown = v.shown(c)
                style = _STATUS_STYLE[shown]
                details = c.message + (f"\nfix: {c.remediation}" if shown == "fail" else "")
                line = str(c.location.line) if c.location and c.location.line else ""
                table.add_row(f"[{style}]{shown}[/{style}]", check_name(c), line, details)
            parts.append(table)
        for c in r.findings:
            parts.append(f"{v.shown(c)}: {c.message}")
        parts.append(OneLine(r.summary()))
        return parts

    def to_sarif(self) -> str:
        from kvsctl.render.sarif import sarif_log

        r = self.report
        return sarif_log(r.results(), r.verdict, command="preflight", root=self.sarif_root)

    def to_junit(self) -> str:
        from kvsctl.render.junit import Suite, junit_xml

        r = self.report
        suites = [
            Suite(f"stream {s.spec.name}", s.checks, classname=f"kvsctl.preflight.{s.spec.name}", file=r.spec.path)
            for s in r.streams
        ]
        if r.findings:
            suites.append(Suite("spec", r.findings, classname="kvsctl.preflight", file=r.spec.path))
        return junit_xml(suites, r.verdict, name="kvsctl preflight")
