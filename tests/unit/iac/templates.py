"""Small CloudFormation stacks for the template audit tests: a key, a stream, a camera and a viewer role.
Each builder returns plain data; tests change what they test and write it as JSON or YAML."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

ACCOUNT = "111122223333"
ROOT = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
VIA = {"kms:ViaService": {"Fn::Sub": "kinesisvideo.${AWS::Region}.amazonaws.com"}}


def key_policy(*extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Admins",
                "Effect": "Allow",
                "Principal": {"AWS": ROOT},
                "Action": ["kms:Describe*", "kms:Put*", "kms:Enable*", "kms:Disable*", "kms:ScheduleKeyDeletion"],
                "Resource": "*",
            },
            {
                "Sid": "Cameras",
                "Effect": "Allow",
                "Principal": {"AWS": {"Fn::GetAtt": ["CameraRole", "Arn"]}},
                "Action": "kms:GenerateDataKey",
                "Resource": "*",
                "Condition": {"StringEquals": VIA},
            },
            {
                "Sid": "Viewers",
                "Effect": "Allow",
                "Principal": {"AWS": {"Fn::GetAtt": ["ViewerRole", "Arn"]}},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"StringEquals": VIA},
            },
            *extra,
        ],
    }


def role(name: str, actions: list[str], resource: Any = None) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": name,
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"}],
            },
            "Policies": [
                {
                    "PolicyName": "kvs",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": actions,
                                "Resource": resource or {"Fn::GetAtt": ["Stream", "Arn"]},
                            }
                        ],
                    },
                }
            ],
        },
    }


def stack() -> dict[str, Any]:
    return copy.deepcopy(
        {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Parameters": {"StreamName": {"Type": "String", "Default": "lobby-cam"}},
            "Resources": {
                "Key": {
                    "Type": "AWS::KMS::Key",
                    "Properties": {"EnableKeyRotation": True, "KeyPolicy": key_policy()},
                },
                "Stream": {
                    "Type": "AWS::KinesisVideo::Stream",
                    "Properties": {"Name": {"Ref": "StreamName"}, "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}},
                },
                "CameraRole": role(
                    "camera", ["kinesisvideo:DescribeStream", "kinesisvideo:PutMedia", "kinesisvideo:GetDataEndpoint"]
                ),
                "ViewerRole": role("viewer", ["kinesisvideo:GetMedia", "kinesisvideo:GetDataEndpoint"]),
            },
        }
    )


def write(tmp_path: Path, template: dict[str, Any], name: str = "stack.yaml") -> Path:
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(template, indent=2))
    else:
        path.write_text(yaml.safe_dump(template, sort_keys=False))
    return path
