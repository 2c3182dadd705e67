"""`kvsctl cost calibrate` through the real entry point: parsed JSON, files written, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run_cli
from tests.trail_fixtures import CAMERA_ROLE, KEY1, KEY2, VIEWER_ROLE, write_scenario


def test_calibrate_json_from_a_directory(tmp_path: Path) -> None:
    root = write_scenario(tmp_path)
    r = run_cli("cost", "calibrate", str(root), "-o", "json")
    assert r.exit_code == 0, r.stderr
    data = r.json
    assert data["window"] == {
        "start": "2026-12-01T10:00:00Z",
        "end": "2026-12-01T12:00:00Z",
        "hours": 2,
        "from": "records",
    }
    assert (data["kvs_requests"], data["other_kms_requests"], data["malformed_total"]) == (39, 3, 3)
    assert data["rates"]["producer"]["data_key_interval_minutes"] == 5
    assert data["rates"]["producer"]["requests_per_credential_hour"] == 12
    assert data["rates"]["consumer"]["data_key_interval_minutes"] == 10
    assert data["rates"]["all"]["data_key_interval_minutes"] == 5.2778  # 190 / 36, rounded to 4 places
    assert data["per_key"] == [
        {"key_arn": KEY2, "requests": 3, "requests_by_operation": {"Decrypt": 3}, "monthly_requests": 1095,
         "monthly_request_cost_usd": 0.003285},
        {"key_arn": KEY1, "requests": 36, "requests_by_operation": {"GenerateDataKey": 36},
         "monthly_requests": 13140, "monthly_request_cost_usd": 0.03942},
    ]  # fmt: skip
    assert {"key_arn": KEY1, "principal": CAMERA_ROLE, "operation": "GenerateDataKey", "hour": "2026-12-01T10:00:00Z",
            "requests": 24, "sessions": 2} in data["counts"]  # fmt: skip
    assert data["sessions_per_principal_hour"] == {"principal_hours": 3, "mean": 1.3333, "max": 2}
    assert {"principal": VIEWER_ROLE, "hour": "2026-12-01T10:00:00Z", "sessions": 1} in data["sessions"]
    assert data["assumptions"] == {"hours_per_month": 730, "price_per_10k": 0.03}
    assert data["saved_to"] is None
    assert any("less than 24 h" in w for w in data["warnings"])


def test_calibrate_table_and_save_then_refuse_to_overwrite(tmp_path: Path) -> None:
    root = write_scenario(tmp_path / "logs")
    out = tmp_path / "cal.json"
    r = run_cli("cost", "calibrate", "--cloudtrail", str(root), "--save", str(out), "-o", "table")
    assert r.exit_code == 0, r.stderr
    assert "Measured cadence per credential" in r.stdout and "less than 24 h" in r.stdout
    saved = json.loads(out.read_text())
    assert saved["format"] == "kvsctl-cost-calibration" and saved["version"] == 1
    assert saved["data_key_interval_minutes"] == 5.2778
    again = run_cli("cost", "calibrate", str(root), "--save", str(out), "-o", "json")
    assert again.exit_code == 2 and "exists" in again.error["message"]
    assert json.loads(out.read_text()) == saved
    forced = run_cli("cost", "calibrate", str(root), "--save", str(out), "--force", "-o", "json")
    assert forced.exit_code == 0, forced.stderr


def test_calibrate_input_errors_exit_2() -> None:
    assert run_cli("cost", "calibrate", "-o", "json").exit_code == 2
    r = run_cli("cost", "calibrate", "/nonexistent/trail", "-o", "json")
    assert r.exit_code == 2 and "no such file" in r.error["message"]
    r = run_cli("cost", "calibrate", "--lookup-events", "--start", "2026-12-01T00:00Z", "-o", "json")
    assert r.exit_code == 2 and "--end" in r.error["message"]
    r = run_cli("cost", "calibrate", "--lookup-events", "--start", "2026-12-02T00:00Z", "--end", "2026-12-01T00:00Z")
    assert r.exit_code == 2
    r = run_cli("cost", "calibrate", "x", "--start", "2026-12-01T00:00Z", "-o", "json")
    assert r.exit_code == 2
    r = run_cli("cost", "calibrate", "--lookup-events", "--start", "soon", "--end", "later", "-o", "json")
    assert r.exit_code == 2 and "ISO 8601" in r.error["message"]
