"""`cost estimate` under any flag values: exit 0 or 2 offline (with a message), never 3 (no AWS call
without --from-account), never 4, never a traceback; JSON money stays exact decimal strings."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.fuzz import strategies as s
from tests.helpers import run_cli

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

COUNT_FLAGS = [
    "--streams",
    "--producers-per-stream",
    "--consumers-per-stream",
    "--customer-keys",
    "--free-tier-requests",
    "--rotated-keys",
    "--rotations",
]
DECIMAL_FLAGS = [
    "--data-key-interval",
    "--hours-per-month",
    "--credential-lifetime",
    "--price-per-10k",
    "--key-price",
    "--rotation-price",
]
numbers = st.one_of(
    st.integers(0, 10**6).map(str),
    s.ints,
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1e400", "1e-400", "0.0000001", "-0", "NaN", "inf", "1_000", "٣", "0x1f", "", " 1 "]),
    s.hostile,
)
flags = st.lists(
    st.tuples(st.sampled_from(COUNT_FLAGS + DECIMAL_FLAGS), numbers).map(lambda t: f"{t[0]}={t[1]}")
    | st.sampled_from(["--no-free-tier", "--free-tier", "--compare", "--name-prefix=cam"]),
    max_size=6,
)


@FUZZ
@given(argv=flags, output=st.sampled_from(["json", "table"]))
def test_cost_estimate_any_flags(argv: list[str], output: str) -> None:
    result = run_cli("cost", "estimate", *argv, "-o", output)
    where = (argv, result.stderr[-1000:])
    assert result.exit_code in (0, 2), where
    event(f"exit {result.exit_code}")
    assert "Traceback" not in result.stderr, where
    if result.exit_code == 2:
        assert result.stderr.strip(), where
    elif output == "json":
        data = result.json
        for field in ("request_cost_usd", "key_cost_usd", "total_usd"):
            assert isinstance(data[field], int | float) and math.isfinite(data[field]), where
        assert isinstance(data["requests_per_month"], int) and data["requests_per_month"] >= 0, where


@settings(FUZZ, max_examples=20)
@given(argv=flags)
def test_cost_estimate_from_account_any_flags(fault_server: Any, argv: list[str]) -> None:
    """With --from-account a request is legitimately made (to moto): exit 3 is allowed, exit 2 makes none."""
    import os

    fault_server.clear_counts()
    os.environ["AWS_ENDPOINT_URL"] = fault_server.url
    try:
        result = run_cli("cost", "estimate", "--from-account", *argv, "-o", "json")
    finally:
        del os.environ["AWS_ENDPOINT_URL"]
    assert result.exit_code in (0, 2, 3), (argv, result.stderr)
    event(f"exit {result.exit_code}")
    assert "Traceback" not in result.stderr
    if result.exit_code == 2:
        assert fault_server.total == 0
