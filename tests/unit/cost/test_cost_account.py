"""Pricing what an account holds (pure part of --from-account), with hand-worked figures."""

from __future__ import annotations

from decimal import Decimal as D

from kvsctl.cost.account import (
    AWS_MANAGED,
    AccountKey,
    AccountUsage,
    StreamKeyUse,
    estimate_account,
)
from kvsctl.cost.model import CostAssumptions
from kvsctl.cost.serialize import account_estimate_to_dict

KEY_A = "arn:aws:kms:us-east-1:123456789012:key/aaaa"
KEY_B = "arn:aws:kms:us-east-1:123456789012:key/bbbb"
KEY_C = "arn:aws:kms:us-east-1:123456789012:key/cccc"  # used by no stream
KEY_D = "arn:aws:kms:us-east-1:123456789012:key/dddd"  # pending deletion
FOREIGN = "arn:aws:kms:us-east-1:999999999999:key/ffff"

USAGE = AccountUsage(
    streams=(
        StreamKeyUse("cam-2", KEY_A),
        StreamKeyUse("cam-1", KEY_A),
        StreamKeyUse("cam-3", KEY_B),
        StreamKeyUse("cam-4", AWS_MANAGED),
    ),
    keys=(
        AccountKey(KEY_A, aliases=("alias/cams",), rotation_enabled=True),
        AccountKey(KEY_B, rotation_enabled=False),
        AccountKey(KEY_C),
    ),
)


def test_two_keys_one_aws_managed_one_unused() -> None:
    # 4 streams × (1 + 1) × 8,760 = 70,080 requests; billable 50,080 × 0.000003 = $0.15024
    # keys charged: A and B (C is unused) = $2.00 → total $2.15024
    result = estimate_account(USAGE, CostAssumptions())
    e = result.estimate
    assert e.assumptions.streams == 4
    assert e.assumptions.customer_keys == 2
    assert e.requests_per_month == 70_080
    assert e.billable_requests == 50_080
    assert e.request_cost_usd == D("0.15024")
    assert e.key_cost_usd == D(2)
    assert e.total_usd == D("2.15024")
    assert [k.arn for k in result.unused_keys] == [KEY_C]

    by_key = {k.key: k for k in result.per_key}
    assert list(by_key) == [KEY_A, KEY_B, AWS_MANAGED]  # AWS managed last
    # A: 2 streams × 17,520 = 35,040 requests, × 0.000003 = $0.10512 before the free tier
    assert by_key[KEY_A].streams == ("cam-1", "cam-2")
    assert by_key[KEY_A].requests_per_month == 35_040
    assert by_key[KEY_A].request_cost_usd == D("0.10512")
    assert by_key[KEY_A].key_cost_usd == D(1)
    assert by_key[AWS_MANAGED].key_cost_usd == 0
    assert by_key[AWS_MANAGED].requests_per_month == 17_520
    assert not by_key[AWS_MANAGED].charged
    assert [s.name for s in result.per_stream] == ["cam-1", "cam-2", "cam-3", "cam-4"]
    assert {s.requests_per_month for s in result.per_stream} == {17_520}
    assert sum(s.requests_per_month for s in result.per_stream) == e.requests_per_month
    assert sum((k.key_cost_usd for k in result.per_key), D(0)) == e.key_cost_usd


def test_rotation_is_charged_only_on_keys_with_rotation_on() -> None:
    # rotations=1: only A has rotation enabled → A costs $2, B $1 → key cost $3
    result = estimate_account(USAGE, CostAssumptions(rotations=1))
    assert result.estimate.key_cost_usd == D(3)
    assert {k.key: k.key_cost_usd for k in result.per_key}[KEY_A] == D(2)


def test_pending_deletion_and_foreign_keys_are_not_charged() -> None:
    usage = AccountUsage(
        streams=(StreamKeyUse("old", KEY_D), StreamKeyUse("shared", FOREIGN)),
        keys=(AccountKey(KEY_D, state="PendingDeletion"),),
    )
    result = estimate_account(usage, CostAssumptions(producers_per_stream=3, consumers_per_stream=0))
    # 2 streams × 3 × 8,760 = 52,560 requests; billable 32,560 × 0.000003 = $0.09768; no key cost
    assert result.estimate.requests_per_month == 52_560
    assert result.estimate.key_cost_usd == 0
    assert result.estimate.total_usd == D("0.09768")
    kinds = {k.key: k.kind for k in result.per_key}
    assert kinds == {KEY_D: "customer-managed", FOREIGN: "other"}
    notes = " ".join(result.estimate.notes)
    assert "pending deletion" in notes
    assert "another account" in notes


def test_empty_account() -> None:
    result = estimate_account(AccountUsage(streams=(), keys=(AccountKey(KEY_C),)), CostAssumptions())
    assert result.estimate.total_usd == 0
    assert result.per_key == ()
    assert len(result.unused_keys) == 1


def test_account_json() -> None:
    data = account_estimate_to_dict(estimate_account(USAGE, CostAssumptions()))
    assert data["total_usd"] == 2.15024
    assert data["assumptions"]["streams"] == 4
    assert data["assumptions"]["customer_keys"] == 2
    assert [k["key"] for k in data["per_key"]] == [KEY_A, KEY_B, AWS_MANAGED]
    assert data["per_key"][0]["aliases"] == ["alias/cams"]
    assert [s["name"] for s in data["per_stream"]] == ["cam-1", "cam-2", "cam-3", "cam-4"]
    assert data["unused_keys"] == [{"arn": KEY_C, "aliases": [], "state": "Enabled", "rotation_enabled": None}]
