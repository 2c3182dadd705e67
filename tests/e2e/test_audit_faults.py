"""The live audit under faults, end to end (subprocess against moto behind tests/faults.py).

A read that AWS refuses becomes an explicit "could not check" finding and the audit fails: never a
pass, never a crash. Throttling on any service (IAM's `Throttling` in XML included) is retried and
the report is the one a fault-free run gives.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests import audit_world as w
from tests.helpers import CliResult, run_cli, run_subprocess

pytestmark = pytest.mark.e2e
RETRY_ENV = {"KVSCTL_MAX_ATTEMPTS": "4", "KVSCTL_RETRY_BASE_DELAY": "0.01", "KVSCTL_RETRY_MAX_DELAY": "0.05"}
AUDIT = ("audit", "stream", "lobby", "--producer", w.PRODUCER_SESSION, "--consumer", w.CONSUMER)


@pytest.fixture
def world(faults: Any) -> Any:
    """A customer managed key (policy delegating to IAM, rotation on), a stream on it, and principals
    whose IAM policies allow exactly what they need: the fault-free audit passes."""
    c = faults.clients()
    key = w.make_key(c.kms, alias="alias/cams")
    w.make_stream(c.kvs, "lobby", key)
    w.make_principals(c.iam)
    faults.clear_counts()
    return c


def audit(faults: Any, *extra: str, env: dict[str, str] | None = None, subprocess: bool = True) -> CliResult:
    """The audit as a subprocess (end to end), or in-process through the same HTTP fault layer (faster;
    used where the subprocess variant of the same scenario already runs)."""
    if subprocess:
        return run_subprocess(*AUDIT, *extra, "-o", "json", endpoint=faults.url, env={**RETRY_ENV, **(env or {})})
    import os

    saved = {k: os.environ.get(k) for k in {**RETRY_ENV, **(env or {})}}
    os.environ.update({**RETRY_ENV, **(env or {})})
    try:
        return run_cli(*AUDIT, *extra, "--endpoint-url", faults.url, "-o", "json")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def comparable(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k not in ("generated_at", "duration_s", "api_calls")}


def test_the_fault_free_audit_passes(faults: Any, world: Any) -> None:
    result = audit(faults)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert {r["decision"] for r in result.json["results"]} == {"allow"}


@pytest.mark.parametrize(
    "operation",
    ["iam.GetRole", "iam.ListRolePolicies", "kms.GetKeyPolicy", "kms.ListGrants", "kms.DescribeKey"],
)
def test_throttling_anywhere_is_retried_and_the_report_is_unchanged(faults: Any, world: Any, operation: str) -> None:
    expected = run_cli(*AUDIT, "--endpoint-url", faults.url, "-o", "json")
    assert expected.exit_code == 0, expected.stdout + expected.stderr
    calls = faults.total
    faults.clear_counts()
    faults.throttle(operation, times=2)
    result = audit(faults, subprocess=operation == "iam.GetRole")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert comparable(result.json) == comparable(expected.json)
    assert faults.count(operation) >= 3 and faults.total == calls + 2


#: Reads whose refusal hides something that would fail the audit (the stream, the key's state, its
#: policy, an IAM deny): the audit must fail with a could-not-check finding. ListAliases is how the
#: gateway describes a key (and finds the AWS managed key), so its refusal leaves the key unchecked.
FAILING_READS = [
    "kinesisvideo.DescribeStream",
    "kms.DescribeKey",
    "kms.ListAliases",
    "kms.GetKeyPolicy",
    "iam.GetRole",
    "iam.ListRolePolicies",
    "iam.GetRolePolicy",
    "iam.ListAttachedRolePolicies",
]
#: Reads whose refusal can only hide a warning (grants only ever add permissions; rotation off is a
#: warning): a could-not-check warning, which --fail-on warning turns into a failure.
WARNING_READS = ["kms.ListGrants", "kms.GetKeyRotationStatus"]


def could_not_check(report: dict[str, Any]) -> list[dict[str, Any]]:
    codes = ("KVS210", "KVS207", "KVS214")  # could not check: what a pass rests on / key policy / grants, rotation
    return [f for f in report["findings"] if f["code"] in codes and "could not" in f["message"]]


@pytest.mark.parametrize("operation", FAILING_READS)
def test_access_denied_on_a_read_is_a_could_not_check_failure(faults: Any, world: Any, operation: str) -> None:
    faults.deny(operation)
    result = audit(faults, subprocess=operation in ("kms.DescribeKey", "iam.GetRole"))
    assert "Traceback" not in result.stderr
    assert result.exit_code == 1, f"{operation} denied, yet exit {result.exit_code}: {result.stdout[-3000:]}"
    report = result.json
    assert report["ok"] is False
    found = could_not_check(report)
    assert found and all(f["severity"] == "error" for f in found), report["findings"]
    assert any("access denied" in f["message"] for f in found)
    assert faults.count(operation) >= 1


@pytest.mark.parametrize("operation", WARNING_READS)
def test_access_denied_on_a_read_that_hides_only_warnings(faults: Any, world: Any, operation: str) -> None:
    faults.deny(operation)
    result = audit(faults, subprocess=False)
    assert result.exit_code == 0, result.stdout[-3000:] + result.stderr
    found = could_not_check(result.json)
    assert found and {f["severity"] for f in found} == {"warning"}
    strict = audit(faults, "--fail-on", "warning", subprocess=False)
    assert strict.exit_code == 1 and strict.json["ok"] is False


def test_persistent_iam_throttling_fails_the_audit_and_says_so(faults: Any, world: Any) -> None:
    faults.throttle("iam.GetRole")
    result = audit(faults, env={"KVSCTL_MAX_ATTEMPTS": "2"})
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    found = could_not_check(result.json)
    assert found and all("throttled" in f["message"] for f in found)
    assert faults.count("iam.GetRole") == 2 * 2  # two roles, two attempts each, then given up


def test_a_principal_that_does_not_exist_is_its_own_error(faults: Any, world: Any) -> None:
    """Not a failed read: IAM answered that the role does not exist. A producer or consumer that does not
    exist cannot stream (most often a typo in the ARN), so it is the error KVS213, not a could-not-check."""
    ghost = f"arn:aws:iam::{w.ACCOUNT}:role/not-there"
    result = run_subprocess(
        "audit", "stream", "lobby", "--consumer", ghost, "-o", "json", endpoint=faults.url, env=RETRY_ENV
    )
    assert result.exit_code == 1, result.stdout
    assert [f["code"] for f in result.json["findings"] if f.get("principal") == ghost] == ["KVS213"]
    assert faults.count("iam.GetRole") == 1  # an answer, not a fault: not retried


def test_fleet_audit_requests_grow_with_keys_not_streams(faults: Any) -> None:
    """Counted at the HTTP layer (every request moto receives, retries included): auditing 48 streams on
    3 keys makes exactly as many requests as auditing 3 of them; the calls follow keys and principals."""
    c = faults.clients()
    keys = [w.make_key(c.kms, alias=f"alias/fleet-{i}") for i in range(3)]
    for i in range(48):
        w.make_stream(c.kvs, f"cam-{i:03d}", keys[i % 3])
    w.make_principals(c.iam)
    argv = ("audit", "all", "--producer", w.PRODUCER, "--consumer", w.CONSUMER, "--endpoint-url", faults.url)

    def requests(*extra: str) -> tuple[int, int]:
        faults.clear_counts()
        result = run_cli(*argv, *extra, "-o", "json")
        assert result.exit_code == 0, result.stdout[-2000:] + result.stderr
        return faults.total, len(result.json["streams"])

    all_calls, all_streams = requests()
    few_calls, few_streams = requests("--name-prefix", "cam-00")  # cam-000 .. cam-009
    assert (all_streams, few_streams) == (48, 10)
    assert all_calls == few_calls <= 40
