"""Property-based tests over the command line: whatever argv holds, kvsctl ends with exit 0, 1, 2 or
(where a request legitimately reached moto) 3, with a message, and never exit 4 or a traceback.

Commands run in-process against the fault server's moto (no faults injected), whose call counter
proves the other half of the contract: exit 2 is decided before any request.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kvsctl.errors import UsageError
from tests.fuzz import strategies as s
from tests.helpers import CliResult, run_cli

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same examples on every run: a red build is reproducible
)

#: exit 3 is fine only for these: the input was valid and AWS (moto) answered no.
AWS_NO = {"not_found", "key_not_found"}


@pytest.fixture
def account(fault_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto with a customer managed key (alias/cams) and two streams; every command is pointed at it."""
    fault_server.reset()
    c = fault_server.clients()
    key = c.kms.create_key()["KeyMetadata"]
    c.kms.create_alias(AliasName="alias/cams", TargetKeyId=key["KeyId"])
    c.kvs.create_stream(StreamName="cam", KmsKeyId=key["Arn"])
    c.kvs.create_stream(StreamName="cam-default")
    monkeypatch.setenv("AWS_ENDPOINT_URL", fault_server.url)
    monkeypatch.setenv("KVSCTL_MAX_ATTEMPTS", "1")
    yield fault_server
    fault_server.reset()


def run(server: Any, *argv: str, aws_no: set[str] | None = AWS_NO) -> tuple[CliResult, int]:
    """Run and check the universal properties; returns the result and the requests it made."""
    server.clear_counts()
    result = run_cli(*argv)
    where = f"argv={argv!r}\nstdout={result.stdout[-2000:]!r}\nstderr={result.stderr[-2000:]!r}"
    assert result.exit_code in (0, 1, 2, 3), where
    event(f"exit {result.exit_code}")
    assert "Traceback" not in result.stderr, where
    if result.exit_code:
        assert (result.stderr + result.stdout).strip(), where  # a message, never a silent failure
    if aws_no is not None and result.exit_code == 3 and argv[-2:] == ("-o", "json"):
        assert result.error["code"] in aws_no, where
    return result, server.total


def locally_valid(check: Any) -> bool:
    try:
        check()
    except UsageError:
        return False
    return True


@FUZZ
@given(name=s.hostile)
def test_stream_describe_any_name(account: Any, name: str) -> None:
    from kvsctl import validate

    result, calls = run(account, "stream", "describe", "-o", "json", "--", name)
    if not locally_valid(lambda: validate.stream_name(name)):
        assert result.exit_code == 2 and calls == 0
    else:
        assert result.exit_code in (0, 3)
        assert result.exit_code == 0 or result.error["code"] == "not_found"


@FUZZ
@given(prefix=s.hostile | st.none(), key=s.key_refs | st.none(), output=s.outputs)
def test_stream_list_any_filter(account: Any, prefix: str | None, key: str | None, output: str) -> None:
    argv = ["stream", "list", "-o", output]
    if prefix is not None:
        argv += [f"--name-prefix={prefix}"]
    if key is not None:
        argv += [f"--kms-key={key}"]
    result, calls = run(account, *argv)
    if output.lower() not in ("json", "table"):
        assert result.exit_code == 2 and calls == 0
    if result.exit_code == 2:
        assert calls == 0
    if result.exit_code == 0 and output == "json":
        names = [st["name"] for st in result.json["streams"]]
        assert all(n.startswith(prefix or "") for n in names)


def mostly(valid: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Valid three times in four, so that whole commands get past validation and reach moto."""
    return st.one_of(valid, valid, valid, bad)


@settings(FUZZ, max_examples=20)
@given(
    name=mostly(s.stream_names, s.hostile),
    key=mostly(st.sampled_from(["aws-managed", "alias/cams", "alias/missing"]), s.key_refs),
    retention=mostly(st.integers(0, 87_600).map(str) | st.none(), s.ints),
    media=mostly(st.sampled_from(["video/h264", "video/h264,audio/aac"]) | st.none(), s.hostile),
    device=mostly(st.from_regex(r"\A[a-z0-9_.-]{1,12}\Z") | st.none(), s.hostile),
    tags=mostly(
        st.lists(st.sampled_from(["team=video", "a=", "env=prod b"]), max_size=3, unique=True),
        st.lists(s.hostile, max_size=3),
    ),
    flags=st.sets(st.sampled_from(["--dry-run", "--if-not-exists"])),
)
def test_stream_create_any_input(
    account: Any,
    name: str,
    key: str,
    retention: str | None,
    media: str | None,
    device: str | None,
    tags: list[str],
    flags: set[str],
) -> None:
    from kvsctl.keyref import parse_key_ref
    from kvsctl.services.streams import CreateStreamRequest

    argv = ["stream", "create", f"--kms-key={key}", "-o", "json", *sorted(flags)]
    if retention is not None:
        argv.append(f"--retention-hours={retention}")
    if media is not None:
        argv.append(f"--media-type={media}")
    if device is not None:
        argv.append(f"--device-name={device}")
    argv += [f"--tag={t}" for t in tags]
    argv += ["--", name]
    result, calls = run(account, *argv)

    def valid() -> None:
        hours = int(retention) if retention is not None else None
        CreateStreamRequest(name, key, hours, media, device, {}, False, False).validated()
        from kvsctl import validate

        validate.tags(tags)
        parse_key_ref(key)

    ok_locally = retention is None or retention.lstrip("-").isdigit()
    if not ok_locally or not locally_valid(valid):
        assert result.exit_code == 2, (argv, result.stderr)
        assert calls == 0
    elif result.exit_code == 3:
        assert result.error["code"] in AWS_NO


COMMANDS = ["stream", "create", "describe", "list", "--help", "-h", "--version", "-o", "json", "table", "cam"]
OPTIONS = ["--kms-key", "--name-prefix", "--retention-hours", "--media-type", "--device-name", "--tag"]
GLOBALS = ["--profile", "--region", "--endpoint-url", "--no-color", "--output"]


@FUZZ
@given(argv=st.lists(st.sampled_from(COMMANDS + OPTIONS + GLOBALS) | s.hostile, max_size=8))
def test_any_token_soup(account: Any, argv: list[str]) -> None:
    """Random argv: the `sandbox` group is left out (a valid `sandbox serve` would run until stopped)."""
    run(account, *argv)


@FUZZ
@given(argv=st.lists(s.hostile, max_size=4))
def test_stream_group_with_junk(account: Any, argv: list[str]) -> None:
    for command in (["stream"], ["stream", "describe"], ["stream", "list"]):
        run(account, *command, *argv)


@pytest.mark.parametrize("command", ["serve", "demo"])
@pytest.mark.parametrize("port", ["-1", "65536", "http", "", "4566.5", "1e3", "99999999999999999999"])
def test_sandbox_refuses_bad_ports(command: str, port: str) -> None:
    result = run_cli("sandbox", command, "--port", port)
    assert result.exit_code == 2 and "port" in result.stderr.lower() and "Traceback" not in result.stderr


@settings(FUZZ, max_examples=12)
@given(profile=s.hostile, region=s.hostile, endpoint=s.hostile)
def test_global_options_any_value(account: Any, profile: str, region: str, endpoint: str) -> None:
    """Junk in --profile / --region / --endpoint-url: exit 2 or 3 with a message, never a crash. No
    real AWS is reachable from here: a well-formed endpoint is the fault server's, or refused."""
    for flag, value in (("--profile", profile), ("--region", region), ("--endpoint-url", endpoint)):
        if flag == "--endpoint-url" and value.startswith(("http://", "https://")):
            value = account.url  # never let a fuzzed host name reach DNS
        # exit 3 may be anything AWS can say here: unknown profile, moto's 500 for a region it lacks, ...
        result, _ = run(account, "stream", "list", f"{flag}={value}", "-o", "json", aws_no=None)
        assert result.exit_code in (0, 2, 3)


VALID_CREATE = {
    "--kms-key": "alias/cams",
    "--retention-hours": "24",
    "--media-type": "video/h264",
    "--device-name": "lobby-1",
    "--tag": "team=video",
}


@FUZZ
@given(
    name=s.stream_names,
    field=st.sampled_from([None, None, "name", *VALID_CREATE]),
    value=s.hostile | s.key_refs | s.ints,
    flags=st.sets(st.sampled_from(["--dry-run", "--if-not-exists"])),
)
def test_stream_create_one_bad_field(account: Any, name: str, field: str | None, value: str, flags: set[str]) -> None:
    """Every field valid but (at most) one: a valid command creates exactly what it says, or refuses with
    exit 1 and leaves the existing stream as it was; one bad field is exit 2 with nothing sent."""
    c = account.clients()
    before = {s["StreamName"]: s.get("KmsKeyId") for s in c.kvs.list_streams()["StreamInfoList"]}
    options = dict(VALID_CREATE)
    if field in options:
        options[field] = value
    argv = ["stream", "create", *[f"{k}={v}" for k, v in options.items()], *sorted(flags), "-o", "json", "--"]
    argv.append(value if field == "name" else name)
    result, calls = run(account, *argv)
    after = {s["StreamName"]: s.get("KmsKeyId") for s in c.kvs.list_streams()["StreamInfoList"]}
    assert {k: v for k, v in after.items() if k in before} == before  # nothing existing was changed
    if field is None:
        assert result.exit_code in (0, 1), result.stderr
        created = set(after) - set(before)
        if result.exit_code == 0 and "--dry-run" not in flags and name not in before:
            assert created == {name} and after[name] == result.json["key"]["arn"]
        else:
            assert not created
    if result.exit_code == 2:
        assert calls == 0 and after == before
