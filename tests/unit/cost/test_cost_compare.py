"""`--compare` scenarios and the cost-against-credentials curve, as data."""

from __future__ import annotations

from decimal import Decimal as D

from kvsctl.cost.estimate import compare, credential_curve, scenarios
from kvsctl.cost.model import CostAssumptions

# 10 streams × (2 producers + 1 consumer) = 30 pairs, credentials live 1 minute.
FLEET = CostAssumptions(streams=10, producers_per_stream=2, consumers_per_stream=1, credential_lifetime_minutes=D(1))


def test_scenarios_hand_computed() -> None:
    by_name = {s.name: s for s in scenarios(FLEET)}
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
    # today: 30 pairs × 43,800 (1-minute credentials) = 1,314,000 requests
    #   billable 1,294,000 × $0.000003 = $3.882; + 1 key = $4.882
    today = by_name["today"]
    assert today.estimate.requests_per_month == 1_314_000
    assert today.estimate.total_usd == D("4.882")
    assert today.delta_usd == 0
    # one key per stream: 10 keys → $3.882 + $10 = $13.882, +$9.00
    assert by_name["key_per_stream"].estimate.key_cost_usd == D(10)
    assert by_name["key_per_stream"].estimate.total_usd == D("13.882")
    assert by_name["key_per_stream"].delta_usd == D(9)
    # one shared key: what today already is
    assert by_name["shared_key"].estimate.total_usd == D("4.882")
    # AWS managed key: no key cost, requests unchanged → $3.882, −$1.00
    aws = by_name["aws_managed_key"]
    assert aws.estimate.requests_per_month == 1_314_000
    assert aws.estimate.total_usd == D("3.882")
    assert aws.delta_usd == D(-1)
    # credentials cached ≥ 5 minutes: 30 × 8,760 = 262,800; billable 242,800 × 0.000003 = 0.7284
    #   + $1 = $1.7284, −$3.1536
    longer = by_name["longer_credentials"]
    assert longer.estimate.requests_per_month == 262_800
    assert longer.estimate.total_usd == D("1.7284")
    assert longer.delta_usd == D("-3.1536")
    # the IoT role alias's bounds: 15 min asks 3 times a session, 12 h 144 times: both 8,760 a pair
    assert by_name["credentials_15_min"].estimate.requests_per_month == 262_800
    assert by_name["credentials_12_h"].estimate.requests_per_month == 262_800
    # already one session per device
    assert by_name["one_session_per_device"].estimate.total_usd == D("4.882")


def test_rotated_keys_follow_the_key_count() -> None:
    # all 2 keys rotated twice today → key per stream (5): 5 keys rotated: 5 + 5 × 2 = $15
    a = CostAssumptions(streams=5, customer_keys=2, rotated_keys=2, rotations=2)
    by_name = {s.name: s for s in scenarios(a)}
    assert by_name["key_per_stream"].estimate.key_cost_usd == D(15)
    assert by_name["shared_key"].estimate.key_cost_usd == D(3)  # 1 + 1 × 2
    assert by_name["aws_managed_key"].estimate.key_cost_usd == D(0)


def test_credential_curve_default_points() -> None:
    # streams 1/10, 1/2, 1, 2, 5, 10 × 10 → 1, 5, 10, 20, 50, 100; credentials = 3 × streams
    a = CostAssumptions(streams=10, producers_per_stream=2, consumers_per_stream=1)
    curve = credential_curve(a)
    assert [p.streams for p in curve] == [1, 5, 10, 20, 50, 100]
    assert [p.credentials for p in curve] == [3, 15, 30, 60, 150, 300]
    # 1 stream: 3 × 8,760 = 26,280; billable 6,280 × 0.000003 = 0.01884; + $1
    assert curve[0].total_usd == D("1.01884")
    # 100 streams: 300 × 8,760 = 2,628,000; billable 2,608,000 → $7.824; + $1
    assert curve[-1].total_usd == D("8.824")
    totals = [p.total_usd for p in curve]
    assert totals == sorted(totals)


def test_credential_curve_small_fleet_and_explicit_points() -> None:
    assert [p.streams for p in credential_curve(CostAssumptions(streams=1))] == [1, 2, 5, 10]
    assert [p.streams for p in credential_curve(CostAssumptions(streams=0))] == [1, 2, 5, 10]
    assert [p.streams for p in credential_curve(CostAssumptions(), [3, 1, 3])] == [1, 3]


def test_compare_bundles_both() -> None:
    c = compare(FLEET)
    assert c.scenarios[0].name == "today"
    assert len(c.credential_curve) == 6
