"""The error boundary: maps every exception to one line on stderr and a contract exit code."""

from __future__ import annotations

import errno
import json
import os
import sys
import traceback
from typing import Any

from kvsctl.errors import ExitCode, KvsctlError, ReaderGone


def _wants_json(argv: list[str]) -> bool:
    from kvsctl.cli.options import current, default_output

    g = current()
    if g is not None:
        return g.json
    for i, arg in enumerate(argv):
        if arg in ("-o", "--output") and i + 1 < len(argv):
            return argv[i + 1] == "json"
        if arg in ("-ojson", "--output=json"):
            return True
    try:
        return default_output().value == "json"
    except KvsctlError:  # a bad KVSCTL_OUTPUT: the error about it is reported as text
        return False


def _debug(argv: list[str]) -> bool:
    from kvsctl.cli.options import current

    g = current()
    return bool(g.debug) if g is not None else "--debug" in argv


def _print_traceback() -> None:
    """The traceback (--debug only), with secrets redacted like the debug log."""
    from kvsctl.cli.debug import redact

    sys.stderr.write(redact(traceback.format_exc()))


def report(err: KvsctlError, as_json: bool) -> None:
    if as_json:
        sys.stderr.write(json.dumps(err.to_json()) + "\n")
    else:
        from kvsctl.cli.options import current, paint

        g = current()
        sys.stderr.write(f"kvsctl: {paint('error:', '1;31', no_color=bool(g and g.no_color))} {err.message}\n")
        if err.hint:
            sys.stderr.write(f"hint: {err.hint}\n")
    sys.stderr.flush()


_ARGV_FROM_PROCESS = False  # set by run_guarded: only a real kvsctl process changes its signal handling


def _second_ctrl_c_kills() -> None:
    """After a Ctrl-C, another one ends the process at once (no traceback from threads being joined)."""
    import signal
    import threading

    if _ARGV_FROM_PROCESS and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_guarded(app: Any, argv: list[str] | None) -> int:
    """Run `app` (a typer app, or the click command built from it) on `argv`; return the exit code."""
    import typer

    from kvsctl.cli.options import CURRENT, hoist_global_options

    global _ARGV_FROM_PROCESS
    _ARGV_FROM_PROCESS = argv is None
    token = CURRENT.set(None)
    command = typer.main.get_command(app) if isinstance(app, typer.Typer) else app
    from kvsctl.cli.helpfmt import tidy

    tidy(command)
    args = hoist_global_options(command, list(sys.argv[1:] if argv is None else argv))
    try:
        if sys.stdout is None:  # started with stdout closed (>&-): refuse before doing anything
            from kvsctl.errors import OutputFailed

            report(OutputFailed("stdout is closed; nothing was done"), _wants_json(args))
            return int(ExitCode.CHECK_FAILED)
        return _run(command, args)
    finally:
        CURRENT.reset(token)


#: errno values that mean "stdout cannot take the output" when a write raises them outside `emit`
#: (click's --help, the completion script): a full disk or /dev/full, a closed descriptor, an I/O error.
_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF})


def _silence_stdout() -> None:
    """After stdout failed, point it at /dev/null so that the interpreter's last flush cannot fail again
    (the recipe of Python's signal module docs, "Note on SIGPIPE"). Only in a real kvsctl process."""
    if not _ARGV_FROM_PROCESS or sys.stdout is None:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, AttributeError, ValueError):
        pass


def _reader_gone(created: tuple[str, ...]) -> int:
    """Exit 0 without a word (Python's SIGPIPE recipe: stdout to /dev/null, then exit); only what the
    run created is said, on stderr, since the output that said so is lost."""
    _silence_stdout()
    if created:
        sys.stderr.write(f"kvsctl: the output's reader closed early; this run created: {'; '.join(created)}\n")
        sys.stderr.flush()
    return int(ExitCode.OK)


def _click_saw_broken_pipe() -> bool:
    """click answers EPIPE in its own output with sys.exit(1), after wrapping stdout and stderr in a
    PacifyFlushWrapper; unwrap them (tests run many commands in one process) and say so."""
    seen = False
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if type(stream).__name__ == "PacifyFlushWrapper":
            setattr(sys, name, stream.wrapped)
            seen = True
    return seen


def write_page(text: str, code: int, args: list[str] | None = None) -> int:
    """Write a page (help, version) to stdout; `code`, or the code of the failure to write it."""
    from kvsctl.errors import OutputFailed
    from kvsctl.render import writing_stdout

    try:
        with writing_stdout():
            if sys.stdout is None:
                raise OSError(errno.EBADF, "stdout is closed")
            sys.stdout.write(text)
            sys.stdout.flush()
    except ReaderGone:
        _silence_stdout()
        return int(code)
    except OutputFailed as exc:
        _silence_stdout()
        report(exc, _wants_json(args or []))
        return int(exc.exit_code)
    return int(code)


def _flush_stdout() -> None:
    """Buffered output fails here, inside the boundary, never silently at interpreter exit."""
    from kvsctl.render import writing_stdout

    with writing_stdout():
        sys.stdout.flush()


def _invoke(command: Any, args: list[str]) -> int:
    import typer

    try:
        result = command.main(args=args, prog_name="kvsctl", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    return int(result) if isinstance(result, int) else 0


def _run(command: Any, args: list[str]) -> int:
    import typer

    from kvsctl.errors import OutputFailed

    try:
        code = _invoke(command, args)
        _flush_stdout()
        return code
    except typer.Abort:
        _second_ctrl_c_kills()
        sys.stderr.write("kvsctl: aborted\n")
        return 130
    except typer.TyperException as exc:
        from kvsctl.errors import UsageError

        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError":  # a group without a command: its help, exit 2
            page = exc.format_message()
            return write_page(page if page.endswith("\n") else page + "\n", ExitCode.USAGE, args)
        hint = f"Try '{ctx.command_path} --help'." if ctx is not None else "Try 'kvsctl --help'."
        report(UsageError(exc.format_message(), hint=hint, code="usage"), _wants_json(args))
        return int(ExitCode.USAGE)
    except ReaderGone as exc:  # the reader stopped reading (| head -1, | true): not an error
        return _reader_gone(exc.created)
    except BrokenPipeError:
        return _reader_gone(())
    except SystemExit:
        if _click_saw_broken_pipe():  # click's own output (--help) met a closed pipe
            return _reader_gone(())
        raise
    except KvsctlError as exc:
        if isinstance(exc, OutputFailed):
            _silence_stdout()
        if exc.exit_code == ExitCode.INTERRUPTED:
            _second_ctrl_c_kills()
        if _debug(args):
            _print_traceback()
        report(exc, _wants_json(args))
        return int(exc.exit_code)
    except KeyboardInterrupt:
        _second_ctrl_c_kills()
        sys.stderr.write("kvsctl: interrupted\n")
        return 130
    except Exception as exc:  # the last line of defence: a bug, reported in one line
        if "botocore" in sys.modules:  # (never imported by offline commands)
            from kvsctl.aws.errors import translate_botocore_error

            translated = translate_botocore_error(exc)
            if translated is not None:
                report(translated, _wants_json(args))
                return int(translated.exit_code)
        if isinstance(exc, OSError) and exc.errno in _OUTPUT_ERRNOS and exc.filename is None:
            _silence_stdout()
            failed = OutputFailed(exc.strerror or str(exc))
            report(failed, _wants_json(args))
            return int(failed.exit_code)
        if _debug(args):
            _print_traceback()
        err = KvsctlError(
            f"internal error: {type(exc).__name__}: {exc}",
            hint="This is a kvsctl bug. Rerun with --debug and report the traceback.",
            code="internal_error",
        )
        report(err, _wants_json(args))
        return int(ExitCode.INTERNAL)
