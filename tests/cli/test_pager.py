"""Long tables go through a pager on a terminal (KVSCTL_PAGER, then PAGER, else `less -FRX`), never JSON,
never into a pipe, never with --no-pager. The pager here is a small Python program that keeps what it
was given, so the test sees exactly what a reader would have paged through."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest

from kvsctl import render
from tests.cli.test_terminal import run_in_pty
from tests.helpers import run_cli


def keeper(out: Path) -> str:
    """A pager command that writes what it reads to `out`."""
    return f"{sys.executable} -c \"import sys, pathlib; pathlib.Path(r'{out}').write_text(sys.stdin.read())\""


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "less -FRX"),
        ({"PAGER": "more"}, "more"),
        ({"PAGER": "more", "KVSCTL_PAGER": "less -R"}, "less -R"),
        ({"PAGER": "more", "KVSCTL_PAGER": ""}, None),  # set empty: no pager, as git
        ({"PAGER": "cat"}, None),
        ({"TERM": "dumb"}, None),
    ],
)
def test_pager_command_precedence(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str | None) -> None:
    for name in ("PAGER", "KVSCTL_PAGER", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stdout", Tty())
    assert render.pager_command() == expected


def test_no_pager_into_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert render.pager_command() is None


def test_short_text_is_printed_and_long_text_paged_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "paged.txt"
    screen = Tty()
    monkeypatch.setattr(sys, "stdout", screen)
    render.page_or_print("one\ntwo\n", keeper(out), rows=10)
    assert screen.getvalue() == "one\ntwo\n" and not out.exists()
    long = "".join(f"line {i}\n" for i in range(30))
    render.page_or_print(long, keeper(out), rows=10)
    assert out.read_text() == long and screen.getvalue() == "one\ntwo\n"


def test_a_missing_pager_prints_instead(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = Tty()
    monkeypatch.setattr(sys, "stdout", screen)
    long = "x\n" * 30
    render.page_or_print(long, "/nonexistent/pager -R", rows=10)
    assert screen.getvalue() == long


def _pty(argv: list[str], out: Path) -> str:
    return run_in_pty(argv, 80, rows=12, env_extra={"KVSCTL_PAGER": keeper(out)})


def test_a_table_longer_than_the_terminal_is_paged(tmp_path: Path) -> None:
    out = tmp_path / "paged.txt"
    drawn = _pty(["cost", "estimate", "--streams", "3"], out)
    paged = out.read_text()
    assert "KMS cost for Kinesis Video Streams" in paged and "customer managed keys" in paged
    assert "┃" in paged  # the table as drawn for the terminal
    assert "KMS cost" not in drawn  # the terminal saw the pager, not the table


@pytest.mark.parametrize("argv", [["--no-pager"], ["-o", "json"]])
def test_no_pager_with_no_pager_or_json(tmp_path: Path, argv: list[str]) -> None:
    out = tmp_path / "paged.txt"
    drawn = _pty(["cost", "estimate", "--streams", "3", *argv], out)
    assert not out.exists()
    assert "KMS" in drawn


def test_no_pager_is_a_global_option_anywhere(moto: Any) -> None:
    result = run_cli("--no-pager", "stream", "list", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json == {"streams": []}
