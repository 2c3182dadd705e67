"""JSON shape of cost results: contract keys, numbers with the exact decimal digits, every assumption echoed."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from kvsctl.cost.estimate import compare, estimate
from kvsctl.cost.model import CostAssumptions, assumption_names
from kvsctl.cost.serialize import (
    comparison_to_dict,
    decimal_text,
    estimate_to_dict,
    usd_cents,
    usd_display,
    usd_exact,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D(5), "5"),
        (D("0.0300"), "0.03"),
        (D("0E-6"), "0"),
        (D("-0"), "0"),
        (D("1E+3"), "1000"),
        (D("0.000003"), "0.000003"),
    ],
)
def test_decimal_text(value: D, text: str) -> None:
    assert decimal_text(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(D(1), "1.00"), (D("0.05256"), "0.05256"), (D(0), "0.00"), (D("-3.1536"), "-3.1536")],
)
def test_usd_exact(value: D, text: str) -> None:
    assert usd_exact(value) == text


@pytest.mark.parametrize(
    ("value", "cents"),
    [
        (D("0.005"), "0.01"),
        (D("0.0049"), "0.00"),
        (D("-0.001"), "0.00"),
        (D("1234.565"), "1234.57"),
    ],
)
def test_usd_cents(value: D, cents: str) -> None:
    assert str(usd_cents(value)) == cents


def test_usd_display() -> None:
    assert usd_display(D("1234.565")) == "$1,234.57"
    assert usd_display(D("-3.1536")) == "-$3.15"
    assert usd_display(D("-0.001")) == "$0.00"


def test_estimate_json_has_contract_keys_and_round_trips() -> None:
    data = estimate_to_dict(estimate(CostAssumptions(free_tier=False)))
    data = json.loads(json.dumps(data))
    assert data["requests_per_month"] == 17_520
    assert data["billable_requests"] == 17_520
    assert data["request_cost_usd"] == 0.05256  # unrounded
    assert data["key_cost_usd"] == 1.00
    assert data["total_usd"] == 1.05256
    assert list(data["assumptions"]) == list(assumption_names())
    assert data["assumptions"]["data_key_interval_minutes"] == 5
    assert data["assumptions"]["free_tier"] is False
    assert data["assumptions"]["credential_lifetime_minutes"] == 60  # IoT role alias default
    assert data["assumptions"]["sessions_per_device"] == 1
    assert data["assumptions"]["calibration_file"] is None and data["assumptions"]["price_file"] is None
    assert data["prices"]["sources"] == ["https://aws.amazon.com/kms/pricing/"]
    total = sum(D(str(line["amount_usd"])) for line in data["breakdown"])
    assert total == D(str(data["total_usd"]))


def test_comparison_json_keeps_todays_keys_on_top() -> None:
    data = comparison_to_dict(compare(CostAssumptions(streams=10)))
    assert data["total_usd"] == data["scenarios"][0]["total_usd"]
    assert data["scenarios"][0]["name"] == "today"
    assert all(isinstance(p["credentials"], int) for p in data["credential_curve"])


def test_json_figures_are_numbers_with_the_exact_digits() -> None:
    """Numbers as numbers (README, "JSON output and its schemas"), with the digits the estimate was
    computed with."""
    text = json.dumps(estimate_to_dict(estimate(CostAssumptions(free_tier=False))))
    assert '"request_cost_usd": 0.05256,' in text
    assert '"hours_per_month": 730,' in text  # was the string "730"
    assert '"price_per_10k": 0.03,' in text
    data = json.loads(text)
    assert all(isinstance(line["amount_usd"], float) for line in data["breakdown"])
