"""Read the records of one CloudTrail log file one at a time, in constant memory.

CloudTrail delivers log files as one JSON object, `{"Records": [event, ...]}` (CloudTrail user guide,
"CloudTrail log file examples"). A file can hold thousands of events; reading it whole would make memory
grow with the largest file. This reader keeps only a small window of text: it decodes one record at a
time with the standard library's `JSONDecoder.raw_decode` and drops what it has consumed, so memory stays
bounded by the largest single record plus one read chunk.

A syntax error ends the file (JSON cannot be resynchronised safely); the records decoded before it stay
counted. The caller reports the error with the file name and character offset.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO

from kvsctl.longnum import NumberTooLong, read_int

_DECODER = json.JSONDecoder(parse_int=read_int)
_WHITESPACE = " \t\n\r"
_LOOKAHEAD = 64


class TrailFileError(ValueError):
    """The file is not a CloudTrail log file, or its JSON is broken at `offset` (characters)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class _Window:
    def __init__(self, stream: IO[str], chunk_size: int) -> None:
        self.stream = stream
        self.chunk_size = chunk_size
        self.buf = ""
        self.pos = 0
        self.consumed = 0  # characters dropped from the front of buf, for offsets in messages
        self.eof = False
        self.peak = 0  # largest buffer held, for the constant-memory test

    @property
    def offset(self) -> int:
        return self.consumed + self.pos

    def _fill(self) -> bool:
        """Read more text (at least as much as is buffered, so a long record takes few reads)."""
        if self.eof:
            return False
        data = self.stream.read(max(self.chunk_size, len(self.buf) - self.pos))
        if not data:
            self.eof = True
            return False
        self.consumed += self.pos
        self.buf = self.buf[self.pos :] + data
        self.pos = 0
        self.peak = max(self.peak, len(self.buf))
        return True

    def peek(self) -> str:
        """The next character that is not whitespace ('' at the end), not consumed."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def take(self, expected: str) -> None:
        found = self.peek()
        if found != expected:
            shown = repr(found) if found else "the end of the file"
            raise TrailFileError(f"expected {expected!r}, found {shown}", self.offset)
        self.pos += 1

    def value(self) -> object:
        """Decode one JSON value, reading more text while the buffer ends inside it."""
        self.peek()
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # An error near the end of the buffer may only mean the value goes on in the next chunk
                # (a cut literal, number or member); one well before the end is a real syntax error.
                truncated = exc.pos >= len(self.buf) - _LOOKAHEAD or exc.msg.startswith("Unterminated")
                if truncated and self._fill():
                    continue
                raise TrailFileError(f"invalid JSON: {exc.msg}", self.consumed + exc.pos) from None
            except NumberTooLong as exc:
                raise TrailFileError(str(exc), self.consumed + self.pos) from None
            if end == len(self.buf) and self._fill():
                continue  # a number at the end of the buffer may go on in the next chunk
            self.pos = end
            return obj


def iter_records(
    stream: IO[str], *, chunk_size: int = 1 << 16, stats: dict[str, int] | None = None
) -> Iterator[object]:
    """Every element of the file's top-level `Records` array, in order, as decoded JSON.

    Other top-level members are skipped. Raises TrailFileError when the file is not a JSON object with a
    `Records` array, or when its JSON breaks (after yielding every record before the break).
    """
    window = _Window(stream, chunk_size)
    try:
        window.take("{")
        found = False
        if window.peek() == "}":
            window.pos += 1
        else:
            while True:
                key = window.value()
                if not isinstance(key, str):
                    raise TrailFileError("expected a member name", window.offset)
                window.take(":")
                if key == "Records":
                    found = True
                    window.take("[")
                    if window.peek() == "]":
                        window.pos += 1
                    else:
                        while True:
                            yield window.value()
                            nxt = window.peek()
                            window.take("]" if nxt == "]" else ",")
                            if nxt == "]":
                                break
                else:
                    window.value()
                nxt = window.peek()
                window.take("}" if nxt == "}" else ",")
                if nxt == "}":
                    break
        if window.peek():
            raise TrailFileError("unexpected text after the top-level object", window.offset)
        if not found:
            raise TrailFileError('no "Records" array: not a CloudTrail log file (a digest file?)', 0)
    finally:
        if stats is not None:
            stats["peak_buffer"] = window.peak
