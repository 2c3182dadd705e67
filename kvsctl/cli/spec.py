"""`kvsctl apply` and `kvsctl preflight`: streams as code, from a TOML spec file."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer

from kvsctl.cli.options import GlobalOptions, with_global_options

SpecArg = Annotated[str, typer.Argument(help="Spec file (TOML) declaring the streams.", show_default=False)]


def register(root: typer.Typer) -> None:
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
    from kvsctl.spec.model import load_spec

    parsed = load_spec(spec)
    g = _options_for(g, parsed.region)
    result = ApplyService(g.factory()).apply(parsed, dry_run=dry_run, warn=g.warn)
    g.emit(ApplyView(result))
    return result.exit_code
