"""Builders for live-audit scenarios, usable against moto in-process or a moto server.

Each builder takes plain boto3 clients (`kms`, `kvs`, `iam`) and returns the ARNs it made.
"""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import ACCOUNT, REGION

PRODUCER = f"arn:aws:iam::{ACCOUNT}:role/cam-producer"
CONSUMER = f"arn:aws:iam::{ACCOUNT}:role/cam-consumer"
GROUP_CONSUMER = f"arn:aws:iam::{ACCOUNT}:user/viewer"
FENCED_CONSUMER = f"arn:aws:iam::{ACCOUNT}:role/fenced-consumer"
BROKEN_CONSUMER = f"arn:aws:iam::{ACCOUNT}:role/broken-consumer"
PRODUCER_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/cam-producer/device-7"
# what the producer SDK and a GetMedia reader call on the stream (kvsctl/workloads/paths.py)
PRODUCER_STREAM_ACTIONS = ["kinesisvideo:DescribeStream", "kinesisvideo:GetDataEndpoint", "kinesisvideo:PutMedia"]
GETMEDIA_STREAM_ACTIONS = ["kinesisvideo:GetDataEndpoint", "kinesisvideo:GetMedia"]


def statement(effect: str, actions: list[str], resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Action": actions, "Resource": resource, **extra}


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def delegating_key_policy(account: str = ACCOUNT) -> str:
    """The default key policy: the account principal, so IAM policies decide (KMS DG, default key policy)."""
    return doc(
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    )


def make_key(kms: Any, *, alias: str | None = None, rotation: bool = True, policy: str | None = None, **kw: Any) -> str:
    meta = kms.create_key(Policy=policy or delegating_key_policy(), **kw)["KeyMetadata"]
    if alias:
        kms.create_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
    if rotation and kw.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT":
        kms.enable_key_rotation(KeyId=meta["KeyId"])
    return str(meta["Arn"])


def make_stream(kvs: Any, name: str, key: str | None) -> str:
    params: dict[str, Any] = {"StreamName": name, "DataRetentionInHours": 24}
    if key:
        params["KmsKeyId"] = key
    return str(kvs.create_stream(**params)["StreamARN"])


def make_principals(iam: Any) -> None:
    """Producers and consumers reaching their permissions in every way IAM offers."""
    use_key = ["kms:GenerateDataKey", "kms:Decrypt"]
    # producer: inline policy on a role
    iam.create_role(RoleName="cam-producer", AssumeRolePolicyDocument="{}")
    iam.put_role_policy(
        RoleName="cam-producer",
        PolicyName="produce",
        PolicyDocument=doc(statement("Allow", [*PRODUCER_STREAM_ACTIONS, "kms:GenerateDataKey"])),
    )
    # consumer: attached managed policy
    managed = iam.create_policy(
        PolicyName="cam-consume", PolicyDocument=doc(statement("Allow", [*GETMEDIA_STREAM_ACTIONS, "kms:Decrypt"]))
    )["Policy"]["Arn"]
    iam.create_role(RoleName="cam-consumer", AssumeRolePolicyDocument="{}")
    iam.attach_role_policy(RoleName="cam-consumer", PolicyArn=managed)
    # consumer: a user whose permissions come from a group
    iam.create_user(UserName="viewer")
    iam.create_group(GroupName="viewers")
    iam.add_user_to_group(GroupName="viewers", UserName="viewer")
    iam.put_group_policy(
        GroupName="viewers",
        PolicyName="view",
        PolicyDocument=doc(statement("Allow", [*GETMEDIA_STREAM_ACTIONS, *use_key])),
    )
    # consumer: identity allows all, a permission boundary removes kms:Decrypt
    fence = iam.create_policy(PolicyName="video-only", PolicyDocument=doc(statement("Allow", ["kinesisvideo:*"])))[
        "Policy"
    ]["Arn"]
    iam.create_role(RoleName="fenced-consumer", AssumeRolePolicyDocument="{}", PermissionsBoundary=fence)
    iam.put_role_policy(
        RoleName="fenced-consumer",
        PolicyName="all",
        PolicyDocument=doc(statement("Allow", [*GETMEDIA_STREAM_ACTIONS, "kms:Decrypt"])),
    )
    # consumer: forgot kms:Decrypt
    iam.create_role(RoleName="broken-consumer", AssumeRolePolicyDocument="{}")
    iam.put_role_policy(
        RoleName="broken-consumer",
        PolicyName="half",
        PolicyDocument=doc(statement("Allow", [*GETMEDIA_STREAM_ACTIONS])),
    )


def account_header(client: Any, account: str) -> Any:
    """Make every request of this client act in another moto account (moto's x-moto-account-id)."""

    def add(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account

    client.meta.events.register("before-sign.*.*", add)
    return client


def other_account_credentials(iam_other: Any) -> tuple[str, str]:
    """Access keys of a user in another moto account: moto maps requests signed with them to that account."""
    iam_other.create_user(UserName="key-owner")
    key = iam_other.create_access_key(UserName="key-owner")["AccessKey"]
    return str(key["AccessKeyId"]), str(key["SecretAccessKey"])


def write_profile(tmp_path: Any, name: str, access_key: str, secret: str) -> str:
    config = tmp_path / "aws-config"
    config.write_text(
        f"[profile {name}]\naws_access_key_id = {access_key}\naws_secret_access_key = {secret}\nregion = {REGION}\n"
    )
    return str(config)
