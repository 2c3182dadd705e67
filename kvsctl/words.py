"""Counts in words: "1 key", "2 keys", "1 key is", "3 keys are" (never "key(s)")."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 key', '2 keys', '0 keys'; `many` for irregular plurals ('1 policy', '2 policies')."""
    return f"{count} {noun(count, word, many)}"


def noun(count: int, word: str, many: str | None = None) -> str:
    """The word alone, agreeing with the count: 'key' or 'keys'."""
    return word if count == 1 else (many or word + "s")


def verb(count: int, one: str = "is", many: str = "are") -> str:
    """The verb agreeing with the count: 'is' or 'are' (or another pair: 'was'/'were', 'has'/'have')."""
    return one if count == 1 else many


def findings_in_words(errors: int, warnings: int, info: int, *, zeros: bool = False) -> str:
    """'1 error, 2 warnings, 3 info' (the zero counts left out unless `zeros`; 'none' when all are 0)."""
    parts = [(errors, plural(errors, "error")), (warnings, plural(warnings, "warning")), (info, f"{info} info")]
    shown = [text for count, text in parts if count or zeros]
    return ", ".join(shown) or "none"
