"""Report files, shared by every command that writes CI reports (audit, preflight): one place decides
how --report writes. The SARIF and JUnit writers are render/sarif.py and render/junit.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def report_text(view: Any, fmt: Any, *, width: int = 120) -> str:
    """The report in one format as text for a file (--report): tables without colour at a fixed width."""
    from kvsctl.render import OutputFormat, make_console, render

    if OutputFormat(fmt) is not OutputFormat.table:
        text = render(view, OutputFormat(fmt)) or ""
        return text if text.endswith("\n") else text + "\n"
    import io

    console = make_console(no_color=True, width=width)
    console.file = io.StringIO()
    for part in view.render_table():
        console.print(part, soft_wrap=bool(getattr(part, "soft_wrap", False)))
    return str(console.file.getvalue())


def check_report_path(path: str | None, overwrite: bool) -> Path | None:
    """Refuse, before any AWS call, a --report FILE that cannot be written or would be replaced silently."""
    if path is None:
        return None
    from kvsctl.errors import UsageError

    target = Path(path)
    if target.is_dir():
        raise UsageError(f"--report {path}: is a directory", hint="Give a file name, e.g. --report audit.sarif")
    if not target.parent.is_dir():
        raise UsageError(f"--report {path}: the folder {target.parent} does not exist", hint="Create it first.")
    if target.exists() and not overwrite:
        raise UsageError(f"--report {path}: the file exists", hint="Pass --overwrite to replace it.")
    return target


def write_report(target: Path, view: Any, fmt: Any) -> None:
    from kvsctl.errors import UsageError

    try:
        target.write_text(report_text(view, fmt), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--report {target}: cannot write: {exc.strerror or exc}") from exc
