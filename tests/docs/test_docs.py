"""The docs stay true: every command has help with examples and appears in the README; completions
are fresh; the README's set-up commands are the ones CI runs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def leaf_commands() -> list[tuple[str, ...]]:
    import typer

    from kvsctl.cli.app import app

    found: list[tuple[str, ...]] = []

    def visit(cmd: Any, path: tuple[str, ...]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                visit(sub, (*path, name))
        else:
            found.append(path)

    visit(typer.main.get_command(app), ())
    return sorted(found)


COMMANDS = leaf_commands()


def test_there_are_commands() -> None:
    assert ("stream", "create") in COMMANDS and ("sandbox", "demo") in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = run_cli(*path, "--help")
    assert result.exit_code == 0, result.stderr
    assert "Example" in result.stdout, f"kvsctl {' '.join(path)} --help shows no example"
    assert "kvsctl " + path[0] in result.stdout


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_is_in_the_readme(path: tuple[str, ...]) -> None:
    words = " ".join(path)
    assert re.search(rf"kvsctl {re.escape(words)}\b", README) or (
        len(path) == 2 and re.search(rf"kvsctl {re.escape(path[0])} [a-z/ -]*\b{re.escape(path[1])}\b", README)
    ), f"README does not mention 'kvsctl {words}'"


def test_readme_gives_the_two_setup_commands_and_ci_runs_the_test_one() -> None:
    assert "kvsctl sandbox demo" in README
    ci = (ROOT / ".ci" / "run").read_text()
    test_cmd = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
    assert test_cmd in README
    assert test_cmd.replace("pip install -e", "pip install -q -e") in ci


def test_completions_are_fresh() -> None:
    from kvsctl.cli.completions import render_all

    for name, text in render_all().items():
        path = ROOT / "completions" / name
        assert path.read_text() == text, f"{path} is stale: run python -m kvsctl.cli.completions"


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_bash_completion_completes_subcommands_and_choices() -> None:
    script = ROOT / "completions" / "kvsctl.bash"
    probe = f"""
source {script}
COMP_WORDS=(kvsctl st); COMP_CWORD=1; _kvsctl; echo "1:${{COMPREPLY[*]}}"
COMP_WORDS=(kvsctl stream c); COMP_CWORD=2; _kvsctl; echo "2:${{COMPREPLY[*]}}"
COMP_WORDS=(kvsctl stream create cam -o ""); COMP_CWORD=5; _kvsctl; echo "3:${{COMPREPLY[*]}}"
COMP_WORDS=(kvsctl stream create cam --if); COMP_CWORD=4; _kvsctl; echo "4:${{COMPREPLY[*]}}"
"""
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30).stdout.splitlines()
    assert out == ["1:stream", "2:create", "3:table json", "4:--if-not-exists"]


def test_lint_is_clean() -> None:
    # Run ruff from this interpreter (it is a test extra), so the check never skips for want of PATH.
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", str(ROOT)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
