"""Global options shared by every command, and the decorator that adds them, so each command declares
only its own parameters.

The options belong to the leaf command; `hoist_global_options` moves any given before it
(`kvsctl --region r stream list`, `kvsctl stream -o json list`) to just after it, as the AWS CLI allows.
The options of the running command are in a context variable (`current()`), set for the length of one
`run_guarded` call, so the error boundary knows whether to answer in JSON.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, TypeVar, get_type_hints

import typer

from kvsctl.errors import shown
from kvsctl.render import BASIC_FORMATS, OutputFormat

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class GlobalOptions:
    profile: str | None = None
    region: str | None = None
    regions: tuple[str, ...] = ()  # every --region given, for commands that span regions (audit all)
    endpoint_url: str | None = None
    output: OutputFormat = OutputFormat.table
    no_color: bool = False
    debug: bool = False
    query: str | None = None  # a JMESPath expression, already checked to compile
    no_pager: bool = False

    @property
    def json(self) -> bool:
        return self.output is OutputFormat.json

    def factory(self, profile: str | None = None) -> Any:
        """A ClientFactory for these options (imports the aws package, never boto3 itself); `profile`
        overrides --profile (e.g. a second factory with a key owner's credentials)."""
        from kvsctl.aws.session import AwsConfig, ClientFactory

        return ClientFactory(
            AwsConfig(
                profile=profile or self.profile or os.environ.get("AWS_PROFILE") or None,
                region=self.region,
                endpoint_url=self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None,
            ),
            notify=self.notice,
        )

    def emit(self, result: Any) -> None:
        from kvsctl.render import emit

        if self.query is not None and self.output is OutputFormat.json:
            from kvsctl.render import dumps, writing_stdout

            text = dumps(apply_query(self.query, result.to_json())) + "\n"
            with writing_stdout(result):
                sys.stdout.write(text)
                sys.stdout.flush()
            return
        emit(result, self.output, no_color=self.no_color, pager=not self.no_pager)

    def warn(self, message: str) -> None:
        """A warning on stderr (never on stdout, so JSON stays clean); the prefix coloured on a terminal."""
        sys.stderr.write(f"{paint('warning:', '1;33', no_color=self.no_color)} {message}\n")
        sys.stderr.flush()

    def notice(self, message: str) -> None:
        """One line on stderr about waiting (a retry, a slow endpoint): `kvsctl: ...`. Never on stdout;
        not at all with -o json when stderr is not a terminal, where stderr carries the JSON error."""
        if self.json and not _isatty(sys.stderr):
            return
        if not _NOTICES.fresh(message):
            return
        sys.stderr.write(f"{paint('kvsctl:', '2', no_color=self.no_color)} {message}\n")
        sys.stderr.flush()

    def progress(self, message: str) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"{message}\n")
            sys.stderr.flush()


class _Recent:
    """Remembers lines said in the last few seconds: many threads throttled at once say it once."""

    def __init__(self, window: float = 2.0) -> None:
        import threading

        self.window = window
        self._said: dict[str, float] = {}
        self._lock = threading.Lock()

    def fresh(self, line: str) -> bool:
        import time

        now = time.monotonic()
        with self._lock:
            if now - self._said.get(line, -self.window) < self.window:
                return False
            self._said = {k: t for k, t in self._said.items() if now - t < self.window}
            self._said[line] = now
            return True


_NOTICES = _Recent()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def paint(text: str, sgr: str, *, no_color: bool = False) -> str:
    """`text` in an ANSI colour when stderr is a terminal and colour is not turned off (NO_COLOR too)."""
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        tty = False
    if not tty or no_color or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return text
    return f"\x1b[{sgr}m{text}\x1b[0m"


CURRENT: ContextVar[GlobalOptions | None] = ContextVar("kvsctl_global_options", default=None)


def current() -> GlobalOptions | None:
    """The global options of the command running now (None before its options are parsed)."""
    return CURRENT.get()


def default_output(formats: Sequence[OutputFormat] = tuple(OutputFormat)) -> OutputFormat:
    """KVSCTL_OUTPUT if set (a value this command cannot print is a usage error), else table on a
    terminal and json otherwise."""
    raw = os.environ.get("KVSCTL_OUTPUT", "")
    env = raw.strip().lower()
    if env:
        names = [f.value for f in formats]
        if env not in names:
            from kvsctl.errors import UsageError

            raise UsageError(
                f"KVSCTL_OUTPUT={shown(raw)} is not an output this command can print",
                hint=f"Use one of: {', '.join(names)} (or unset KVSCTL_OUTPUT).",
                code="usage",
            )
        return OutputFormat(env)
    tty = sys.stdout is not None and sys.stdout.isatty()  # None: started with stdout closed
    return OutputFormat.table if tty else OutputFormat.json


def compile_query(expression: str) -> Any:
    """Check a --query expression before any AWS call: a bad one is a usage error (exit 2)."""
    import jmespath  # type: ignore[import-untyped]
    from jmespath.exceptions import JMESPathError  # type: ignore[import-untyped]

    from kvsctl.errors import UsageError

    try:
        return jmespath.compile(expression)
    except JMESPathError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        detail = first.removeprefix("Invalid jmespath expression: ").rstrip(":")
        where = getattr(exc, "lex_position", None)
        at = f" at column {where}" if isinstance(where, int) else ""
        raise UsageError(
            f"--query {shown(expression)} is not a JMESPath expression ({detail.lower()}{at})",
            hint="See https://jmespath.org/ (e.g. --query 'streams[].name').",
            code="usage",
        ) from None


def apply_query(expression: str, document: Any) -> Any:
    """The JMESPath expression applied to the JSON document (as plain JSON values)."""
    import json

    from kvsctl.render import dumps

    return compile_query(expression).search(json.loads(dumps(document)))


# The global options as they appear on the command line: option name -> takes a value.
GLOBAL_FLAGS: dict[str, bool] = {
    "--profile": True,
    "--region": True,
    "--endpoint-url": True,
    "--output": True,
    "-o": True,
    "--query": True,
    "--no-color": False,
    "--no-pager": False,
    "--debug": False,
}


def _global_token(token: str) -> tuple[bool, bool] | None:
    """(is a global option, its value is in the next token) or None when `token` is not one."""
    if token in GLOBAL_FLAGS:
        return True, GLOBAL_FLAGS[token]
    name, eq, _ = token.partition("=")
    if eq and GLOBAL_FLAGS.get(name):
        return True, False
    if token.startswith("-o") and not token.startswith("--") and len(token) > 2:  # -ojson
        return True, False
    return None


def hoist_global_options(command: Any, args: list[str]) -> list[str]:
    """Move global options given before the leaf command to just after its name, so that
    `kvsctl --region r stream -o json list` parses as `kvsctl stream list --region r -o json`.
    Without a leaf command (`kvsctl --debug`, `kvsctl stream --region r`) they are dropped and the
    group's help is shown as usual. Everything after the leaf command (or after `--`) is untouched."""
    head: list[str] = []
    pulled: list[str] = []
    node = command
    i = 0
    while i < len(args):
        commands = getattr(node, "commands", None)
        if commands is None:  # reached the leaf command
            break
        token = args[i]
        if token == "--":
            return args
        if token in commands:
            head.append(token)
            node = commands[token]
            i += 1
            continue
        kind = _global_token(token)
        if kind is not None:
            takes_next = kind[1]
            pulled.extend(args[i : i + 2] if takes_next else args[i : i + 1])
            i += 2 if takes_next else 1
            continue
        head.append(token)  # --help, --version, or something click will report
        i += 1
    if not pulled:
        return args
    if getattr(node, "commands", None) is not None:
        return head + args[i:]
    return head + pulled + args[i:]


def _global_params(formats: Sequence[OutputFormat], aws: bool, multi_region: bool = False) -> list[inspect.Parameter]:
    kw = inspect.Parameter.KEYWORD_ONLY
    names = ", ".join(f.value for f in formats)
    params = []
    if aws:
        params += [
            inspect.Parameter(
                "profile",
                kw,
                default=None,
                annotation=Annotated[
                    str | None,
                    typer.Option(
                        "--profile",
                        help="AWS profile (default: AWS_PROFILE).",
                        rich_help_panel="Global options",
                        show_default=False,
                    ),
                ],
            ),
            inspect.Parameter(
                "region",
                kw,
                default=None,
                annotation=Annotated[
                    list[str] | None if multi_region else str | None,
                    typer.Option(
                        "--region",
                        help="AWS region, repeatable (default: AWS_REGION or the profile's)."
                        if multi_region
                        else "AWS region (default: AWS_REGION or the profile's).",
                        rich_help_panel="Global options",
                        show_default=False,
                    ),
                ],
            ),
            inspect.Parameter(
                "endpoint_url",
                kw,
                default=None,
                annotation=Annotated[
                    str | None,
                    typer.Option(
                        "--endpoint-url",
                        help="Send requests here (default: AWS_ENDPOINT_URL).",
                        rich_help_panel="Global options",
                        show_default=False,
                    ),
                ],
            ),
        ]
    params += [
        inspect.Parameter(
            "output",
            kw,
            default=None,
            annotation=Annotated[
                _choices(formats) | None,
                typer.Option(
                    "--output",
                    "-o",
                    case_sensitive=False,
                    help=f"Output format: {names} (default: table on a terminal, else json).",
                    rich_help_panel="Global options",
                    show_default=False,
                ),
            ],
        ),
    ]
    if OutputFormat.json in formats:
        params.append(
            inspect.Parameter(
                "query",
                kw,
                default=None,
                annotation=Annotated[
                    str | None,
                    typer.Option(
                        "--query",
                        metavar="EXPR",
                        help="JMESPath expression applied to the JSON output (implies -o json).",
                        rich_help_panel="Global options",
                        show_default=False,
                    ),
                ],
            )
        )
    params += [
        inspect.Parameter(
            "no_color",
            kw,
            default=False,
            annotation=Annotated[
                bool,
                typer.Option(
                    "--no-color", help="No colours (NO_COLOR is honoured too).", rich_help_panel="Global options"
                ),
            ],
        ),
        inspect.Parameter(
            "no_pager",
            kw,
            default=False,
            annotation=Annotated[
                bool,
                typer.Option(
                    "--no-pager",
                    help="Never page a long table (default: KVSCTL_PAGER, PAGER or less -FRX on a terminal).",
                    rich_help_panel="Global options",
                ),
            ],
        ),
        inspect.Parameter(
            "debug",
            kw,
            default=False,
            annotation=Annotated[
                bool,
                typer.Option(
                    "--debug",
                    help="Log AWS requests (secrets redacted) and show tracebacks.",
                    rich_help_panel="Global options",
                ),
            ],
        ),
    ]
    return params


_CHOICE_ENUMS: dict[tuple[str, ...], Any] = {}


def _choices(formats: Sequence[OutputFormat]) -> Any:
    """An Enum of just the formats one command offers, so typer shows and checks exactly those."""
    names = tuple(f.value for f in formats)
    if names not in _CHOICE_ENUMS:
        _CHOICE_ENUMS[names] = Enum("OutputChoice_" + "_".join(names), {n: n for n in names}, type=str)
    return _CHOICE_ENUMS[names]


_GLOBAL_NAMES = ("profile", "region", "endpoint_url", "output", "query", "no_color", "no_pager", "debug")


def _output(given: Any, query: str | None, formats: Sequence[OutputFormat]) -> OutputFormat:
    """The output format: -o, else JSON when --query is given, else the default; --query needs JSON."""
    if given:
        output = OutputFormat(getattr(given, "value", given))
    elif query is not None:
        output = OutputFormat.json
    else:
        output = default_output(formats)
    if query is not None and output is not OutputFormat.json:
        from kvsctl.errors import UsageError

        raise UsageError(
            f"--query applies to JSON output, not -o {output.value}",
            hint="Drop -o or use -o json with --query.",
            code="usage",
        )
    return output


def with_global_options(
    formats: Sequence[OutputFormat] = BASIC_FORMATS, *, aws: bool = True, multi_region: bool = False
) -> Callable[[F], F]:
    """Add the global options to a command. The command receives a `g: GlobalOptions` keyword
    instead, and returns an exit code (None means 0). With `multi_region`, --region may be repeated:
    `g.regions` holds them all and `g.region` the first."""

    def decorate(func: F) -> F:
        sig = inspect.signature(func)
        # Resolve string annotations (PEP 563) in the command's own module, since typer will
        # evaluate the wrapper's annotations in this module's namespace otherwise.
        hints = get_type_hints(func, include_extras=True)
        own = [p.replace(annotation=hints.get(name, p.annotation)) for name, p in sig.parameters.items() if name != "g"]
        extra = _global_params(formats, aws, multi_region)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> int:
            values = {name: kwargs.pop(name, None) for name in _GLOBAL_NAMES}
            raw_region = values["region"]
            regions = tuple(raw_region) if isinstance(raw_region, list) else ((raw_region,) if raw_region else ())
            query = values["query"]
            output = _output(values["output"], query, formats)
            g = GlobalOptions(
                profile=values["profile"],
                region=regions[0] if regions else None,
                regions=regions,
                endpoint_url=values["endpoint_url"],
                output=output,
                no_color=bool(values["no_color"]),
                no_pager=bool(values["no_pager"]),
                debug=bool(values["debug"]),
                query=query,
            )
            CURRENT.set(g)
            if query is not None:
                compile_query(query)
            if g.debug:
                from kvsctl.cli.debug import enable_debug_logging

                enable_debug_logging()
            code = func(*args, g=g, **kwargs)
            return int(code or 0)

        wrapper.__signature__ = sig.replace(parameters=own + extra)  # type: ignore[attr-defined]
        annotations = {p.name: p.annotation for p in own}
        annotations.update({p.name: p.annotation for p in extra})
        wrapper.__annotations__ = annotations
        return wrapper  # type: ignore[return-value]

    return decorate


def command_group(help_text: str) -> typer.Typer:
    """A subcommand group with the house settings (markdown help, help on no arguments, -h)."""
    return typer.Typer(
        help=help_text,
        no_args_is_help=True,
        rich_markup_mode="markdown",
        context_settings={"help_option_names": ["-h", "--help"]},
    )
