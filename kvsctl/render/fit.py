"""Fit a rich Table to the terminal without breaking an identifier in the middle.

rich shrinks an over-wide table by narrowing its widest columns and folding whatever no longer fits,
so at 80 columns an ARN became `arn:aws:iam::1234 / 56789012:role/Key / Admin` and an action
`kms:GenerateDataK / ey`. `fit_table` lays the columns out itself before rich draws them:

- every column gets at least its longest unbreakable word (an ARN, key id, alias, action, endpoint);
- the room left goes to the columns that want more, in proportion to what they want (the long
  column takes the width; prose wraps between words; nothing is ever truncated);
- only when the words alone cannot fit, the widest columns give way: ARNs and paths break after a
  `/` or `:` (never inside a name), then long plain words fold, just enough to fit; a key id, an
  action (`kms:GenerateDataKey`) or an endpoint never breaks.

Cells other than text (nested renderables) leave the table to rich as it is.
"""

from __future__ import annotations

import re
from typing import Any

_WORD = re.compile(r"\S+")
_BREAK_AFTER = "/:"


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _longest_word(plain: str) -> int:
    return max((len(w) for w in _words(plain)), default=0)


def _longest_line(plain: str) -> int:
    return max((len(line) for line in plain.split("\n")), default=0)


def _segments(word: str) -> list[str]:
    """A word cut after each `/` or `:` (the places an identifier may be wrapped)."""
    out, start = [], 0
    for i, ch in enumerate(word):
        if ch in _BREAK_AFTER:
            out.append(word[start : i + 1])
            start = i + 1
    if start < len(word):
        out.append(word[start:])
    return out or [word]


# ARNs and paths (role/x, alias/x) may break after a / or :; key ids, actions (svc:Name) and endpoints
# (host names, URLs without a path) never break
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_ACTION = re.compile(r"[\w-]+:[\w*?]+[,.;)]*")
_HOST = re.compile(r"(?:https?://)?[\w-]+(?:\.[\w-]+)+(?::\d+)?/?[,.;)]*")
_PROSE_FLOOR = 12  # a plain word longer than this may fold, after ARNs have wrapped
_LAST_RESORT = 12  # when nothing fits, columns this narrow are never narrowed further


def _kind(word: str) -> str:
    """'breakable' (an ARN or a path), 'whole' (a key id, an action, an endpoint) or 'prose'."""
    if _ACTION.fullmatch(word) or _HOST.fullmatch(word):
        return "whole"
    if word.startswith("arn:") or "/" in word.strip("/"):
        return "breakable"
    if _UUID.search(word):
        return "whole"
    return "prose"


def _floors(plain: str) -> tuple[int, int]:
    """(soft, hard): the narrowest a column may get for this text when ARNs and paths break after a /
    or : but other words stay whole (soft), and when plain words fold too (hard)."""
    soft = hard = 0
    for word in _words(plain):
        kind = _kind(word)
        if kind == "breakable":
            seg = max(len(s) for s in _segments(word))
            soft, hard = max(soft, seg), max(hard, seg)
        elif kind == "whole":
            soft, hard = max(soft, len(word)), max(hard, len(word))
        else:
            soft, hard = max(soft, len(word)), max(hard, min(len(word), _PROSE_FLOOR))
    return soft, hard


def _shrink(widths: list[int], floors: list[int], excess: int) -> int:
    """Take `excess` columns from the columns with the most room above their floor; return what is
    still missing."""
    while excess > 0:
        i = max(range(len(widths)), key=lambda k: widths[k] - floors[k])
        if widths[i] <= floors[i]:
            break
        widths[i] -= 1
        excess -= 1
    return excess


def _break_long_words(text: Any, width: int) -> Any:
    """The Text with each word longer than `width` split into lines after a `/` or `:`."""
    from rich.text import Text

    plain = text.plain
    pieces: list[Any] = []
    cursor = 0
    changed = False
    for match in _WORD.finditer(plain):
        word = match.group()
        if len(word) <= width or _kind(word) != "breakable":
            continue
        pieces.append(text[cursor : match.start()])
        line_start = match.start()
        line_len = 0
        segments = _segments(word)
        for j, seg in enumerate(segments):
            rest = sum(len(s) for s in segments[j:])
            if line_len and line_len + rest > width and (line_len + len(seg) > width or rest <= width):
                # break here: the segment does not fit, or all the rest fits on the next line whole
                pieces.append(text[line_start : line_start + line_len])
                pieces.append(Text("\n"))
                line_start += line_len
                line_len = 0
            line_len += len(seg)
        pieces.append(text[line_start : line_start + line_len])
        cursor = match.end()
        changed = True
    if not changed:
        return text
    pieces.append(text[cursor:])
    return Text("").join(pieces)


def _frame_width(table: Any) -> int:
    """Columns the table spends on borders and padding."""
    n = len(table.columns)
    left, right = table.padding[3], table.padding[1]
    pad = (left + right) * n - (0 if table.pad_edge else left + right)
    borders = 0
    if table.box is not None:
        borders = (n - 1) + (2 if table.show_edge else 0)
    return int(pad + borders)


def fit_table(table: Any, console: Any, width: int | None = None) -> None:
    """Set explicit column widths on `table` (in place) so it fits `width` (default: the console's)
    without splitting an identifier, as described in the module docstring."""
    from rich.text import Text

    total = width if width is not None else console.width
    columns = list(table.columns)
    if not columns:
        return
    cells: list[list[Any]] = []
    for column in columns:
        col: list[Any] = []
        for cell in column._cells:
            if isinstance(cell, str):
                col.append(console.render_str(cell))
            elif isinstance(cell, Text):
                col.append(cell)
            else:
                return  # a nested renderable: rich lays it out
        cells.append(col)
    headers = []
    for column in columns:
        header = column.header
        headers.append(console.render_str(header).plain if isinstance(header, str) else getattr(header, "plain", ""))
    room = total - _frame_width(table)
    show_header = table.show_header
    wants, needs, softs, hards = [], [], [], []
    for i, column in enumerate(columns):
        plains = [c.plain for c in cells[i]] + ([headers[i]] if show_header else [])
        if column.width is not None or column.no_wrap:
            fixed = column.width or max((_longest_line(p) for p in plains), default=1)
            wants.append(fixed)
            needs.append(fixed)
            softs.append(fixed)
            hards.append(fixed)
            continue
        want = max((_longest_line(p) for p in plains), default=1)
        if column.max_width is not None:
            want = min(want, column.max_width)
        need = max([_longest_word(p) for p in plains] + [column.min_width or 0, 1])
        floors = [_floors(p) for p in plains]
        wants.append(max(want, 1))
        needs.append(min(need, max(want, 1)) if column.max_width is not None else need)
        softs.append(max([f[0] for f in floors] + [1]))
        hards.append(max([f[1] for f in floors] + [1]))
    if sum(wants) <= room:
        return  # rich draws it as it is: nothing needs to wrap
    if sum(needs) <= room:
        widths = list(needs)  # every word whole
    else:
        # ARNs wrap after / or :, but those that can be kept whole are, smallest first
        widths = list(softs)
        for i in sorted(range(len(widths)), key=lambda k: needs[k] - softs[k]):
            if sum(widths) + needs[i] - widths[i] <= room:
                widths[i] = needs[i]
        # then long plain words fold; when even that cannot fit, the widest columns fold whatever they
        # hold, never a short column (a decision, a code, a header)
        excess = _shrink(widths, hards, sum(widths) - room)
        _shrink(widths, [min(n, _LAST_RESORT) for n in needs], excess)
    spare = room - sum(widths)
    if spare > 0:
        # the room left goes to the columns wanting more, in proportion to what they want
        extra = [max(w - n, 0) for w, n in zip(wants, widths, strict=True)]
        total_extra = sum(extra)
        if total_extra:
            given = [spare * e // total_extra for e in extra]
            leftover = spare - sum(given)
            for i in sorted(range(len(extra)), key=lambda k: -extra[k]):
                if leftover <= 0:
                    break
                if given[i] < extra[i]:
                    given[i] += 1
                    leftover -= 1
            widths = [w + min(g, e) for w, g, e in zip(widths, given, extra, strict=True)]
    for i, column in enumerate(columns):
        column.width = widths[i]
        column.ratio = None
        column.overflow = "fold"
        if any(len(w) > widths[i] and _kind(w) == "breakable" for c in cells[i] for w in _words(c.plain)):
            column._cells = [_break_long_words(c, widths[i]) for c in cells[i]]
