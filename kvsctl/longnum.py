"""Numbers too long to read. Python refuses to turn more than `sys.get_int_max_str_digits()` digits
(4,300 by default) into an int, and json, tomllib and PyYAML let that surface as a bare ValueError with
advice meant for programmers. No AWS value is anywhere near that long, so such a number in a user's file
is an input error (exit 2) that says where, and in an AWS answer a malformed answer.

Pure: no I/O, usable from the policy evaluator.
"""

from __future__ import annotations

import re
import sys
from functools import cache


def max_digits() -> int:
    """The interpreter's limit on the digits of an int read from text (0 there means no limit)."""
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    return int(limit) or 1_000_000


class NumberTooLong(ValueError):
    """A number with more digits than an int can be read from."""

    def __init__(self, digits: int) -> None:
        super().__init__(
            f"a number of {digits:,} digits (kvsctl reads numbers of at most {max_digits():,} digits; "
            "no AWS value is that long)"
        )
        self.digits = digits


def read_int(text: str) -> int:
    """int(text), with NumberTooLong for a number too long to read: the `parse_int` of every JSON reader."""
    digits = len(text) - (1 if text[:1] in "+-" else 0)
    if digits > max_digits():
        raise NumberTooLong(digits)
    return int(text)


@cache
def _long_run() -> re.Pattern[str]:
    return re.compile(rf"[0-9_]{{{max_digits() + 1},}}")


def too_long_in(text: str) -> tuple[NumberTooLong, int] | None:
    """The first number in `text` too long to read, and its 1-based line; None when there is none."""
    m = _long_run().search(text)
    if m is None:
        return None
    return NumberTooLong(len(m.group(0).replace("_", ""))), text.count("\n", 0, m.start()) + 1
