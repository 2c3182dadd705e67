"""`kvsctl stream`: create (with the key checked first), describe, list."""

from __future__ import annotations

from typing import Annotated

import typer

from kvsctl.cli.options import GlobalOptions, with_global_options

group = typer.Typer(
    help="Create, describe and list Kinesis video streams with their KMS keys.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="stream")


@group.command("create")
@with_global_options()
def create(
    name: Annotated[
        str | None,
        typer.Argument(metavar="NAME", help="Stream name: 1-256 of letters, digits, _ . -", show_default=False),
    ] = None,
    stream_name: Annotated[
        str | None,
        typer.Option("--stream-name", metavar="NAME", help="The name, as the AWS CLI spells it.", show_default=False),
    ] = None,
    kms_key: Annotated[
        str, typer.Option("--kms-key", help="Key id, key ARN, alias/NAME, alias ARN, or aws-managed.")
    ] = "aws-managed",
    retention_hours: Annotated[int | None, typer.Option("--retention-hours", help="0-87600 hours (0: none).")] = None,
    media_type: Annotated[str | None, typer.Option("--media-type", help="MIME type, e.g. video/h264.")] = None,
    device_name: Annotated[str | None, typer.Option("--device-name", help="Device name, 1-128 characters.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="KEY=VALUE, repeatable (at most 50).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check everything, create nothing.")] = False,
    if_not_exists: Annotated[
        bool, typer.Option("--if-not-exists", help="Succeed if the stream exists with this same key.")
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Refuse a key whose imported material expires before video written now is deleted."
        ),
    ] = False,
    *,
    g: GlobalOptions,
) -> int:
    """Create a stream after checking its KMS key: exists, Enabled, symmetric, same region.

    A customer managed key is passed to KVS as its key ARN, never an alias. An existing stream is
    never touched. The key can never be changed after creation.

    Examples:

      kvsctl stream create lobby-cam --kms-key alias/cams --retention-hours 24 --tag team=video

      kvsctl stream create lobby-cam --kms-key alias/cams --if-not-exists -o json
    """
    from kvsctl import validate
    from kvsctl.services.streams import CreateStreamRequest, StreamService

    (name,) = validate.stream_given(name, [stream_name] if stream_name else None, new=True)
    req = CreateStreamRequest(
        name=name,
        kms_key=kms_key,
        retention_hours=retention_hours,
        media_type=media_type,
        device_name=device_name,
        tags=validate.tags(tag),
        dry_run=dry_run,
        if_not_exists=if_not_exists,
        strict=strict,
    )
    req.validated()  # exit 2 before anything touches AWS
    outcome = StreamService(g.factory()).create(req, warn=g.warn)
    from kvsctl.render.streams import CreateView

    g.emit(CreateView(outcome))
    return 0


@group.command("describe")
@with_global_options()
def describe(
    name: Annotated[
        str | None, typer.Argument(metavar="NAME|ARN", help="Stream name or stream ARN.", show_default=False)
    ] = None,
    stream_name: Annotated[
        str | None,
        typer.Option("--stream-name", metavar="NAME", help="The name, as the AWS CLI spells it.", show_default=False),
    ] = None,
    stream_arn: Annotated[
        str | None,
        typer.Option(
            "--stream-arn", metavar="ARN", help="The stream's ARN, as the AWS CLI spells it.", show_default=False
        ),
    ] = None,
    *,
    g: GlobalOptions,
) -> int:
    """Show a stream and its KMS key (ARN, aliases, manager, state, spec, usage, rotation).

    Reading never creates anything: the AWS managed key is looked up through ListAliases.

    Example:

      kvsctl stream describe lobby-cam -o json

      kvsctl stream describe arn:aws:kinesisvideo:us-west-2:123456789012:stream/lobby-cam/1700000000000

      kvsctl stream describe --stream-name lobby-cam
    """
    from kvsctl import validate
    from kvsctl.services.streams import StreamService

    given = validate.stream_given(
        name, [stream_name] if stream_name else None, [stream_arn] if stream_arn else None, region=g.region
    )
    view = StreamService(g.factory(), region=g.region or validate.arn_region(given)).describe(given[0])
    from kvsctl.render.streams import DescribeView

    g.emit(DescribeView(view))
    return 0


@group.command("list")
@with_global_options()
def list_(
    name_prefix: Annotated[str | None, typer.Option("--name-prefix", help="Only streams whose name begins so.")] = None,
    kms_key: Annotated[str | None, typer.Option("--kms-key", help="Only streams on this key (or aws-managed).")] = None,
    *,
    g: GlobalOptions,
) -> int:
    """List every stream (all pages) with its key.

    Examples:

      kvsctl stream list --name-prefix lobby-

      kvsctl stream list --kms-key aws-managed -o json | jq -r '.streams[].name'
    """
    from kvsctl.keyref import parse_key_ref
    from kvsctl.services.streams import StreamService

    if kms_key:
        parse_key_ref(kms_key)
    views = StreamService(g.factory()).list(name_prefix, kms_key)
    from kvsctl.render.streams import ListView

    g.emit(ListView(views))
    return 0
