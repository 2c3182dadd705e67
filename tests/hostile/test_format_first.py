"""Issue 11, item 10: an output format the command does not have (KVSCTL_OUTPUT=sarif|junit on stream
create, key create, apply) is exit 2 before any AWS call, not refused after the resources were made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ACCOUNT, run_cli


@pytest.mark.parametrize("fmt", ["sarif", "junit"])
@pytest.mark.parametrize(
    "command",
    [
        pytest.param(("stream", "create", "cam"), id="stream-create"),
        pytest.param(
            ("key", "create", "--alias", "alias/k", "--admin", f"arn:aws:iam::{ACCOUNT}:root"), id="key-create"
        ),
        pytest.param(("apply", "SPEC"), id="apply"),
    ],
)
def test_unsupported_output_from_the_environment_is_refused_before_any_call(
    faults: Any, monkeypatch: Any, tmp_path: Path, fmt: str, command: tuple[str, ...]
) -> None:
    spec = tmp_path / "streams.toml"
    spec.write_text('[[stream]]\nname = "cam"\nkms_key = "aws-managed"\n')
    monkeypatch.setenv("KVSCTL_OUTPUT", fmt)
    args = [str(spec) if a == "SPEC" else a for a in command]
    result = run_cli(*args, "--endpoint-url", faults.url)
    assert result.exit_code == 2, result.stderr
    assert fmt in result.stderr
    assert faults.total == 0
    c = faults.clients()
    assert c.kvs.list_streams()["StreamInfoList"] == [] and c.kms.list_keys()["Keys"] == []
