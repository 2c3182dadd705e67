"""Issue 11, item 14: `--key-profile` naming a profile that does not exist is a usage error (exit 2)
before any request, whether or not a cross-account key would have needed it. It used to be ignored when
no stream had another account's key (a typo in CI passed unseen) and exit 3 when one did."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli

PRODUCER = "arn:aws:iam::123456789012:role/cam"


@pytest.fixture
def profiles(tmp_path: Path, monkeypatch: Any) -> None:
    config = tmp_path / "config"
    config.write_text("[profile owner]\nregion = us-east-1\naws_access_key_id = a\naws_secret_access_key = b\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))


@pytest.mark.parametrize("command", [("audit", "stream", "cam", "--producer", PRODUCER), ("audit", "all")])
def test_unknown_key_profile_is_exit_2_before_any_request(
    faults: Any, profiles: None, command: tuple[str, ...]
) -> None:
    faults.clients().kvs.create_stream(StreamName="cam")  # on the AWS managed key: no cross-account key
    faults.clear_counts()
    result = run_cli(*command, "--key-profile", "ownr", "--endpoint-url", faults.url, "-o", "json")
    assert result.exit_code == 2, result.stderr
    assert result.error["code"] == "unknown_profile" and "'ownr'" in result.error["message"]
    assert faults.total == 0


def test_known_key_profile_that_is_not_needed_changes_nothing(faults: Any, profiles: None) -> None:
    faults.clients().kvs.create_stream(StreamName="cam")
    args = ("audit", "stream", "cam", "--producer", PRODUCER, "--endpoint-url", faults.url, "-o", "json")
    plain = run_cli(*args)
    with_profile = run_cli(*args, "--key-profile", "owner")
    assert with_profile.exit_code == plain.exit_code != 2
    assert with_profile.json["results"] == plain.json["results"]
