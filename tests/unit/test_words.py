"""Counts in words agree with the number: "1 key", "2 keys", "1 key is", "2 keys are"."""

from __future__ import annotations

import pytest

from kvsctl.words import findings_in_words, noun, plural, verb


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 keys"), (1, "1 key"), (2, "2 keys"), (-1, "-1 keys")],
)
def test_plural(count: int, expected: str) -> None:
    assert plural(count, "key") == expected


def test_irregular_plural_and_verbs() -> None:
    assert plural(1, "policy", "policies") == "1 policy" and plural(3, "policy", "policies") == "3 policies"
    assert noun(1, "record or file", "records or files") == "record or file"
    assert verb(1) == "is" and verb(2) == "are" and verb(0, "was", "were") == "were"


def test_cost_notes_and_lines_agree_with_their_counts() -> None:
    from kvsctl.cost.estimate import estimate
    from kvsctl.cost.model import CostAssumptions

    one = estimate(CostAssumptions(streams=1, customer_keys=1, rotated_keys=1, rotations=1))
    line = next(x for x in one.breakdown if x.code == "key_rotations")
    assert line.description == "key rotations (1 key × 1 billed rotation)"
    two = estimate(CostAssumptions(streams=2, customer_keys=2, rotated_keys=2, rotations=3))
    line = next(x for x in two.breakdown if x.code == "key_rotations")
    assert line.description == "key rotations (2 keys × 2 billed rotations)"


def test_no_user_visible_text_says_s_in_brackets() -> None:
    """No string in kvsctl writes "key(s)" or "stream(s)": counts go through kvsctl/words.py."""
    import io
    import re
    import tokenize
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "kvsctl"
    bracketed = re.compile(r"[A-Za-z]\((?:s|es)\)")
    found = []
    for path in sorted(root.rglob("*.py")):
        for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
            text = tok.string
            if tok.type in (tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1)):
                text = text.replace("http(s)", "")
                if bracketed.search(text) and "never" not in text:
                    found.append(f"{path.relative_to(root.parent)}:{tok.start[0]}")
    assert found == []


def test_summaries_agree_with_their_counts() -> None:
    assert findings_in_words(1, 2, 3) == "1 error, 2 warnings, 3 info"
    assert findings_in_words(0, 1, 0) == "1 warning"
    assert findings_in_words(0, 0, 0) == "none"
    assert findings_in_words(0, 0, 0, zeros=True) == "0 errors, 0 warnings, 0 info"
