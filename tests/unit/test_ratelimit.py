"""Client-side quotas (kvsctl/aws/ratelimit.py), on a fake clock: no test sleeps."""

from __future__ import annotations

import pytest

from kvsctl.aws.org import parse_accounts
from kvsctl.aws.ratelimit import ACCOUNT_RATES, PER_STREAM_RATE, LimiterRegistry, RateLimiter, TokenBucket
from kvsctl.errors import UsageError


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
