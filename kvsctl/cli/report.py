"""`kvsctl report merge`: one report from the JSON of separate audit runs (shards of accounts or regions)."""

from __future__ import annotations

from typing import Annotated

import typer

from kvsctl.cli.options import GlobalOptions, command_group, with_global_options
from kvsctl.cli.report_options import (
    FailOn,
    FailOnOpt,
    OverwriteOpt,
    ReportOpt,
    SarifRootOpt,
    StrictOpt,
    emit_report,
    plan_report,
    reporting,
)
from kvsctl.render import REPORT_FORMATS

group = command_group("Work with the reports of audit runs.")


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="report")


@group.command("merge")
@with_global_options(REPORT_FORMATS, aws=False)
def merge(
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE...",
            help="JSON reports of `audit all` / `audit stream` runs (-o json), one per shard.",
            show_default=False,
        ),
    ],
    fail_on: FailOnOpt = FailOn.error,
    strict: StrictOpt = False,
    report: ReportOpt = None,
    overwrite: OverwriteOpt = False,
    sarif_root: SarifRootOpt = None,
    *,
    g: GlobalOptions,
) -> int:
    """Merge the JSON reports of separate audit runs (e.g. one per account shard of an organization) into
    one report: results, findings and streams combined, the verdict, summary and exit code recomputed with
    --fail-on/--strict as one run over all of them would give them. A stream in two reports (overlapping
    shards) or a file that is not a kvsctl audit JSON report is exit 2, naming the file. Offline.

    Examples:

      kvsctl report merge shards/*.json -o sarif --report fleet.sarif

      kvsctl report merge eu.json us.json --fail-on warning -o json | jq .summary
    """
    from kvsctl.render.audit_live import LiveAuditView
    from kvsctl.services.report_merge import merge_files

    plan = plan_report("report-merge", report, overwrite, sarif_root)
    with reporting(g, plan):
        merged = merge_files(files, strict=strict, fail_on=fail_on.value)
        emit_report(g, LiveAuditView(merged, sarif_root=plan.sarif_root), plan)
    return merged.exit_code
