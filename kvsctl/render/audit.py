"""Views of audit reports: a principal × requirement matrix, the findings, a one-line summary.

JSON is the report's own ``to_json`` (README, "kvsctl audit policy"); ``--explain`` adds the full
evaluation trace to that principal's results. SARIF / JUnit renderers attach here as methods
(``to_sarif`` / ``to_junit``) and are picked by ``kvsctl.render.RENDERERS``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from kvsctl.audit.engine import REQUIREMENTS
from kvsctl.audit.model import AuditReport, CheckResult

_STYLE = {
    "allow": "green",
    "conditional": "yellow",
    "implicit_deny": "red",
    "explicit_deny": "bold red",
}
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "dim"}


def _cell(r: CheckResult) -> str:
    """Decision plus a short why; the full reasons are in -o json and --explain."""
    style = _STYLE.get(r.decision, "")
    text = f"[{style}]{r.decision}[/{style}]" if style else r.decision
    if r.decision == "conditional" and r.unknown_keys:
        detail = "needs " + ", ".join(r.unknown_keys)
    elif r.statements:
        more = len(r.statements) - 2
        detail = "; ".join(_short_statement(st) for st in r.statements[:2]) + (f" (+{more} more)" if more > 0 else "")
    else:
        detail = r.reasons[0] if r.reasons else ""
    plain = r.principal.split(":", 5)[-1]
    detail = detail.replace(r.principal, plain)  # the row already says whose account
    # never cut: the table wraps it (render/fit.py); a cut reason hides the statement that decided
    return f"{text}\n[dim]{_escape(detail)}[/dim]" if detail else text


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

    def to_json(self) -> dict[str, Any]:
        data = self.report.to_json(self.strict)
        if self.explain is not None:
            results: list[dict[str, Any]] = []
            for r, out in zip(self.report.results, data["results"], strict=True):  # type: ignore[call-overload]
                if r.principal == self.explain:
                    out = {**out, "trace": list(r.trace)}
                results.append(out)
            data["results"] = results
        return data

    def summary(self) -> str:
        counts = Counter(r.decision for r in self.report.results)
        sev = Counter(f.severity.value for f in self.report.findings)
        denies = counts["implicit_deny"] + counts["explicit_deny"]
        verdict = "PASS" if self.report.ok(self.strict) else "FAIL"
        found = ", ".join(f"{sev[s]} {s}" for s in ("error", "warning", "info") if sev[s]) or "none"
        n = len(self.report.results)
        return (
            f"{verdict}{' (strict)' if self.strict else ''}: {n} check{'s' if n != 1 else ''}: "
            f"{counts['allow']} allow, {counts['conditional']} conditional, {denies} deny; findings: {found}"
        )

    def matrices(self, *, titled: bool = True) -> list[Any]:
        """One matrix per role (producers, consumers): principals × that role's requirements.

        Splitting by role keeps each table to three columns, readable at 80 columns."""
        from rich.table import Table

        tables: list[Any] = []
        for role in ("producer", "consumer"):
            results = [r for r in self.report.results if r.role == role]
            if not results:
                continue
            actions = [a for a, _ in REQUIREMENTS[role] if any(r.action == a for r in results)]
            table = Table(title=f"{role.capitalize()}s" if titled else None, title_justify="left", show_lines=True)
            table.add_column(role, overflow="fold", min_width=14)
            for a in actions:
                table.add_column(a, overflow="fold", ratio=1)
            rows: dict[str, dict[str, CheckResult]] = {}
            for r in results:
                rows.setdefault(r.principal, {})[r.action] = r
            for principal, cells in rows.items():
                table.add_row(
                    short_principal(principal), *[_cell(cells[a]) if a in cells else "[dim]-[/dim]" for a in actions]
                )
            tables.append(table)
        return tables

    def findings_table(self) -> Any:
        from rich.table import Table

        table = Table(title="Findings", title_justify="left")
        table.add_column("severity")
        table.add_column("code")
        table.add_column("finding", overflow="fold", ratio=3)
        table.add_column("where", overflow="fold", ratio=1)
        for f in sorted(
            self.report.findings, key=lambda f: (["error", "warning", "info"].index(f.severity.value), f.code)
        ):
            st = _SEVERITY_STYLE[f.severity.value]
            message = f.message
            if f.principal:  # the where column names the principal; shorten it in the message
                message = message.replace(f.principal, f.principal.split(":", 5)[-1])
            where = f.location or (short_principal(f.principal) if f.principal else _escape(f.resource or ""))
            table.add_row(
                f"[{st}]{f.severity.value}[/{st}]",
                f.code,
                f"{_escape(message)}\n[dim]{_escape(f.remediation)}[/dim]",
                where if not f.location else _escape(where),
            )
        return table

    def explain_parts(self) -> list[Any]:
        parts: list[Any] = []
        for r in self.report.results:
            if r.principal != self.explain:
                continue
            lines = [f"[bold]{_escape(r.action)}[/bold] on {_escape(r.resource)}: {_cell(r).splitlines()[0]}"]
            lines += [f"  reason: {_escape(x)}" for x in r.reasons]
            lines += [f"  {_escape(t)}" for t in r.trace]
            parts.append("\n".join(lines))
        if not parts:
            parts.append(f"[yellow]--explain {_escape(self.explain or '')}: no check for this principal[/yellow]")
        return parts

    def render_table(self) -> list[Any]:
        parts: list[Any] = [*self.matrices()]
        if self.explain is not None:
            parts.append(f"\n[bold]Explanation for {_escape(self.explain)}[/bold]")
            parts += self.explain_parts()
        if self.report.findings:
            parts.append(self.findings_table())
        from rich.text import Text

        parts.append(Text(self.summary(), no_wrap=True, overflow="ignore"))  # one line, for grep
        return parts
