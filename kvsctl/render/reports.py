"""Report files, shared by every command that writes CI reports (audit, preflight): one place decides
how --report writes. The SARIF and JUnit writers are render/sarif.py and render/junit.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def report_text(view: Any, fmt: Any, *, width: int = 120) -> str:
    """The report in one format as text for a file (--report): tables without colour at a fixed width."""
    from kvsctl.render import OutputFormat, make_console, print_parts, render

    if OutputFormat(fmt) is not OutputFormat.table:
        text = render(view, OutputFormat(fmt)) or ""
        return text if text.endswith("\n") else text + "\n"
    import io

    console = make_console(no_color=True, width=width)
    console.file = io.StringIO()
    print_parts(console, view.render_table())
    return str(console.file.getvalue())


def check_report_path(path: str | None, overwrite: bool = False) -> Path | None:
    """Refuse, before any AWS call, a --report FILE that cannot be written: a directory, a special file
    (FIFO, device, socket), a missing folder, a folder kvsctl cannot create a file in. An existing regular
    file is replaced at the end (atomically, see write_text_atomic); a symlink there is replaced as a
    name, its target never written. `overwrite` is accepted for compatibility and changes nothing."""
    del overwrite
    if path is None:
        return None
    import os
    import stat
    import tempfile

    from kvsctl.errors import UsageError

    target = Path(path)
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UsageError(f"--report {path}: {exc.strerror or exc}", hint="Give a file name kvsctl can write.") from exc
    if mode is not None and stat.S_ISDIR(mode):
        raise UsageError(f"--report {path}: is a directory", hint="Give a file name, e.g. --report audit.sarif")
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise UsageError(
            f"--report {path}: is not a regular file (a FIFO, device or socket)",
            hint="Give the name of a regular file, e.g. --report audit.sarif",
        )
    parent = target.parent
    if not parent.is_dir():
        raise UsageError(f"--report {path}: the folder {parent} does not exist", hint="Create it first.")
    try:  # the report is written beside the target and renamed: prove now that the folder takes a file
        fd, probe = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UsageError(
            f"--report {path}: cannot create a file in {parent}: {exc.strerror or exc}",
            hint="Choose a folder you can write to.",
        ) from exc
    return target


def write_text_atomic(target: Path, text: str) -> None:
    """Write `text` to a temporary file beside `target`, then rename it onto `target` (os.replace): a reader
    never sees half a report, a file that appeared meanwhile is replaced whole, and a symlink at `target`
    is replaced as a name (its target, dangling or not, is never created or written). Refuses a target
    that is (by now) a directory or a special file. Raises UsageError (exit 2) when it cannot write."""
    import os
    import stat
    import tempfile

    from kvsctl.errors import UsageError

    try:
        mode: int | None = target.lstat().st_mode
    except OSError:
        mode = None
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise UsageError(
            f"--report {target}: is a directory or a special file now; the report was not written",
            hint="Give the name of a regular file.",
        )
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file 0600; a report gets the mode of the file it replaces, or the umask's
        keep = mode if mode is not None and stat.S_ISREG(mode) else None
        os.chmod(tmp, stat.S_IMODE(keep) if keep is not None else 0o666 & ~_umask())
        os.replace(tmp, target)
        tmp = ""
    except OSError as exc:
        raise UsageError(f"--report {target}: cannot write: {exc.strerror or exc}") from exc
    finally:
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_report(target: Path, view: Any, fmt: Any) -> None:
    """The report in the -o format into --report FILE, written atomically."""
    write_text_atomic(target, report_text(view, fmt))
