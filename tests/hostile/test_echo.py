"""Issue 11, item 15: a huge value is never echoed whole in an error. Every message that quotes what the
user gave quotes at most 200 characters of it and says how long it was; a message built elsewhere (click's
own, an exception's text) is clipped by the same rule at the error boundary.

Files carry the largest values (a spec may be 16 MiB); an argument or an environment variable carries at
most 128 KiB on Linux (MAX_ARG_STRLEN), which is what the argument cases use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli

ARG = "a" * (128 * 1024)
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PRODUCER = "arn:aws:iam::123456789012:role/cam"


def assert_clipped(result: Any, value: str, length: str | None = None) -> None:
    assert result.exit_code == 2, result.stderr[:500]
    assert len(result.stderr) < 2000, len(result.stderr)
    assert value[:201] not in result.stderr  # never more than 200 characters of it
    if length:
        assert f"({length} chars)" in result.stderr


@pytest.mark.parametrize(
    ("args", "length"),
    [
        (("stream", "create", ARG), "131,072"),
        (("stream", "create", "cam", "--tag", ARG), "131,072"),
        (("stream", "create", "cam", "--kms-key", "alias/" + ARG), None),
        (("stream", "describe", "arn:" + ARG), "131,076"),
        (("stream", "list", "--region", ARG), "131,072"),
        (("stream", "list", "--endpoint-url", ARG), "131,072"),
        (("stream", "list", "--query", "[" + ARG), "131,073"),
        (("key", "recommend-policy", "--admin", ARG, "--region", "us-east-1"), "131,072"),
        (("cost", "estimate", "--streams", ARG), None),
    ],
    ids=["name", "tag", "kms-key", "stream-arn", "region", "endpoint", "query", "admin", "typer-int"],
)
def test_huge_argument_is_clipped_in_the_error(args: tuple[str, ...], length: str | None) -> None:
    assert_clipped(run_cli(*args, "-o", "json"), ARG, length)


def test_huge_environment_value_is_clipped(monkeypatch: Any) -> None:
    monkeypatch.setenv("KVSCTL_READ_TIMEOUT", ARG)
    assert_clipped(run_cli("stream", "list", "-o", "json"), ARG, "131,072")


def test_ten_mib_value_in_a_spec_file_is_clipped(tmp_path: Path) -> None:
    spec = tmp_path / "streams.toml"
    name = "n" * (10 * 1024 * 1024)
    spec.write_text(f'[[stream]]\nname = "{name}"\nkms_key = "aws-managed"\n')
    assert_clipped(run_cli("apply", str(spec), "--dry-run", "-o", "json"), name, "10,485,760")


def test_huge_value_in_a_policy_file_is_clipped(tmp_path: Path) -> None:
    policy = tmp_path / "key.json"
    effect = "x" * (4 * 1024 * 1024)
    policy.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "' + effect + '", "Principal": "*", '
                      '"Action": "kms:*", "Resource": "*"}]}')  # fmt: skip
    result = run_cli("audit", "policy", "--key-policy", str(policy), "--key-arn", KEY_ARN, "--producer", PRODUCER,
                     "-o", "json")  # fmt: skip
    assert_clipped(result, effect)


def test_short_values_are_echoed_as_before() -> None:
    result = run_cli("stream", "create", "bad name", "-o", "json")
    assert result.exit_code == 2 and "invalid stream name 'bad name'" in result.error["message"]
