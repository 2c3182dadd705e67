"""The root command and the single error boundary: exit codes exactly as in the contract."""

from __future__ import annotations

import sys
from typing import Any

from kvsctl import __version__

HELP = """Administer KMS encryption on Amazon Kinesis Video Streams.

Create streams with a checked KMS key, audit key policies for producers and consumers,
and estimate KMS request costs.

Examples:

  kvsctl stream create lobby-cam --kms-key alias/cams --retention-hours 24

  kvsctl stream list -o json | jq '.streams[].kms_key_id'

  kvsctl sandbox demo

Global options (--profile, --region, --endpoint-url, -o, --query, --no-color, --no-pager, --debug) go
before or after the command:

  kvsctl --region us-west-2 -o json stream list --query 'streams[].name'
"""


def version_text() -> str:
    """`kvsctl 0.1.0 Python/3.11.7 Linux/6.8.0 boto3/1.35.0 botocore/1.35.0`, as `aws --version` reads
    (package metadata only: neither boto3 nor typer is imported)."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    parts = [
        f"kvsctl {__version__}",
        f"Python/{platform.python_version()}",
        f"{platform.system()}/{platform.release()}",
    ]
    for dist in ("boto3", "botocore"):
        try:
            parts.append(f"{dist}/{version(dist)}")
        except PackageNotFoundError:
            parts.append(f"{dist}/missing")
    return " ".join(parts) + "\n"


app: Any  # the typer app; declared, not assigned, so that module __getattr__ builds it on first use


def _build() -> Any:
    """The root typer app, built on first use (`kvsctl --version` never imports typer or rich)."""
    global app
    import typer

    from kvsctl.cli import fastparams

    fastparams.install()
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
            sys.stdout.write(version_text())
            raise typer.Exit(0)

    def root(
        version: bool = typer.Option(
            False,
            "--version",
            callback=_version,
            is_eager=True,
            help="Print the versions (kvsctl, Python, platform, boto3, botocore) and exit.",
        ),
    ) -> None:
        """Administer KMS encryption on Amazon Kinesis Video Streams."""

    app.callback()(root)
    _register()
    return app


def __getattr__(name: str) -> Any:
    """`from kvsctl.cli.app import app` builds the app on first use (PEP 562)."""
    if name == "app":
        return _build()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _register() -> None:
    from kvsctl.cli import audit, completion_cmd, cost, iam, key, rules, sandbox, schema, spec, stream, whoami

    for module in (stream, key, iam, spec, audit, cost, rules, sandbox, schema, whoami, completion_cmd):
        module.register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code; every failure ends here as one line and a code."""
    from kvsctl.cli.boundary import run_guarded

    return run_guarded(globals().get("app") or _build(), argv)


def run() -> None:
    """The console script. `--version` alone and `__complete` (the shell's dynamic completion) are
    answered here, before typer (and rich) load."""
    if sys.argv[1:] in (["--version"],):
        from kvsctl.cli.boundary import write_page

        sys.exit(write_page(version_text(), 0))
    if sys.argv[1:2] == ["__complete"]:  # a TAB in the shell: answered without typer, rich or (mostly) boto3
        import os

        from kvsctl.cli.dyncomplete import main as complete

        code = complete(sys.argv[2:])
        os._exit(code)  # at once: a lookup past its time bound is abandoned, not waited for
    sys.exit(main())
