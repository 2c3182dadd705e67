"""Options and output shared by the commands that gate CI (audit stream/all, preflight):
--fail-on, --strict, --report FILE, --overwrite, and writing the report while the table stays on screen."""

from __future__ import annotations

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


def report_target(report: str | None, overwrite: bool) -> Path | None:
    """Check --report before any AWS call (exit 2 for a folder, a special file, a missing or read-only folder)."""
    from kvsctl.render.reports import check_report_path

    if overwrite and report is None:  # it would do nothing: say so rather than ignore it
        from kvsctl.errors import UsageError

        raise UsageError(
            "--overwrite needs --report FILE", hint="Add --report FILE, or drop --overwrite.", code="usage"
        )
    return check_report_path(report, overwrite)


def emit_report(g: GlobalOptions, view: Any, target: Path | None) -> None:
    """The report on stdout in the -o format, or into --report FILE with the table on the terminal."""
    if target is None:
        g.emit(view)
        return
    from kvsctl.render import OutputFormat, emit
    from kvsctl.render.reports import write_report

    write_report(target, view, g.output)
    emit(view, OutputFormat.table, no_color=g.no_color, pager=not g.no_pager)
