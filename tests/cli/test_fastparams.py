"""kvsctl.cli.fastparams coerces option values exactly as typer's pydantic path does, value by value
(same result and type, or an error with the same message less pydantic's "Value error, " prefix),
and the commands that do not call AWS never import pydantic or boto3."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest


class Color(str, Enum):
    table = "table"
    json = "json"


def positive(text: Any) -> Decimal:
    from decimal import InvalidOperation

    try:
        number = Decimal(str(text))
    except InvalidOperation:
        raise ValueError(f"not a number: {text}") from None
    if number <= 0:
        raise ValueError(f"must be more than 0, got {text}")
    return number


def _info(**kw: Any) -> Any:
    from typer.models import OptionInfo

    return OptionInfo(**kw)


INTS = ["5", " 5 ", "+5", "-0", "1_000", "5.0", "5.", "5.5", "1e3", "٣", "１", "0x10", "", "00012", "1__0", "_1"]
INTS += ["9" * 30, "-3", "70000", 7, True, 2.0, "abc"]  # (None never gets here: typer returns it first)
CASES: list[tuple[str, Any, Any, list[Any]]] = [
    ("str", str, _info(), ["x", "", " é ", b"bytes", 5, "\udcff"]),
    ("int", int, _info(), INTS),
    ("int-range", int, _info(min=0, max=65535), INTS),
    ("int-clamp", int, _info(min=0, max=10, clamp=True), INTS),
    ("bool", bool, _info(), [True, False, "true", "FALSE", " yes ", "0", "1", "", "2", "maybe", 0, 1, 2]),
    ("enum", Color, _info(case_sensitive=False), ["table", "JSON", "Json ", "xml", "", Color.json]),
    ("enum-case", Color, _info(case_sensitive=True), ["table", "JSON"]),
    ("parser", Decimal, _info(parser=positive), ["1", "0", "-1", "1e3", "abc"]),
    ("list-str", list[str], _info(), [["a", "b"], ("x",), "solo"]),
    ("list-int", list[int], _info(min=0), [["1", "2"], ["1", "x"], ["-1"]]),
]


def test_typer_is_a_version_fastparams_was_checked_against() -> None:
    """Fails on a typer outside TESTED_TYPER: re-run this file against it, then widen the range (and
    pyproject's pin) deliberately. The CLI itself would fall back to typer's slower path silently."""
    import typer

    from kvsctl.cli import fastparams

    low, high = fastparams.TESTED_TYPER
    assert fastparams.typer_is_tested(), f"typer {typer.__version__} is outside the tested range {low}..{high}"


def test_install_hooks_typer_rather_than_falling_back() -> None:
    import typer.core

    from kvsctl.cli import fastparams

    assert fastparams.install() is True
    assert getattr(typer.core.build_runtime_param, "_kvsctl_fast", False)


def test_the_tested_range_matches_the_pinned_one() -> None:
    import re
    from pathlib import Path

    from kvsctl.cli import fastparams

    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    pin = re.search(r'"typer>=(\d+)\.(\d+),<(\d+)\.(\d+)"', pyproject)
    assert pin, "pyproject pins typer as typer>=X.Y,<X.Z"
    low, high = fastparams.TESTED_TYPER
    assert (low, high) == ((int(pin[1]), int(pin[2])), (int(pin[3]), int(pin[4])))


def outcome(runtime: Any, value: Any) -> tuple[str, Any]:
    from typer._click.exceptions import BadParameter

    try:
        result = runtime._coerce_value(value, param=None, ctx=None)
    except BadParameter as exc:
        return "error", exc.message.removeprefix("Value error, ")
    except Exception as exc:  # an exception other than BadParameter would be a crash in the CLI
        return "crash", f"{type(exc).__name__}: {exc}"
    return "ok", (type(result).__name__, result if result == result else "nan")


@pytest.mark.parametrize(("label", "annotation", "info", "values"), CASES, ids=[c[0] for c in CASES])
def test_fast_coercion_matches_typers_own(label: str, annotation: Any, info: Any, values: list[Any]) -> None:
    from typer._coercion import build_runtime_param as typers
    from typer._coercion import resolve_type_descriptor

    from kvsctl.cli import fastparams

    fastparams.install()
    import typer.core

    ours = typer.core.build_runtime_param
    descriptor = resolve_type_descriptor(annotation, info)
    fast, slow = ours(descriptor), typers(descriptor)
    assert type(fast).__name__ == "FastParam"
    for value in values:
        expected = outcome(slow, value)
        assert expected[0] != "crash"
        assert outcome(fast, value) == expected, f"{label}: {value!r}"


def test_other_annotations_still_go_through_typer() -> None:
    from pathlib import Path

    from typer._coercion import resolve_type_descriptor

    from kvsctl.cli import fastparams

    fastparams.install()
    import typer.core

    for annotation in (Path, Decimal, float, list[Path], tuple[int, str]):
        runtime = typer.core.build_runtime_param(resolve_type_descriptor(annotation, _info()))
        assert type(runtime).__name__ != "FastParam"


OFFLINE = [
    ["--version"],
    ["--help"],
    ["stream", "create", "--help"],
    ["cost", "estimate", "--streams", "10", "-o", "json"],
    ["audit", "policy", "--help"],
]


@pytest.mark.parametrize("argv", OFFLINE, ids=" ".join)
def test_offline_commands_import_neither_pydantic_nor_boto3(argv: list[str]) -> None:
    code = f"import sys; from kvsctl.cli.app import run; sys.argv[1:] = {argv!r}; run()"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert not {"pydantic", "boto3", "botocore", "moto"} & imported
