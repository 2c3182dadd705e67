"""Views of the live audit: a matrix per stream with its findings, a one-line summary, and the CI
formats through the one SARIF writer (render/sarif.py) and the one JUnit writer (render/junit.py):
a JUnit suite per stream, a test case per result."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kvsctl.audit.live import LiveAuditReport


class OneLine(str):
    """A line printed whole whatever the terminal width (the table renderer honours `soft_wrap`), so
    that `grep '^FAIL'` on the output always sees the whole summary."""

    soft_wrap = True


@dataclass(frozen=True)
class LiveAuditView:
    report: LiveAuditReport
    sarif_root: Path | None = None

    def to_json(self) -> dict[str, Any]:
        return self.report.to_json()

    # -- table -------------------------------------------------------------------------------------
    def render_table(self) -> list[Any]:
        from kvsctl.render.audit import AuditView

        rep = self.report
        parts: list[Any] = []
        for s in rep.streams:
            view = AuditView(s.report, strict=rep.strict)
            verdict = "[green]ok[/green]" if rep.stream_ok(s) else "[red]FAIL[/red]"
            key = s.key_arn or "unknown"
            head = f"[bold]Stream {s.name}[/bold] ({s.region}) {verdict} — key {key}"
            if s.encryption:
                head += f" ({s.encryption})"
            parts.append(head)
            if s.report.results:
                parts.extend(view.matrices(titled=False))
            if s.report.findings:
                table = view.findings_table()
                table.title = f"Findings for {s.name}"
                parts.append(table)
        if rep.findings:
            from kvsctl.audit.model import AuditReport

            table = AuditView(AuditReport((), rep.findings)).findings_table()
            table.title = "Findings about principals"
            parts.append(table)
        if not rep.streams:
            parts.append("No stream matched.")
        parts.append(OneLine(rep.summary()))
        return parts

    # -- CI formats ----------------------------------------------------------------------------------
    def to_sarif(self) -> str:
        from kvsctl.render.sarif import sarif_log

        return sarif_log(self.report.everything(), self.report.verdict, command="audit", root=self.sarif_root)

    def to_junit(self) -> str:
        from kvsctl.render.junit import Suite, junit_xml

        rep = self.report
        suites = [
            Suite(
                f"stream {s.name}",
                s.report.all(),
                {"stream_arn": s.arn, "region": s.region, "key_arn": s.key_arn},
                classname=f"kvsctl.audit.{s.name}",
            )
            for s in rep.streams
        ]
        if rep.findings:
            suites.append(Suite("principals", rep.findings, classname="kvsctl.audit.principals"))
        return junit_xml(suites, rep.verdict, name="kvsctl audit")
