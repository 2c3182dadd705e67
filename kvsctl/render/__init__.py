"""Renderers: one per output format, chosen from a registry. Nothing else decides how output looks.

A result handed to `emit` implements `to_json()`; for tables `render_table()` returning rich
renderables; for the CI formats `to_sarif()` / `to_junit()`.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any, Protocol


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    sarif = "sarif"
    junit = "junit"


BASIC_FORMATS = (OutputFormat.table, OutputFormat.json)
REPORT_FORMATS = (OutputFormat.table, OutputFormat.json, OutputFormat.sarif, OutputFormat.junit)


class Renderable(Protocol):
    def to_json(self) -> Any: ...


def make_console(*, stderr: bool = False, no_color: bool = False, width: int | None = None) -> Any:
    """A rich Console bound to the current sys.stdout/sys.stderr (looked up now, so tests can capture)."""
    file = sys.stderr if stderr else sys.stdout
    no_color = no_color or bool(os.environ.get("NO_COLOR"))
    if width is None and not os.environ.get("COLUMNS", "").strip().isdigit() and not _isatty(file):
        width = PIPE_WIDTH  # a table into a pipe or a file: wide, not rich's 80
    return _console_class()(
        file=file,
        no_color=no_color,
        highlight=False,
        soft_wrap=False,
        width=width,
        emoji=False,
        color_system=None if no_color else "auto",
    )


PIPE_WIDTH = 200


@functools.cache
def _console_class() -> Any:
    """rich's Console, except that a reader who stopped reading (a closed pipe) raises BrokenPipeError
    for the error boundary to handle (exit 0, silently), where rich would exit 1 on its own."""
    from rich.console import Console

    class KvsctlConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    return KvsctlConsole


def _isatty(file: Any) -> bool:
    try:
        return bool(file.isatty())
    except (AttributeError, ValueError):
        return False


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=False, default=_json_default, ensure_ascii=False)


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "to_json"):
        return value.to_json()
    from decimal import Decimal

    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _render_json(result: Any, no_color: bool) -> str:
    return dumps(result.to_json())


def print_parts(console: Any, parts: Any) -> None:
    """Print a view's table parts: tables fitted to the width without splitting an identifier
    (render/fit.py); a part may ask not to be wrapped or cropped (a command to copy, a line for grep)."""
    from rich.table import Table

    from kvsctl.render.fit import fit_table

    for part in parts:
        if isinstance(part, Table):
            fit_table(part, console)
        console.print(part, soft_wrap=bool(getattr(part, "soft_wrap", False)))


def _render_table(result: Any, no_color: bool, pager: bool = False) -> None:
    console = make_console(no_color=no_color)
    command = pager_command() if pager else None
    if command is None:
        print_parts(console, result.render_table())
        return None
    with console.capture() as captured:
        print_parts(console, result.render_table())
    page_or_print(captured.get(), command)
    return None


DEFAULT_PAGER = "less -FRX"


def pager_command() -> str | None:
    """The pager for a table on a terminal: KVSCTL_PAGER, then PAGER, else `less -FRX`; None when stdout
    is not a terminal (a pipe, a file), TERM is dumb, or the pager is set empty or to `cat`."""
    if not _isatty(sys.stdout) or os.environ.get("TERM") == "dumb":
        return None
    for name in ("KVSCTL_PAGER", "PAGER"):
        value = os.environ.get(name)
        if value is not None:
            value = value.strip()
            return value if value and value != "cat" else None
    return DEFAULT_PAGER


def page_or_print(text: str, command: str, rows: int | None = None) -> None:
    """`text` through the pager when it is longer than the terminal, else straight to stdout. A pager
    that cannot start, or quits early (q), is no error."""
    import shutil

    rows = rows or shutil.get_terminal_size().lines
    if text.count("\n") < rows:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    import shlex
    import subprocess

    sys.stdout.flush()
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # colours through, no screen clearing, as git does for a bare `less`
    try:
        proc = subprocess.Popen(shlex.split(command), stdin=subprocess.PIPE, env=env)
    except (OSError, ValueError):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    assert proc.stdin is not None
    try:
        proc.stdin.write(text.encode("utf-8", "replace"))
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the reader quit before the end
    while True:
        try:
            proc.wait()
            return
        except KeyboardInterrupt:  # Ctrl-C belongs to the pager while it runs (less keeps running)
            continue


def _render_method(name: str) -> Callable[[Any, bool], str]:
    def render(result: Any, no_color: bool) -> str:
        method = getattr(result, name, None)
        if method is None:
            from kvsctl.errors import UsageError

            raise UsageError(f"this command has no {name[3:]} output", hint="Use -o table or -o json.")
        return str(method())

    return render


RENDERERS: dict[OutputFormat, Callable[..., str | None]] = {
    OutputFormat.table: _render_table,
    OutputFormat.json: _render_json,
    OutputFormat.sarif: _render_method("to_sarif"),
    OutputFormat.junit: _render_method("to_junit"),
}


def render(result: Any, fmt: OutputFormat, *, no_color: bool = False, pager: bool = False) -> str | None:
    """Text for file formats; None when the renderer printed directly (tables: through a pager when
    `pager` and the table is longer than the terminal)."""
    if fmt is OutputFormat.table:
        _render_table(result, no_color, pager)
        return None
    return RENDERERS[fmt](result, no_color)


def emit(result: Any, fmt: OutputFormat, *, no_color: bool = False, pager: bool = False) -> None:
    with writing_stdout(result):
        text = render(result, fmt, no_color=no_color, pager=pager)
        if text is not None:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()


def created_by(result: Any) -> tuple[str, ...]:
    """What the command behind `result` created in AWS ("stream arn:...", "key arn:..."), when it says."""
    created = getattr(result, "created", None)
    return tuple(created()) if callable(created) else ()


@contextlib.contextmanager
def writing_stdout(result: Any = None) -> Iterator[None]:
    """Around every write of a command's output: a reader that went away (EPIPE) is ReaderGone, carrying
    what the run created; any other failure to write (closed stdout, a full disk, /dev/full)
    becomes OutputFailed (exit 1), naming what the run created, since the output that said so is lost."""
    from kvsctl.errors import OutputFailed, ReaderGone

    try:
        yield
    except BrokenPipeError:
        raise ReaderGone(created_by(result)) from None
    except OSError as exc:
        raise OutputFailed(exc.strerror or str(exc), created=created_by(result)) from exc
