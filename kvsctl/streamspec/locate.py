"""Find the line of a key in TOML text. tomllib returns values without positions, so errors about a
key (unknown, wrong type, bad value) find its line here. A light line scanner, not a TOML parser:
it tracks table headers, [[stream]] entries and multi-line strings, which is all a spec file uses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*(?P<path>[^\]]+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\s*\[\s*(?P<path>[^\[\]]+?)\s*\]")
_KEY = re.compile(
    r"""^\s*(?P<key>(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*="""
)


def _split_key(raw: str) -> tuple[str, ...]:
    parts = re.findall(r""""([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+)""", raw)
    return tuple(a or b or c for a, b, c in parts)


@dataclass
class _Block:
    header_line: int
    keys: dict[tuple[str, ...], int] = field(default_factory=dict)

    def add(self, key: tuple[str, ...], line: int) -> None:
        self.keys.setdefault(key, line)


@dataclass
class KeyLocator:
    """Line numbers (1-based) of keys at the top level and in each [[stream]] entry."""

    lines: list[str]
    top: _Block = field(default_factory=lambda: _Block(1))
    streams: list[_Block] = field(default_factory=list)

    @classmethod
    def scan(cls, text: str, array_name: str = "stream") -> KeyLocator:
        loc = cls(text.splitlines())
        block = loc.top
        prefix: tuple[str, ...] = ()
        in_string: str | None = None
        for number, line in enumerate(loc.lines, 1):
            if in_string is not None:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            m = _ARRAY_HEADER.match(line)
            if m:
                path = _split_key(m.group("path"))
                if path == (array_name,):
                    block = _Block(number)
                    loc.streams.append(block)
                    prefix = ()
                else:
                    block, prefix = loc._sub_block(path, array_name, number)
                continue
            m = _TABLE_HEADER.match(line)
            if m:
                path = _split_key(m.group("path"))
                block, prefix = loc._sub_block(path, array_name, number)
                continue
            m = _KEY.match(line)
            if m:
                key = prefix + _split_key(m.group("key"))
                for i in range(1, len(key) + 1):
                    block.add(key[:i], number)
                rest = line[m.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_string = quote
        return loc

    def _sub_block(self, path: tuple[str, ...], array_name: str, number: int) -> tuple[_Block, tuple[str, ...]]:
        if path[0] == array_name and self.streams:
            block = self.streams[-1]
            sub = path[1:]
        else:
            block = self.top
            sub = path
        for i in range(1, len(sub) + 1):
            block.add(sub[:i], number)
        return block, sub

    def line(self, key: tuple[str, ...] = (), stream: int | None = None) -> int:
        """The line of `key` (a path; the longest known prefix wins) in stream entry `stream` (0-based)
        or at the top level; the entry's header line, or 1, when the key is not found."""
        block = self.top if stream is None or stream >= len(self.streams) else self.streams[stream]
        for i in range(len(key), 0, -1):
            if key[:i] in block.keys:
                return block.keys[key[:i]]
        return block.header_line

    def value_line(self, start: int, value: str) -> int:
        """The first line at or after `start` quoting `value` (an array element), else `start`."""
        needles = (f'"{value}"', f"'{value}'")
        for number in range(start, min(len(self.lines), start + 200) + 1):
            if any(n in self.lines[number - 1] for n in needles):
                return number
        return start
