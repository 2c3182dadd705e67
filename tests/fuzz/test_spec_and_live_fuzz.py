"""Hostile spec files for `preflight` / `apply`, and hostile argv for `key` and the live `audit`
commands: exit 0-3 with a message (3 only where a request legitimately reached moto), never 4 or a
traceback; a bad spec is exit 2 before any request, and `apply` of a broken spec creates nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import strategies as s
from tests.helpers import CliResult, run_cli

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
GOOD_SPEC = (Path(__file__).resolve().parents[2] / "examples" / "streams.toml").read_text()


@pytest.fixture
def account(fault_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    fault_server.reset()
    c = fault_server.clients()
    key = c.kms.create_key()["KeyMetadata"]
    c.kms.create_alias(AliasName="alias/kvs-cams", TargetKeyId=key["KeyId"])
    c.kvs.create_stream(StreamName="lobby-cam", KmsKeyId=key["Arn"], DataRetentionInHours=24)
    monkeypatch.setenv("AWS_ENDPOINT_URL", fault_server.url)
    monkeypatch.setenv("KVSCTL_MAX_ATTEMPTS", "1")
    yield fault_server
    fault_server.reset()


@pytest.fixture
def pointed(fault_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The fault server's moto as it is (no reset: for inputs that must never reach it)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", fault_server.url)
    monkeypatch.setenv("KVSCTL_MAX_ATTEMPTS", "1")
    return fault_server


def run(server: Any, *argv: str) -> tuple[CliResult, int]:
    server.clear_counts()
    result = run_cli(*argv)
    where = f"argv={argv!r}\nstdout={result.stdout[-1500:]!r}\nstderr={result.stderr[-1500:]!r}"
    assert result.exit_code in (0, 1, 2, 3), where
    assert "Traceback" not in result.stderr, where
    if result.exit_code:
        assert (result.stderr + result.stdout).strip(), where
    return result, server.total


def streams(server: Any) -> list[str]:
    return sorted(x["StreamName"] for x in server.clients().kvs.list_streams()["StreamInfoList"])


TOML_JUNK = [
    *s.JUNK_FILES,
    ("toml-unclosed", b'[[stream]\nname = "x"\n'),
    ("toml-dup-table", b'region = "us-east-1"\nregion = "us-west-2"\n'),
    ("toml-stream-not-array", b'stream = "lobby"\n'),
    ("toml-stream-table", b'[stream]\nname = "lobby"\nkms_key = "aws-managed"\n'),
    ("toml-empty-stream", b"[[stream]]\n"),
    ("toml-unknown-key", b'[[stream]]\nname = "a"\nkms_key = "aws-managed"\nkms_keyy = "x"\n'),
    ("toml-huge-int", b'[[stream]]\nname = "a"\nkms_key = "aws-managed"\nretention_hours = 99999999999999999999\n'),
    ("toml-date", b'[[stream]]\nname = 1979-05-27T07:32:00Z\nkms_key = "aws-managed"\n'),
    ("toml-nested", ("a = " + "[" * 5000 + "]" * 5000 + "\n").encode()),
    ("bom-toml", b"\xef\xbb\xbf" + GOOD_SPEC.encode()),
]


@pytest.mark.parametrize("command", ["preflight", "apply"])
@pytest.mark.parametrize(("label", "content"), TOML_JUNK, ids=[label for label, _ in TOML_JUNK])
def test_junk_spec_files(pointed: Any, tmp_path: Path, command: str, label: str, content: bytes) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_bytes(content)
    before = streams(pointed)
    result, calls = run(pointed, command, str(spec), "-o", "json")
    if label == "bom-toml":  # the example spec with a BOM reads as the example spec does
        assert result.exit_code in (0, 1), result.stderr
    else:
        assert result.exit_code == 2 and calls == 0, result.stderr
        assert streams(pointed) == before  # a broken spec creates nothing


SPEC_VALUES = st.one_of(
    s.JSON_VALUES.filter(lambda v: v is not None),
    s.hostile,
    s.key_refs,
    st.integers(-(10**6), 10**6),
    st.lists(s.hostile, max_size=3),
    st.dictionaries(s.text, s.text, max_size=3),
)
FIELDS = ["name", "kms_key", "retention_hours", "media_type", "tags", "producers", "consumers", "bogus"]


def toml_value(value: Any) -> str:
    """A TOML literal for any JSON-like value (strings escaped; None has no TOML form: a table)."""
    import json

    if value is None:
        return "{}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if value == value and abs(value) != float("inf") else '"nan"'
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"


@FUZZ
@given(
    field=st.sampled_from(FIELDS),
    value=SPEC_VALUES,
    region=st.none() | st.sampled_from(["us-east-1", "eu-west-1", "mars-1", "", "US-EAST-1"]),
    command=st.sampled_from(["preflight", "apply"]),
    dry_run=st.booleans(),
)
def test_spec_with_one_field_of_any_type(
    account: Any, tmp_path: Path, field: str, value: Any, region: str | None, command: str, dry_run: bool
) -> None:
    fields = {"name": '"new-cam"', "kms_key": '"alias/kvs-cams"', "retention_hours": "24"}
    fields[field] = toml_value(value)
    text = (f"region = {toml_value(region)}\n" if region is not None else "") + "[[stream]]\n"
    text += "".join(f"{k} = {v}\n" for k, v in fields.items())
    spec = tmp_path / "fuzz.toml"
    spec.write_text(text, encoding="utf-8", errors="surrogatepass")
    argv = [command, str(spec), "-o", "json"]
    if command == "apply" and dry_run:
        argv.append("--dry-run")
    before = streams(account)
    result, calls = run(account, *argv)
    if result.exit_code == 2:
        assert calls == 0
    after = streams(account)
    if command == "preflight" or dry_run or result.exit_code != 0:
        assert set(after) - set(before) <= ({"new-cam"} if command == "apply" and not dry_run else set())
    assert set(before) <= set(after)  # nothing deleted, ever


@FUZZ
@given(
    names=st.lists(s.hostile | st.sampled_from(["lobby-cam", "ghost"]), min_size=1, max_size=3),
    principals=st.lists(s.hostile | st.sampled_from(["arn:aws:iam::123456789012:role/p", "123456789012"]), max_size=2),
    extra=st.lists(st.sampled_from(["--strict", "--fail-on=warning", "--fail-on=bogus", "--require-customer-key"])),
    output=st.sampled_from(["json", "table", "sarif", "junit", "yaml"]),
)
def test_audit_stream_any_argv(
    account: Any, names: list[str], principals: list[str], extra: list[str], output: str
) -> None:
    argv = ["audit", "stream", *[f"--consumer={p}" for p in principals], *extra, "-o", output, "--", *names]
    result, calls = run(account, *argv)
    if result.exit_code == 2:
        assert calls == 0


@FUZZ
@given(prefix=s.hostile | st.none(), principal=s.hostile, region=s.hostile | st.just("us-east-1"))
def test_audit_all_any_argv(account: Any, prefix: str | None, principal: str, region: str) -> None:
    argv = ["audit", "all", f"--producer={principal}", f"--region={region}", "-o", "json"]
    if prefix is not None:
        argv.append(f"--name-prefix={prefix}")
    result, calls = run(account, *argv)
    if result.exit_code == 2:
        assert calls == 0


@settings(FUZZ, max_examples=15)
@given(
    key=s.key_refs,
    admins=st.lists(s.hostile | st.just("arn:aws:iam::123456789012:role/admin"), max_size=2),
    producers=st.lists(s.hostile | st.just("arn:aws:iam::123456789012:role/p"), max_size=2),
    alias=s.hostile | st.sampled_from(["alias/new-key", "alias/aws/x", "alias/kvs-cams"]),
)
def test_key_commands_any_argv(account: Any, key: str, admins: list[str], producers: list[str], alias: str) -> None:
    people = [f"--admin={a}" for a in admins] + [f"--producer={p}" for p in producers]
    keys_before = account.clients().kms.list_keys()["Keys"]
    for argv in (
        ["key", "describe", "-o", "json", "--", key],
        ["key", "recommend-policy", *people, "-o", "json"],
        ["key", "create", f"--alias={alias}", *people, "--dry-run", "-o", "json"],
    ):
        result, calls = run(account, *argv)
        if argv[1] == "recommend-policy":
            assert result.exit_code in (0, 2) and calls == 0  # offline
        if result.exit_code == 2:
            assert calls == 0
    assert account.clients().kms.list_keys()["Keys"] == keys_before  # describe and --dry-run create nothing
