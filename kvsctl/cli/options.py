"""Global options shared by every command (after the subcommand, as the AWS CLI allows), and the
decorator that adds them, so each command declares only its own parameters.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, TypeVar, get_type_hints

import typer

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
            )
        )

    def emit(self, result: Any) -> None:
        from kvsctl.render import emit

        emit(result, self.output, no_color=self.no_color)

    def warn(self, message: str) -> None:
        """A warning on stderr (never on stdout, so JSON stays clean)."""
        sys.stderr.write(f"warning: {message}\n")
        sys.stderr.flush()

    def progress(self, message: str) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"{message}\n")
            sys.stderr.flush()


_current: GlobalOptions | None = None


def current() -> GlobalOptions | None:
    return _current


def default_output() -> OutputFormat:
    env = os.environ.get("KVSCTL_OUTPUT", "").strip().lower()
    if env in OutputFormat.__members__:
        return OutputFormat(env)
    return OutputFormat.table if sys.stdout.isatty() else OutputFormat.json


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


_GLOBAL_NAMES = ("profile", "region", "endpoint_url", "output", "no_color", "debug")


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
            global _current
            values = {name: kwargs.pop(name, None) for name in _GLOBAL_NAMES}
            raw_region = values["region"]
            regions = tuple(raw_region) if isinstance(raw_region, list) else ((raw_region,) if raw_region else ())
            g = GlobalOptions(
                profile=values["profile"],
                region=regions[0] if regions else None,
                regions=regions,
                endpoint_url=values["endpoint_url"],
                output=OutputFormat(getattr(values["output"], "value", values["output"]))
                if values["output"]
                else default_output(),
                no_color=bool(values["no_color"]),
                debug=bool(values["debug"]),
            )
            if g.output not in formats:  # KVSCTL_OUTPUT=sarif on a command without SARIF: exit 2 before any call
                from kvsctl.errors import UsageError

                offered = "|".join(f.value for f in formats)
                raise UsageError(
                    f"this command has no {g.output.value} output (KVSCTL_OUTPUT={g.output.value})",
                    hint=f"Use -o {offered}, or unset KVSCTL_OUTPUT.",
                    code="usage",
                )
            _current = g
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
