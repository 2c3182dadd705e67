"""`kvsctl sandbox`: a local AWS stand-in (moto) with KVS, KMS and IAM, and the guided demo."""

from __future__ import annotations

from typing import Annotated

import typer

from kvsctl.cli.options import GlobalOptions, with_global_options
from kvsctl.render import OutputFormat

group = typer.Typer(
    help="A local AWS stand-in (moto) for rehearsal, and the guided demo.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="sandbox")


@group.command("serve")
@with_global_options(aws=False)
def serve(
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: a free one, printed).")
    ] = 7566,
    *,
    g: GlobalOptions,
) -> int:
    """Run a moto server on 127.0.0.1 until Ctrl-C, and print the environment to export.

    Example:

      kvsctl sandbox serve &  then  export AWS_ENDPOINT_URL=http://127.0.0.1:7566

      kvsctl sandbox serve --port 0 -o json
    """
    from kvsctl.sandbox.server import serve_forever

    serve_forever(port, g)
    return 0


@group.command("demo")
@with_global_options((OutputFormat.table,), aws=False)  # a narrated tour for people: a table only
def demo(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port for the embedded sandbox (0: free).")] = 0,
    *,
    g: GlobalOptions,
) -> int:
    """The guided tour, on an embedded sandbox (no AWS account needed): recommend a key policy,
    create the key, apply a spec file of streams, describe the key, refuse a disabled key, audit
    who can use the streams, and estimate the KMS cost.

    Example:

      kvsctl sandbox demo
    """
    from kvsctl.cli.boundary import run_guarded
    from kvsctl.sandbox.demo import run_demo

    root = ctx.find_root().command  # this very CLI, without importing cli.app

    return run_demo(port, lambda argv: run_guarded(root, argv), no_color=g.no_color)
