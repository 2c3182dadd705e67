"""Tables fit the terminal without splitting an identifier (render/fit.py): at 80 columns an ARN, a key
id, an alias or an action stays whole or breaks only after a / or :, prose wraps between words, and no
reason is ever truncated."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from kvsctl.render.fit import _segments, fit_table

ROLE = "arn:aws:iam::123456789012:role/CameraProducer"
SHORT = "role/CameraProducer"
KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
REASON = (
    "the key policy statement AllowCameraProducers allows kms:GenerateDataKey only through KVS "
    "(kms:ViaService) and this request does not come through it"
)
ENDPOINT = "kinesisvideo.us-west-2.amazonaws.com"


def render(table: Any, width: int) -> str:
    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, no_color=True, highlight=False, emoji=False)
    fit_table(table, console)
    console.print(table)
    return str(console.file.getvalue())  # type: ignore[attr-defined]


def cells_by_column(text: str) -> list[list[str]]:
    """Each body row's cell texts, per column, from a box-drawn table."""
    rows = [ln for ln in text.splitlines() if ln.startswith("│")]
    return [[c.strip() for c in ln.strip("│").split("│")] for ln in rows]


def joined_column(text: str, index: int) -> str:
    return "".join(row[index] for row in cells_by_column(text))


def only_split_at_boundaries(identifier: str, text: str) -> bool:
    """Every fragment of the identifier in the output is a run of whole segments."""
    segments = _segments(identifier)
    runs = {"".join(segments[i:j]) for i in range(len(segments)) for j in range(i + 1, len(segments) + 1)}
    words = re.findall(r"[^\s│┃]+", text)
    # pieces of the identifier (a word such as "key" or an account id that occurs in it on its own is not)
    fragments = [w for w in words if w in identifier and (":" in w or "/" in w or len(w) > 12)]
    return all(f in runs for f in fragments)


def table() -> Any:
    from rich.table import Table

    t = Table(title="Checks")
    for col in ("principal", "action", "decision", "reason"):
        t.add_column(col, overflow="fold")
    t.add_row(SHORT, "kms:GenerateDataKey", "conditional", REASON)
    t.add_row(ROLE, "kms:Decrypt", "allow", "key policy statement #2")
    return t


@pytest.mark.parametrize("width", [80, 100, 200])
def test_no_identifier_is_split_inside_a_name_and_no_reason_is_lost(width: int) -> None:
    out = render(table(), width)
    assert max(len(ln) for ln in out.splitlines()) <= width
    words = out.split()
    for whole in ("kms:GenerateDataKey", "conditional", "(kms:ViaService)", "AllowCameraProducers"):
        assert whole in words
    assert only_split_at_boundaries(ROLE, out) and only_split_at_boundaries(SHORT, out)
    assert ROLE in joined_column(out, 0)
    assert " ".join(" ".join(r[3] for r in cells_by_column(out)).split()).startswith(REASON)
    assert "…" not in out


def test_when_nothing_fits_the_widest_columns_fold_and_nothing_is_lost() -> None:
    from rich.table import Table

    t = Table()
    for col in ("principal", "action", "decision", "reason"):
        t.add_column(col, overflow="fold")
    t.add_row(SHORT, "kms:GenerateDataKey", "conditional", f"only through {ENDPOINT} and {ENDPOINT}.")
    out = render(t, 80)
    assert max(len(ln) for ln in out.splitlines()) <= 80
    for whole in ("principal", "action", "decision", "reason", "conditional"):
        assert whole in out.split()
    assert "".join(r[3] for r in cells_by_column(out)).replace(" ", "") == f"onlythrough{ENDPOINT}and{ENDPOINT}."
    assert "…" not in out


def test_the_long_column_takes_the_width() -> None:
    out = render(table(), 120)
    rows = cells_by_column(out)
    assert ROLE in [r[0] for r in rows]  # the ARN fits whole when there is room
    header = next(ln for ln in out.splitlines() if "principal" in ln)
    widths = [len(c) for c in header.strip("┃").split("┃")]
    assert len(header) == 120 and widths[0] == len(ROLE) + 2  # the ARN whole, the reason takes the rest


def test_a_key_arn_breaks_only_after_a_slash_or_colon_when_nothing_else_fits() -> None:
    from rich.table import Table

    t = Table()
    for col in ("severity", "code", "finding", "where"):
        t.add_column(col, overflow="fold")
    t.add_row("info", "KVS119", "no --grants file was given; the key was assumed to have no grants", KEY)
    out = render(t, 80)
    assert "severity" in out.split() and "KVS119" in out.split()
    assert "1234abcd-12ab-34cd-56ef-1234567890ab" in out.split()
    assert only_split_at_boundaries(KEY, out)


def test_a_table_that_fits_is_left_to_rich() -> None:
    from rich.table import Table

    t = Table()
    t.add_column("name")
    t.add_row("cam")
    before = [c.width for c in t.columns]
    render(t, 80)
    assert [c.width for c in t.columns] == before


def test_a_table_into_a_pipe_is_wide_and_columns_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    from kvsctl.render import PIPE_WIDTH, make_console

    monkeypatch.delenv("COLUMNS", raising=False)
    assert make_console().width == PIPE_WIDTH > 80  # stdout is captured, not a terminal
    monkeypatch.setenv("COLUMNS", "97")
    assert make_console().width == 97
