"""A progress bar on stderr for long reads, shown only when stderr is a terminal (silent in CI and pipes)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

ProgressFn = Callable[[str, int, int], None]


@contextlib.contextmanager
def progress_bar(*, enabled: bool = True, no_color: bool = False) -> Iterator[ProgressFn | None]:
    """Yields a callback (phase, done, total) driving one rich bar per phase; None when disabled or
    when stderr is not a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from kvsctl.render import make_console

    console = make_console(stderr=True, no_color=no_color)
    tasks: dict[str, Any] = {}
    columns = (TextColumn("reading {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update
