"""Client-side quotas (kvsctl/aws/ratelimit.py), on a fake clock: no test sleeps."""

from __future__ import annotations

import threading
import time

import pytest

from kvsctl.aws.org import parse_accounts
from kvsctl.aws.ratelimit import (
    ACCOUNT_RATES,
    PER_STREAM_RATE,
    LimiterRegistry,
    RateLimiter,
    TokenBucket,
    WaitAbandoned,
)
from kvsctl.aws.session import AwsConfig, ClientFactory, RetryPolicy
from kvsctl.errors import AwsError, UsageError


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sent: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def sent_per_second(times: list[float]) -> int:
    """The most requests inside any window of one second."""
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


def test_bucket_never_exceeds_its_rate_over_any_second() -> None:
    clock = FakeClock()
    bucket = TokenBucket(50.0, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(500):
        bucket.acquire()
        times.append(clock.now)
    assert sent_per_second(times) <= 50 + 1  # a full bucket's burst, then the steady rate
    assert 500 / 50 - 1 <= clock.now <= 500 / 50 + 0.01  # and no slower than the quota allows


def test_listed_quotas_follow_the_documented_ones() -> None:
    """KVS quotas: ListStreams 50 TPS per account; KMS request quotas: ListGrants 100, DescribeKey 2000."""
    assert ACCOUNT_RATES[("kinesisvideo", "ListStreams")] == 50.0
    assert ACCOUNT_RATES[("kms", "ListGrants")] == 100.0
    assert ACCOUNT_RATES[("kms", "DescribeKey")] == 2000.0
    assert PER_STREAM_RATE <= 5.0  # KVS: DescribeStream 5 TPS per stream; kvsctl leaves room for cameras


def test_describe_stream_is_paced_per_stream() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    times: dict[str, list[float]] = {"a": [], "b": []}
    for _ in range(10):
        for name in ("a", "b"):
            limiter.acquire("kinesisvideo", "DescribeStream", "us-east-1", {"StreamName": name})
            times[name].append(clock.now)
    for name in ("a", "b"):
        assert sent_per_second(times[name]) <= PER_STREAM_RATE


def test_unlisted_iam_calls_get_the_conservative_service_rate() -> None:
    limiter = RateLimiter()
    assert limiter.rate_for("iam", "GetRolePolicy") == 20.0
    assert limiter.rate_for("kinesisvideo", "GetDataEndpoint") is None  # per stream only


def test_one_limiter_per_account() -> None:
    reg = LimiterRegistry()
    assert reg.for_account("111122223333") is reg.for_account("111122223333")
    assert reg.for_account("111122223333") is not reg.for_account("444455556666")


def test_parse_accounts_lists_files_and_dedups(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "accounts.txt"
    f.write_text("111122223333  # prod\n\n444455556666\n111122223333\n")
    assert parse_accounts(["777788889999,111122223333", f"@{f}"]) == ["777788889999", "111122223333", "444455556666"]


@pytest.mark.parametrize("bad", ["12345", "1111222233334", "abcdefghijkl", ",", "1111 22223333"])
def test_parse_accounts_refuses_what_is_not_an_account_id(bad: str) -> None:
    with pytest.raises(UsageError):
        parse_accounts([bad])


def test_a_cancelled_wait_ends_without_taking_a_token() -> None:
    clock = FakeClock()
    cancelled = threading.Event()
    bucket = TokenBucket(1.0, clock=clock, sleep=lambda s: (clock.sleep(s / 4), cancelled.set()))
    bucket.acquire()  # the burst of one
    with pytest.raises(WaitAbandoned) as caught:
        bucket.acquire(cancelled)
    assert caught.value.cancelled
    clock.now += 1.0
    assert bucket.acquire() == 0.0  # the token refilled meanwhile is still there


def test_a_wait_that_would_pass_its_deadline_is_not_begun() -> None:
    clock = FakeClock()
    bucket = TokenBucket(1.0, clock=clock, sleep=clock.sleep)
    bucket.acquire()
    with pytest.raises(WaitAbandoned) as caught:
        bucket.acquire(until=clock.now + 0.5)  # the next token comes in 1 s
    assert not caught.value.cancelled
    assert clock.now == 0.0  # nothing slept
    assert bucket.acquire(until=clock.now + 1.5) == pytest.approx(1.0)


def _slow_factory(deadline: float = 120.0) -> tuple[ClientFactory, RateLimiter]:
    """A factory whose limiter allows kms:ListKeys once every 100 s, its one token already spent: the next
    call waits in the limiter (no request is ever sent; the endpoint is a closed port)."""
    limiter = RateLimiter({("kms", "ListKeys"): 0.01})
    limiter.acquire("kms", "ListKeys", "us-east-1", {})
    config = AwsConfig(region="us-east-1", endpoint_url="http://127.0.0.1:9", credentials=("AKIDEXAMPLE", "x", "y"))
    return ClientFactory(config, retry=RetryPolicy(max_attempts=1, deadline=deadline), limiter=limiter), limiter


def test_ctrl_c_ends_a_call_waiting_for_its_rate_limit() -> None:
    """cancel() (what Ctrl-C does to every session of a fleet run) ends the limiter's wait at once."""
    factory, _ = _slow_factory()
    box: dict[str, BaseException] = {}

    def call() -> None:
        try:
            factory.call("kms", "list_keys")
        except BaseException as exc:
            box["error"] = exc

    worker = threading.Thread(target=call, daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(0.3)  # let it enter the 100 s wait
    assert worker.is_alive()
    factory.cancel()
    worker.join(5.0)
    assert not worker.is_alive() and time.monotonic() - started < 5.0
    error = box["error"]
    assert isinstance(error, AwsError) and error.code == "cancelled"
    assert factory.stats.total == 0  # never sent


def test_a_limiter_wait_longer_than_the_request_deadline_is_an_aws_error() -> None:
    factory, _ = _slow_factory(deadline=30.0)  # the next token comes in 100 s
    factory.client("kms")  # built before the clock starts: a loaded machine takes a while
    started = time.monotonic()
    with pytest.raises(AwsError) as caught:
        factory.call("kms", "list_keys")
    assert caught.value.code == "throttled" and "KVSCTL_REQUEST_DEADLINE" in (caught.value.hint or "")
    assert time.monotonic() - started < 10.0  # refused up front, not after waiting 30 s (or 100 s)
    assert factory.stats.total == 0
