"""The IAM actions kvsctl's audits call, one per API operation its gateways make (IAM action names for
these services are `service:OperationName`). The audit role of examples/org-audit is exactly this list;
tests/aws/test_fleet.py checks that a real audit run calls nothing outside it and that the template holds
exactly it. `python -m kvsctl.aws.permissions` prints the policy document.
"""

from __future__ import annotations

import json
from typing import Any

#: In each audited account (the role kvsctl assumes there): reads only.
AUDIT_ACTIONS: tuple[str, ...] = (
    # streams
    "kinesisvideo:DescribeStream",
    "kinesisvideo:ListStreams",
    # keys: metadata, policy, grants, rotation, aliases, custom key stores
    "kms:DescribeCustomKeyStores",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeys",
    # producers' and consumers' identity policies and boundaries
    "iam:GetGroupPolicy",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:GetUser",
    "iam:GetUserPolicy",
    "iam:ListAttachedGroupPolicies",
    "iam:ListAttachedRolePolicies",
    "iam:ListAttachedUserPolicies",
    "iam:ListGroupPolicies",
    "iam:ListGroupsForUser",
    "iam:ListRolePolicies",
    "iam:ListUserPolicies",
)

#: In the account that runs kvsctl (management or delegated administrator account) for --organization.
RUNNER_ACTIONS: tuple[str, ...] = ("organizations:ListAccounts", "sts:AssumeRole", "sts:GetCallerIdentity")


def action_for(call_key: str) -> str:
    """'kms.DescribeKey' (as CallStats counts calls) -> 'kms:DescribeKey'."""
    service, _, api = call_key.partition(".")
    return f"{service}:{api}"


def audit_policy_document() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "KvsctlAuditReadOnly", "Effect": "Allow", "Action": list(AUDIT_ACTIONS), "Resource": "*"}
        ],
    }


if __name__ == "__main__":  # pragma: no cover - a printing helper
    print(json.dumps(audit_policy_document(), indent=2))
