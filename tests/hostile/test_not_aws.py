"""Issue 11, item 4: an endpoint that answers HTTP 200 with something that is not AWS (a captive portal's
HTML, broken JSON, JSON without the fields the API promises) is an AWS error - exit 3, "the endpoint did
not answer like AWS" - never an empty success (audit all passing, stream list [], cost $0.00) and never an
internal error (exit 4)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import run_cli

PORTAL = b"<html><head><title>Sign in to Hotel WiFi</title></head><body>Accept the terms</body></html>"

BODIES = [
    pytest.param(PORTAL, "text/html", id="captive-portal-html"),
    pytest.param(b"{not json", "application/json", id="broken-json"),
    pytest.param(b"{}", "application/json", id="json-without-the-promised-fields"),
    pytest.param(b"[]", "application/json", id="json-not-an-object"),
]


@pytest.fixture
def cam(faults: Any) -> Any:
    c = faults.clients()
    key = c.kms.create_key(Description="cams")["KeyMetadata"]
    c.kms.create_alias(AliasName="alias/cams", TargetKeyId=key["KeyId"])
    c.kvs.create_stream(StreamName="cam", KmsKeyId=key["Arn"])
    faults.clear_counts()
    return faults


def kvsctl(faults: Any, *args: str) -> Any:
    return run_cli(*args, "--endpoint-url", faults.url, "-o", "json")


def assert_not_aws(result: Any, operation: str) -> None:
    assert result.exit_code == 3, (result.exit_code, result.stdout, result.stderr)
    assert result.error["code"] == "not_aws"
    assert "did not answer like AWS" in result.error["message"] and operation in result.error["message"]
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(("body", "ctype"), BODIES)
@pytest.mark.parametrize(
    "command",
    [
        pytest.param(("audit", "all"), id="audit-all"),
        pytest.param(("stream", "list"), id="stream-list"),
        pytest.param(("cost", "estimate", "--from-account"), id="cost-from-account"),
    ],
)
def test_list_streams_that_is_not_aws_is_never_an_empty_success(
    cam: Any, body: bytes, ctype: str, command: tuple[str, ...]
) -> None:
    cam.not_aws("kinesisvideo.ListStreams", body, content_type=ctype)
    assert_not_aws(kvsctl(cam, *command), "ListStreams")


@pytest.mark.parametrize(("body", "ctype"), BODIES)
def test_describe_stream_that_is_not_aws_is_exit_3_not_a_crash(cam: Any, body: bytes, ctype: str) -> None:
    cam.not_aws("kinesisvideo.DescribeStream", body, content_type=ctype)
    assert_not_aws(kvsctl(cam, "stream", "describe", "cam"), "DescribeStream")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"StreamInfo": {}}', id="no-stream-name"),
        pytest.param(b'{"StreamInfo": "cam"}', id="stream-info-a-string"),
        pytest.param(b'{"StreamInfo": {"StreamName": "cam", "StreamARN": 7}}', id="arn-a-number"),
    ],
)
def test_describe_stream_with_malformed_fields_is_exit_3(cam: Any, body: bytes) -> None:
    cam.not_aws("kinesisvideo.DescribeStream", body, content_type="application/json")
    assert_not_aws(kvsctl(cam, "stream", "describe", "cam"), "DescribeStream")


@pytest.mark.parametrize(("body", "ctype"), BODIES)
def test_kms_answer_that_is_not_aws_is_exit_3(cam: Any, body: bytes, ctype: str) -> None:
    cam.not_aws("kms.DescribeKey", body, content_type=ctype)
    assert_not_aws(kvsctl(cam, "key", "describe", "alias/cams"), "DescribeKey")


@pytest.mark.parametrize(
    ("body", "ctype"), [(PORTAL, "text/html"), (b"<GetRoleResponse><oops", "text/xml"), (b"{}", "application/json")]
)
def test_iam_answer_that_is_not_aws_is_exit_3(cam: Any, body: bytes, ctype: str) -> None:
    cam.clients().iam.create_role(RoleName="cam-writer", AssumeRolePolicyDocument="{}")
    cam.not_aws("iam.GetRole", body, content_type=ctype)
    result = kvsctl(cam, "audit", "stream", "cam", "--producer", "arn:aws:iam::123456789012:role/cam-writer")
    assert_not_aws(result, "GetRole")


def test_portal_on_create_stream_creates_nothing_it_claims(cam: Any) -> None:
    cam.not_aws("kinesisvideo.CreateStream", PORTAL)
    result = kvsctl(cam, "stream", "create", "cam-2")
    assert_not_aws(result, "CreateStream")


def test_a_not_aws_answer_is_not_retried(cam: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("KVSCTL_MAX_ATTEMPTS", "5")
    cam.not_aws("kinesisvideo.ListStreams", PORTAL)
    assert_not_aws(kvsctl(cam, "stream", "list"), "ListStreams")
    assert cam.count("ListStreams") == 1
