"""Waiting is visible: a retried or slow request says so in one line on stderr (never on stdout), Ctrl-C
ends a rate-limit wait, and --debug shows kvsctl's requests rather than botocore's internals.
moto cannot throttle or stall, so the throttled answers come from botocore's Stubber."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from botocore.stub import Stubber

from kvsctl.aws import session
from kvsctl.aws.ratelimit import RateLimiter
from kvsctl.aws.session import AwsConfig, ClientFactory, RetryPolicy
from kvsctl.errors import AwsError
from tests.helpers import run_cli


def _factory(lines: list[str], **retry: Any) -> ClientFactory:
    return ClientFactory(
        AwsConfig(region="us-east-1"),
        retry=RetryPolicy(**{"max_attempts": 4, "base_delay": 0.5, **retry}),
        sleep=lambda _: None,
        notify=lines.append,
    )


def _throttle(stub: Stubber, times: int) -> None:
    for _ in range(times):
        stub.add_client_error("list_streams", service_error_code="ClientLimitExceededException", http_status_code=400)


def test_each_retry_is_one_line_naming_the_operation_and_the_attempt() -> None:
    lines: list[str] = []
    factory = _factory(lines)
    stub = Stubber(factory.client("kinesisvideo"))
    stub.activate()
    _throttle(stub, 2)
    stub.add_response("list_streams", {"StreamInfoList": []})
    assert factory.call("kinesisvideo", "list_streams")["StreamInfoList"] == []
    assert lines == ["ListStreams throttled, retrying (2/4)…", "ListStreams throttled, retrying (3/4)…"]


def test_a_server_error_says_its_code() -> None:
    lines: list[str] = []
    factory = _factory(lines, max_attempts=2)
    stub = Stubber(factory.client("kms"))
    stub.activate()
    stub.add_client_error("list_aliases", service_error_code="InternalFailure", http_status_code=500)
    stub.add_client_error("list_aliases", service_error_code="InternalFailure", http_status_code=500)
    with pytest.raises(AwsError):
        factory.call("kms", "list_aliases")
    assert lines == ["ListAliases failed (InternalFailure), retrying (2/2)…"]  # the last attempt: no notice


def test_a_slow_answer_is_said_once_while_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "SLOW_NOTICE", 0.05)
    lines: list[str] = []
    factory = _factory(lines)
    answered = threading.Event()

    def slow(**_: Any) -> dict[str, Any]:
        answered.wait(10)  # released by the notice itself: no fixed sleep
        return {"ok": True}

    factory.notify = lambda line: (lines.append(line), answered.set())  # type: ignore[func-returns-value]
    assert factory._within_deadline(slow, {}, "DescribeKey", "kms.us-east-1.amazonaws.com") == {"ok": True}
    assert lines == ["no answer from kms.us-east-1.amazonaws.com after 0.05 s (DescribeKey), waiting up to 120 s…"]


def test_the_deadline_is_said_before_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "SLOW_NOTICE", 0.05)
    lines: list[str] = []
    factory = _factory(lines, deadline=0.3)
    release = threading.Event()
    try:
        with pytest.raises(AwsError) as err:
            factory._within_deadline(lambda **_: release.wait(10), {}, "GetKeyPolicy", "kms.example")
    finally:
        release.set()
    assert err.value.code == "endpoint_timeout"
    assert lines == [
        "no answer from kms.example after 0.05 s (GetKeyPolicy), waiting up to 0.3 s…",
        "no complete answer from kms.example within 0.3 s (GetKeyPolicy)",
    ]


def test_cancel_ends_a_rate_limit_wait_and_nothing_is_sent() -> None:
    """A Ctrl-C during a long client-side quota wait stops at once, the request unsent."""
    limiter = RateLimiter({("kinesisvideo", "ListStreams"): 0.01})  # one request per 100 s
    factory = ClientFactory(AwsConfig(region="us-east-1"), limiter=limiter)
    stub = Stubber(factory.client("kinesisvideo"))
    stub.activate()
    stub.add_response("list_streams", {"StreamInfoList": []})
    factory.call("kinesisvideo", "list_streams")  # takes the one token
    threading.Timer(0.1, factory.cancel).start()
    started = time.monotonic()
    with pytest.raises(AwsError) as err:
        factory.call("kinesisvideo", "list_streams")
    assert time.monotonic() - started < 5
    assert err.value.code == "cancelled"
    assert factory.stats.calls["kinesisvideo.ListStreams"] == 1


@pytest.fixture
def throttled_cli(monkeypatch: pytest.MonkeyPatch) -> Stubber:
    from kvsctl.cli.options import GlobalOptions

    factory = ClientFactory(AwsConfig(region="us-east-1"), retry=RetryPolicy(max_attempts=4), sleep=lambda _: None)
    stub = Stubber(factory.client("kinesisvideo"))
    stub.activate()

    def wired(self: GlobalOptions) -> ClientFactory:
        factory.notify = self.notice
        return factory

    monkeypatch.setattr(GlobalOptions, "factory", wired)
    return stub


def test_cli_table_output_says_the_retry_on_stderr_only(throttled_cli: Stubber) -> None:
    _throttle(throttled_cli, 1)
    throttled_cli.add_response("list_streams", {"StreamInfoList": []})
    result = run_cli("stream", "list", "-o", "table", "--no-color")
    assert result.exit_code == 0, result.stderr
    assert "kvsctl: ListStreams throttled, retrying (2/4)…" in result.stderr
    assert "retrying" not in result.stdout


def test_cli_json_keeps_stderr_for_the_json_error(throttled_cli: Stubber) -> None:
    """With -o json and stderr not a terminal, stderr is reserved for the JSON error document."""
    _throttle(throttled_cli, 4)
    result = run_cli("stream", "list", "-o", "json")
    assert result.exit_code == 3
    assert "retrying" not in result.stderr and "retrying" not in result.stdout
    assert result.error["code"] == "throttled"


def test_debug_shows_kvsctls_requests_not_botocores_internals(throttled_cli: Stubber) -> None:
    _throttle(throttled_cli, 1)
    throttled_cli.add_response("list_streams", {"StreamInfoList": []})
    result = run_cli("stream", "list", "-o", "json", "--debug")
    assert result.exit_code == 0, result.stderr
    log = result.stderr
    assert "kvsctl.aws [DEBUG] request kinesisvideo.ListStreams to kinesisvideo.us-east-1.amazonaws.com" in log
    assert "throttled, retrying (2/4)" in log and "HTTP " in log
    assert "botocore.hooks" not in log and "botocore.endpoint" not in log and "Event " not in log
    assert result.json == {"streams": []}
