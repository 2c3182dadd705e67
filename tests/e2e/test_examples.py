"""The examples really run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def test_sandbox_quickstart_script(server: str, tmp_path: Path) -> None:
    kvsctl = tmp_path / "kvsctl"
    kvsctl.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m kvsctl "$@"\n')
    kvsctl.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            "AWS_ENDPOINT_URL": server,
            "KVSCTL": str(kvsctl),
            "PYTHONPATH": str(ROOT),
            "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
        }
    )
    proc = subprocess.run(
        ["bash", str(ROOT / "examples" / "sandbox-quickstart.sh")], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "quickstart-cam is encrypted with arn:aws:kms:" in proc.stdout
