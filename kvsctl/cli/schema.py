"""`kvsctl schema [COMMAND]`: the JSON Schema of what a command prints with `-o json`."""

from __future__ import annotations

from typing import Annotated

import typer

from kvsctl.cli.options import GlobalOptions, with_global_options
from kvsctl.errors import shown


def register(root: typer.Typer) -> None:
    root.command("schema")(schema)


@with_global_options(aws=False)
def schema(
    command: Annotated[
        list[str] | None,
        typer.Argument(metavar="[COMMAND]...", help="A command, e.g. 'stream list'. Omit it to list them all."),
    ] = None,
    *,
    g: GlobalOptions,
) -> int:
    """Print the JSON Schema (draft 2020-12) of a command's `-o json` output; alone, list the commands.

    The schemas ship with kvsctl. Older field names kept for one release are marked `"deprecated": true`.

    Examples:

      kvsctl schema stream list -o json > stream-list.schema.json

      kvsctl schema
    """
    from kvsctl import schemas
    from kvsctl.errors import UsageError
    from kvsctl.render.schemas import SchemaListView, SchemaView

    if not command:
        g.emit(SchemaListView([(name, schemas.load(name)) for name in schemas.commands()]))
        return 0
    name = schemas.find(command)
    if name is None:
        raise UsageError(
            f"no schema for {shown(' '.join(command))}",
            hint="Commands with a schema: " + ", ".join(schemas.commands()) + ".",
            code="unknown_command",
        )
    g.emit(SchemaView(name, schemas.load(name)))
    return 0
