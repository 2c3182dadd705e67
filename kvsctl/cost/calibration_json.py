"""Calibration results as JSON-ready dicts, and the calibration file `cost estimate` reads. Pure.

JSON rules (the contract's): snake_case names, numbers as JSON numbers, absent values as null, times
as ISO 8601 UTC ('2026-12-01T10:00:00Z'). Counts are exact integers. Rates (minutes, requests per
credential-hour) are exact fractions rounded half up to 4 decimals for output; dollars are exact
(requests × price / 10,000 has few digits) and written as numbers whose text is that exact decimal.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from kvsctl.cost.calibrate import (
    KVS_SERVICE,
    MATCHED_FIELDS,
    Calibration,
    RoleRate,
    rounded,
)
from kvsctl.cost.model import CostInputError
from kvsctl.errors import shown
from kvsctl.longnum import NumberTooLong, read_int

CALIBRATION_FORMAT = "kvsctl-cost-calibration"
CALIBRATION_VERSION = 1

MATCH_RULE = (
    f"kms.amazonaws.com GenerateDataKey or Decrypt whose {', '.join(MATCHED_FIELDS)} names {KVS_SERVICE} "
    "(or kinesisvideo.REGION.amazonaws.com): KVS calls KMS with the caller's credentials (forward access "
    "sessions) and CloudTrail names the calling service in these fields."
)


def number(value: Decimal | Fraction | int | None, places: int = 4) -> int | float | None:
    """A JSON number: int when whole, else a float whose shortest text is the (rounded) decimal."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    exact = rounded(value, places) if isinstance(value, Fraction) else value
    if exact == exact.to_integral_value():
        return int(exact)
    as_float = float(exact)
    if Decimal(repr(as_float)) != exact:  # more digits than a double holds: round to what it can
        return float(round(exact, 12))
    return as_float


def utc(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None


def _key(key: str) -> str | None:
    return None if key == "unknown" else key


def rate_to_dict(r: RoleRate) -> dict[str, Any]:
    return {
        "operation": r.operation,
        "requests": r.requests,
        "sessions": r.sessions,
        "sessions_with_repeats": r.sessions_with_repeats,
        "data_key_interval_minutes": number(r.interval_minutes),
        "requests_per_credential_hour": number(r.requests_per_credential_hour),
        "requests_per_session": number(r.requests_per_session),
    }


def session_summary(c: Calibration) -> dict[str, Any]:
    counts = [s.sessions for s in c.sessions]
    return {
        "principal_hours": len(counts),
        "mean": number(Fraction(sum(counts), len(counts)) if counts else None),
        "max": max(counts) if counts else None,
    }


def calibration_to_dict(c: Calibration) -> dict[str, Any]:
    return {
        "window": {
            "start": utc(c.window_start),
            "end": utc(c.window_end),
            "hours": number(c.window_hours),
            "from": c.window_from,
        },
        "sources": c.sources,
        "records": c.records,
        "kms_records": c.kms_records,
        "kvs_requests": c.kvs_requests,
        "failed_kvs_requests": c.failed_kvs_requests,
        "other_kms_requests": c.other_kms_requests,
        "other_kms_monthly_requests": c.other_monthly_requests,
        "rates": {r.role: rate_to_dict(r) for r in (*c.rates, c.combined)},
        "sessions_per_principal_hour": session_summary(c),
        "per_key": [
            {
                "key_arn": _key(k.key),
                "requests": k.kvs_requests,
                "requests_by_operation": dict(k.by_operation),
                "monthly_requests": k.monthly_requests,
                "monthly_request_cost_usd": number(k.monthly_request_cost_usd, 12),
            }
            for k in c.per_key
        ],
        "counts": [
            {
                "key_arn": _key(r.key),
                "principal": r.principal,
                "operation": r.operation,
                "hour": utc(r.hour),
                "requests": r.requests,
                "sessions": r.sessions,
            }
            for r in c.rows
        ],
        "sessions": [{"principal": s.principal, "hour": utc(s.hour), "sessions": s.sessions} for s in c.sessions],
        "other_kms": [{"key_arn": _key(o.key), "operation": o.operation, "requests": o.requests} for o in c.other],
        "gaps": [{"start": utc(a), "end": utc(b)} for a, b in c.gaps],
        "malformed_total": c.malformed_total,
        "malformed": [{"source": m.source, "reason": m.reason} for m in c.malformed],
        "warnings": list(c.warnings),
        "matched_on": MATCH_RULE,
        "assumptions": {
            "hours_per_month": number(c.hours_per_month, 12),
            "price_per_10k": number(c.price_per_10k, 12),
        },
    }


def calibration_file(c: Calibration) -> dict[str, Any]:
    """What `--save` writes and `cost estimate --calibration` reads: the measured rates and their window."""
    return {
        "format": CALIBRATION_FORMAT,
        "version": CALIBRATION_VERSION,
        "window": {"start": utc(c.window_start), "end": utc(c.window_end), "hours": number(c.window_hours)},
        "kvs_requests": c.kvs_requests,
        "data_key_interval_minutes": number(c.combined.interval_minutes),
        "requests_per_credential_hour": number(c.combined.requests_per_credential_hour),
        "rates": {r.role: rate_to_dict(r) for r in (*c.rates, c.combined)},
        "sessions_per_principal_hour": session_summary(c),
        "per_key": [
            {"key_arn": _key(k.key), "requests": k.kvs_requests, "monthly_requests": k.monthly_requests}
            for k in c.per_key
        ],
        "warnings": list(c.warnings),
    }


# --- reading a calibration file back ------------------------------------------------------------------


class CalibrationFile:
    """A calibration file as `cost estimate` uses it: exact decimals, checked."""

    def __init__(self, path: str, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        interval = data.get("data_key_interval_minutes")
        if interval is None:
            raise CostInputError(
                f"{path}: the calibration measured no data-key interval (no credential asked KMS twice)",
                hint="Calibrate over a longer window, or give --data-key-interval yourself.",
            )
        if not isinstance(interval, Decimal | int) or isinstance(interval, bool) or interval <= 0:
            raise CostInputError(f"{path}: data_key_interval_minutes must be a positive number, got {shown(interval)}")
        self.interval = Decimal(interval)
        raw_window = data.get("window")
        window: dict[str, Any] = raw_window if isinstance(raw_window, dict) else {}
        self.window_start = window.get("start")
        self.window_end = window.get("end")
        self.window_hours = window.get("hours")
        self.kvs_requests = data.get("kvs_requests")
        sessions = data.get("sessions_per_principal_hour")
        self.sessions_mean = sessions.get("mean") if isinstance(sessions, dict) else None

    def describe(self) -> str:
        return (
            f"Calibrated from {self.path}: {self.kvs_requests} KMS requests made through KVS between "
            f"{self.window_start} and {self.window_end} ({self.window_hours} h); measured data-key interval "
            f"{self.interval} min between a credential session's requests (renewals are modelled by the credential "
            f"lifetime; mean distinct sessions per principal per hour: {self.sessions_mean})."
        )


def load_calibration(path: str, text: str) -> CalibrationFile:
    try:
        data = json.loads(text, parse_float=Decimal, parse_int=read_int)
    except ValueError as exc:
        raise CostInputError(
            f"{path}: {exc if isinstance(exc, NumberTooLong) else f'not JSON ({exc})'}",
            hint="Give a file written by `kvsctl cost calibrate --save`.",
        ) from None
    if not isinstance(data, dict) or data.get("format") != CALIBRATION_FORMAT:
        raise CostInputError(
            f"{path}: not a kvsctl calibration file", hint="Write one with `kvsctl cost calibrate ... --save FILE`."
        )
    if data.get("version") != CALIBRATION_VERSION:
        raise CostInputError(
            f"{path}: calibration file version {shown(data.get('version'))} is not supported (expected 1)"
        )
    return CalibrationFile(path, data)
