"""The fleet options shared by `audit all` and `cost estimate --from-account`: which accounts, the role
entered in each, and how many at once."""

from __future__ import annotations

from typing import Annotated, Any

import typer

PANEL = "Fleet (many accounts)"

AccountsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--accounts",
        metavar="ID,...|@FILE",
        help="These accounts (comma-separated or @FILE, one id a line), each entered with --assume-role.",
        rich_help_panel=PANEL,
    ),
]
OrganizationOpt = Annotated[
    bool,
    typer.Option(
        "--organization",
        help="Every ACTIVE account of the organization (Organizations ListAccounts).",
        rich_help_panel=PANEL,
    ),
]
AssumeRoleOpt = Annotated[
    str | None,
    typer.Option(
        "--assume-role", metavar="NAME", help="Role name assumed in each account (STS).", rich_help_panel=PANEL
    ),
]
ExternalIdOpt = Annotated[
    str | None,
    typer.Option("--external-id", metavar="ID", help="External id for --assume-role.", rich_help_panel=PANEL),
]
RoleSessionNameOpt = Annotated[
    str,
    typer.Option("--role-session-name", metavar="NAME", help="Session name in CloudTrail.", rich_help_panel=PANEL),
]
MaxConcurrencyOpt = Annotated[
    int,
    typer.Option("--max-concurrency", metavar="N", help="Accounts worked on at once (1-64).", rich_help_panel=PANEL),
]


def fleet_scope(
    accounts: list[str] | None,
    organization: bool,
    assume_role: str | None,
    external_id: str | None,
    role_session_name: str,
    max_concurrency: int,
    *,
    session_default: str,
) -> Any:
    """The FleetScope of the flags (its .validated() is exit 2 before any AWS call), or None without
    --accounts/--organization (then --assume-role and --external-id are a usage error)."""
    from kvsctl.errors import UsageError
    from kvsctl.services.fleet import FleetScope, accounts_of

    if not (accounts or organization):
        if assume_role or external_id:
            raise UsageError(
                "--assume-role and --external-id go with --accounts or --organization",
                hint="Add --accounts ID,... or --organization, or drop them.",
            )
        return None
    return FleetScope(
        accounts=accounts_of(accounts) if accounts else (),
        organization=organization,
        role_name=assume_role,
        external_id=external_id,
        session_name=role_session_name or session_default,
        max_concurrency=max_concurrency,
    )
