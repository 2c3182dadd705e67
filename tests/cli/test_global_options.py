"""Global options go anywhere, as with the AWS CLI (`kvsctl --region r -o json stream list`,
`kvsctl stream -o json list`); --query applies JMESPath to the JSON document; KVSCTL_OUTPUT is checked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import REGION, run_cli


@pytest.fixture
def two_streams(boto: Any) -> None:
    key = boto.kms.create_key()["KeyMetadata"]["Arn"]
    boto.kvs.create_stream(StreamName="lobby-cam", KmsKeyId=key, DataRetentionInHours=24)
    boto.kvs.create_stream(StreamName="dock-cam", DataRetentionInHours=2)


@pytest.mark.parametrize(
    "argv",
    [
        ["stream", "list", "--region", REGION, "-o", "json"],
        ["--region", REGION, "-o", "json", "stream", "list"],
        ["stream", "-o", "json", "list", "--region", REGION],
        ["--region=" + REGION, "stream", "-ojson", "list"],
        ["--debug", "stream", "--output=json", "list"],
        ["--no-color", "--profile", "default", "stream", "--region", REGION, "list", "-o", "json"],
    ],
    ids=" ".join,
)
def test_global_options_before_the_command_work_as_after_it(two_streams: None, argv: list[str]) -> None:
    env_profile_ok = "--profile" not in argv
    result = run_cli(*argv)
    if not env_profile_ok:  # the test config has no profile "default": the options were parsed and used
        assert result.exit_code == 3, result.stderr
        assert "profile" in result.stderr.lower()
        return
    assert result.exit_code == 0, result.stderr
    assert sorted(s["name"] for s in result.json["streams"]) == ["dock-cam", "lobby-cam"]


def test_a_global_option_before_the_command_reaches_it() -> None:
    """--region before the command is used: a malformed one is refused as it is after the command."""
    result = run_cli("--region", "us east 1", "-o", "json", "stream", "list")
    assert result.exit_code == 2
    assert result.error["code"] == "invalid_region"


def test_only_options_before_the_leaf_command_move() -> None:
    import typer

    from kvsctl.cli.app import app
    from kvsctl.cli.options import hoist_global_options

    root = typer.main.get_command(app)
    hoist = lambda *argv: hoist_global_options(root, list(argv))  # noqa: E731
    assert hoist("-o", "json", "stream", "describe", "cam") == ["stream", "describe", "-o", "json", "cam"]
    assert hoist("stream", "--debug", "describe", "--", "--region") == [
        "stream",
        "describe",
        "--debug",
        "--",
        "--region",
    ]
    assert hoist("--", "--region", "x") == ["--", "--region", "x"]
    assert hoist("stream", "describe", "--region", "r") == ["stream", "describe", "--region", "r"]
    assert hoist("--help") == ["--help"]
    assert hoist("--region", "r", "stream", "--help") == ["stream", "--help"]


def test_global_options_without_a_command_show_the_help() -> None:
    result = run_cli("--debug")
    assert result.exit_code == 2
    assert "Usage: kvsctl" in result.stdout


def test_an_offline_command_refuses_an_aws_option_wherever_it_is() -> None:
    result = run_cli("--profile", "dev", "sandbox", "demo")
    assert result.exit_code == 2
    assert "--profile" in result.stderr


def test_query_selects_from_the_json_document(two_streams: None) -> None:
    result = run_cli("stream", "list", "--query", "sort(streams[].name)")
    assert result.exit_code == 0, result.stderr
    assert result.json == ["dock-cam", "lobby-cam"]


def test_query_before_the_command(two_streams: None) -> None:
    result = run_cli("--query", "streams[?name=='lobby-cam'].retention_hours | [0]", "stream", "list")
    assert result.exit_code == 0, result.stderr
    assert result.json == 24


def test_query_on_an_offline_command() -> None:
    result = run_cli("cost", "estimate", "--streams", "3", "--query", "assumptions.streams")
    assert result.exit_code == 0, result.stderr
    assert result.json == 3


@pytest.mark.parametrize("expression", ["[", "streams[?name==", "a.b)", ""])
def test_a_bad_query_is_exit_2_before_any_call(expression: str) -> None:
    # no moto here: reaching AWS would be exit 3, not 2
    result = run_cli("stream", "list", "--region", REGION, "--query", expression, "-o", "json")
    assert result.exit_code == 2, result.stderr
    assert "JMESPath" in result.error["message"]


def test_query_with_table_output_is_a_usage_error() -> None:
    result = run_cli("cost", "estimate", "--query", "total_usd", "-o", "table")
    assert result.exit_code == 2
    assert "--query" in result.stderr


def test_bad_kvsctl_output_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KVSCTL_OUTPUT", "yaml")
    result = run_cli("cost", "estimate", "--streams", "1")
    assert result.exit_code == 2
    assert "KVSCTL_OUTPUT" in result.stderr and "json" in result.stderr


def test_kvsctl_output_a_command_cannot_print_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KVSCTL_OUTPUT", "sarif")
    result = run_cli("cost", "estimate", "--streams", "1")
    assert result.exit_code == 2
    assert "KVSCTL_OUTPUT" in result.stderr


def test_explicit_output_beats_a_bad_kvsctl_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KVSCTL_OUTPUT", "yaml")
    result = run_cli("cost", "estimate", "--streams", "1", "-o", "json")
    assert result.exit_code == 0
    assert "total_usd" in result.json


def test_the_global_options_of_one_run_do_not_leak_into_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    from kvsctl.cli.options import current

    first = run_cli("cost", "estimate", "--streams", "1", "-o", "json")
    assert first.exit_code == 0
    assert current() is None
    monkeypatch.setenv("KVSCTL_OUTPUT", "table")
    second = run_cli("cost", "estimate", "--streams", "x")  # a usage error before options are built
    assert second.exit_code == 2 and not second.stderr.startswith("{")
