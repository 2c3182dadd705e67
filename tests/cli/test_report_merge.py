"""`kvsctl report merge`: shards of a fleet audit (one JSON report per account, as the Step Functions map of
examples/org-audit writes them) merge into the report one run over all accounts gives — same results,
findings, streams, verdict, summary and exit code — and anything that is not such a report is exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.aws.test_fleet_audit import MANAGEMENT, three_accounts
from tests.helpers import run_cli

ROLE = ("--assume-role", "KvsctlAudit")


def canonical(items: list[Any]) -> list[str]:
    """A list compared whatever its order (the contract promises the members, not the order of findings)."""
    return sorted(json.dumps(i, sort_keys=True) for i in items)


def shard_reports(tmp_path: Path, shards: list[str], *extra: str) -> list[str]:
    """One `audit all --accounts ID,...` report per shard, written with --report like the map's tasks."""
    paths = []
    for shard in shards:
        path = tmp_path / f"{shard.replace(',', '-')}.json"
        result = run_cli("audit", "all", "--accounts", shard, *ROLE, *extra, "-o", "json", "--report", str(path))
        assert result.exit_code in (0, 1), result.stderr
        paths.append(str(path))
    return paths


def test_merged_shards_equal_one_run_over_all_accounts(moto: None, tmp_path: Path) -> None:
    a, b = three_accounts()
    one = run_cli("audit", "all", "--accounts", f"{MANAGEMENT},{a},{b}", *ROLE, "-o", "json")
    assert one.exit_code == 1, one.stderr
    # The management shard alone has no stream (KVS218). A and B share a shard: dock's key is A's, and a key is
    # read through its owner's session only when the owner is in the same run (else it is a cross-account
    # reference, as it would be for any run without that account).
    shards = shard_reports(tmp_path, [MANAGEMENT, f"{a},{b}"])
    assert json.loads(Path(shards[0]).read_text())["findings"][0]["rule"] == "KVS218"

    merged = run_cli("report", "merge", *shards, "-o", "json")
    assert merged.exit_code == one.exit_code == 1
    got, want = merged.json, one.json
    assert got["ok"] is want["ok"] is False
    assert got["summary"] == want["summary"]
    assert got["streams"] == want["streams"]  # same order too: by stream ARN, as a fleet run lists them
    assert got["results"] == want["results"]
    assert canonical(got["findings"]) == canonical(want["findings"])
    assert not any(f["rule"] == "KVS218" for f in got["findings"])  # other shards had streams

    # the CI formats come from the same model: the same SARIF results (fingerprints included) and JUnit cases
    sarif_one = run_cli("audit", "all", "--accounts", f"{MANAGEMENT},{a},{b}", *ROLE, "-o", "sarif").json
    sarif_merged = run_cli("report", "merge", *shards, "-o", "sarif").json
    assert canonical(sarif_merged["runs"][0]["results"]) == canonical(sarif_one["runs"][0]["results"])
    assert sarif_merged["runs"][0]["tool"]["driver"]["rules"] == sarif_one["runs"][0]["tool"]["driver"]["rules"]
    junit = run_cli("report", "merge", *shards, "-o", "junit")
    assert junit.exit_code == 1 and junit.stdout.count("<testcase") == len(want["results"]) + len(want["findings"])
    assert f'name="stream lobby ({a}, us-east-1)"' in junit.stdout  # a fleet's suites name account and region
    assert f'classname="kvsctl.audit.{b}.us-east-1.gate"' in junit.stdout


def test_the_verdict_is_recomputed_with_fail_on_and_strict(moto: None, tmp_path: Path) -> None:
    a, _b = three_accounts()
    (shard,) = shard_reports(tmp_path, [a])  # lobby: rotation off, a warning only
    plain = run_cli("report", "merge", shard, "-o", "json")
    assert plain.exit_code == 0 and plain.json["ok"] is True and plain.json["fail_on"] == "error"
    strict = run_cli("report", "merge", shard, "--fail-on", "warning", "-o", "json")
    assert strict.exit_code == 1 and strict.json["ok"] is False and strict.json["fail_on"] == "warning"
    one = run_cli("audit", "all", "--accounts", a, *ROLE, "--fail-on", "warning", "-o", "json")
    assert strict.json["summary"] == one.json["summary"] and strict.json["streams"] == one.json["streams"]


def test_only_empty_shards_keep_one_no_stream_finding(moto: None, tmp_path: Path) -> None:
    three_accounts()
    first = shard_reports(tmp_path, [MANAGEMENT])[0]
    second = tmp_path / "again.json"
    second.write_text(Path(first).read_text())
    merged = run_cli("report", "merge", first, str(second), "-o", "json")
    assert merged.exit_code == 1
    assert [f["rule"] for f in merged.json["findings"]] == ["KVS218"]


def test_table_and_report_file(moto: None, tmp_path: Path) -> None:
    a, b = three_accounts()
    shards = shard_reports(tmp_path, [a, b])  # dock's key (A's) read from B alone: an error too
    out = tmp_path / "fleet.sarif"
    result = run_cli("report", "merge", *shards, "-o", "sarif", "--report", str(out))
    assert result.exit_code == 1
    assert json.loads(out.read_text())["version"] == "2.1.0"
    assert "FAIL (fail on error): 3 streams, 2 failing" in result.stdout  # the table stays on screen


def test_overlapping_shards_are_refused(moto: None, tmp_path: Path) -> None:
    a, _b = three_accounts()
    (shard,) = shard_reports(tmp_path, [a])
    copy = tmp_path / "copy.json"
    copy.write_text(Path(shard).read_text())
    result = run_cli("report", "merge", shard, str(copy), "-o", "json")
    assert result.exit_code == 2
    assert "copy.json" in result.stderr and "overlap" in result.stderr


def _audit_report(tmp_path: Path) -> dict[str, Any]:
    return {
        "ok": True,
        "strict": False,
        "fail_on": "error",
        "results": [],
        "findings": [],
        "streams": [],
        "summary": {},
    }


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("not json {", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps({"ok": True, "results": [], "findings": []}), "'streams'"),  # audit policy's shape
        (json.dumps({"requests_per_month": 1, "total_usd": 0.0}), "'ok'"),  # cost estimate's
        (
            json.dumps({"ok": False, "exit_code": 3, "error": {"code": "access_denied", "message": "no"}}),
            "run that failed",
        ),
        (json.dumps({**_audit_report(Path()), "findings": [{"rule": "KVS999", "message": "x"}]}), "KVS999"),
        (
            json.dumps({**_audit_report(Path()), "results": [{"rule": "KVS-PRODUCER-PUTMEDIA", "stream": "ghost"}]}),
            "",
        ),
    ],
)
def test_what_is_not_a_kvsctl_audit_report_is_exit_2_naming_the_file(content: str, why: str, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_audit_report(tmp_path)))
    bad = tmp_path / "bad-shard.json"
    bad.write_text(content)
    result = run_cli("report", "merge", str(good), str(bad), "-o", "json")
    assert result.exit_code == 2, result.stdout
    error = json.loads(result.stderr.strip().splitlines()[-1])["error"]
    assert "bad-shard.json" in error["message"] and why in error["message"]
    assert error["hint"]
    assert result.stdout == ""  # no report printed


def test_a_missing_file_is_exit_2(tmp_path: Path) -> None:
    result = run_cli("report", "merge", str(tmp_path / "nope.json"))
    assert result.exit_code == 2 and "nope.json" in result.stderr
