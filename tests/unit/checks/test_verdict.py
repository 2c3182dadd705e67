"""One verdict for every command: --fail-on and --strict over results, one row per case."""

from __future__ import annotations

import pytest

from kvsctl.checks.model import Decision, Result, Status, Subject
from kvsctl.checks.verdict import Verdict
from kvsctl.errors import UsageError


def finding(rule: str) -> Result:
    return Result(rule=rule, message="m")


def access(decision: Decision) -> Result:
    return Result(
        rule="KVS-CONSUMER-DECRYPT",
        message="m",
        status=decision.status,
        decision=decision,
        subject=Subject(principal="arn:aws:iam::111122223333:role/v", role="consumer"),
    )


ROWS = [
    # result, fail_on, strict, fails, shown
    (finding("KVS203"), "error", False, True, "fail"),  # error rule fired
    (finding("KVS208"), "error", False, False, "warn"),  # warning below the threshold
    (finding("KVS208"), "warning", False, True, "fail"),  # --fail-on warning
    (finding("KVS211"), "warning", True, False, "info"),  # info never fails
    (access(Decision.ALLOW), "error", True, False, "pass"),
    (access(Decision.IMPLICIT_DENY), "error", False, True, "fail"),  # a deny always fails
    (access(Decision.EXPLICIT_DENY), "warning", False, True, "fail"),
    (access(Decision.CONDITIONAL), "error", False, False, "warn"),  # undecided: only --strict fails it
    (access(Decision.CONDITIONAL), "error", True, True, "fail"),
    (Result(rule="KVS304", message="m", status=Status.SKIP), "warning", True, False, "skip"),
    (Result(rule="KVS304", message="m", status=Status.PASS), "warning", True, False, "pass"),
]


@pytest.mark.parametrize(("result", "fail_on", "strict", "fails", "shown"), ROWS)
def test_verdict(result: Result, fail_on: str, strict: bool, fails: bool, shown: str) -> None:
    v = Verdict.of(fail_on, strict)
    assert v.fails(result) is fails
    assert v.shown(result) == shown
    assert v.ok([result]) is not fails
    assert v.exit_code([result]) == int(fails)


def test_fail_on_is_checked() -> None:
    with pytest.raises(UsageError):
        Verdict.of("info")


def test_counts() -> None:
    results = [access(Decision.ALLOW), access(Decision.IMPLICIT_DENY), finding("KVS208"), finding("KVS203")]
    c = Verdict.of("error").counts(results)
    assert (c["checks"], c["allow"], c["deny"], c["errors"], c["warnings"]) == (2, 1, 1, 1, 1)
    assert (c["status_fail"], c["status_warn"], c["status_pass"]) == (2, 1, 1)
