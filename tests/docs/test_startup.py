"""Start-up stays lean (benchmarks/startup.py measures it; these tests keep the structure that makes
it fast): importing the CLI module loads neither boto3 nor moto nor typer, `--help` loads no AWS
library, `--version` no typer or rich. (rich's own modules load as they are: stand-ins for them broke
isinstance on rich classes; benchmarks/startup.py shows what that costs.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY_AWS = {"boto3", "botocore", "moto"}


def imported(*python_args: str) -> set[str]:
    """Top-level names of every module a fresh interpreter imported (python -X importtime)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *python_args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    names = {ln.rsplit("|", 1)[-1].strip() for ln in proc.stderr.splitlines() if ln.startswith("import time:")}
    return {n.split(".")[0] for n in names} | names


def test_importing_the_cli_module_imports_no_aws_library_and_no_typer() -> None:
    mods = imported("-c", "import kvsctl.cli.app")
    assert not HEAVY_AWS & mods
    assert "typer" not in mods and "rich" not in mods  # so that `kvsctl --version` can answer first


def test_help_imports_no_aws_library() -> None:
    mods = imported("-m", "kvsctl", "--help")
    assert not HEAVY_AWS & mods
    assert "pydantic" not in mods


def test_version_imports_neither_typer_nor_rich() -> None:
    mods = imported("-c", "import sys; from kvsctl.cli.app import run; sys.argv[1:] = ['--version']; run()")
    assert not {"typer", "rich", "click", *HEAVY_AWS} & mods


@pytest.mark.parametrize("argv", [["--version"], ["-h"]])
def test_console_script_entry_answers(argv: list[str]) -> None:
    code = "import sys; from kvsctl.cli.app import run; sys.exit(run())"
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and "kvsctl" in proc.stdout, proc.stderr
