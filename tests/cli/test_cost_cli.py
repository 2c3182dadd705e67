"""`kvsctl cost estimate` through the real entry point: parsed JSON and exit codes."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal as D
from typing import Any

import pytest

from kvsctl.cost.model import assumption_names
from tests.helpers import run_cli


def test_defaults_json() -> None:
    r = run_cli("cost", "estimate", "-o", "json")
    assert r.exit_code == 0, r.stderr
    data = r.json
    # 2 pairs × 8,760 = 17,520 requests, all free; one customer key $1.00
    assert data["requests_per_month"] == 17_520
    assert data["billable_requests"] == 0
    assert data["request_cost_usd"] == 0.00
    assert data["key_cost_usd"] == 1.00
    assert data["total_usd"] == 1.00
    assert list(data["assumptions"]) == list(assumption_names())
    assert any("Kinesis Data Streams" in n for n in data["notes"])
    assert r.stderr == ""


def test_every_flag_is_echoed_under_assumptions() -> None:
    r = run_cli(
        "cost", "estimate", "-o", "json",
        "--streams", "100", "--producers-per-stream", "2", "--consumers-per-stream", "3",
        "--customer-keys", "4", "--data-key-interval", "2.5", "--hours-per-month", "720",
        "--no-free-tier", "--free-tier-requests", "0", "--price-per-10k", "0.04", "--key-price", "1.5",
        "--rotation-price", "0.5", "--rotated-keys", "2", "--rotations", "3", "--credential-lifetime", "60",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert r.json["assumptions"] == {
        "streams": 100,
        "producers_per_stream": 2,
        "consumers_per_stream": 3,
        "customer_keys": 4,
        "data_key_interval_minutes": 2.5,
        "hours_per_month": 720,
        "free_tier": False,
        "free_tier_requests": 0,
        "price_per_10k": 0.04,
        "key_price": 1.5,
        "rotation_price": 0.5,
        "rotated_keys": 2,
        "rotations": 3,
        "credential_lifetime_minutes": 60,
        "sessions_per_device": 1,
        "calibration_file": None,
        "price_file": None,
    }
    # 500 pairs × (720 × 60 / 2.5 = 17,280) = 8,640,000 requests, all billable
    # × 0.04 / 10,000 = $34.56; keys 4 × 1.5 = 6 + 2 keys × 2 rotations × 0.5 = 2 → $8; total $42.56
    data = r.json
    assert data["requests_per_month"] == 8_640_000
    assert data["billable_requests"] == 8_640_000
    assert data["request_cost_usd"] == 34.56
    assert data["key_cost_usd"] == 8.00
    assert data["total_usd"] == 42.56


def test_fleet_with_short_credentials() -> None:
    # 100 streams × 3 = 300 pairs; 1-minute credentials → 43,800 per pair = 13,140,000 requests
    # billable 13,120,000 × 0.000003 = $39.36, + $1 key = $40.36
    r = run_cli("cost", "estimate", "-o", "json", "--streams", "100", "--consumers-per-stream", "2",
                "--credential-lifetime", "1")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert r.json["requests_per_month"] == 13_140_000
    assert r.json["total_usd"] == 40.36
    assert r.json["derived"]["effective_interval_minutes"] == 1


def test_compare_json() -> None:
    r = run_cli("cost", "estimate", "-o", "json", "--streams", "10", "--compare")
    assert r.exit_code == 0, r.stderr
    data = r.json
    names = [s["name"] for s in data["scenarios"]]
    assert names == [
        "today",
        "key_per_stream",
        "shared_key",
        "aws_managed_key",
        "longer_credentials",
        "credentials_15_min",
        "credentials_12_h",
        "one_session_per_device",
    ]
    by_name = {s["name"]: s for s in data["scenarios"]}
    # 10 streams × 2 × 8,760 = 175,200; billable 155,200 × 0.000003 = 0.4656
    assert by_name["today"]["total_usd"] == 1.4656
    assert by_name["key_per_stream"]["total_usd"] == 10.4656
    assert by_name["aws_managed_key"]["total_usd"] == 0.4656
    assert D(str(by_name["aws_managed_key"]["delta_usd"])) == D(-1)
    assert [p["streams"] for p in data["credential_curve"]] == [1, 5, 10, 20, 50, 100]
    assert data["total_usd"] == 1.4656  # today's figures stay at the top level


def test_table_output() -> None:
    r = run_cli("cost", "estimate", "-o", "table", "--streams", "100", "--compare")
    assert r.exit_code == 0, r.stderr
    # 200 pairs × 8,760 = 1,752,000; billable 1,732,000 × 0.000003 = $5.196 → "$5.20" in tables;
    # + $1 key = $6.196 → "$6.20"
    assert "$5.20" in r.stdout
    assert "$6.20" in r.stdout
    assert "Monthly cost per scenario" in r.stdout
    assert "Monthly cost against credential count" in r.stdout
    assert "Kinesis Data Streams" in r.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--streams", "-1"],
        ["--streams", "abc"],
        ["--producers-per-stream", "1.5"],
        ["--consumers-per-stream", "-3"],
        ["--data-key-interval", "0"],
        ["--data-key-interval", "-5"],
        ["--data-key-interval", "five"],
        ["--data-key-interval", "nan"],
        ["--hours-per-month", "0"],
        ["--credential-lifetime", "0"],
        ["--price-per-10k", "-0.01"],
        ["--key-price", "x"],
        ["--rotated-keys", "2", "--customer-keys", "1"],
        ["--name-prefix", "cam-"],  # only with --from-account
        ["--output", "sarif"],
    ],
)
def test_bad_input_is_exit_2(args: list[str]) -> None:
    r = run_cli("cost", "estimate", "-o", "json", *args)
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert r.stdout == ""
    assert r.error["code"] in ("usage", "invalid_input", "invalid_cost_input")
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--streams", "3"],
        ["--customer-keys", "2"],
        ["--rotated-keys", "0"],
        ["--data-key-interval", "0"],
        ["--streams", "-1"],
    ],
)
def test_from_account_bad_input_is_exit_2_before_any_aws_call(args: list[str], monkeypatch: Any) -> None:
    import kvsctl.services.cost

    def no_aws(*_: Any, **__: Any) -> None:
        raise AssertionError("AWS was reached")

    monkeypatch.setattr(kvsctl.services.cost.CostService, "__init__", no_aws)
    r = run_cli("cost", "estimate", "--from-account", "-o", "json", *args)
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert "AWS was reached" not in r.stderr


def test_offline_estimate_never_imports_boto3() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from kvsctl.cli.app import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    rc = main(['cost', 'estimate', '--compare', '-o', 'table'])\n"
        "assert rc == 0, rc\n"
        "bad = [m for m in ('boto3', 'botocore', 'moto') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
