"""`audit all` shows the failing streams and a summary by default (--verbose: every stream; JSON and
reports always have everything); `audit stream` takes stream ARNs and --stream-name as the AWS CLI does."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ACCOUNT, REGION, make_key, run_cli


@pytest.fixture
def fleet(boto: Any) -> dict[str, str]:
    """Three streams on a customer managed key and one on the AWS managed key, which
    --require-customer-key fails."""
    key = make_key(boto.kms, alias="alias/cams")
    arns = {}
    for name in ("cam-a", "cam-b", "cam-c"):
        arns[name] = boto.kvs.create_stream(StreamName=name, KmsKeyId=key["Arn"])["StreamARN"]
    arns["lobby"] = boto.kvs.create_stream(StreamName="lobby")["StreamARN"]
    return arns


def test_audit_all_shows_the_failing_streams_and_counts_the_rest(fleet: dict[str, str]) -> None:
    result = run_cli("audit", "all", "--require-customer-key", "-o", "table")
    assert result.exit_code == 1, result.stderr
    out = result.stdout
    assert "Stream lobby" in out
    assert "Stream cam-" not in out
    assert "3 streams pass, not shown: --verbose shows them" in out
    assert out.strip().splitlines()[-1].startswith("FAIL") and "4 streams, 1 failing" in out


def test_audit_all_verbose_shows_every_stream(fleet: dict[str, str]) -> None:
    result = run_cli("audit", "all", "--require-customer-key", "--verbose", "-o", "table")
    assert result.exit_code == 1, result.stderr
    for name in ("cam-a", "cam-b", "cam-c", "lobby"):
        assert f"Stream {name}" in result.stdout
    assert "not shown" not in result.stdout


def test_audit_all_json_is_always_complete(fleet: dict[str, str]) -> None:
    result = run_cli("audit", "all", "--require-customer-key", "-o", "json")
    assert result.exit_code == 1
    assert sorted(s["name"] for s in result.json["streams"]) == ["cam-a", "cam-b", "cam-c", "lobby"]


@pytest.mark.parametrize("how", ["arn", "--stream-name"])
def test_audit_stream_takes_an_arn_or_stream_name(fleet: dict[str, str], how: str) -> None:
    given = [fleet["lobby"]] if how == "arn" else ["--stream-name", "lobby"]
    result = run_cli("audit", "stream", *given, "cam-a", "--require-customer-key", "-o", "json")
    assert result.exit_code == 1, result.stderr
    streams = {s["name"]: s for s in result.json["streams"]}
    assert set(streams) == {"lobby", "cam-a"}
    assert streams["lobby"]["ok"] is False and streams["cam-a"]["ok"] is True


def test_an_unknown_stream_arn_is_a_finding_not_a_crash(fleet: dict[str, str]) -> None:
    missing = f"arn:aws:kinesisvideo:{REGION}:{ACCOUNT}:stream/gone/1700000000000"
    result = run_cli("audit", "stream", missing, "-o", "json")
    assert result.exit_code == 1, result.stderr
    assert [s["name"] for s in result.json["streams"]] == ["gone"]


@pytest.mark.parametrize(
    "argv",
    [
        ["audit", "stream", f"arn:aws:kinesisvideo:{REGION}:{ACCOUNT}:stream/a/1", "--region", "eu-west-1"],
        [
            "audit",
            "stream",
            f"arn:aws:kinesisvideo:{REGION}:{ACCOUNT}:stream/a/1",
            f"arn:aws:kinesisvideo:us-west-2:{ACCOUNT}:stream/b/1",
        ],
        ["audit", "stream", "arn:aws:kinesisvideo:us-east-1:12:stream/x"],
        ["audit", "stream"],
    ],
)
def test_bad_stream_references_are_exit_2(moto: None, argv: list[str]) -> None:
    result = run_cli(*argv, "-o", "json")
    assert result.exit_code == 2, result.stderr
    assert result.error["hint"]
