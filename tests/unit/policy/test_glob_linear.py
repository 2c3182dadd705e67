"""Wildcard matching reads the text once, whatever the pattern (issue: a key policy with ``"*?"`` x 14 in a
StringLike or a Resource stalled every audit for minutes, because ``*`` was a backtracking regex ``.*``).

Two properties: the matcher agrees with an obviously correct reference (dynamic programming over
pattern x text) on random patterns, and the work it does is one step per text character for every pattern,
including the adversarial ones (many ``*`` and ``?``, a text that almost matches and fails at the end).
"""

from __future__ import annotations

import re
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as hs

from kvsctl.policy.match import (
    compile_glob,
    compile_resource_glob,
    glob_match,
    match_action,
    match_arn,
    match_resource,
)

SETTINGS = settings(max_examples=200, deadline=None)


def reference_glob(pattern: str, text: str, *, no_colon: list[bool] | None = None) -> bool:
    """Textbook DP: m[i][j] = pattern[:i] matches text[:j]. ``no_colon[i]``: the wildcard may not eat ':'."""

    @cache
    def m(i: int, j: int) -> bool:
        if i == len(pattern):
            return j == len(text)
        ch = pattern[i]
        nc = no_colon[i] if no_colon is not None else False
        if ch == "*":
            if m(i + 1, j):
                return True
            return j < len(text) and not (nc and text[j] == ":") and m(i, j + 1)
        if j == len(text):
            return False
        if ch == "?":
            return not (nc and text[j] == ":") and m(i + 1, j + 1)
        return ch == text[j] and m(i + 1, j + 1)

    return m(0, 0)


def reference_resource(pattern: str, arn: str) -> bool:
    """The rule of the IAM UG Resource element, as a DP: wildcards in the first five parts stay in their
    segment unless the ``*`` ends the segment."""
    if pattern == "*":
        return True
    no_colon: list[bool] = []
    colons = 0
    for i, ch in enumerate(pattern):
        if ch == ":":
            colons += 1
        last = ch == "*" and (i + 1 == len(pattern) or pattern[i + 1] == ":")
        no_colon.append(colons < 5 and not last)
    return reference_glob(pattern, arn, no_colon=no_colon)


ALPHA = "ab:"
patterns = hs.text(alphabet=ALPHA + "*?", max_size=10)
texts = hs.text(alphabet=ALPHA, max_size=12)


@SETTINGS
@given(patterns, texts)
def test_glob_agrees_with_reference(pattern: str, text: str) -> None:
    assert glob_match(pattern, text) is reference_glob(pattern, text)


@SETTINGS
@given(hs.text(alphabet="aAbB*?", max_size=8), hs.text(alphabet="aAbB", max_size=10))
def test_case_insensitive_glob_agrees_with_reference(pattern: str, text: str) -> None:
    assert glob_match(pattern, text, ignore_case=True) is reference_glob(pattern.lower(), text.lower())


arn_parts = hs.text(alphabet="ab*?", max_size=3)


@SETTINGS
@given(
    hs.lists(arn_parts, min_size=1, max_size=7).map(":".join),
    hs.lists(hs.text(alphabet="ab/", max_size=3), min_size=1, max_size=7).map(":".join),
)
def test_resource_match_agrees_with_reference(pattern: str, arn: str) -> None:
    assert match_resource(pattern, arn) is reference_resource(pattern, arn)


def _adversarial(draw_stars: int, text_len: int) -> tuple[str, str]:
    # "*?" repeated, then a character the text never has: every backtracking matcher tries all splits
    return "*?" * draw_stars + "b", "a" * text_len


@SETTINGS
@given(hs.integers(1, 60), hs.integers(0, 400), hs.sampled_from(["*?", "*a", "?*", "**a?", "*:*"]))
def test_work_is_one_step_per_text_character(reps: int, n: int, unit: str) -> None:
    """The bound: at most len(text) steps, for plain globs, case-insensitive globs and resource globs."""
    pattern = unit * reps + "b"
    text = "a" * n
    for g in (compile_glob(pattern), compile_glob(pattern, True), compile_resource_glob(pattern)):
        matched, steps = g.steps(text)
        assert steps <= len(text)
        assert matched is False


def test_the_reported_policy_pattern_is_decided_at_once() -> None:
    """The 260-byte key policy of the report: ``"*?"`` x 14 in StringLike and in Resource."""
    pattern = "*?" * 14 + "x"
    text = "arn:aws:iam::111122223333:role/" + "a" * 200
    _, steps = compile_glob(pattern).steps(text)
    assert steps <= len(text)
    assert not glob_match(pattern, text)
    assert not match_resource("arn:aws:kms:" + "*?" * 14 + "x", "arn:aws:kms:us-east-1:1:" + "a" * 200)
    assert not match_arn("arn:aws:iam::*:" + "*?" * 14 + "x", text)
    assert not match_action("kms:" + "*?" * 14 + "x", "kms:" + "a" * 200)
    # the regex the matcher replaced: same answer on a short text (on the long one it does not finish)
    assert (re.fullmatch(".*." * 14 + "x", "a" * 20) is not None) is glob_match(pattern, "a" * 20)


def test_policy_variable_literals_match_literally() -> None:
    """A ``*`` that came from a policy variable's value is a literal (IAM UG: Policy variables)."""
    from kvsctl.policy.match import encode_literals

    assert glob_match("a" + encode_literals("*"), "a*")
    assert not glob_match("a" + encode_literals("*"), "ab")
    assert match_resource("arn:aws:s3:::b/" + encode_literals("x:y"), "arn:aws:s3:::b/x:y")
