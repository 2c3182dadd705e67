"""IAM gateway: the identity policies and permission boundary of a role or user, as plain documents.

What is read, for a role: its inline policies, its attached managed policies (default version) and its
permission boundary. For a user: the same, plus the inline and attached policies of every group it is in.
An assumed-role session ARN (arn:aws:sts::ACCT:assumed-role/ROLE/SESSION) is read as its role.
Every list is followed through all its pages. Managed policies and groups shared by several principals
are read once per gateway.

A principal whose policies cannot all be read (access denied, not found, throttled past retries, another
account) comes back with `error` set and must be treated as having unknown IAM policies: a partial set
could hide a Deny, so it is never handed on as if complete.
"""

from __future__ import annotations

import dataclasses
import json
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kvsctl.aws.errors import is_session_error
from kvsctl.aws.session import ClientFactory
from kvsctl.errors import AwsError
from kvsctl.singleflight import Once

SERVICE = "iam"

_IAM_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):iam::(?P<account>[0-9]{12}):(?P<kind>role|user)/(?P<path>[!-~]+)", re.ASCII
)
_STS_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):sts::(?P<account>[0-9]{12}):assumed-role/(?P<role>[!-.0-~]+)/(?P<session>[!-~]+)",
    re.ASCII,
)
_ROOT_ARN = re.compile(r"arn:aws[a-z-]*:iam::(?P<account>[0-9]{12}):root|(?P<bare>[0-9]{12})", re.ASCII)


@dataclass(frozen=True)
class PrincipalTarget:
    """What an ARN names for IAM purposes. kind: role | user | account | other."""

    kind: str
    account: str | None
    name: str | None = None

    @property
    def readable(self) -> bool:
        return self.kind in ("role", "user")


def principal_target(arn: str) -> PrincipalTarget:
    """Pure: role/user ARNs by their last path segment, session ARNs as their role, the account principal."""
    text = arn.strip()
    m = _IAM_ARN.fullmatch(text)
    if m:
        return PrincipalTarget(m.group("kind"), m.group("account"), m.group("path").rsplit("/", 1)[-1])
    m = _STS_ARN.fullmatch(text)
    if m:
        return PrincipalTarget("role", m.group("account"), m.group("role"))
    m = _ROOT_ARN.fullmatch(text)
    if m:
        return PrincipalTarget("account", m.group("account") or m.group("bare"))
    parts = text.split(":")
    account = parts[4] if len(parts) > 4 and parts[4].isdigit() else None
    return PrincipalTarget("other", account)


@dataclass(frozen=True)
class NamedPolicy:
    """One policy document and where it came from (e.g. 'role/app inline ship-video',
    'managed arn:aws:iam::aws:policy/X', 'group ops inline p')."""

    name: str
    document: Any  # dict as IAM returns it (or JSON text)


@dataclass(frozen=True)
class PrincipalIam:
    """The IAM policies of one principal, or why they could not be read (`error`)."""

    arn: str
    kind: str
    resolved_arn: str | None = None  # the role or user whose policies were read
    identity: tuple[NamedPolicy, ...] = ()
    boundary: NamedPolicy | None = None
    error: str | None = None
    error_code: str | None = None  # kvsctl error code when a read failed (access_denied, throttled, ...)

    @property
    def complete(self) -> bool:
        return self.error is None


def _document(raw: Any) -> Any:
    """IAM returns URL-encoded JSON; boto3 decodes it to a dict, but be robust to the raw text."""
    if isinstance(raw, str):
        text = urllib.parse.unquote(raw) if raw.lstrip().startswith("%") else raw
        try:
            return json.loads(text)
        except ValueError:
            return text
    return raw


class IamGateway:
    def __init__(self, factory: ClientFactory) -> None:
        self.factory = factory
        self._managed: Once[NamedPolicy] = Once()
        self._groups: Once[tuple[NamedPolicy, ...]] = Once()
        self._principals: Once[PrincipalIam] = Once()

    # -- public ------------------------------------------------------------------------------------
    def principal(self, arn: str, *, home_account: str | None = None) -> PrincipalIam:
        """The IAM policies of a role or user ARN (or session ARN), read once per role or user per gateway
        (a session ARN and its role's ARN share one read).

        `home_account` is the account whose IAM these credentials can read; a principal of another
        account is reported unreadable without a call (its IAM lives where we cannot look)."""
        arn = arn.strip()
        target = principal_target(arn)
        if not target.readable:
            what = "the account principal" if target.kind == "account" else "not an IAM role or user"
            return PrincipalIam(arn, target.kind, error=f"{arn} is {what}; it has no IAM policies to read")
        if home_account and target.account and target.account != home_account:
            return PrincipalIam(
                arn,
                target.kind,
                error=f"{arn} is in account {target.account}; its IAM policies can only be read there "
                f"(this audit reads account {home_account})",
            )
        read = self._principals.get((target.kind, target.account, target.name), lambda: self._read(target))
        return dataclasses.replace(read, arn=arn)

    # -- reading -----------------------------------------------------------------------------------
    def _read(self, target: PrincipalTarget) -> PrincipalIam:
        assert target.name is not None
        label = f"{target.kind} {target.name}"
        try:
            if target.kind == "role":
                return self._read_role(label, target.name)
            return self._read_user(label, target.name)
        except AwsError as exc:
            if is_session_error(exc):
                raise
            return PrincipalIam(
                label, target.kind, error=f"could not read IAM policies of {label}: {exc.message}", error_code=exc.code
            )

    def _read_role(self, arn: str, name: str) -> PrincipalIam:
        role = self.factory.call(SERVICE, "get_role", RoleName=name)["Role"]
        identity = list(self._inline("role", name))
        for policy_arn in self._attached("role", name):
            identity.append(self.managed_policy(policy_arn))
        boundary = self._boundary(role.get("PermissionsBoundary"))
        return PrincipalIam(arn, "role", str(role.get("Arn", "")) or None, tuple(identity), boundary)

    def _read_user(self, arn: str, name: str) -> PrincipalIam:
        user = self.factory.call(SERVICE, "get_user", UserName=name)["User"]
        identity = list(self._inline("user", name))
        for policy_arn in self._attached("user", name):
            identity.append(self.managed_policy(policy_arn))
        for group in self._pages("list_groups_for_user", "Groups", UserName=name):
            identity.extend(self._group_policies(str(group["GroupName"])))
        boundary = self._boundary(user.get("PermissionsBoundary"))
        return PrincipalIam(arn, "user", str(user.get("Arn", "")) or None, tuple(identity), boundary)

    def _group_policies(self, name: str) -> tuple[NamedPolicy, ...]:
        return self._groups.get(name, lambda: self._read_group(name))

    def _read_group(self, name: str) -> tuple[NamedPolicy, ...]:
        policies = list(self._inline("group", name))
        for policy_arn in self._attached("group", name):
            policies.append(self.managed_policy(policy_arn))
        return tuple(policies)

    def _inline(self, kind: str, name: str) -> Iterator[NamedPolicy]:
        name_param = {"role": "RoleName", "user": "UserName", "group": "GroupName"}[kind]
        for policy_name in self._pages(f"list_{kind}_policies", "PolicyNames", **{name_param: name}):
            out = self.factory.call(SERVICE, f"get_{kind}_policy", **{name_param: name, "PolicyName": policy_name})
            yield NamedPolicy(f"{kind} {name} inline {policy_name}", _document(out["PolicyDocument"]))

    def _attached(self, kind: str, name: str) -> list[str]:
        name_param = {"role": "RoleName", "user": "UserName", "group": "GroupName"}[kind]
        return [
            str(p["PolicyArn"])
            for p in self._pages(f"list_attached_{kind}_policies", "AttachedPolicies", **{name_param: name})
        ]

    def _boundary(self, boundary: dict[str, Any] | None) -> NamedPolicy | None:
        arn = (boundary or {}).get("PermissionsBoundaryArn")
        return self.managed_policy(str(arn)) if arn else None

    def managed_policy(self, policy_arn: str) -> NamedPolicy:
        """The default version of a managed policy (read once per ARN)."""

        def read() -> NamedPolicy:
            policy = self.factory.call(SERVICE, "get_policy", PolicyArn=policy_arn)["Policy"]
            version = self.factory.call(
                SERVICE, "get_policy_version", PolicyArn=policy_arn, VersionId=policy["DefaultVersionId"]
            )["PolicyVersion"]
            return NamedPolicy(f"managed {policy_arn}", _document(version["Document"]))

        return self._managed.get(policy_arn, read)

    def _pages(self, operation: str, items_key: str, **params: Any) -> Iterator[Any]:
        return self.factory.paginate(
            SERVICE, operation, items_key, token_in="Marker", token_out="Marker", truncated_key="IsTruncated", **params
        )
