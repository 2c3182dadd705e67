"""Views of the live audit: a matrix per stream with its findings, a one-line summary, and the CI
formats through the one SARIF writer (render/sarif.py) and the one JUnit writer (render/junit.py):
a JUnit suite per stream, a test case per result."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kvsctl.audit.live import LiveAuditReport, StreamAudit, arn_account
from kvsctl.words import plural, verb


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


class OneLine(str):
    """A line printed whole whatever the terminal width (the table renderer honours `soft_wrap`), so
    that `grep '^FAIL'` on the output always sees the whole summary."""

    soft_wrap = True


@dataclass(frozen=True)
class LiveAuditView:
    report: LiveAuditReport
    sarif_root: Path | None = None
    explain: str | None = None  # a principal whose results carry the full evaluation trace
    diagnosis: Any = None  # kvsctl.workloads.ackcodes.Diagnosis for --ack-code
    #: the table shows every stream; else (audit all) the failing ones, and a line for the rest
    verbose: bool = True

    def to_json(self) -> dict[str, Any]:
        data = self.report.to_json()
        if self.diagnosis is not None:
            data["diagnosis"] = self.diagnosis.to_json()
        if self.explain is not None:
            pairs = list(self.report.results())
            data["results"] = [
                {**out, "trace": list(r.trace)} if r.principal == self.explain else out
                for (_s, r), out in zip(pairs, data["results"], strict=True)
            ]
        return data

    # -- table -------------------------------------------------------------------------------------
    def render_table(self) -> list[Any]:
        from kvsctl.audit.live import arn_account
        from kvsctl.render.audit import AuditView

        rep = self.report
        parts: list[Any] = []
        passed = 0
        accounts = {arn_account(s.arn) for s in rep.streams}
        fleet = len(accounts) > 1  # several accounts: grouped by account, each with its own count
        streams = sorted(rep.streams, key=lambda s: (arn_account(s.arn) or "", s.region)) if fleet else rep.streams
        current: str | None = None
        for s in streams:
            account = arn_account(s.arn)
            if fleet and account != current:
                current = account
                mine = [x for x in rep.streams if arn_account(x.arn) == account]
                failing = sum(1 for x in mine if not rep.stream_ok(x))
                state = "[red]FAIL[/red]" if failing else "[green]ok[/green]"
                parts.append(
                    f"[bold]Account {account or 'unknown'}[/bold] {state}: {plural(len(mine), 'stream')}, "
                    f"{failing} failing"
                )
            if not self.verbose and rep.stream_ok(s):
                passed += 1
                continue
            view = AuditView(s.report, strict=rep.strict, explain=self.explain)
            verdict = "[green]ok[/green]" if rep.stream_ok(s) else "[red]FAIL[/red]"
            key = s.key_arn or "unknown"
            head = f"[bold]Stream {s.name}[/bold] ({s.region}) {verdict} — key {key}"
            if s.encryption:
                head += f" ({s.encryption})"
            parts.append(head)
            if s.report.results:
                parts.extend(view.matrices(titled=False))
                parts.extend(view.fixes_parts())
                if self.explain is not None:
                    parts.append(f"[bold]Explanation for {_escape(self.explain)} on {_escape(s.name)}[/bold]")
                    parts.extend(view.explain_parts())
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
        if passed:
            parts.append(
                f"{plural(passed, 'stream')} {verb(passed, 'passes', 'pass')}, not shown: --verbose shows "
                f"{'it' if passed == 1 else 'them'} (-o json and reports have every result)."
            )
        if self.diagnosis is not None:
            d = self.diagnosis
            layers = ", ".join(d.layers) or "nothing the audit can see"
            parts.append(
                f"[bold]Ack {d.ack_code}[/bold] ({_escape(d.meaning)}) for {_escape(d.principal)}: {_escape(layers)}"
            )
            parts += [f"  {_escape(x)}" for x in d.explanation]
            if d.fix is not None:
                parts.append(f"  fix: {_escape(d.fix.summary)}")
        parts.append(OneLine(rep.summary()))
        return parts

    # -- CI formats ----------------------------------------------------------------------------------
    def to_sarif(self) -> str:
        from kvsctl.render.sarif import sarif_log

        return sarif_log(self.report.everything(), self.report.verdict, command="audit", root=self.sarif_root)

    def to_junit(self) -> str:
        from kvsctl.render.junit import Suite, junit_xml

        rep = self.report
        accounts = {arn_account(s.arn) for s in rep.streams}
        fleet = len(accounts - {None}) > 1  # a fleet run: suites and classes name the account and region

        def suite(s: StreamAudit) -> Suite:
            account = arn_account(s.arn)
            where = f" ({account}, {s.region})" if fleet and account else ""
            prefix = f"{account}.{s.region}." if fleet and account else ""
            return Suite(
                f"stream {s.name}{where}",
                s.report.all(),
                {"stream_arn": s.arn, "account": account, "region": s.region, "key_arn": s.key_arn},
                classname=f"kvsctl.audit.{prefix}{s.name}",
            )

        suites = [suite(s) for s in rep.streams]
        if rep.findings:
            suites.append(Suite("principals", rep.findings, classname="kvsctl.audit.principals"))
        return junit_xml(suites, rep.verdict, name="kvsctl audit")
