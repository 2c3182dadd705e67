"""Issue 11, item 1: a password in --endpoint-url (http://user:pass@host) is never printed, not in
errors, not in --debug logs, not in reports."""

from __future__ import annotations

from typing import Any

import pytest

from kvsctl.cli.debug import redact
from kvsctl.errors import redact_url_credentials
from tests.helpers import run_cli

SECRET = "s3cretPw0rd"


@pytest.mark.parametrize(
    "text",
    [
        f"http://alice:{SECRET}@127.0.0.1:1/",
        f"could not reach https://alice:{SECRET}@kms.us-east-1.amazonaws.com (DescribeKey)",
        f"'endpoint_url': 'http://{SECRET}@host:4566'",
        f"HTTPS://user:{SECRET}@[::1]:4566/path?x=1",
        f"url=http://a%40b:{SECRET}@h",
    ],
)
def test_url_credentials_are_redacted_in_any_text(text: str) -> None:
    assert SECRET not in redact_url_credentials(text)
    assert SECRET not in redact(text)


def test_text_without_url_credentials_is_unchanged() -> None:
    text = "GET http://127.0.0.1:4566/describeStream user@example.com arn:aws:iam::1:user/a@b"
    assert redact_url_credentials(text) == text


@pytest.mark.parametrize("debug", [False, True])
def test_unreachable_endpoint_with_a_password_never_prints_it(debug: bool, monkeypatch: Any) -> None:
    monkeypatch.setenv("KVSCTL_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("KVSCTL_CONNECT_TIMEOUT", "1")
    args = ["stream", "describe", "cam", "--endpoint-url", f"http://alice:{SECRET}@127.0.0.1:1", "-o", "json"]
    result = run_cli(*args, *(["--debug"] if debug else []))
    assert result.exit_code == 3
    assert result.error["code"] == "endpoint_unreachable"
    assert "127.0.0.1:1" in result.error["message"]  # the host is still named
    assert SECRET not in result.stderr + result.stdout


def test_malformed_endpoint_with_a_password_never_prints_it() -> None:
    result = run_cli("stream", "describe", "cam", "--endpoint-url", f"http://alice:{SECRET}@/x", "-o", "json")
    assert result.exit_code == 2
    assert result.error["code"] == "invalid_endpoint"
    assert SECRET not in result.stderr + result.stdout


def test_server_errors_and_debug_trace_never_print_the_password(faults: Any, monkeypatch: Any, tmp_path: Any) -> None:
    monkeypatch.setenv("KVSCTL_MAX_ATTEMPTS", "1")
    faults.fail("kinesisvideo.ListStreams", status=503)
    url = faults.url.replace("http://", f"http://alice:{SECRET}@")
    report = tmp_path / "r.json"
    result = run_cli("audit", "all", "--endpoint-url", url, "-o", "json", "--debug", "--report", str(report))
    assert result.exit_code == 3
    assert faults.count("ListStreams") == 1  # the request did reach the server
    assert SECRET not in result.stderr + result.stdout
    if report.exists():
        assert SECRET not in report.read_text()
