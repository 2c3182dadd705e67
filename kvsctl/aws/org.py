"""Organizations and STS: which accounts a fleet run covers, and a session in each.

`--organization` lists every ACTIVE account with Organizations ListAccounts (callable from the management
account or a delegated administrator); `--assume-role NAME` enters each account through STS AssumeRole
on `arn:PARTITION:iam::ACCOUNT:role/NAME`. Each account gets one ClientFactory (clients per Region are
built from it) and one rate limiter shared by all its Regions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kvsctl.aws.ratelimit import LimiterRegistry
from kvsctl.aws.session import AwsConfig, ClientFactory
from kvsctl.errors import AwsError, UsageError, shown

_ACCOUNT = re.compile(r"[0-9]{12}")
_ROLE_NAME = re.compile(r"[\w+=,.@/-]{1,64}", re.ASCII)
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str | None = None
    status: str = "ACTIVE"


def parse_accounts(values: list[str], read_file: object = None) -> list[str]:
    """`--accounts ID[,ID...]` (repeatable) or `@FILE` (one id a line, # comments): unique, in order."""
    from pathlib import Path

    ids: list[str] = []
    for value in values:
        if value.startswith("@"):
            path = Path(value[1:])
            if not path.is_file():
                raise UsageError(f"--accounts {value}: no such file", hint="Give @FILE with one account id a line.")
            if path.stat().st_size > 1_000_000:
                raise UsageError(f"--accounts {value}: file is larger than 1 MB", hint="One account id a line.")
            parts = [line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
        else:
            parts = [p.strip() for p in value.split(",")]
        for part in parts:
            if not part:
                continue
            if not _ACCOUNT.fullmatch(part):
                raise UsageError(
                    f"--accounts: {shown(part)} is not an AWS account id",
                    hint="Account ids are 12 digits: --accounts 111122223333,444455556666 or @accounts.txt.",
                    code="invalid_account",
                )
            if part not in ids:
                ids.append(part)
    if not ids:
        raise UsageError("--accounts names no account", hint="Give at least one 12-digit account id.")
    return ids


def check_role_options(role: str | None, external_id: str | None, session_name: str) -> None:
    if role is not None and not _ROLE_NAME.fullmatch(role):
        raise UsageError(
            f"--assume-role {shown(role)} is not an IAM role name",
            hint="Give the role's name (path allowed), e.g. --assume-role KvsctlAudit; kvsctl builds its ARN "
            "in each account.",
            code="invalid_role",
        )
    if external_id is not None and not _EXTERNAL_ID.fullmatch(external_id):
        raise UsageError("--external-id must be 2-1224 characters of letters, digits and +=,.@:/-")
    if not _SESSION_NAME.fullmatch(session_name):
        raise UsageError("--role-session-name must be 2-64 characters of letters, digits and +=,.@-")


def list_organization_accounts(factory: ClientFactory) -> list[Account]:
    """Every ACTIVE account of the caller's organization (all pages)."""
    accounts = []
    for entry in factory.paginate(
        "organizations", "list_accounts", "Accounts", token_in="NextToken", token_out="NextToken"
    ):
        # `State` replaces the deprecated `Status` (ACTIVE | SUSPENDED | PENDING_CLOSURE ...).
        status = str(entry.get("State") or entry.get("Status") or "ACTIVE")
        if status == "ACTIVE":
            accounts.append(Account(str(entry["Id"]), entry.get("Name"), status))
    return sorted(accounts, key=lambda a: a.account_id)


@dataclass
class AccountSessions:
    """A ClientFactory per account: the caller's own account uses the base factory (no AssumeRole); others
    are entered with AssumeRole. One rate limiter per account, shared by all of its factories."""

    base: ClientFactory
    role_name: str | None
    external_id: str | None = None
    session_name: str = "kvsctl-audit"
    limiters: LimiterRegistry | None = None

    def __post_init__(self) -> None:
        self.limiters = self.limiters or LimiterRegistry()
        self._caller: str | None = None

    def caller_account(self) -> str:
        if self._caller is None:
            out = self.base.call("sts", "get_caller_identity")
            self._caller = str(out["Account"])
            assert self.limiters is not None
            self.base.limiter = self.base.limiter or self.limiters.for_account(self._caller)
        return self._caller

    def partition(self) -> str:
        region = self.base.region
        return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"

    def enter(self, account: str) -> ClientFactory:
        """A factory whose calls run in `account`; AwsError (exit 3) when it cannot be entered."""
        assert self.limiters is not None
        if account == self.caller_account() and self.role_name is None:
            return self.base
        if self.role_name is None:
            raise AwsError(
                f"account {account} is not the caller's account ({self.caller_account()})",
                hint="Pass --assume-role NAME: the role kvsctl assumes in each account.",
                code="no_role",
            )
        role_arn = f"arn:{self.partition()}:iam::{account}:role/{self.role_name}"
        params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": self.session_name}
        if self.external_id:
            params["ExternalId"] = self.external_id
        try:
            creds = self.base.call("sts", "assume_role", **params)["Credentials"]
        except AwsError as exc:
            raise AwsError(
                f"could not assume {role_arn}: {exc.message}",
                hint="Deploy the audit role in that account (examples/org-audit/audit-role-stackset.yaml) "
                "and let the caller assume it.",
                code="assume_role_failed",
                aws_code=exc.aws_code,
                operation="AssumeRole",
            ) from exc
        config = AwsConfig(
            region=self.base.config.region,
            endpoint_url=self.base.config.endpoint_url,
            credentials=(str(creds["AccessKeyId"]), str(creds["SecretAccessKey"]), str(creds["SessionToken"])),
        )
        return ClientFactory(
            config,
            retry=self.base.retry,
            sleep=self.base.sleep,
            limiter=self.limiters.for_account(account),
            notify=self.base.notify,
        )
