"""The estimator against figures worked out by hand (each case shows its arithmetic)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from kvsctl.cost.estimate import estimate, requests_per_pair
from kvsctl.cost.model import CostAssumptions, CostInputError
from kvsctl.cost.serialize import usd_cents, usd_exact

A = CostAssumptions


def test_defaults_fit_in_the_free_tier() -> None:
    # 1 stream × (1 producer + 1 consumer) = 2 pairs
    # 730 h × 60 / 5 min = 8,760 requests per pair; × 2 = 17,520 < 20,000 free
    # request cost 0; 1 customer key × $1.00 = $1.00
    e = estimate(A())
    assert e.requests_per_pair == 8760
    assert e.requests_per_month == 17_520
    assert e.billable_requests == 0
    assert e.request_cost_usd == 0
    assert e.key_cost_usd == D("1.00")
    assert e.total_usd == D("1.00")


def test_a_fleet_at_default_cadence() -> None:
    # 100 streams × (2 + 3) = 500 pairs; × 8,760 = 4,380,000 requests
    # billable 4,380,000 − 20,000 = 4,360,000; × $0.03 / 10,000 = 436 × 0.03 = $13.08
    # + 1 key $1.00 = $14.08
    e = estimate(A(streams=100, producers_per_stream=2, consumers_per_stream=3))
    assert e.requests_per_month == 4_380_000
    assert e.billable_requests == 4_360_000
    assert e.request_cost_usd == D("13.08")
    assert e.total_usd == D("14.08")


@pytest.mark.parametrize(
    ("hours", "requests", "billable", "request_cost"),
    [
        # 1 pair, interval 60 min: requests = hours × 60 / 60 = hours
        (D(19_999), 19_999, 0, D(0)),
        (D(20_000), 20_000, 0, D(0)),  # exactly the free tier: nothing billed
        (D(20_001), 20_001, 1, D("0.000003")),  # one request over: 1 × 0.03 / 10,000
        (D(30_000), 30_000, 10_000, D("0.03")),  # 10,000 over: $0.03 exactly
    ],
)
def test_free_tier_boundary(hours: D, requests: int, billable: int, request_cost: D) -> None:
    a = A(
        streams=1,
        producers_per_stream=1,
        consumers_per_stream=0,
        customer_keys=0,
        data_key_interval_minutes=D(60),
        hours_per_month=hours,
    )
    e = estimate(a)
    assert (e.requests_per_month, e.billable_requests) == (requests, billable)
    assert e.request_cost_usd == request_cost
    assert e.total_usd == request_cost


def test_no_free_tier_bills_every_request() -> None:
    # 17,520 requests × $0.000003 = $0.05256, + $1.00 key = $1.05256
    e = estimate(A(free_tier=False))
    assert e.billable_requests == 17_520
    assert e.request_cost_usd == D("0.05256")
    assert e.total_usd == D("1.05256")
    assert usd_cents(e.total_usd) == D("1.05")


def test_smaller_free_tier_allowance() -> None:
    # 17,520 − 10,000 = 7,520 billable × 0.000003 = $0.02256
    e = estimate(A(free_tier_requests=10_000))
    assert e.billable_requests == 7_520
    assert e.request_cost_usd == D("0.02256")


def test_partial_interval_rounds_up_per_pair() -> None:
    # 730 h × 60 = 43,800 min / 7 = 6,257.14 → 6,258 requests per pair (a request starts
    # each interval, so the last partial interval costs one). 3 pairs → 18,774
    # (ceil of the fleet total would give 18,772; the count is per pair). Credentials never renewed.
    a = A(streams=3, producers_per_stream=1, consumers_per_stream=0, data_key_interval_minutes=D(7),
          credential_lifetime_minutes=None)  # fmt: skip
    assert requests_per_pair(a) == 6_258
    assert estimate(a).requests_per_month == 18_774
    # with 60-minute credentials each session asks ceil(60 / 7) = 9 times: 43,800 × 9 / 60 = 6,570
    assert requests_per_pair(replace(a, credential_lifetime_minutes=D(60))) == 6_570


def test_fractional_interval_is_exact() -> None:
    # 43,800 / 2.5 = 17,520 per pair exactly; 2 pairs = 35,040; billable 15,040 × 0.000003 = 0.04512
    e = estimate(A(data_key_interval_minutes=D("2.5")))
    assert e.requests_per_month == 35_040
    assert e.request_cost_usd == D("0.04512")


@pytest.mark.parametrize(
    ("lifetime", "per_pair"),
    [
        (None, 8_760),  # no lifetime: the data-key interval alone
        (D(1), 43_800),  # dies after 1 min: a new credential's first request every minute
        (D("2.5"), 17_520),  # 43,800 / 2.5
        (D(5), 8_760),  # equal to the interval: no extra request
        (D(7), 12_515),  # asks at 0 and 5, renewed at 7: ceil(43,800 × 2 / 7) (noted)
        (D(60), 8_760),  # a one-hour assumed-role session
    ],
)
def test_credential_lifetime_sets_the_requests_of_each_session(lifetime: D | None, per_pair: int) -> None:
    assert requests_per_pair(A(credential_lifetime_minutes=lifetime)) == per_pair


def test_short_credentials_cost_more() -> None:
    # lifetime 1 min: 2 pairs × 43,800 = 87,600; billable 67,600 × 0.000003 = 0.2028; + $1 = 1.2028
    e = estimate(A(credential_lifetime_minutes=D(1)))
    assert e.requests_per_month == 87_600
    assert e.request_cost_usd == D("0.2028")
    assert e.total_usd == D("1.2028")
    assert any("each new credential makes its own first request" in n for n in e.notes)


def test_lifetime_not_a_multiple_of_interval_is_noted() -> None:
    assert any("not a multiple" in n for n in estimate(A(credential_lifetime_minutes=D(7))).notes)
    assert not any("not a multiple" in n for n in estimate(A(credential_lifetime_minutes=D(10))).notes)


@pytest.mark.parametrize(
    ("keys", "rotated", "rotations", "key_cost"),
    [
        (3, None, 0, D(3)),  # 3 keys × $1, never rotated
        (3, None, 1, D(6)),  # + 3 keys × 1 rotation × $1
        (3, None, 2, D(9)),  # + 3 × 2
        (3, None, 5, D(9)),  # rotations after the second are free: still 3 × 2
        (3, 1, 3, D(5)),  # only one key rotated: 3 + 1 × min(3, 2)
        (3, 0, 2, D(3)),  # none rotated
        (0, None, 2, D(0)),  # AWS managed key only: nothing to hold, nothing rotated
    ],
)
def test_key_and_rotation_cost(keys: int, rotated: int | None, rotations: int, key_cost: D) -> None:
    e = estimate(A(customer_keys=keys, rotated_keys=rotated, rotations=rotations))
    assert e.key_cost_usd == key_cost


def test_aws_managed_key_requests_are_still_billed() -> None:
    # no customer key; 10 streams × 3 credentials = 30 pairs × 8,760 = 262,800
    # billable 242,800 × 0.000003 = $0.7284
    e = estimate(A(streams=10, producers_per_stream=2, consumers_per_stream=1, customer_keys=0))
    assert e.key_cost_usd == 0
    assert e.total_usd == D("0.7284")


def test_price_overrides_and_decimal_exactness() -> None:
    # 3 keys × $0.1 = $0.3 exactly (a float would give 0.30000000000000004)
    e = estimate(A(customer_keys=3, key_price=D("0.1"), streams=0))
    assert e.key_cost_usd == D("0.3")
    assert usd_exact(e.total_usd) == "0.30"


def test_table_rounding_is_half_up_and_json_stays_exact() -> None:
    # 1,000 requests, no free tier, $0.05 per 10,000 → 1,000 × 0.000005 = $0.005 exactly
    a = A(
        producers_per_stream=1,
        consumers_per_stream=0,
        customer_keys=0,
        free_tier=False,
        price_per_10k=D("0.05"),
        data_key_interval_minutes=D(60),
        hours_per_month=D(1000),
    )
    e = estimate(a)
    assert e.total_usd == D("0.005")
    assert usd_cents(e.total_usd) == D("0.01")  # half up; banker's rounding would give 0.00


@pytest.mark.parametrize(
    "a",
    [
        A(),
        A(streams=7, producers_per_stream=3, consumers_per_stream=2, free_tier=False),
        A(streams=1000, rotations=2, customer_keys=4, credential_lifetime_minutes=D("0.5")),
        A(streams=0),
    ],
)
def test_breakdown_adds_up_to_total(a: CostAssumptions) -> None:
    e = estimate(a)
    assert sum((line.amount_usd for line in e.breakdown), D(0)) == e.total_usd
    assert e.request_cost_usd + e.key_cost_usd == e.total_usd
    assert [line.code for line in e.breakdown] == [
        "requests",
        "free_tier",
        "customer_keys",
        "key_rotations",
    ]


def test_notes_cite_the_borrowed_cadence() -> None:
    notes = " ".join(estimate(A()).notes)
    assert "KVS does not document" in notes
    assert "Kinesis Data Streams" in notes
    assert "https://aws.amazon.com/kms/pricing/" in notes


def test_too_precise_to_compute_exactly_is_an_input_error() -> None:
    with pytest.raises(CostInputError):
        estimate(A(price_per_10k=D("0." + "1" * 90), free_tier=False))


def test_notes_say_every_kind_of_customer_key_costs_the_same() -> None:
    """KMS pricing page: $1/month alike for multi-Region primaries and replicas, imported key material and
    CloudHSM / external key store keys; CloudHSM's own cluster charges are outside KMS (docs/key-kinds.md)."""
    notes = " ".join(estimate(A()).notes)
    assert "imported key material, keys in custom key stores and each multi-Region primary and replica" in notes
    assert "CloudHSM" in notes and "not in this estimate" in notes
