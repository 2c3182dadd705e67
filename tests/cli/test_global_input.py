"""A malformed --region or --endpoint-url is a usage error (exit 2) found before any request,
not a botocore exception surfacing as an internal error (exit 4)."""

from __future__ import annotations

import pytest

from tests.helpers import run_cli


@pytest.mark.parametrize(
    ("flags", "code"),
    [
        (["--region", "us east 1"], "invalid_region"),
        (["--region", "us-east-1 "], "invalid_region"),
        (["--region", "-us-east-1"], "invalid_region"),
        (["--region", "0"], "invalid_region"),
        (["--endpoint-url", "notaurl"], "invalid_endpoint"),
        (["--endpoint-url", "ftp://127.0.0.1:4566"], "invalid_endpoint"),
        (["--endpoint-url", "http://[::1"], "invalid_endpoint"),
        (["--endpoint-url", "http://127.0.0.1:99999"], "invalid_endpoint"),
        (["--endpoint-url", "http://"], "invalid_endpoint"),
        (["--endpoint-url", "http://\udcff"], "invalid_endpoint"),  # undecodable argv byte (surrogateescape)
        (["--endpoint-url", "http://a_b:4566"], "invalid_endpoint"),
    ],
)
@pytest.mark.parametrize("command", [["stream", "describe", "cam"], ["stream", "list"]])
def test_malformed_region_or_endpoint_is_exit_2(command: list[str], flags: list[str], code: str) -> None:
    result = run_cli(*command, *flags, "-o", "json")
    assert result.exit_code == 2, result.stderr
    assert result.error["code"] == code
    assert result.error["hint"]


def test_malformed_region_from_the_environment_is_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu_west_1!")
    result = run_cli("stream", "list", "-o", "json")
    assert result.exit_code == 2
    assert result.error["code"] == "invalid_region"
