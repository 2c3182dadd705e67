"""The error boundary: maps every exception to one line on stderr and a contract exit code."""

from __future__ import annotations

import json
import sys
import traceback
from typing import Any

from kvsctl.errors import ExitCode, KvsctlError


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
        return _run(command, args)
    finally:
        CURRENT.reset(token)


def _run(command: Any, args: list[str]) -> int:
    import typer

    try:
        result = command.main(args=args, prog_name="kvsctl", standalone_mode=False)
        return int(result) if isinstance(result, int) else 0
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        _second_ctrl_c_kills()
        sys.stderr.write("kvsctl: aborted\n")
        return 130
    except typer.TyperException as exc:
        from kvsctl.errors import UsageError

        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError":  # a group without a command: its help, exit 2
            page = exc.format_message()
            if page.strip():
                sys.stdout.write(page if page.endswith("\n") else page + "\n")
            return int(ExitCode.USAGE)
        hint = f"Try '{ctx.command_path} --help'." if ctx is not None else "Try 'kvsctl --help'."
        report(UsageError(exc.format_message(), hint=hint, code="usage"), _wants_json(args))
        return int(ExitCode.USAGE)
    except KvsctlError as exc:
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
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence: a bug, reported in one line
        if type(exc).__module__.startswith("botocore"):
            from kvsctl.aws.errors import translate_botocore_error

            translated = translate_botocore_error(exc)
            if translated is not None:
                report(translated, _wants_json(args))
                return int(translated.exit_code)
        if _debug(args):
            _print_traceback()
        err = KvsctlError(
            f"internal error: {type(exc).__name__}: {exc}",
            hint="This is a kvsctl bug. Rerun with --debug and report the traceback.",
            code="internal_error",
        )
        report(err, _wants_json(args))
        return int(ExitCode.INTERNAL)
