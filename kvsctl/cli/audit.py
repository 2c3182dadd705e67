"""`kvsctl audit`: can each producer and consumer use the stream's KMS key, and why."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from kvsctl.cli.fleet_options import (
    AccountsOpt,
    AssumeRoleOpt,
    ExternalIdOpt,
    MaxConcurrencyOpt,
    OrganizationOpt,
    RoleSessionNameOpt,
    fleet_scope,
)
from kvsctl.cli.options import GlobalOptions, command_group, with_global_options
from kvsctl.cli.report_options import (
    FailOn,
    FailOnOpt,
    OverwriteOpt,
    ReportOpt,
    ReportPlan,
    SarifRootOpt,
    StrictOpt,
    emit_report,
    plan_report,
    reporting,
)
from kvsctl.render import REPORT_FORMATS

group = command_group("Audit KMS key policies, grants and IAM policies for KVS producers and consumers.")

_FILE = "FILE"
_ASSIGN = "PRINCIPAL=FILE"

_Read = Annotated[
    list[str] | None,
    typer.Option(
        "--read",
        metavar="PATH[,PATH...]",
        help="Consumer read paths to check: getmedia, fragments, hls, dash, clip, images, or all "
        "(repeatable; default getmedia).",
        show_default=False,
    ),
]
_ProducerCreates = Annotated[
    bool,
    typer.Option(
        "--producer-creates",
        help="Producers also need CreateStream and TagStream (kvssink creates a missing stream by default).",
    ),
]
_Explain = Annotated[
    str | None, typer.Option("--explain", metavar="PRINCIPAL", help="Print the full evaluation trace.")
]


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="audit")


@group.command("policy")
@with_global_options(REPORT_FORMATS, aws=False)
def policy(
    key_policy: Annotated[str, typer.Option("--key-policy", metavar=_FILE, help="The key policy (JSON).")],
    key_arn: Annotated[str, typer.Option("--key-arn", metavar="ARN", help="ARN of the key the policy belongs to.")],
    stream_arn: Annotated[
        str | None, typer.Option("--stream-arn", metavar="ARN", help="Stream ARN; adds the kinesisvideo: checks.")
    ] = None,
    producer: Annotated[
        list[str] | None,
        typer.Option("--producer", metavar="ARN", help="Producer principal ARN, repeatable.", show_default=False),
    ] = None,
    consumer: Annotated[
        list[str] | None,
        typer.Option("--consumer", metavar="ARN", help="Consumer principal ARN, repeatable.", show_default=False),
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
    scp_level: Annotated[
        list[str] | None,
        typer.Option(
            "--scp-level",
            metavar="FILE[,FILE...]",
            help="The SCPs attached at one level of the organization; repeat per level, root first, the "
            "account last. Every level must allow.",
            show_default=False,
        ),
    ] = None,
    rcp: Annotated[
        list[str] | None,
        typer.Option(
            "--rcp",
            metavar=_FILE,
            help="A resource control policy of the key's account, repeatable (customer managed keys only).",
            show_default=False,
        ),
    ] = None,
    rcp_level: Annotated[
        list[str] | None,
        typer.Option(
            "--rcp-level",
            metavar="FILE[,FILE...]",
            help="The RCPs attached at one level, repeatable, root first; a Deny at any level denies.",
            show_default=False,
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
    read: _Read = None,
    producer_creates: _ProducerCreates = False,
    strict: StrictOpt = False,
    explain: _Explain = None,
    fail_on: FailOnOpt = FailOn.error,
    report: ReportOpt = None,
    overwrite: OverwriteOpt = False,
    sarif_root: SarifRootOpt = None,
    *,
    g: GlobalOptions,
) -> int:
    """Check, offline, every call real producers and consumers make: producers DescribeStream,
    GetDataEndpoint, PutMedia and kms:GenerateDataKey; consumers, per --read path, GetDataEndpoint, the
    path's actions and kms:Decrypt. Evaluates the key policy, grants, identity policies, permissions
    boundaries and SCPs as AWS does. Reads only files; needs no credentials.

    Decisions: allow, implicit_deny, explicit_deny, conditional (depends on request context or on
    IAM policies not given). Every denied check has a fix: the smallest statement that makes it pass,
    and where it goes. Exit 0 when all allow, 1 when any denies or a finding fails (--fail-on; with
    --strict, also when any is conditional), 2 for bad input. SARIF points at the file and line of the
    statement that decided.

    Examples:

      kvsctl audit policy --key-policy key.json --key-arn KEY_ARN --producer CAMERA_ROLE_ARN --consumer VIEWER_ROLE_ARN

      kvsctl audit policy --key-policy key.json --key-arn KEY_ARN --consumer ROLE --identity-policy ROLE=iam.json

      kvsctl audit policy ... --consumer VIEWER_ROLE_ARN --read getmedia,hls --stream-arn STREAM_ARN

      kvsctl audit policy ... --context kms:EncryptionContext:app=video --explain ROLE -o json

      kvsctl audit policy ... -o sarif --report audit.sarif
    """
    from kvsctl.render.audit import AuditView
    from kvsctl.services.audit import PolicyAuditRequest, audit_policy_files

    plan = plan_report("audit-policy", report, overwrite, sarif_root)
    with reporting(g, plan):
        request = PolicyAuditRequest(
            key_policy=key_policy,
            key_arn=key_arn,
            stream_arn=stream_arn,
            producers=producer or (),
            consumers=consumer or (),
            identity_policies=identity_policy or (),
            boundaries=permissions_boundary or (),
            scps=scp or (),
            scp_levels=scp_level or (),
            rcps=rcp or (),
            rcp_levels=rcp_level or (),
            grants=grants,
            context=context or (),
            reads=read or (),
            producer_creates=producer_creates,
        )
        _, result = audit_policy_files(request)
        view = AuditView(result, strict=strict, explain=explain, fail_on=fail_on.value, sarif_root=plan.sarif_root)
        emit_report(g, view, plan)
    return view.verdict.exit_code(result.all())


# -- live audit: `audit stream` and `audit all` ---------------------------------------------------------


_LIVE = "Live audit"
_Producers = Annotated[
    list[str] | None,
    typer.Option("--producer", help="Producer principal ARN, repeatable.", show_default=False, rich_help_panel=_LIVE),
]
_Consumers = Annotated[
    list[str] | None,
    typer.Option("--consumer", help="Consumer principal ARN, repeatable.", show_default=False, rich_help_panel=_LIVE),
]
_Context = Annotated[
    list[str] | None,
    typer.Option(
        "--context",
        metavar="KEY=VALUE",
        help="Set a request context key (KEY= marks it absent), repeatable.",
        show_default=False,
        rich_help_panel=_LIVE,
    ),
]
_RequireCustomer = Annotated[
    bool,
    typer.Option("--require-customer-key", help="A stream on the AWS managed key fails.", rich_help_panel=_LIVE),
]
_KeyProfile = Annotated[
    str | None,
    typer.Option(
        "--key-profile",
        metavar="PROFILE",
        help="Profile of the account owning cross-account keys (GetKeyPolicy works only there).",
        show_default=False,
        rich_help_panel=_LIVE,
    ),
]


@group.command("stream")
@with_global_options(REPORT_FORMATS)
def stream(
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="NAME...", help="Stream names or stream ARNs.", show_default=False),
    ] = None,
    stream_name: Annotated[
        list[str] | None,
        typer.Option(
            "--stream-name",
            metavar="NAME",
            help="A stream, as the AWS CLI spells it; repeatable.",
            show_default=False,
            rich_help_panel=_LIVE,
        ),
    ] = None,
    producer: _Producers = None,
    consumer: _Consumers = None,
    context: _Context = None,
    fail_on: FailOnOpt = FailOn.error,
    strict: StrictOpt = False,
    require_customer_key: _RequireCustomer = False,
    key_profile: _KeyProfile = None,
    read: _Read = None,
    producer_creates: _ProducerCreates = False,
    explain: _Explain = None,
    ack_code: Annotated[
        int | None,
        typer.Option(
            "--ack-code",
            metavar="CODE",
            help="Diagnose a KMS fragment ack / GetMedia error code (4500-4506) of the one --producer or "
            "--consumer: name the layer that denies.",
            show_default=False,
            rich_help_panel=_LIVE,
        ),
    ] = None,
    report: ReportOpt = None,
    overwrite: OverwriteOpt = False,
    sarif_root: SarifRootOpt = None,
    *,
    g: GlobalOptions,
) -> int:
    """Audit streams live: is each stream's key usable, can the producers write (DescribeStream,
    GetDataEndpoint, PutMedia, kms:GenerateDataKey) and the consumers read on each --read path
    (GetDataEndpoint, the path's actions, kms:Decrypt)? Every denied check has a fix.

    Reads the streams, each distinct key once (state, spec, rotation, key policy, grants) and each
    principal's IAM policies (inline, managed, group, boundary). Never creates the AWS managed key.
    Exit 0 all pass, 1 a check or finding fails (--fail-on, --strict), 2 bad input, 3 AWS error.

    Examples:

      kvsctl audit stream lobby-cam --producer arn:aws:iam::123456789012:role/cam --consumer VIEWER_ROLE_ARN

      kvsctl audit stream lobby-cam dock-cam --consumer ROLE_ARN -o sarif --report audit.sarif

      kvsctl audit stream lobby-cam --consumer VIEWER_ROLE_ARN --read all --explain VIEWER_ROLE_ARN

      kvsctl audit stream lobby-cam --producer CAMERA_ROLE_ARN --ack-code 4500

      kvsctl audit stream arn:aws:kinesisvideo:us-west-2:123456789012:stream/lobby-cam/1700000000000 --consumer ROLE_ARN
    """
    from kvsctl.services.audit_live import AuditScope
    from kvsctl.workloads.paths import parse_reads

    names = [*(names or ()), *(stream_name or ())]
    scope = AuditScope(
        names=tuple(names),
        regions=g.regions,
        producers=tuple(producer or ()),
        consumers=tuple(consumer or ()),
        require_customer_key=require_customer_key,
        reads=parse_reads(read),
        producer_creates=producer_creates,
    )
    diagnose_for = _ack_principal(ack_code, names, producer, consumer)
    plan = plan_report("audit", report, overwrite, sarif_root)
    return _live_audit(g, scope, context, fail_on, strict, key_profile, plan, explain, progress=False, ack=diagnose_for)


def _ack_principal(
    code: int | None, names: list[str], producer: list[str] | None, consumer: list[str] | None
) -> tuple[int, str] | None:
    """--ack-code needs one stream and one principal (exit 2 before any AWS call otherwise)."""
    if code is None:
        return None
    from kvsctl.errors import UsageError
    from kvsctl.workloads.ackcodes import check_ack_code

    check_ack_code(code)
    who = [*(producer or ()), *(consumer or ())]
    if len(set(names)) != 1 or len(set(who)) != 1:
        raise UsageError(
            "--ack-code diagnoses one principal on one stream",
            hint="kvsctl audit stream NAME --producer ARN --ack-code 4500 (or --consumer ARN for a GetMedia error).",
        )
    return code, who[0].strip()


@group.command("all")
@with_global_options(REPORT_FORMATS, multi_region=True)
def all_(
    name_prefix: Annotated[
        str | None, typer.Option("--name-prefix", help="Only streams whose name begins so.", show_default=False)
    ] = None,
    producer: _Producers = None,
    consumer: _Consumers = None,
    context: _Context = None,
    fail_on: FailOnOpt = FailOn.error,
    strict: StrictOpt = False,
    require_customer_key: _RequireCustomer = False,
    key_profile: _KeyProfile = None,
    read: _Read = None,
    producer_creates: _ProducerCreates = False,
    explain: _Explain = None,
    report: ReportOpt = None,
    overwrite: OverwriteOpt = False,
    sarif_root: SarifRootOpt = None,
    allow_empty: Annotated[
        bool, typer.Option("--allow-empty", help="Pass when no stream matches (else exit 1).", rich_help_panel=_LIVE)
    ] = False,
    accounts: AccountsOpt = None,
    organization: OrganizationOpt = False,
    assume_role: AssumeRoleOpt = None,
    external_id: ExternalIdOpt = None,
    role_session_name: RoleSessionNameOpt = "kvsctl-audit",
    max_concurrency: MaxConcurrencyOpt = 8,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            help="Table: every stream (default: the failing ones and a summary; JSON and reports have all).",
            rich_help_panel=_LIVE,
        ),
    ] = False,
    *,
    g: GlobalOptions,
) -> int:
    """Audit every stream in one or more regions (--region is repeatable), as `audit stream` does. No stream
    matching is a failure (KVS218: a job pointed at the wrong region) unless --allow-empty.

    With --accounts or --organization, every account is audited (entered with --assume-role) in every
    --region, at most --max-concurrency at once and never faster than AWS's per-account quotas; an account
    that cannot be entered is an error (KVS250) and the others complete. Results carry account and region.

    Streams come from ListStreams; keys and principals are read once each however many streams share
    them, so the cost follows distinct keys and principals, not streams. A progress bar shows on
    stderr when it is a terminal.

    Examples:

      kvsctl audit all --require-customer-key --fail-on warning

      kvsctl audit all --region us-east-1 --region eu-west-1 --consumer ROLE_ARN -o junit --report audit.xml

      kvsctl audit all --organization --assume-role KvsctlAudit --region us-east-1 --region eu-west-1 -o sarif
    """
    from kvsctl.services.audit_live import AuditScope
    from kvsctl.workloads.paths import parse_reads

    scope = AuditScope(
        all_streams=True,
        name_prefix=name_prefix,
        regions=g.regions,
        producers=tuple(producer or ()),
        consumers=tuple(consumer or ()),
        require_customer_key=require_customer_key,
        allow_empty=allow_empty,
        reads=parse_reads(read),
        producer_creates=producer_creates,
    )
    plan = plan_report("audit", report, overwrite, sarif_root)
    fleet = fleet_scope(
        accounts,
        organization,
        assume_role,
        external_id,
        role_session_name,
        max_concurrency,
        session_default="kvsctl-audit",
    )
    return _live_audit(
        g, scope, context, fail_on, strict, key_profile, plan, explain, progress=True, verbose=verbose, fleet=fleet
    )


def _live_audit(
    g: GlobalOptions,
    scope: Any,
    context: list[str] | None,
    fail_on: FailOn,
    strict: bool,
    key_profile: str | None,
    plan: ReportPlan,
    explain: str | None,
    *,
    progress: bool,
    ack: tuple[int, str] | None = None,
    verbose: bool = True,
    fleet: Any = None,
) -> int:
    """Shared by `audit stream` and `audit all`: check input, run, render, exit code."""
    from kvsctl.cli.progress import progress_bar
    from kvsctl.render.audit_live import LiveAuditView
    from kvsctl.services.audit import parse_context
    from kvsctl.services.audit_live import run

    with reporting(g, plan):
        scope.validated()  # exit 2 before any AWS call
        if fleet is not None:
            fleet.validated()
        ctx = parse_context(context or ())
        key_factory = None
        if key_profile is not None:
            from kvsctl.aws.session import check_profile_exists

            check_profile_exists(key_profile, "--key-profile")  # exit 2 whether or not a cross-account key shows up
            key_factory = g.factory(key_profile)
        with progress_bar(enabled=progress, no_color=g.no_color) as on_progress:
            if fleet is not None:
                from kvsctl.services.fleet import FleetAudit

                result = FleetAudit(g.factory(), fleet, progress=on_progress).run(
                    scope, context=ctx, strict=strict, fail_on=fail_on.value
                )
                view = LiveAuditView(result, sarif_root=plan.sarif_root, explain=explain, verbose=verbose)
                emit_report(g, view, plan)
                return result.exit_code
            result = run(
                g.factory(),
                scope,
                key_factory=key_factory,
                context=ctx,
                strict=strict,
                fail_on=fail_on.value,
                progress=on_progress,
            )
        diagnosis = None
        if ack is not None and result.streams:
            from kvsctl.workloads.ackcodes import diagnose

            diagnosis = diagnose(ack[0], result.streams[0], ack[1])
        view = LiveAuditView(result, sarif_root=plan.sarif_root, explain=explain, diagnosis=diagnosis, verbose=verbose)
        emit_report(g, view, plan)
    return result.exit_code


# -- infrastructure as code: `audit template` -----------------------------------------------------------

_IAC = "Template audit"
_TemplateContext = Annotated[
    list[str] | None,
    typer.Option(
        "--context",
        metavar="KEY=VALUE",
        help="Set a request context key (KEY= marks it absent), repeatable.",
        show_default=False,
        rich_help_panel=_IAC,
    ),
]
_TemplateRequireCustomer = Annotated[
    bool,
    typer.Option("--require-customer-key", help="A stream on the AWS managed key fails.", rich_help_panel=_IAC),
]
_TemplateRead = Annotated[
    list[str] | None,
    typer.Option(
        "--read",
        metavar="PATH[,PATH...]",
        help="Consumer read paths to check: getmedia, fragments, hls, dash, clip, images, or all "
        "(repeatable; default getmedia). An inferred consumer is checked on the selected paths it is granted.",
        show_default=False,
        rich_help_panel=_IAC,
    ),
]
_TemplateProducerCreates = Annotated[
    bool,
    typer.Option(
        "--producer-creates",
        help="Producers also need CreateStream and TagStream (kvssink creates a missing stream by default).",
        rich_help_panel=_IAC,
    ),
]


@group.command("template")
@with_global_options(REPORT_FORMATS, aws=False)
def template(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE_OR_DIR...",
            help="CloudFormation templates (JSON/YAML), cdk.out folders, Terraform plan JSON.",
            show_default=False,
        ),
    ],
    parameter: Annotated[
        list[str] | None,
        typer.Option(
            "--parameter",
            metavar="NAME=VALUE",
            help="A template parameter (or AWS::AccountId, AWS::Region, AWS::StackName), repeatable.",
            show_default=False,
            rich_help_panel=_IAC,
        ),
    ] = None,
    producer: Annotated[
        list[str] | None,
        typer.Option(
            "--producer",
            metavar="ID",
            help="Producer: ARN, logical id or Terraform address, repeatable (default: inferred).",
            show_default=False,
            rich_help_panel=_IAC,
        ),
    ] = None,
    consumer: Annotated[
        list[str] | None,
        typer.Option(
            "--consumer",
            metavar="ID",
            help="Consumer: ARN, logical id or Terraform address, repeatable (default: inferred).",
            show_default=False,
            rich_help_panel=_IAC,
        ),
    ] = None,
    change_set: Annotated[
        list[str] | None,
        typer.Option(
            "--change-set",
            metavar="FILE",
            help="A CloudFormation change set (describe-change-set JSON): stream replacements, key changes.",
            show_default=False,
            rich_help_panel=_IAC,
        ),
    ] = None,
    context: _TemplateContext = None,
    read: _TemplateRead = None,
    producer_creates: _TemplateProducerCreates = False,
    fail_on: FailOnOpt = FailOn.error,
    strict: StrictOpt = False,
    require_customer_key: _TemplateRequireCustomer = False,
    report: ReportOpt = None,
    overwrite: OverwriteOpt = False,
    sarif_root: SarifRootOpt = None,
    *,
    g: GlobalOptions,
) -> int:
    """Audit CloudFormation templates, CDK output and Terraform plans offline, before anything exists:
    each stream's key (none or AWS managed with --require-customer-key, unusable, named by alias) and
    whether its producers (DescribeStream, GetDataEndpoint, PutMedia, kms:GenerateDataKey) and its
    consumers on each --read path (GetDataEndpoint, the path's actions, kms:Decrypt) may make every call,
    from the key policy and their identity policies. Every denied check has a verified fix.

    Without --producer/--consumer, roles granting PutMedia on a stream are its producers and roles
    granting a read path's actions its consumers on that path. References between resources are
    followed; parameters take their defaults or --parameter; what cannot be resolved makes the checks
    that depend on it conditional, naming it. Every result and finding points at FILE:LINE (SARIF
    physical locations, relative to --sarif-root). Reads only the files; no credentials.
    Exit 0 all pass, 1 a check or finding fails (--fail-on, --strict), 2 bad input (with FILE:LINE).

    Examples:

      kvsctl audit template stack.yaml --require-customer-key

      kvsctl audit template cdk.out -o sarif --report kvs.sarif

      kvsctl audit template stack.yaml --read getmedia,hls --producer-creates

      kvsctl audit template plan.json --producer aws_iam_role.camera --parameter AWS::AccountId=111122223333

      kvsctl audit template stack.yaml --change-set change-set.json
    """
    from kvsctl.render.audit_template import TemplateAuditView
    from kvsctl.services.audit import parse_context
    from kvsctl.services.audit_template import TemplateAuditRequest, run
    from kvsctl.workloads.paths import parse_reads

    plan = plan_report("audit-template", report, overwrite, sarif_root)
    with reporting(g, plan):
        request = TemplateAuditRequest(
            paths=tuple(paths),
            parameters=tuple(parameter or ()),
            producers=tuple(producer or ()),
            consumers=tuple(consumer or ()),
            require_customer_key=require_customer_key,
            context=parse_context(context or ()),
            change_sets=tuple(change_set or ()),
            strict=strict,
            fail_on=fail_on.value,
            reads=parse_reads(read),
            producer_creates=producer_creates,
        )
        result = run(request)
        emit_report(g, TemplateAuditView(result, sarif_root=plan.sarif_root), plan)
    return result.report.exit_code
