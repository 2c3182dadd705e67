"""kvsctl as a subprocess against a real moto server on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from tests.helpers import run_subprocess, server_client

pytestmark = pytest.mark.e2e


def kms(server: str, op: str, body: dict[str, Any]) -> dict[str, Any]:
    import re

    method = re.sub(r"(?<!^)(?=[A-Z])", "_", op).lower()
    return dict(server_client(server, "kms").__getattribute__(method)(**body))


def test_create_list_describe_against_server(server: str) -> None:
    key = kms(server, "CreateKey", {"Description": "e2e"})["KeyMetadata"]
    kms(server, "CreateAlias", {"AliasName": "alias/e2e", "TargetKeyId": key["KeyId"]})

    created = run_subprocess(
        "stream", "create", "e2e-cam", "--kms-key", "alias/e2e", "--retention-hours", "2", "-o", "json", endpoint=server
    )
    assert created.exit_code == 0, created.stderr
    assert created.json["stream"]["kms_key_id"] == key["Arn"]

    listed = run_subprocess("stream", "list", "-o", "json", endpoint=server)
    assert [s["name"] for s in listed.json["streams"]] == ["e2e-cam"]

    again = run_subprocess("stream", "create", "e2e-cam", "--kms-key", "alias/e2e", "-o", "json", endpoint=server)
    assert (
        again.exit_code == 1 and json.loads(again.stderr.strip().splitlines()[-1])["error"]["code"] == "stream_exists"
    )

    # --endpoint-url on the command line works as well as AWS_ENDPOINT_URL.
    described = run_subprocess("stream", "describe", "e2e-cam", "--endpoint-url", server, "-o", "json")
    assert described.json["key"]["aliases"] == ["alias/e2e"]
    assert described.json["retention_hours"] == 2

    aws = shutil.which("aws")
    if aws is None:
        pytest.skip("AWS CLI not installed: cross-check skipped")
    proc = subprocess.run(
        [
            aws,
            "kinesisvideo",
            "describe-stream",
            "--stream-name",
            "e2e-cam",
            "--endpoint-url",
            server,
            "--region",
            "us-east-1",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        env={
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "PATH": "/usr/bin:/bin:" + aws.rsplit("/", 1)[0],
        },
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["StreamInfo"]["KmsKeyId"] == key["Arn"]


def test_disabled_key_refused_and_nothing_created(server: str) -> None:
    key = kms(server, "CreateKey", {})["KeyMetadata"]
    kms(server, "DisableKey", {"KeyId": key["KeyId"]})
    result = run_subprocess("stream", "create", "cam", "--kms-key", key["KeyId"], "-o", "table", endpoint=server)
    assert result.exit_code == 1
    assert "Disabled" in result.stderr and "Traceback" not in result.stderr
    listed = run_subprocess("stream", "list", "-o", "json", endpoint=server)
    assert listed.json == {"streams": []}


def test_unreachable_endpoint_is_exit_3() -> None:
    result = run_subprocess(
        "stream",
        "list",
        "-o",
        "json",
        endpoint="http://127.0.0.1:9",
        env={"KVSCTL_MAX_ATTEMPTS": "1", "KVSCTL_CONNECT_TIMEOUT": "1"},
    )
    assert result.exit_code == 3
    assert json.loads(result.stderr.strip().splitlines()[-1])["error"]["code"] == "endpoint_unreachable"
