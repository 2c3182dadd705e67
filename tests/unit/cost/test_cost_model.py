"""Input validation of the cost model: every bad assumption is a CostInputError (exit 2)."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from kvsctl.cost.model import CostAssumptions, CostInputError, parse_count, parse_decimal
from kvsctl.cost.prices import PRICES


@pytest.mark.parametrize(
    "kwargs",
    [
        {"streams": -1},
        {"producers_per_stream": -2},
        {"consumers_per_stream": -1},
        {"customer_keys": -1},
        {"free_tier_requests": -1},
        {"rotations": -1},
        {"rotated_keys": -1},
        {"rotated_keys": 2, "customer_keys": 1},  # more rotated keys than keys
        {"data_key_interval_minutes": D(0)},
        {"data_key_interval_minutes": D(-5)},
        {"data_key_interval_minutes": D("NaN")},
        {"data_key_interval_minutes": D("Infinity")},
        {"hours_per_month": D(0)},
        {"credential_lifetime_minutes": D(0)},
        {"price_per_10k": D("-0.01")},
        {"key_price": D(-1)},
        {"streams": 1.5},  # not a whole number
        {"streams": True},  # bool is not a count
        {"streams": "10"},  # not a number at all
        {"data_key_interval_minutes": 5.0},  # floats are refused: money stays exact
        {"free_tier": "yes"},
    ],
)
def test_bad_assumptions_are_input_errors(kwargs: dict[str, Any]) -> None:
    with pytest.raises(CostInputError):
        CostAssumptions(**kwargs)


def test_input_error_is_a_value_error_with_code() -> None:
    with pytest.raises(ValueError, match="streams") as info:
        CostAssumptions(streams=-1)
    assert isinstance(info.value, CostInputError)
    assert info.value.code == "invalid_cost_input"


def test_zero_counts_and_free_prices_are_allowed() -> None:
    a = CostAssumptions(streams=0, producers_per_stream=0, customer_keys=0, price_per_10k=D(0))
    assert a.pairs == 0


def test_defaults_come_from_the_price_table() -> None:
    a = CostAssumptions()
    assert a.price_per_10k == PRICES.symmetric_requests_per_10k == D("0.03")
    assert a.key_price == PRICES.customer_key_month == D("1.00")
    assert a.free_tier_requests == PRICES.free_tier_requests == 20_000
    assert a.data_key_interval_minutes == 5
    assert a.hours_per_month == 730


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("12", 12), (" 1_000 ", 1000)])
def test_parse_count(text: str, value: int) -> None:
    assert parse_count("--streams", text) == value


@pytest.mark.parametrize("text", ["-1", "abc", "1.5", "", "1e3"])
def test_parse_count_rejects(text: str) -> None:
    with pytest.raises(CostInputError, match="--streams"):
        parse_count("--streams", text)


@pytest.mark.parametrize(("text", "value"), [("5", D(5)), ("2.5", D("2.5")), ("0.1", D("0.1"))])
def test_parse_decimal(text: str, value: D) -> None:
    assert parse_decimal("--data-key-interval", text) == value


@pytest.mark.parametrize("text", ["five", "", "nan", "inf", "-Infinity", "1,5"])
def test_parse_decimal_rejects(text: str) -> None:
    with pytest.raises(CostInputError, match="--data-key-interval"):
        parse_decimal("--data-key-interval", text)
