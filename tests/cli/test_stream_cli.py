"""`kvsctl stream ...` through the real entry point: exit codes, JSON shapes, errors on stderr."""

from __future__ import annotations

from typing import Any

import pytest

from kvsctl.errors import ExitCode
from tests.helpers import make_key, run_cli, stream_names

# An endpoint nothing listens on: if a command made any AWS call, it would end in exit 3.
DEAD = ["--endpoint-url", "http://127.0.0.1:9"]


@pytest.mark.parametrize(
    "args",
    [
        ["stream", "create", "bad name"],
        ["stream", "create", "cam", "--retention-hours", "87601"],
        ["stream", "create", "cam", "--retention-hours", "-1"],
        ["stream", "create", "cam", "--retention-hours", "ten"],
        ["stream", "create", "cam", "--media-type", "h264"],
        ["stream", "create", "cam", "--tag", "novalue"],
        ["stream", "create", "cam", "--kms-key", "not-a-key"],
        ["stream", "create", "cam", "--kms-key", "alias/aws/s3"],
        ["stream", "create", "cam", "--device-name", "x" * 129],
        ["stream", "create", "cam", "--bogus-flag"],
        ["stream", "create", "cam", "-o", "yaml"],
        ["stream", "describe", "bad/name"],
        ["stream", "list", "--kms-key", "nonsense"],
        ["stream", "frobnicate"],
    ],
)
def test_bad_input_is_exit_2_before_any_aws_call(args: list[str]) -> None:
    result = run_cli(*args, *DEAD, "-o", "json") if "-o" not in args else run_cli(*args, *DEAD)
    assert result.exit_code == ExitCode.USAGE, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.strip(), "an error message is expected"


def test_bad_input_json_error_shape() -> None:
    result = run_cli("stream", "create", "bad name", "-o", "json", *DEAD)
    err = result.error
    assert err["code"] == "invalid_stream_name" and err["message"] and err["hint"]


def test_table_error_is_one_line_plus_hint() -> None:
    result = run_cli("stream", "create", "bad name", "-o", "table", *DEAD)
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("kvsctl: error: invalid stream name")
    assert lines[1].startswith("hint: ")
    assert len(lines) == 2


def test_create_describe_list_json(moto: None, boto: Any) -> None:
    meta = make_key(boto.kms, alias="alias/cams")
    created = run_cli("stream", "create", "cam", "--kms-key", "alias/cams", "--tag", "team=video", "-o", "json")
    assert created.exit_code == 0, created.stderr
    assert created.json["action"] == "created"
    assert created.json["stream"]["kms_key_id"] == meta["Arn"]
    assert "can never be changed" in created.stderr  # the warning goes to stderr, JSON stays clean

    described = run_cli("stream", "describe", "cam", "-o", "json").json
    assert described["encryption"] == "customer-managed"
    assert described["key"]["arn"] == meta["Arn"] and described["key"]["aliases"] == ["alias/cams"]
    assert {
        "arn",
        "key_id",
        "aliases",
        "manager",
        "state",
        "spec",
        "usage",
        "region",
        "account",
        "rotation_enabled",
    } <= set(described["key"])

    boto.kvs.create_stream(StreamName="default-cam")
    listed = run_cli("stream", "list", "-o", "json").json
    assert [s["name"] for s in listed["streams"]] == ["cam", "default-cam"]
    assert listed["streams"][1]["encryption"] == "aws-managed"
    assert listed["streams"][1]["kms_key_id"] is None


def test_create_refusals_exit_codes(moto: None, boto: Any) -> None:
    make_key(boto.kms, alias="alias/off", state="Disabled")
    disabled = run_cli("stream", "create", "cam", "--kms-key", "alias/off", "-o", "json")
    assert disabled.exit_code == ExitCode.CHECK_FAILED and disabled.error["code"] == "key_unusable"
    missing = run_cli("stream", "create", "cam", "--kms-key", "alias/missing", "-o", "json")
    assert missing.exit_code == ExitCode.AWS and missing.error["code"] == "key_not_found"
    assert stream_names(boto.kvs) == []


def test_existing_stream_exit_1_and_untouched(moto: None, boto: Any) -> None:
    boto.kvs.create_stream(StreamName="cam", DataRetentionInHours=3)
    again = run_cli("stream", "create", "cam", "--retention-hours", "9", "-o", "json")
    assert again.exit_code == ExitCode.CHECK_FAILED and again.error["code"] == "stream_exists"
    ok = run_cli("stream", "create", "cam", "--if-not-exists", "-o", "json")
    assert ok.exit_code == 0 and ok.json["action"] == "exists"
    assert boto.kvs.describe_stream(StreamName="cam")["StreamInfo"]["DataRetentionInHours"] == 3


def test_describe_missing_stream_is_exit_3(moto: None) -> None:
    result = run_cli("stream", "describe", "ghost", "-o", "json")
    assert result.exit_code == ExitCode.AWS and result.error["code"] == "not_found"


def test_table_output_and_no_color(moto: None, boto: Any) -> None:
    make_key(boto.kms, alias="alias/cams")
    run_cli("stream", "create", "cam", "--kms-key", "alias/cams", "-o", "json")
    result = run_cli("stream", "describe", "cam", "-o", "table", "--no-color")
    assert result.exit_code == 0
    assert "alias/cams" in result.stdout and "customer-managed" in result.stdout
    assert "\x1b[" not in result.stdout


def test_version_and_help_exit_0() -> None:
    from kvsctl import __version__

    assert run_cli("--version").stdout.startswith(f"kvsctl {__version__} Python/")
    result = run_cli("stream", "create", "--help")
    assert result.exit_code == 0 and "Examples" in result.stdout


def test_internal_error_is_exit_4_one_line(monkeypatch: pytest.MonkeyPatch, moto: None) -> None:
    from kvsctl.services import streams

    def boom(self: Any, name: str) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(streams.StreamService, "describe", boom)
    result = run_cli("stream", "describe", "cam", "-o", "table")
    assert result.exit_code == ExitCode.INTERNAL
    assert "Traceback" not in result.stderr and "--debug" in result.stderr
    debug = run_cli("stream", "describe", "cam", "-o", "table", "--debug")
    assert debug.exit_code == ExitCode.INTERNAL and "Traceback" in debug.stderr


def test_an_invalid_name_prefix_is_refused_before_any_aws_call(moto: None, boto: Any) -> None:
    """KVS refuses a ComparisonValue outside [a-zA-Z0-9_.-]; moto accepts anything, so without a
    local check the operator gets exit 0 from the sandbox and exit 3 from AWS instead of a usage error."""
    for args in (
        ("stream", "list", "--name-prefix", "lobby cam"),
        ("cost", "estimate", "--from-account", "--name-prefix", "lobby/cam"),
    ):
        r = run_cli(*args, "-o", "json")
        assert r.exit_code == 2, (args, r.stdout, r.stderr)
        assert "prefix" in r.error["message"]
