"""Option coercion without pydantic, for start-up time.

typer 0.29 converts every non-flag option value through a pydantic TypeAdapter, so any command with
a value option imports pydantic (a third of kvsctl's start-up) to turn text into a str, an int or an
enum member. This module gives typer a coercer for exactly those simple annotations - str,
int (with min/max/clamp), bool, Enum choices, a custom `parser=`, and lists of them - with typer's own
semantics (tests/cli/test_fastparams.py checks it against typer's pydantic path value by value).
Every other annotation goes to typer's own coercer unchanged.

It hooks typer internals (`typer.core.build_runtime_param`, `typer._coercion.RuntimeParam`), checked
against the typer versions in `TESTED_TYPER`. Outside them `install()` still tries, and falls back to
typer's own path if the internals moved - but the test suite fails (tests/cli/test_fastparams.py), so a
typer upgrade is a deliberate act, re-tested value by value, never a silent slow-down or a quiet change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, get_args, get_origin

# typer releases this module was checked against: >= the first, < the second (major, minor)
TESTED_TYPER = ((0, 29), (0, 30))

# pydantic's lax integer syntax: optional sign, ASCII digits with single underscores, ".0" allowed
_INT = re.compile(r"[+-]?[0-9]+(?:_[0-9]+)*(?:\.0+)?", re.ASCII)


def _leaf_kind(annotation: Any, info: Any) -> str | None:
    if info.parser is not None:
        return "parser"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "enum"
    if annotation is str:
        return "str"
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    return None


def kind_of(annotation: Any, info: Any) -> str | None:
    """The coercion kind for an annotation, or None when typer's own (pydantic) path must handle it."""
    if get_origin(annotation) is list:
        args = get_args(annotation)
        leaf = _leaf_kind(args[0], info) if len(args) == 1 else None
        return f"list:{leaf}" if leaf else None
    return _leaf_kind(annotation, info)


def _int(value: Any, info: Any) -> int:
    if isinstance(value, bool):
        number = int(value)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INT.fullmatch(value.strip()):
        number = int(value.strip().replace("_", "").split(".")[0])
    else:
        raise ValueError("Input should be a valid integer, unable to parse string as an integer")
    low, high = info.min, info.max
    if info.clamp:
        if low is not None and number < low:
            return int(low)
        if high is not None and number > high:
            return int(high)
        return number
    if low is not None and number < low:
        raise ValueError(f"Input should be greater than or equal to {low}")
    if high is not None and number > high:
        raise ValueError(f"Input should be less than or equal to {high}")
    return number


_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "" or text in _FALSE:
            return False
        if text in _TRUE:
            return True
    raise ValueError("Input should be a valid boolean, unable to interpret input")


def coerce_leaf(kind: str, annotation: Any, info: Any, value: Any, ctx: Any) -> Any:
    if kind == "parser":
        return info.parser(value)
    if kind == "enum":
        from typer._param_types import coerce_cli_choice

        return coerce_cli_choice(value, choices=list(annotation), case_sensitive=info.case_sensitive, ctx=ctx)
    if kind == "bool":
        return _bool(value)
    if kind == "str":
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        return str(value)
    return _int(value, info)


def typer_version() -> tuple[int, int]:
    from importlib.metadata import version

    major, minor = [*version("typer").split("."), "0", "0"][:2]
    return int(major), int("".join(ch for ch in minor if ch.isdigit()) or 0)


def typer_is_tested() -> bool:
    low, high = TESTED_TYPER
    return low <= typer_version() < high


def install() -> bool:
    """Route simple option types through `FastParam`; idempotent. True when installed; False when
    typer's internals moved (typer's own coercion then runs; the tests fail on that)."""
    try:
        import typer.core as core
        from typer._click.exceptions import BadParameter
        from typer._coercion import RuntimeParam
    except ImportError:  # a typer without this layer: nothing to speed up
        return False
    original = getattr(core, "build_runtime_param", None)
    if original is None:
        return False
    if getattr(original, "_kvsctl_fast", False):
        return True

    @dataclass(frozen=True)
    class FastParam(RuntimeParam):
        kind: str = "str"

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                if self.kind.startswith("list:"):
                    leaf = self.kind[5:]
                    items = value if isinstance(value, list | tuple) else [value]
                    (inner,) = get_args(self.annotation)
                    return [coerce_leaf(leaf, inner, self.parameter_info, v, ctx) for v in items]
                return coerce_leaf(self.kind, self.annotation, self.parameter_info, value, ctx)
            except ValueError as exc:
                raise BadParameter(str(exc), ctx=ctx, param=param) from exc

    def build_runtime_param(descriptor: Any) -> Any:
        kind = (
            None
            if descriptor.file_annotation is not None
            else kind_of(descriptor.annotation, descriptor.parameter_info)
        )
        if kind is None:
            return original(descriptor)
        return FastParam(descriptor.parameter_info, descriptor.annotation, kind)

    build_runtime_param._kvsctl_fast = True  # type: ignore[attr-defined]
    setattr(core, "build_runtime_param", build_runtime_param)  # noqa: B010 - not an exported name
    return True
