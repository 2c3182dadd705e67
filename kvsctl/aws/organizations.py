"""AWS Organizations, read only: the resource control policies (RCPs) that apply to an account.

Organizations UG "RCP evaluation": the RCPs attached to the root, to each OU on the path to the account
and to the account itself all apply. Reading them needs the management account or a delegated
administrator; any other answer leaves them unread (the audit then says RCPs were not checked), never
assumed absent. An account outside any organization has none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kvsctl.aws.session import ClientFactory
from kvsctl.errors import AwsError

SERVICE = "organizations"
_MAX_DEPTH = 8  # the root, at most five levels of OUs, the account


@dataclass(frozen=True)
class RcpRead:
    """``policies``: (name, document) of every RCP on the path root -> account; None when not read."""

    policies: tuple[tuple[str, Any], ...] | None
    why: str = ""


def read_rcps(factory: ClientFactory, account: str) -> RcpRead:
    try:
        factory.call(SERVICE, "describe_organization")
    except AwsError as exc:
        if exc.aws_code == "AWSOrganizationsNotInUseException":
            return RcpRead(())  # not in an organization: no RCP can apply
        return RcpRead(None, f"DescribeOrganization: {exc.message}")
    targets = [account]
    try:
        child = account
        for _ in range(_MAX_DEPTH):
            parents = list(
                factory.paginate(
                    SERVICE, "list_parents", "Parents", token_in="NextToken", token_out="NextToken", ChildId=child
                )
            )
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
            for summary in factory.paginate(
                SERVICE,
                "list_policies_for_target",
                "Policies",
                token_in="NextToken",
                token_out="NextToken",
                TargetId=target,
                Filter="RESOURCE_CONTROL_POLICY",
            ):
                pid = str(summary.get("Id", ""))
                if not pid or pid in seen:
                    continue
                seen.add(pid)
                policy = factory.call(SERVICE, "describe_policy", PolicyId=pid).get("Policy", {})
                content = policy.get("Content")
                if not isinstance(content, str):
                    return RcpRead(None, f"DescribePolicy {pid}: no policy content in the answer")
                out.append((f"RCP {summary.get('Name') or pid} (attached to {target})", json.loads(content)))
    except AwsError as exc:
        return RcpRead(None, f"{exc.operation or 'Organizations'}: {exc.message}")
    except ValueError as exc:
        return RcpRead(None, f"an RCP is not JSON: {exc}")
    return RcpRead(tuple(out))
