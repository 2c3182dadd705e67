"""Cost results as JSON-ready dicts, and money as text. Pure: no printing.

JSON conventions (documented in `kvsctl cost estimate --help`; the same in every command):
- every figure is a JSON number: counts (streams, requests, keys) integers, whole hours and minutes
  integers, dollars and prices numbers written with the exact, unrounded decimal digits the estimate was
  computed with (0.05256, not 0.05 nor 0.052560000000000003);
- tables round dollars to the cent, half up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kvsctl.cost.account import AccountEstimate, AccountKey, FleetEstimate
from kvsctl.cost.model import Comparison, CostAssumptions, CostEstimate, CostLine
from kvsctl.cost.prices import PRICES

_CENT = Decimal("0.01")


def decimal_text(value: Decimal) -> str:
    """Exact fixed-point text without trailing zeros: 5 -> "5", 0.0300 -> "0.03"."""
    if value.is_zero():
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def usd_exact(value: Decimal) -> str:
    """Exact dollars, at least two decimals: 1 -> "1.00", 0.05256 -> "0.05256"."""
    text = decimal_text(value)
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def usd_cents(value: Decimal) -> Decimal:
    """Dollars rounded to the cent, half up (for tables only; JSON stays exact)."""
    rounded = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    return rounded if not rounded.is_zero() else Decimal("0.00")


def usd_display(value: Decimal) -> str:
    """$1,234.57 (or -$1.00) for tables."""
    cents = usd_cents(value)
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents):,.2f}"


def json_number(value: Decimal) -> int | float:
    """A decimal as a JSON number with the same digits: an integer when whole (730), else the float whose
    shortest text is that decimal (0.05256). Every figure here has far fewer than 15 significant digits,
    so the text is exact."""
    if value == value.to_integral_value():
        return int(value)
    return float(decimal_text(value))


def usd_number(value: Decimal) -> float:
    """Dollars as a JSON number, exact and unrounded (1.0, 0.05256)."""
    return float(decimal_text(value))


def _plain(value: object) -> Any:
    if isinstance(value, Decimal):
        return json_number(value)
    return value


def assumptions_to_dict(a: CostAssumptions) -> dict[str, Any]:
    """The assumptions, every field, in declaration order."""
    return {f.name: _plain(getattr(a, f.name)) for f in fields(a)}


def line_to_dict(line: CostLine) -> dict[str, Any]:
    return {
        "code": line.code,
        "description": line.description,
        "quantity": line.quantity,
        "unit": line.unit,
        "unit_price_usd": usd_number(line.unit_price_usd),
        "amount_usd": usd_number(line.amount_usd),
    }


def prices_to_dict() -> dict[str, Any]:
    return {
        "as_of": PRICES.as_of.isoformat(),
        "currency": PRICES.currency,
        "sources": list(PRICES.sources),
    }


def estimate_to_dict(e: CostEstimate) -> dict[str, Any]:
    """The contract's keys first, then the working: breakdown, notes, prices."""
    a = e.assumptions
    return {
        "requests_per_month": e.requests_per_month,
        "billable_requests": e.billable_requests,
        "request_cost_usd": usd_number(e.request_cost_usd),
        "key_cost_usd": usd_number(e.key_cost_usd),
        "total_usd": usd_number(e.total_usd),
        "assumptions": assumptions_to_dict(a),
        "derived": {
            "credential_stream_pairs": a.pairs,
            "effective_interval_minutes": json_number(a.effective_interval_minutes),
            "requests_per_pair": e.requests_per_pair,
            "free_requests": e.free_requests,
            "rotated_keys": a.rotated_key_count,
        },
        "breakdown": [line_to_dict(line) for line in e.breakdown],
        "notes": list(e.notes),
        "prices": prices_to_dict(),
    }


def comparison_to_dict(c: Comparison) -> dict[str, Any]:
    """`--compare` JSON: today's estimate at the top level (same keys as without --compare)."""
    today = c.scenarios[0].estimate
    data = estimate_to_dict(today)
    data["scenarios"] = [
        {
            "name": s.name,
            "title": s.title,
            "description": s.description,
            "delta_usd": usd_number(s.delta_usd),
            "requests_per_month": s.estimate.requests_per_month,
            "billable_requests": s.estimate.billable_requests,
            "request_cost_usd": usd_number(s.estimate.request_cost_usd),
            "key_cost_usd": usd_number(s.estimate.key_cost_usd),
            "total_usd": usd_number(s.estimate.total_usd),
            "assumptions": assumptions_to_dict(s.estimate.assumptions),
        }
        for s in c.scenarios
    ]
    data["credential_curve"] = [
        {
            "streams": p.streams,
            "credentials": p.credentials,
            "requests_per_month": p.requests_per_month,
            "total_usd": usd_number(p.total_usd),
        }
        for p in c.credential_curve
    ]
    return data


def _account_key_to_dict(k: AccountKey) -> dict[str, Any]:
    return {
        "arn": k.arn,
        "aliases": list(k.aliases),
        "state": k.state,
        "rotation_enabled": k.rotation_enabled,
    }


def account_estimate_to_dict(a: AccountEstimate) -> dict[str, Any]:
    """`--from-account` JSON: the estimate's keys, then per_stream, per_key and unused_keys.

    Per-stream and per-key request costs are before the free tier (one allowance per account).
    """
    data = estimate_to_dict(a.estimate)
    data["per_stream"] = [
        {
            "name": s.name,
            "key": s.key,
            "encryption": s.encryption,
            "credentials": s.credentials,
            "requests_per_month": s.requests_per_month,
            "request_cost_usd": usd_number(s.request_cost_usd),
        }
        for s in a.per_stream
    ]
    data["per_key"] = [
        {
            "key": k.key,
            "aliases": list(k.aliases),
            "kind": k.kind,
            "streams": list(k.streams),
            "requests_per_month": k.requests_per_month,
            "request_cost_usd": usd_number(k.request_cost_usd),
            "key_cost_usd": usd_number(k.key_cost_usd),
            "rotation_enabled": k.rotation_enabled,
            "charged": k.charged,
        }
        for k in a.per_key
    ]
    data["unused_keys"] = [_account_key_to_dict(k) for k in a.unused_keys]
    return data


def fleet_estimate_to_dict(f: FleetEstimate, base: CostAssumptions, notes: Sequence[str] = ()) -> dict[str, Any]:
    """`--from-account --accounts/--organization` JSON: the contract's keys as fleet totals (each account
    priced on its own, free tier included), the assumptions with the fleet's counts, then per account."""
    rotated = sum(a.estimate.estimate.assumptions.rotated_key_count for a in f.accounts)
    assumptions = replace(base, streams=f.streams, customer_keys=f.customer_keys, rotated_keys=rotated)
    return {
        "requests_per_month": f.requests_per_month,
        "billable_requests": f.billable_requests,
        "request_cost_usd": usd_number(f.request_cost_usd),
        "key_cost_usd": usd_number(f.key_cost_usd),
        "total_usd": usd_number(f.total_usd),
        "assumptions": assumptions_to_dict(assumptions),
        "notes": [
            *notes,
            "Each account is priced on its own: the KMS free tier is one allowance per account, and the calling "
            "account pays for its requests.",
        ],
        "prices": prices_to_dict(),
        "accounts": [
            {
                "account": a.account,
                "regions": list(a.regions),
                "streams": len(a.estimate.per_stream),
                "customer_keys": a.estimate.estimate.assumptions.customer_keys,
                "requests_per_month": a.estimate.estimate.requests_per_month,
                "free_requests": a.estimate.estimate.free_requests,
                "billable_requests": a.estimate.estimate.billable_requests,
                "request_cost_usd": usd_number(a.estimate.estimate.request_cost_usd),
                "key_cost_usd": usd_number(a.estimate.estimate.key_cost_usd),
                "total_usd": usd_number(a.estimate.estimate.total_usd),
                "per_key": account_estimate_to_dict(a.estimate)["per_key"],
            }
            for a in f.accounts
        ],
        "accounts_not_counted": [{"account": account, "reason": why} for account, why in f.not_counted],
    }
