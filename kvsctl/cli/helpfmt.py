"""Help pages that read like a person wrote them, at any width.

typer's rich help showed type placeholders (`<bool>`, `<str>`, `<int range>`, `{name}`), and its
option tables truncated long option names at 80 columns (`--producers-per-s…`). `tidy()` walks the
built command tree once: every option gets a metavar that says what to give (NAME, ARN, FILE, KEY=VALUE,
N, or the choices), flags get none, and every command prints its help through `format_help` below:
plain text, option names never cut (the description moves to the next line when they are long),
paragraphs wrapped to the terminal, example lines (indented) printed whole so they can be copied.
It draws help without rich, so `--help` does not load typer's rich help renderer.
"""

from __future__ import annotations

import os
import re
import shutil
import textwrap
import types
from typing import Any

# option name -> metavar, for options that did not set one
_BY_NAME = {
    "--profile": "NAME",
    "--key-profile": "NAME",
    "--region": "NAME",
    "--endpoint-url": "URL",
    "--kms-key": "KEY",
    "--name-prefix": "PREFIX",
    "--media-type": "TYPE",
    "--device-name": "NAME",
    "--retention-hours": "HOURS",
    "--tag": "KEY=VALUE",
    "--context": "KEY=VALUE",
    "--identity-policy": "PRINCIPAL=FILE",
    "--permissions-boundary": "PRINCIPAL=FILE",
    "--alias": "alias/NAME",
    "--account": "ID",
    "--accounts": "ID,...",
    "--assume-role": "ROLE",
    "--read": "PATH,...",
    "--port": "PORT",
    "--report": "FILE",
}
_ARN_WORDS = ("arn", "producer", "consumer", "admin", "principal")
_FILE_WORDS = ("policy", "grants", "scp", "rcp", "file", "calibration", "cloudtrail", "template", "spec")

GAP = 2  # spaces between the option names and their description
INDENT = 2
MAX_WIDTH = 120


def _width() -> int:
    env = os.environ.get("COLUMNS", "").strip()
    width = int(env) if env.isdigit() else shutil.get_terminal_size((80, 24)).columns
    return max(40, min(width, MAX_WIDTH))


def _choices(param: Any) -> list[str] | None:
    descriptor = getattr(param, "type_descriptor", None)
    choices = getattr(descriptor, "choices", None) or getattr(getattr(param, "type", None), "choices", None)
    if not choices:
        return None
    return [str(getattr(c, "value", c)) for c in choices]


def metavar_for(param: Any) -> str:
    """What to show after an option's name: the choices, or a word saying what to give."""
    choices = _choices(param)
    if choices:
        return "|".join(choices)
    long = next((o for o in param.opts if o.startswith("--")), param.opts[0])
    if long in _BY_NAME:
        return _BY_NAME[long]
    words = long.lstrip("-").split("-")
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    inner = getattr(annotation, "__args__", (annotation,))[0] if annotation is not None else None
    if inner is int or annotation is int:
        return "N"
    if any(w in _ARN_WORDS for w in words):
        return "ARN"
    if any(w in _FILE_WORDS for w in words):
        return "FILE"
    return str(words[-1]).upper()


def _is_flag(param: Any) -> bool:
    return bool(getattr(param, "is_flag", False) or getattr(param, "count", False))


def argument_name(param: Any) -> str:
    name = param.metavar or str(param.name).upper()
    name = name.strip("{}[]<>.").upper()
    return f"{name}..." if param.nargs == -1 else name


def tidy(command: Any) -> Any:
    """Give every option a readable metavar and every command this module's help; returns `command`."""
    seen: set[int] = set()

    def visit(cmd: Any) -> None:
        if id(cmd) in seen:
            return
        seen.add(id(cmd))
        for param in cmd.params:
            if getattr(param, "param_type_name", "") == "option":
                if not _is_flag(param) and param.metavar is None:
                    param.metavar = metavar_for(param)
            elif getattr(param, "param_type_name", "") == "argument":
                param.metavar = argument_name(param)
        cmd.format_help = types.MethodType(format_help, cmd)
        for sub in (getattr(cmd, "commands", None) or {}).values():
            visit(sub)

    visit(command)
    return command


# -- rendering ---------------------------------------------------------------------------------------------


def _paragraphs(text: str) -> list[str]:
    return [p for p in textwrap.dedent(text).strip("\n").split("\n\n") if p.strip()]


def _describe(text: str, width: int, indent: int = INDENT) -> list[str]:
    """Prose rewrapped to the width; indented lines (examples, commands) printed whole."""
    out: list[str] = []
    pad = " " * indent
    for para in _paragraphs(text):
        lines = para.split("\n")
        if all(ln.startswith("  ") or not ln.strip() for ln in lines):
            out += [pad + ln.rstrip() for ln in lines]  # an example: never wrapped, copy-pasteable
        else:
            joined = " ".join(ln.strip() for ln in lines)
            out += textwrap.wrap(
                joined, width - indent, initial_indent=pad, subsequent_indent=pad, break_on_hyphens=False
            ) or [pad]
        out.append("")
    return out[:-1]


def _rows(rows: list[tuple[str, str]], width: int) -> list[str]:
    """Two columns: names (never cut) and the description, wrapped; a long name puts its description on
    the next line."""
    if not rows:
        return []
    names_width = min(max(len(n) for n, _ in rows), max(16, (width - INDENT) // 3))
    desc_col = INDENT + names_width + GAP
    out: list[str] = []
    for name, desc in rows:
        wrapped = textwrap.wrap(desc, max(20, width - desc_col), break_on_hyphens=False) or [""]
        if len(name) <= names_width:
            out.append(" " * INDENT + name.ljust(names_width + GAP) + wrapped[0])
            rest = wrapped[1:]
        else:
            out.append(" " * INDENT + name)
            rest = wrapped
        out += [" " * desc_col + ln for ln in rest]
    return out


def _option_row(param: Any, ctx: Any) -> tuple[str, str] | None:
    if getattr(param, "hidden", False):
        return None
    record = param.get_help_record(ctx)
    if record is None:
        return None
    names, desc = record
    desc = re.sub(r"\s*\[x>=0\]|; x>=0", "", " ".join(desc.split()))  # "not negative" needs no saying
    return names, desc


def _usage(cmd: Any, ctx: Any) -> str:
    pieces = [ctx.command_path]
    if any(getattr(p, "param_type_name", "") == "option" for p in cmd.params):
        pieces.append("[OPTIONS]")
    if getattr(cmd, "commands", None):
        pieces.append("COMMAND [ARGS]...")
    for param in cmd.params:
        if getattr(param, "param_type_name", "") == "argument":
            name = argument_name(param)
            pieces.append(name if param.required else f"[{name}]")
    return "Usage: " + " ".join(pieces)


def format_help(self: Any, ctx: Any, formatter: Any) -> None:
    """The help page of one command (bound to each command by `tidy`)."""
    width = _width()
    lines = [_usage(self, ctx), ""]
    if self.help:
        lines += [*_describe(self.help, width), ""]
    arguments = [
        (argument_name(p), " ".join((getattr(p, "help", None) or "").split()))
        for p in self.params
        if getattr(p, "param_type_name", "") == "argument" and not getattr(p, "hidden", False)
    ]
    if arguments:
        lines += ["Arguments:", *_rows(arguments, width), ""]
    panels: dict[str, list[tuple[str, str]]] = {}
    for param in self.params:
        if getattr(param, "param_type_name", "") != "option":
            continue
        row = _option_row(param, ctx)
        if row is not None:
            panels.setdefault(getattr(param, "rich_help_panel", None) or "Options", []).append(row)
    help_option = self.get_help_option(ctx)
    if help_option is not None:
        row = _option_row(help_option, ctx)
        if row is not None:
            panels.setdefault("Options", []).append(row)
    order = ["Options", *[p for p in panels if p not in ("Options", "Global options")], "Global options"]
    for panel in order:
        if panels.get(panel):
            lines += [f"{panel}:", *_rows(panels[panel], width), ""]
    commands = getattr(self, "commands", None)
    if commands:
        rows = []
        for name in self.list_commands(ctx):
            sub = commands.get(name)
            if sub is None or getattr(sub, "hidden", False):
                continue
            rows.append((name, sub.get_short_help_str(limit=10_000)))
        lines += ["Commands:", *_rows(rows, width), ""]
    while lines and not lines[-1]:
        lines.pop()
    formatter.write("\n".join(lines) + "\n")
