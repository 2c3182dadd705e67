"""The root command and the single error boundary: exit codes exactly as in the contract."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from kvsctl import __version__

HELP = """Administer KMS encryption on Amazon Kinesis Video Streams.

Create streams with a checked KMS key, audit key policies for producers and consumers,
and estimate KMS request costs.

Examples:

  kvsctl stream create lobby-cam --kms-key alias/cams --retention-hours 24

  kvsctl stream list -o json | jq '.streams[].kms_key_id'

  kvsctl sandbox demo
"""

app = typer.Typer(
    name="kvsctl",
    help=HELP,
    no_args_is_help=True,
    add_completion=False,  # static scripts in completions/ (python -m kvsctl.cli.completions)
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"kvsctl {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Administer KMS encryption on Amazon Kinesis Video Streams."""


def _register() -> None:
    from kvsctl.cli import audit, cost, key, sandbox, spec, stream

    for module in (stream, key, spec, audit, cost, sandbox):
        module.register(app)


_register()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code; every failure ends here as one line and a code."""
    from kvsctl.cli.boundary import run_guarded

    return run_guarded(app, argv)


def run() -> None:
    sys.exit(main())
