"""Options and output shared by the commands that gate CI (audit policy/stream/all, preflight):
--fail-on, --strict, --report FILE, --overwrite, --sarif-root DIR, and writing the report — on every
exit, a run that errored included — while the table stays on screen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from kvsctl.cli.options import GlobalOptions

PANEL = "Report"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"


FailOnOpt = Annotated[
    FailOn,
    typer.Option("--fail-on", help="Lowest finding severity that fails (exit 1).", rich_help_panel=PANEL),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="A conditional check fails too.", rich_help_panel=PANEL)]
ReportOpt = Annotated[
    str | None,
    typer.Option(
        "--report",
        metavar="FILE",
        help="Write the report (in the -o format) to FILE and show the table on the terminal.",
        show_default=False,
        rich_help_panel=PANEL,
    ),
]
OverwriteOpt = Annotated[
    bool,
    typer.Option(
        "--overwrite",
        help="Accepted for compatibility: --report always replaces an existing regular FILE atomically.",
        rich_help_panel=PANEL,
    ),
]
SarifRootOpt = Annotated[
    str | None,
    typer.Option(
        "--sarif-root",
        metavar="DIR",
        help="SARIF file locations are relative to DIR (default: the git root of the working directory).",
        show_default=False,
        rich_help_panel=PANEL,
    ),
]


@dataclass(frozen=True)
class ReportPlan:
    """Where the report goes and how SARIF paths are written, checked before any AWS call."""

    target: Path | None
    sarif_root: Path | None
    command: str


def report_target(report: str | None, overwrite: bool) -> Path | None:
    """Check --report before any AWS call (exit 2 for a folder, a special file, a missing or read-only folder)."""
    from kvsctl.render.reports import check_report_path

    if overwrite and report is None:  # it would do nothing: say so rather than ignore it
        from kvsctl.errors import UsageError

        raise UsageError(
            "--overwrite needs --report FILE", hint="Add --report FILE, or drop --overwrite.", code="usage"
        )
    return check_report_path(report, overwrite)


def sarif_root(value: str | None) -> Path | None:
    if value is None:
        return None
    root = Path(value)
    if not root.is_dir():
        from kvsctl.errors import UsageError

        raise UsageError(f"--sarif-root {value}: not a directory", hint="Give the repository's root folder.")
    return root


def plan_report(command: str, report: str | None, overwrite: bool, root: str | None) -> ReportPlan:
    return ReportPlan(report_target(report, overwrite), sarif_root(root), command)


@contextmanager
def reporting(g: GlobalOptions, plan: ReportPlan) -> Iterator[None]:
    """Run the command body; if it fails (exit 2, 3 or 4), still write the report saying so: into --report
    FILE, and for -o sarif/junit on stdout too, so CI always finds a valid file. The error then goes on to
    the error boundary as usual."""
    try:
        yield
    except Exception as exc:
        from kvsctl.render import OutputFormat
        from kvsctl.render.errored import ErroredRun

        view = ErroredRun(plan.command, exc, plan.sarif_root)
        if plan.target is not None:
            from kvsctl.render.reports import write_report

            try:
                write_report(plan.target, view, g.output)
            except Exception:  # the report could not be written: the original error matters more
                pass
        elif g.output in (OutputFormat.sarif, OutputFormat.junit):
            g.emit(view)
        raise


def emit_report(g: GlobalOptions, view: Any, target: Path | ReportPlan | None) -> None:
    """The report on stdout in the -o format, or into --report FILE with the table on the terminal."""
    if isinstance(target, ReportPlan):
        target = target.target
    if target is None:
        g.emit(view)
        return
    from kvsctl.render import OutputFormat, emit
    from kvsctl.render.reports import write_report

    write_report(target, view, g.output)
    emit(view, OutputFormat.table, no_color=g.no_color, pager=not g.no_pager)
