"""`cost estimate` with evidence and overrides: --calibration, --price-file, --infracost-usage, sessions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.helpers import run_cli
from tests.trail_fixtures import write_scenario


@pytest.fixture
def calibration(tmp_path: Path) -> Path:
    out = tmp_path / "cal.json"
    r = run_cli("cost", "calibrate", str(write_scenario(tmp_path / "logs")), "--save", str(out), "-o", "json")
    assert r.exit_code == 0, r.stderr
    return out


def test_estimate_uses_the_measured_interval_and_says_so(calibration: Path) -> None:
    # measured 5.2778 min (190 / 36, rounded); 60-minute credentials: ceil(60 / 5.2778) = 12 a session
    r = run_cli("cost", "estimate", "--calibration", str(calibration), "-o", "json")
    assert r.exit_code == 0, r.stderr
    data = r.json
    assert data["assumptions"]["data_key_interval_minutes"] == 5.2778
    assert data["assumptions"]["calibration_file"] == str(calibration)
    assert data["notes"][0].startswith(f"Calibrated from {calibration}: 39 KMS requests made through KVS")
    assert not any("default data-key interval of 5 minutes" in n for n in data["notes"])
    # 2 pairs × ceil(43,800 × 12 / 60) = 2 × 8,760
    assert data["requests_per_month"] == 17_520


def test_calibration_and_an_explicit_interval_conflict(calibration: Path) -> None:
    r = run_cli("cost", "estimate", "--calibration", str(calibration), "--data-key-interval", "5", "-o", "json")
    assert r.exit_code == 2 and "--calibration" in r.error["message"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        ('{"format": "other"}', "not a kvsctl calibration file"),
        ('{"format": "kvsctl-cost-calibration", "version": 9}', "version 9"),
        ('{"format": "kvsctl-cost-calibration", "version": 1, "data_key_interval_minutes": null}', "no data-key"),
        ('{"format": "kvsctl-cost-calibration", "version": 1, "data_key_interval_minutes": -2}', "positive"),
    ],
)
def test_bad_calibration_files_exit_2(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "cal.json"
    f.write_text(content)
    r = run_cli("cost", "estimate", "--calibration", str(f), "-o", "json")
    assert r.exit_code == 2 and message in r.error["message"], r.stderr


def test_missing_calibration_file_exit_2() -> None:
    r = run_cli("cost", "estimate", "--calibration", "/nonexistent/cal.json", "-o", "json")
    assert r.exit_code == 2 and "cannot read" in r.error["message"]


def test_price_file_overrides_the_table_and_flags_override_the_file(tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"as_of": "2027-01-01", "source": "a quote", "symmetric_requests_per_10k": 0.04,
                                  "customer_key_month": 1.5, "free_tier_requests": 0}))  # fmt: skip
    r = run_cli("cost", "estimate", "--price-file", str(prices), "--key-price", "2", "-o", "json")
    assert r.exit_code == 0, r.stderr
    a = r.json["assumptions"]
    assert (a["price_per_10k"], a["key_price"], a["free_tier_requests"], a["price_file"]) == (
        0.04,
        2,
        0,
        str(prices),
    )
    # 17,520 requests, none free, × 0.000004 = 0.07008; + $2 key = 2.07008
    assert r.json["total_usd"] == 2.07008
    assert any(n.startswith(f"Prices from {prices} as of 2027-01-01 from a quote") for n in r.json["notes"])
    assert not any(n.startswith("Prices as of") for n in r.json["notes"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"symmetric_request_per_10k": 0.04}', "unknown price name"),
        ('{"customer_key_month": -1}', "0 or more"),
        ('{"customer_key_month": "x"}', "must be a number"),
        ('{"free_tier_requests": 1.5}', "whole number"),
        ("[1]", "JSON object"),
    ],
)
def test_bad_price_files_exit_2(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "prices.json"
    f.write_text(content)
    r = run_cli("cost", "estimate", "--price-file", str(f), "-o", "json")
    assert r.exit_code == 2 and message in r.error["message"], r.stderr


def test_infracost_usage_file(tmp_path: Path) -> None:
    out = tmp_path / "infracost-usage.yml"
    r = run_cli("cost", "estimate", "--streams", "10", "--infracost-usage", str(out), "-o", "json")
    assert r.exit_code == 0, r.stderr
    text = out.read_text()
    assert yaml.safe_load(text) == {"version": 0.1, "resource_type_default_usage": {"aws_kms_key": {}}}
    # the figures travel as comments: 10 streams × 2 × 8,760 = 175,200
    assert "#   requests_per_month:  175200" in text
    assert "What infracost cannot express" in text and "free tier" in text
    again = run_cli("cost", "estimate", "--infracost-usage", str(out), "-o", "json")
    assert again.exit_code == 2 and "exists" in again.error["message"]
    assert out.read_text() == text
    assert run_cli("cost", "estimate", "--infracost-usage", str(out), "--force", "-o", "json").exit_code == 0


def test_session_flags_are_echoed_and_combine_with_compare() -> None:
    r = run_cli("cost", "estimate", "--streams", "1000", "--consumers-per-stream", "0", "--data-key-interval", "45",
                "--credential-lifetime-minutes", "15", "--sessions-per-device", "2", "--compare",
                "-o", "json")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    a = r.json["assumptions"]
    assert (a["credential_lifetime_minutes"], a["sessions_per_device"]) == (15, 2)
    by_name = {s["name"]: s for s in r.json["scenarios"]}
    # today: 2,000 sessions × 2,920 = 5,840,000; 1-hour... the 12-hour bound: 2,000 × 974
    assert by_name["today"]["requests_per_month"] == 5_840_000
    assert by_name["credentials_12_h"]["requests_per_month"] == 1_948_000
    assert by_name["one_session_per_device"]["requests_per_month"] == 2_920_000


def test_sessions_per_device_zero_is_exit_2() -> None:
    assert run_cli("cost", "estimate", "--sessions-per-device", "0", "-o", "json").exit_code == 2
