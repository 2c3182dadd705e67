"""`kvsctl apply` and `kvsctl preflight`: streams as code, from a TOML spec file."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer

from kvsctl.cli.options import GlobalOptions, with_global_options
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

SpecArg = Annotated[str, typer.Argument(help="Spec file (TOML) declaring the streams.", show_default=False)]


def register(root: typer.Typer) -> None:
    root.command("preflight")(preflight)
    root.command("apply")(apply)


def _options_for(g: GlobalOptions, spec_region: str | None) -> GlobalOptions:
    """--region wins over the spec's region, which wins over the environment."""
    return dataclasses.replace(g, region=g.region or spec_region)


@with_global_options()
def apply(
    spec: SpecArg,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan; change nothing.")] = False,
    *,
    g: GlobalOptions,
) -> int:
    """Create the streams a spec declares that do not exist yet, through the checked create path.

    Never changes or deletes an existing stream. A stream that exists with another key is reported
    with the only fix there is (a new stream) and makes the exit code 1; so does a stream whose
    key is missing or unusable. Retention or media type that differ are reported, not changed.
    Exit 0 when every stream exists (or was created) with its declared key.

    Examples:

      kvsctl apply streams.toml --dry-run

      kvsctl apply streams.toml -o json | jq '.streams[] | select(.ok | not)'
    """
    from kvsctl.render.spec import ApplyView
    from kvsctl.services.apply import ApplyService
    from kvsctl.streamspec.model import load_spec

    parsed = load_spec(spec)
    g = _options_for(g, parsed.region)
    result = ApplyService(g.factory()).apply(parsed, dry_run=dry_run, warn=g.warn)
    g.emit(ApplyView(result))
    return result.exit_code


@with_global_options(REPORT_FORMATS)
def preflight(
    spec: SpecArg,
    strict: StrictOpt = False,
    fail_on: FailOnOpt = FailOn.error,
    report: ReportOpt = None,
    overwrite: OverwriteOpt = False,
    sarif_root: SarifRootOpt = None,
    *,
    g: GlobalOptions,
) -> int:
    """Check the account against a spec, for CI: every declared stream exists, uses the declared key
    (aliases resolved to the key ARN), the key is usable, retention and media type match, and every
    producer and consumer can do what it needs (the live audit).

    Read-only: creates and changes nothing (never the AWS managed key either). Each failing check
    points at its line in the spec. Exit 0 all pass, 1 any check fails, 2 bad spec or flag, 3 AWS error.

    Examples:

      kvsctl preflight streams.toml

      kvsctl preflight streams.toml -o sarif --report kvsctl.sarif

      kvsctl preflight streams.toml -o junit --report kvsctl-junit.xml
    """
    from kvsctl.render.spec import PreflightView
    from kvsctl.services.preflight import PreflightService
    from kvsctl.streamspec.model import load_spec

    plan = plan_report("preflight", report, overwrite, sarif_root)  # exit 2 before any AWS call
    with reporting(g, plan):
        parsed = load_spec(spec)
        g = _options_for(g, parsed.region)
        result = PreflightService(g.factory()).run(parsed, strict=strict, fail_on=fail_on.value)
        emit_report(g, PreflightView(result, sarif_root=plan.sarif_root), plan)
    return result.exit_code
