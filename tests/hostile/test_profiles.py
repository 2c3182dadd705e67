"""Issue 11, item 13 (profiles): a profile that cannot give credentials is the environment's fault, not a
kvsctl bug: exit 3 with one line and a hint, before any request, never exit 4 and never a traceback.

Each case is a temporary AWS_CONFIG_FILE; the endpoint is one nothing listens on, so a profile that
wrongly produced credentials would end in "endpoint_unreachable", which the code check tells apart."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli

NOWHERE = "http://127.0.0.1:9"
ROLE = "arn:aws:iam::123456789012:role/r"

FAIL = "import sys; sys.stderr.write('boom\\n'); sys.exit(3)"
PROFILES = {
    "missing-source": f"role_arn = {ROLE}\nsource_profile = nothere\n",
    "loop-a": f"role_arn = {ROLE}\nsource_profile = loop-b\n",
    "loop-b": f"role_arn = {ROLE}\nsource_profile = loop-a\n",
    "process-fails": f'credential_process = {sys.executable} -c "{FAIL}"\n',
    "process-not-json": f"credential_process = {sys.executable} -c \"print('hello')\"\n",
    "process-missing": "credential_process = /nonexistent/kvsctl-helper\n",
    "web-identity": f"role_arn = {ROLE}\nweb_identity_token_file = /nonexistent/kvsctl-token\n",
}


@pytest.fixture
def config(tmp_path: Path, monkeypatch: Any) -> Path:
    path = tmp_path / "config"
    path.write_text("".join(f"[profile {name}]\nregion = us-east-1\n{body}\n" for name, body in PROFILES.items()))
    (tmp_path / "credentials").write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    return path


@pytest.mark.parametrize(
    ("profile", "code", "says"),
    [
        ("missing-source", "invalid_profile", 'source_profile "nothere"'),
        ("loop-a", "invalid_profile", "loop-a -> loop-b -> loop-a"),
        ("process-fails", "no_credentials", "credential_process failed: boom"),
        ("process-not-json", "no_credentials", "credential_process printed something that is not JSON"),
        ("process-missing", "no_credentials", "could not be started: /nonexistent/kvsctl-helper"),
        ("web-identity", "no_credentials", "web identity token file /nonexistent/kvsctl-token"),
    ],
)
@pytest.mark.parametrize("command", [("stream", "list"), ("audit", "all")])
def test_profile_that_cannot_give_credentials_is_exit_3_with_a_hint(
    config: Path, profile: str, code: str, says: str, command: tuple[str, ...]
) -> None:
    result = run_cli(*command, "--profile", profile, "--endpoint-url", NOWHERE, "-o", "json")
    assert result.exit_code == 3, result.stderr
    error = result.error
    assert error["code"] == code and says in error["message"]
    assert error["hint"] and "\n" not in error["message"]
    assert "Traceback" not in result.stderr


def test_web_identity_from_the_environment_names_the_missing_file(config: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("AWS_ROLE_ARN", ROLE)
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/kvsctl-env-token")
    result = run_cli("stream", "list", "--endpoint-url", NOWHERE, "-o", "json")
    assert result.exit_code == 3
    assert result.error["code"] == "no_credentials"
    assert "/nonexistent/kvsctl-env-token" in result.error["message"]
    assert "AWS_WEB_IDENTITY_TOKEN_FILE" in result.error["hint"]
