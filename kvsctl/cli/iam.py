"""`kvsctl iam`: least-privilege IAM identity policies for KVS producers and consumers (offline)."""

from __future__ import annotations

from typing import Annotated

import typer

from kvsctl.cli.options import GlobalOptions, command_group, with_global_options

group = command_group("Recommend least-privilege IAM identity policies for KVS producers and consumers.")

ReadOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--read",
        metavar="PATH[,PATH...]",
        help="Consumer read paths: getmedia, fragments, hls, dash, clip, images, or all (repeatable; "
        "default getmedia).",
        show_default=False,
    ),
]
ProducerCreatesOpt = Annotated[
    bool,
    typer.Option(
        "--producer-creates",
        help="The producer may also create and tag its stream (CreateStream, TagStream), as kvssink does by default.",
    ),
]


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="iam")


@group.command("recommend-policy")
@with_global_options(aws=False)
def recommend_policy(
    key_arn: Annotated[str, typer.Option("--key-arn", metavar="ARN", help="The streams' KMS key ARN.")],
    producer: Annotated[bool, typer.Option("--producer", help="A policy for a producer role.")] = False,
    consumer: Annotated[bool, typer.Option("--consumer", help="A policy for a consumer role.")] = False,
    stream_arn: Annotated[
        list[str] | None,
        typer.Option("--stream-arn", metavar="ARN", help="Exact stream ARN, repeatable.", show_default=False),
    ] = None,
    name_prefix: Annotated[
        str | None,
        typer.Option("--name-prefix", metavar="PREFIX", help="Every stream whose name begins so.", show_default=False),
    ] = None,
    read: ReadOpt = None,
    producer_creates: ProducerCreatesOpt = False,
    account: Annotated[
        str | None,
        typer.Option(
            "--account", help="The streams' account for --name-prefix (default: the key's).", show_default=False
        ),
    ] = None,
    *,
    g: GlobalOptions,
) -> int:
    """Print a least-privilege IAM identity policy for a KVS producer or consumer role. Offline.

    A producer gets DescribeStream, GetDataEndpoint and PutMedia on the streams and kms:GenerateDataKey on
    the key; a consumer gets GetDataEndpoint and the actions of each --read path on the streams and
    kms:Decrypt on the key. KMS actions only through KVS (kms:ViaService). -o json prints the document alone.

    Examples:

      kvsctl iam recommend-policy --producer --stream-arn STREAM_ARN --key-arn KEY_ARN

      kvsctl iam recommend-policy --consumer --read getmedia,hls --name-prefix lobby- --key-arn KEY_ARN -o json

      aws iam put-role-policy --role-name Viewer --policy-name kvs-read --policy-document file://policy.json
    """
    from kvsctl.render.iam import IdentityPolicyView
    from kvsctl.workloads.identity import IdentityPolicyRequest, build_identity_policy
    from kvsctl.workloads.paths import parse_reads

    policy = build_identity_policy(
        IdentityPolicyRequest(
            key_arn=key_arn.strip(),
            stream_arns=tuple(stream_arn or ()),
            name_prefix=name_prefix,
            producer=producer,
            consumer=consumer,
            reads=parse_reads(read),
            producer_creates=producer_creates,
            account=account,
        )
    )
    g.emit(IdentityPolicyView(policy))
    return 0
