"""`kvsctl audit`: can each producer and consumer use the stream's KMS key, and why."""

from __future__ import annotations

from typing import Annotated

import typer

from kvsctl.cli.options import GlobalOptions, command_group, with_global_options

group = command_group("Audit KMS key policies, grants and IAM policies for KVS producers and consumers.")

_FILE = "FILE"
_ASSIGN = "PRINCIPAL=FILE"


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="audit")


@group.command("policy")
@with_global_options(aws=False)
def policy(
    key_policy: Annotated[str, typer.Option("--key-policy", metavar=_FILE, help="The key policy (JSON).")],
    key_arn: Annotated[str, typer.Option("--key-arn", help="ARN of the key the policy belongs to.")],
    stream_arn: Annotated[
        str | None, typer.Option("--stream-arn", help="Stream ARN; adds the kinesisvideo: checks.")
    ] = None,
    producer: Annotated[
        list[str] | None, typer.Option("--producer", help="Producer principal ARN, repeatable.", show_default=False)
    ] = None,
    consumer: Annotated[
        list[str] | None, typer.Option("--consumer", help="Consumer principal ARN, repeatable.", show_default=False)
    ] = None,
    identity_policy: Annotated[
        list[str] | None,
        typer.Option(
            "--identity-policy",
            metavar=_ASSIGN,
            help="An IAM policy of that principal; repeatable, several per principal. Without one the "
            "principal's IAM is unknown.",
            show_default=False,
        ),
    ] = None,
    permissions_boundary: Annotated[
        list[str] | None,
        typer.Option("--permissions-boundary", metavar=_ASSIGN, help="That principal's boundary.", show_default=False),
    ] = None,
    scp: Annotated[
        list[str] | None,
        typer.Option(
            "--scp", metavar=_FILE, help="An SCP applying to every principal, repeatable.", show_default=False
        ),
    ] = None,
    grants: Annotated[
        str | None, typer.Option("--grants", metavar=_FILE, help="aws kms list-grants output (JSON).")
    ] = None,
    context: Annotated[
        list[str] | None,
        typer.Option(
            "--context",
            metavar="KEY=VALUE",
            help="Set a request context key (KEY= marks it absent), repeatable.",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 1) on conditional checks too.")] = False,
    explain: Annotated[
        str | None, typer.Option("--explain", metavar="PRINCIPAL", help="Print the full evaluation trace.")
    ] = None,
    *,
    g: GlobalOptions,
) -> int:
    """Check, offline, that producers can kms:GenerateDataKey and kinesisvideo:PutMedia and consumers
    can kms:Decrypt and kinesisvideo:GetMedia, evaluating the key policy, grants, identity policies,
    permissions boundaries and SCPs as AWS does. Reads only files; needs no credentials.

    Decisions: allow, implicit_deny, explicit_deny, conditional (depends on request context or on
    IAM policies not given). Exit 0 when all allow, 1 when any deny (or, with --strict, any is
    conditional), 2 for bad input.

    Examples:

      kvsctl audit policy --key-policy key.json --key-arn KEY_ARN --producer CAMERA_ROLE_ARN --consumer VIEWER_ROLE_ARN

      kvsctl audit policy --key-policy key.json --key-arn KEY_ARN --consumer ROLE --identity-policy ROLE=iam.json

      kvsctl audit policy ... --context kms:EncryptionContext:app=video --explain ROLE -o json
    """
    from kvsctl.render.audit import AuditView
    from kvsctl.services.audit import PolicyAuditRequest, audit_policy_files

    request = PolicyAuditRequest(
        key_policy=key_policy,
        key_arn=key_arn,
        stream_arn=stream_arn,
        producers=producer or (),
        consumers=consumer or (),
        identity_policies=identity_policy or (),
        boundaries=permissions_boundary or (),
        scps=scp or (),
        grants=grants,
        context=context or (),
    )
    _, report = audit_policy_files(request)
    g.emit(AuditView(report, strict=strict, explain=explain))
    return 0 if report.ok(strict) else 1
