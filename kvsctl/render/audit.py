"""Views of audit reports: a principal × requirement matrix, the findings, a one-line summary.

JSON is the report's own ``to_json`` (README, "kvsctl audit policy"); ``--explain`` adds the full
evaluation trace to that principal's results. SARIF / JUnit renderers attach here as methods
(``to_sarif`` / ``to_junit``) and are picked by ``kvsctl.render.RENDERERS``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kvsctl.audit.model import AuditReport
from kvsctl.checks.model import Result
from kvsctl.checks.verdict import Verdict
from kvsctl.words import findings_in_words
from kvsctl.workloads.paths import GET_DATA_ENDPOINT, INFERRED_DECRYPT
from kvsctl.workloads.paths import path as client_path

_STYLE = {
    "allow": "green",
    "conditional": "yellow",
    "implicit_deny": "red",
    "explicit_deny": "bold red",
}
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "dim"}


def _cell(r: Result, *, label: str | None = None) -> str:
    """Decision plus why, whole: cells wrap, they are never cut (-o json has every reason too)."""
    decision = r.decision.value if r.decision else r.status.value
    style = _STYLE.get(decision, "")
    text = f"[{style}]{decision}[/{style}]" if style else decision
    if r.basis == "inferred":
        text += "*"
    if label:
        text = f"{_escape(label)}: {text}"
    principal = r.subject.principal or ""
    if decision == "conditional" and r.unknown_keys:
        detail = "needs " + ", ".join(r.unknown_keys)
    elif r.statements:
        more = len(r.statements) - 2
        detail = "; ".join(_short_statement(st) for st in r.statements[:2]) + (f" (+{more} more)" if more > 0 else "")
    else:
        detail = r.reasons[0] if r.reasons else ""
    plain = principal.split(":", 5)[-1]
    detail = detail.replace(principal, plain) if principal else detail  # the row already says whose account
    # never cut: the table wraps it (render/fit.py); a cut reason hides the statement that decided
    return f"{text}\n[dim]{_escape(detail)}[/dim]" if detail else text


def pasteable(text: str) -> Any:
    """Text printed whole at any width (never wrapped inside a line), so that it pastes as it is."""
    from rich.text import Text

    class Pasteable(Text):
        soft_wrap = True

    return Pasteable(text)


def _short_statement(ref: str) -> str:
    # 'examples/policies/key.json #1 "Sid"' -> 'key.json #1 "Sid"': the directory is in the JSON output.
    head, sep, tail = ref.partition(" #")
    return head.rsplit("/", 1)[-1] + sep + tail if sep and "/" in head and not head.startswith("role") else ref


def short_principal(arn: str) -> str:
    """`role/Name` with the account dimmed below: long ARNs would squeeze the matrix at 80 columns."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[2] in ("iam", "sts") and parts[4]:
        name = parts[5]
        if name.startswith(("role/", "user/")) and name.count("/") > 1:
            kind, _, rest = name.partition("/")
            name = f"{kind}/{rest.rsplit('/', 1)[-1]}"  # the path is in the JSON; the table keeps the name
        return f"{_escape(name)}\n[dim]{parts[4]}[/dim]"
    return _escape(arn)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@dataclass(frozen=True)
class AuditView:
    report: AuditReport
    strict: bool = False
    explain: str | None = None
    fail_on: str = "error"
    sarif_root: Path | None = None

    @property
    def verdict(self) -> Verdict:
        return Verdict.of(self.fail_on, self.strict)

    def to_sarif(self) -> str:
        from kvsctl.render.sarif import sarif_log

        return sarif_log(self.report.all(), self.verdict, command="audit-policy", root=self.sarif_root)

    def to_junit(self) -> str:
        from kvsctl.render.junit import Suite, junit_xml

        suites = [
            Suite(f"{role}s", [r for r in self.report.results if r.role == role], classname=f"kvsctl.audit.{role}")
            for role in ("producer", "consumer")
            if any(r.role == role for r in self.report.results)
        ]
        suites.append(Suite("findings", self.report.findings, classname="kvsctl.audit.findings"))
        return junit_xml(suites, self.verdict, name="kvsctl audit policy")

    def to_json(self) -> dict[str, Any]:
        data = self.report.to_json(self.strict, self.fail_on)
        if self.explain is not None:
            results: list[dict[str, Any]] = []
            for r, out in zip(self.report.results, data["results"], strict=True):  # type: ignore[call-overload]
                if r.principal == self.explain:
                    out = {**out, "trace": list(r.trace)}
                results.append(out)
            data["results"] = results
        return data

    def summary(self) -> str:
        counts = Counter(r.decision.value for r in self.report.results if r.decision)
        sev = Counter(f.severity.value for f in self.report.findings)
        denies = counts["implicit_deny"] + counts["explicit_deny"]
        verdict = "PASS" if self.verdict.ok(self.report.all()) else "FAIL"
        found = findings_in_words(sev["error"], sev["warning"], sev["info"])
        n = len(self.report.results)
        return (
            f"{verdict}{' (strict)' if self.strict else ''}: {n} check{'s' if n != 1 else ''}: "
            f"{counts['allow']} allow, {counts['conditional']} conditional, {denies} deny; findings: {found}"
        )

    def matrices(self, *, titled: bool = True) -> list[Any]:
        """One matrix per role: a row per principal and path, a column per requirement.

        Consumers' read paths share GetDataEndpoint and kms:Decrypt; the path's own actions go in one
        "read" column, so that "can GetMedia but HLS fails" shows at a glance at 80 columns."""
        from rich.table import Table

        tables: list[Any] = []
        for role in ("producer", "consumer"):
            results = [r for r in self.report.results if r.role == role]
            if not results:
                continue
            rows: dict[tuple[str, str], list[Result]] = {}
            for r in results:
                rows.setdefault((r.principal or "", r.path or ""), []).append(r)
            if role == "producer":
                columns = list(dict.fromkeys(r.action or "" for r in results))
            else:
                columns = [
                    c
                    for c in (GET_DATA_ENDPOINT, "read", "kms:Decrypt")
                    if c == "read" or any(r.action == c for r in results)
                ]
            table = Table(title=f"{role.capitalize()}s" if titled else None, title_justify="left", show_lines=True)
            table.add_column(role, overflow="fold", min_width=14)
            table.add_column("path", overflow="fold")
            for c in columns:
                table.add_column(c.removeprefix("kinesisvideo:"), overflow="fold", ratio=1)
            for (principal, name), cells in rows.items():
                by_action = {r.action or "": r for r in cells}
                row = []
                for c in columns:
                    if c == "read":
                        own = [by_action[a] for a in client_path(name).own_actions if a in by_action]
                        label = len(own) > 1
                        text = "\n".join(
                            _cell(r, label=(r.action or "").removeprefix("kinesisvideo:") if label else None)
                            for r in own
                        )
                        row.append(text or "[dim]-[/dim]")
                    else:
                        row.append(_cell(by_action[c]) if c in by_action else "[dim]-[/dim]")
                table.add_row(short_principal(principal), name, *row)
            if role == "consumer" and any(r.basis == "inferred" for r in results):
                table.caption = f"* inferred: {INFERRED_DECRYPT}"
                table.caption_justify = "left"
            tables.append(table)
        return tables

    def fixes_parts(self) -> list[Any]:
        """Each distinct fix once: where it goes and the statement, ready to paste."""
        import json

        parts: list[Any] = []
        seen: set[str] = set()
        for r in self.report.results:
            fix = r.patch
            if fix is None or fix.summary in seen:
                continue
            seen.add(fix.summary)
            who = short_principal(r.principal or "").split("\n", 1)[0]
            parts.append(f"[bold]fix[/bold] {who} {r.path} {_escape(r.action or '')}: {_escape(fix.summary)}")
            for c in fix.changes:
                verb = {"add": "add to", "replace": "replace in", "remove": "remove from"}[c.op]
                parts.append(f"  {verb} {_escape(c.where)}:")
                if c.statement is not None:
                    parts.append(pasteable(json.dumps(c.statement, indent=2)))
        return parts

    def findings_table(self) -> Any:
        from rich.table import Table

        table = Table(title="Findings", title_justify="left")
        table.add_column("severity")
        table.add_column("code")
        table.add_column("finding", overflow="fold", ratio=3)
        table.add_column("where", overflow="fold", ratio=1)
        for f in sorted(
            self.report.findings, key=lambda f: (["error", "warning", "info"].index(f.severity.value), f.rule)
        ):
            st = _SEVERITY_STYLE[f.severity.value]
            message = f.message
            if f.principal:  # the where column names the principal; shorten it in the message
                message = message.replace(f.principal, f.principal.split(":", 5)[-1])
            if f.location is not None:
                where = _escape(str(f.location))
            else:
                where = short_principal(f.principal) if f.principal else _escape(f.resource or "")
            table.add_row(
                f"[{st}]{f.severity.value}[/{st}]",
                f.rule,
                f"{_escape(message)}\n[dim]{_escape(f.remediation)}[/dim]",
                where,
            )
        return table

    def explain_parts(self) -> list[Any]:
        parts: list[Any] = []
        for r in self.report.results:
            if r.principal != self.explain:
                continue
            head = f"[bold]{_escape(r.path or '')} {_escape(r.action or '')}[/bold] on {_escape(r.resource or '')}"
            lines = [f"{head}: {_cell(r).splitlines()[0]}"]
            lines += [f"  reason: {_escape(x)}" for x in r.reasons]
            lines += [f"  {_escape(t)}" for t in r.trace]
            parts.append("\n".join(lines))
        if not parts:
            parts.append(f"[yellow]--explain {_escape(self.explain or '')}: no check for this principal[/yellow]")
        return parts

    def render_table(self) -> list[Any]:
        parts: list[Any] = [*self.matrices()]
        parts += self.fixes_parts()
        if self.explain is not None:
            parts.append(f"\n[bold]Explanation for {_escape(self.explain)}[/bold]")
            parts += self.explain_parts()
        if self.report.findings:
            parts.append(self.findings_table())
        from rich.text import Text

        parts.append(Text(self.summary(), no_wrap=True, overflow="ignore"))  # one line, for grep
        return parts
