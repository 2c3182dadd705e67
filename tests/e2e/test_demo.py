"""The README's first command: the guided demo runs to the end on its own sandbox."""

import pytest

from tests.helpers import run_subprocess

pytestmark = pytest.mark.e2e


def test_sandbox_demo_runs_clean() -> None:
    result = run_subprocess("sandbox", "demo", "--no-color", timeout=240)
    assert result.exit_code == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Demo complete" in result.stdout
    assert "UNEXPECTED" not in result.stdout
    assert "Traceback" not in result.stderr
