"""The session model: requests follow credential sessions (lifetime, sessions per device), not devices."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from kvsctl.cost.estimate import estimate, requests_per_pair, scenarios
from kvsctl.cost.model import CostAssumptions as A
from kvsctl.cost.model import CostInputError
from kvsctl.cost.prices import DEFAULT_CREDENTIAL_LIFETIME_MINUTES, DEFAULT_SESSIONS_PER_DEVICE


def test_defaults_cite_their_sources() -> None:
    a = A()
    # AWS IoT API reference, CreateRoleAlias: credentialDurationSeconds defaults to 3,600 s
    assert a.credential_lifetime_minutes == DEFAULT_CREDENTIAL_LIFETIME_MINUTES == 60
    assert a.sessions_per_device == DEFAULT_SESSIONS_PER_DEVICE == 1
    notes = " ".join(estimate(a).notes)
    assert "API_CreateRoleAlias" in notes and "3,600 s" in notes
    assert "One credential session per producer or consumer (inferred" in notes
    assert "Kinesis Data Streams" in notes


@pytest.mark.parametrize(
    ("interval", "lifetime", "per_session", "per_pair"),
    [
        (D(5), D(60), 12, 8_760),  # defaults: 12 an hour, 730 h
        (D(5), D(7), 2, 12_515),  # asks at 0 and 5, renewed at 7: ceil(43,800 × 2 / 7)
        (D(5), D(1), 1, 43_800),  # shorter than the interval: one request per credential
        (D(45), D(60), 2, 1_460),  # a measured 45-min interval with 1-hour credentials: 2 an hour
        (D(45), D(15), 1, 2_920),  # ... with 15-minute credentials: 4 an hour
        (D(45), D(720), 16, 974),  # ... with 12-hour credentials: ceil(43,800 × 16 / 720 = 973.3)
        (D(5), None, None, 8_760),  # never renewed: the interval alone
    ],
)
def test_requests_per_pair(interval: D, lifetime: D | None, per_session: int | None, per_pair: int) -> None:
    a = A(data_key_interval_minutes=interval, credential_lifetime_minutes=lifetime)
    assert a.requests_per_session == per_session
    assert requests_per_pair(a) == per_pair


def test_one_thousand_cameras_one_hour_against_fifteen_minute_credentials() -> None:
    """The issue's comparison, with a calibrated 45-minute interval: 1,000 cameras, no consumers."""
    base = A(streams=1000, producers_per_stream=1, consumers_per_stream=0, data_key_interval_minutes=D(45))
    hour = estimate(base)
    quarter = estimate(A(**{**base.__dict__, "credential_lifetime_minutes": D(15)}))
    # 1,000 × 1,460 = 1,460,000; billable 1,440,000 × $0.000003 = $4.32; + $1 key = $5.32
    assert (hour.requests_per_month, hour.total_usd) == (1_460_000, D("5.32"))
    # 1,000 × 2,920 = 2,920,000; billable 2,900,000 × $0.000003 = $8.70; + $1 = $9.70
    assert (quarter.requests_per_month, quarter.total_usd) == (2_920_000, D("9.70"))


def test_sessions_per_device_multiply_the_pairs() -> None:
    # 10 streams × (1 + 1) × 3 sessions = 60 pairs × 8,760 = 525,600; billable 505,600 × 0.000003 = 1.5168
    e = estimate(A(streams=10, sessions_per_device=3))
    assert e.assumptions.pairs == 60
    assert e.requests_per_month == 525_600
    assert e.total_usd == D("2.5168")
    assert any("3 credential sessions at once" in n for n in e.notes)


@pytest.mark.parametrize("bad", [0, -1, True])
def test_sessions_per_device_must_be_one_or_more(bad: object) -> None:
    with pytest.raises(CostInputError):
        A(sessions_per_device=bad)  # type: ignore[arg-type]


def test_compare_has_the_role_alias_bounds_and_one_session() -> None:
    a = A(streams=1000, producers_per_stream=1, consumers_per_stream=0, data_key_interval_minutes=D(45),
          sessions_per_device=2)  # fmt: skip
    by_name = {s.name: s for s in scenarios(a)}
    assert list(by_name) == [
        "today",
        "key_per_stream",
        "shared_key",
        "aws_managed_key",
        "longer_credentials",
        "credentials_15_min",
        "credentials_12_h",
        "one_session_per_device",
    ]
    # today: 2,000 pairs × 1,460 = 2,920,000
    assert by_name["today"].estimate.requests_per_month == 2_920_000
    # 15-minute credentials: 2,000 × 2,920 = 5,840,000 (the session lifetime now drives the cost)
    assert by_name["credentials_15_min"].estimate.requests_per_month == 5_840_000
    assert by_name["credentials_15_min"].estimate.assumptions.sessions_per_device == 2
    # never renewed: 2,000 × ceil(43,800 / 45) = 2,000 × 974 = 1,948,000
    assert by_name["longer_credentials"].estimate.requests_per_month == 1_948_000
    assert by_name["one_session_per_device"].estimate.requests_per_month == 1_460_000
