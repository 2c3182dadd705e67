"""`kvsctl key`: recommend a least-privilege key policy for KVS, create a key with it, describe a key."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from kvsctl.cli.options import GlobalOptions, command_group, with_global_options

group = command_group("Recommend key policies, create KVS keys the right way, and describe keys.")

AdminOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--admin", metavar="ARN", help="Key administrator role/user ARN (repeatable; at least one).", show_default=False
    ),
]
ProducerOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--producer", help="Producer ARN: gets kms:GenerateDataKey through KVS (repeatable).", show_default=False
    ),
]
ConsumerOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--consumer", metavar="ARN", help="Consumer ARN: gets kms:Decrypt through KVS (repeatable).", show_default=False
    ),
]
AccountIamOpt = Annotated[
    bool,
    typer.Option(
        "--allow-account-iam",
        help="Also delegate to the account's IAM policies (arn:aws:iam::ACCT:root). Off unless asked.",
    ),
]
ReadOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--read",
        metavar="PATH[,PATH...]",
        help="Consumer read paths the key serves: getmedia, fragments, hls, dash, clip, images, or all "
        "(kms:Decrypt for each; the output says which).",
        show_default=False,
    ),
]
AccountOpt = Annotated[
    str | None,
    typer.Option("--account", help="The key's account id (default: the admins' account).", show_default=False),
]


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="key")


@group.command("recommend-policy")
@with_global_options(aws=False)
def recommend_policy(
    admin: AdminOpt = None,
    producer: ProducerOpt = None,
    consumer: ConsumerOpt = None,
    key_region: Annotated[
        str | None, typer.Option("--region", help="The key's region (default: AWS_REGION).", show_default=False)
    ] = None,
    account: AccountOpt = None,
    allow_account_iam: AccountIamOpt = False,
    read: ReadOpt = None,
    *,
    g: GlobalOptions,
) -> int:
    """Print a least-privilege key policy for KVS. Offline: no AWS call, no credentials needed.

    Admins manage the key but cannot use it; producers get kms:GenerateDataKey and consumers
    kms:Decrypt, each only through KVS (kms:ViaService) and only the principals named.

    Examples:

      kvsctl key recommend-policy --region us-west-2 --admin arn:aws:iam::123456789012:role/KeyAdmin
      --producer arn:aws:iam::123456789012:role/Camera --consumer arn:aws:iam::123456789012:role/Viewer

      kvsctl key recommend-policy --admin "$ADMIN" --producer "$CAMERA" -o json > policy.json

      aws kms put-key-policy --key-id alias/cams --policy-name default --policy file://policy.json
    """
    from kvsctl.keys.policy import PolicyRequest, build_key_policy
    from kvsctl.render.keys import RecommendPolicyView
    from kvsctl.workloads.paths import parse_reads

    rec = build_key_policy(
        PolicyRequest(
            admins=admin or [],
            producers=producer or [],
            consumers=consumer or [],
            region=key_region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
            account=account,
            allow_account_iam=allow_account_iam,
            reads=parse_reads(read),
        )
    )
    g.emit(RecommendPolicyView(rec))
    return 0


@group.command("create")
@with_global_options()
def create(
    alias: Annotated[str, typer.Option("--alias", help="alias/NAME for the new key.", show_default=False)],
    admin: AdminOpt = None,
    producer: ProducerOpt = None,
    consumer: ConsumerOpt = None,
    description: Annotated[str, typer.Option("--description", help="Key description.")] = "",
    tag: Annotated[list[str] | None, typer.Option("--tag", help="KEY=VALUE, repeatable.", show_default=False)] = None,
    account: AccountOpt = None,
    allow_account_iam: AccountIamOpt = False,
    read: ReadOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything and print the plan; create nothing.")
    ] = False,
    *,
    g: GlobalOptions,
) -> int:
    """Create a KVS key: SYMMETRIC_DEFAULT, the recommended policy, rotation enabled, and the alias.

    Refuses (exit 2, nothing created) a policy that would leave no admin able to manage the key, and
    (exit 1, nothing created) an alias already in use. KMS also refuses a policy that does not let the
    identity running kvsctl change it later, so include your own role as an --admin. If a step fails
    after the key exists, the error names the key and how to finish or clean up.

    Examples:

      kvsctl key create --alias alias/cams --admin arn:aws:iam::123456789012:role/KeyAdmin
      --producer arn:aws:iam::123456789012:role/Camera --tag team=video

      kvsctl key create --alias alias/cams --admin "$ADMIN" --dry-run -o json | jq .policy
    """
    from kvsctl import validate
    from kvsctl.render.keys import KeyCreateView
    from kvsctl.services.keyadmin import CreateKeyRequest, KeyAdminService
    from kvsctl.workloads.paths import parse_reads

    req = CreateKeyRequest(
        alias=alias,
        admins=tuple(admin or ()),
        producers=tuple(producer or ()),
        consumers=tuple(consumer or ()),
        description=description,
        tags=validate.tags(tag),
        allow_account_iam=allow_account_iam,
        account=account,
        dry_run=dry_run,
        reads=parse_reads(read),
    )
    service = KeyAdminService(g.factory())
    outcome = service.create(req, warn=g.warn)
    g.emit(KeyCreateView(outcome))
    return 0


@group.command("describe")
@with_global_options()
def describe(
    key: Annotated[
        str, typer.Argument(help="Key id, key ARN, alias/NAME, alias ARN, or aws-managed.", show_default=False)
    ],
    *,
    g: GlobalOptions,
) -> int:
    """Show a key: metadata, aliases, rotation, its policy, and the streams that use it.

    Reading never creates anything: the AWS managed key is looked up through ListAliases.

    Examples:

      kvsctl key describe alias/cams

      kvsctl key describe aws-managed -o json | jq -r '.streams[].name'
    """
    from kvsctl.keyref import parse_key_ref
    from kvsctl.render.keys import KeyDescribeView
    from kvsctl.services.keyadmin import KeyAdminService

    parse_key_ref(key)
    g.emit(KeyDescribeView(KeyAdminService(g.factory()).describe(key)))
    return 0


@group.command("list")
@with_global_options()
def list_keys(
    all_keys: Annotated[
        bool, typer.Option("--all", help="Also list the customer managed keys KVS cannot use, with why.")
    ] = False,
    *,
    g: GlobalOptions,
) -> int:
    """List the customer managed keys KVS can use (symmetric, encrypt/decrypt, enabled) with their aliases,
    rotation and how many streams in the region use each.

    Examples:

      kvsctl key list

      kvsctl key list --all -o json | jq -r '.keys[] | select(.usable_by_kvs | not) | .why_not[]'
    """
    from kvsctl.render.account import KeyListView
    from kvsctl.services.keylist import list_keys as gather

    g.emit(KeyListView(gather(g.factory(), all_keys=all_keys)))
    return 0
