"""AWS Organizations, read only: the resource control policies (RCPs) that apply to an account.

Organizations UG "RCP evaluation": the RCPs attached to the root, to each OU on the path to the account
and to the account itself all apply. Reading them needs the management account or a delegated
administrator; any other answer leaves them unread (the audit then says RCPs were not checked), never
assumed absent. An account outside any organization has none.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from kvsctl.aws.session import ClientFactory
from kvsctl.errors import AwsError
from kvsctl.singleflight import Once

SERVICE = "organizations"
_MAX_DEPTH = 8  # the root, at most five levels of OUs, the account


@dataclass(frozen=True)
class RcpRead:
    """``policies``: (name, document) of every RCP on the path root -> account; None when not read."""

    policies: tuple[tuple[str, Any], ...] | None
    why: str = ""


class OrgCache:
    """What every account of a fleet run shares (the organization, the OUs' parents, the policies of the
    root and OUs, each policy's text), read once however many accounts ask: Organizations is throttled
    at a low rate (kvsctl/aws/ratelimit.py), so a fleet reads only what is new for each account."""

    def __init__(self) -> None:
        self._once: Once[Any] = Once()

    def get(self, key: tuple[str, ...], compute: Callable[[], Any]) -> Any:
        return self._once.get(key, compute)


def _direct(_key: tuple[str, ...], compute: Callable[[], Any]) -> Any:
    return compute()


def read_rcps(factory: ClientFactory, account: str, cache: OrgCache | None = None) -> RcpRead:
    memo = cache.get if cache is not None else _direct
    try:
        memo(("organization",), partial(factory.call, SERVICE, "describe_organization"))
    except AwsError as exc:
        if exc.aws_code == "AWSOrganizationsNotInUseException":
            return RcpRead(())  # not in an organization: no RCP can apply
        return RcpRead(None, f"DescribeOrganization: {exc.message}")
    targets = [account]
    try:
        child = account
        for _ in range(_MAX_DEPTH):
            parents = memo(("parents", child), partial(_all, factory, "list_parents", "Parents", ChildId=child))
            if not parents:
                break
            parent = parents[0]
            targets.append(str(parent["Id"]))
            if parent.get("Type") == "ROOT":
                break
            child = str(parent["Id"])
        out: list[tuple[str, Any]] = []
        seen: set[str] = set()
        for target in targets:
            attached = partial(
                _all, factory, "list_policies_for_target", "Policies", TargetId=target, Filter="RESOURCE_CONTROL_POLICY"
            )
            for summary in memo(("policies", target), attached):
                pid = str(summary.get("Id", ""))
                if not pid or pid in seen:
                    continue
                seen.add(pid)
                policy = memo(("policy", pid), partial(factory.call, SERVICE, "describe_policy", PolicyId=pid))
                policy = policy.get("Policy", {})
                content = policy.get("Content")
                if not isinstance(content, str):
                    return RcpRead(None, f"DescribePolicy {pid}: no policy content in the answer")
                out.append((f"RCP {summary.get('Name') or pid} (attached to {target})", json.loads(content)))
    except AwsError as exc:
        return RcpRead(None, f"{exc.operation or 'Organizations'}: {exc.message}")
    except ValueError as exc:
        return RcpRead(None, f"an RCP is not JSON: {exc}")
    return RcpRead(tuple(out))


def _all(factory: ClientFactory, operation: str, items_key: str, **params: Any) -> list[Any]:
    return list(factory.paginate(SERVICE, operation, items_key, token_in="NextToken", token_out="NextToken", **params))
