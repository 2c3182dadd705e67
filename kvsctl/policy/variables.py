"""Policy variables: ``${aws:username}``, ``${aws:PrincipalTag/team, 'default'}``, ``${*}``, ``${?}``, ``${$}``.

IAM UG, "Policy variables": substitution only happens in Version 2012-10-17 documents (elsewhere the
text is literal); key names are case-insensitive; the default (single-quoted, ``''`` for a quote) is used
when the key is absent; a key that is absent without a default, or multivalued, leaves the element
with no value, so it matches nothing. Substituted text matches literally (a ``*`` coming from a value is
not a wildcard) — it is returned encoded with :mod:`kvsctl.policy.match`'s literal markers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kvsctl.policy.context import KeyStatus, RequestContext
from kvsctl.policy.match import LIT_QMARK, LIT_STAR, encode_literals

_VAR = re.compile(r"\$\{([^{}]*)\}")
_WITH_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'((?:[^']|'')*)'\s*$")
_ESCAPES = {"*": LIT_STAR, "?": LIT_QMARK, "$": "$"}


@dataclass(frozen=True)
class Expanded:
    """Result of substituting variables into one policy value.

    ``text`` is the value with substitutions (literal markers inside), or None when a variable had no
    value (the element then matches nothing). ``unknown`` lists context keys whose value the tool does
    not know; when it is non-empty ``text`` must not be used.
    """

    text: str | None
    unknown: frozenset[str] = frozenset()


def has_variables(value: str) -> bool:
    return _VAR.search(value) is not None


def expand(value: str, ctx: RequestContext, *, enabled: bool) -> Expanded:
    if not enabled or "${" not in value:
        return Expanded(value)
    unknown: set[str] = set()
    missing = False

    def sub(m: re.Match[str]) -> str:
        nonlocal missing
        inner = m.group(1)
        stripped = inner.strip()
        if stripped in _ESCAPES:
            return _ESCAPES[stripped]
        default: str | None = None
        key = stripped
        dm = _WITH_DEFAULT.match(inner)
        if dm:
            key, default = dm.group(1), dm.group(2).replace("''", "'")
        elif "," in inner or not key or " " in key:
            return m.group(0)  # malformed variable: AWS leaves it as text
        state = ctx.get(key)
        if state.status is KeyStatus.UNKNOWN:
            unknown.add(key)
            return ""
        if state.status is KeyStatus.PRESENT and len(state.values) == 1:
            return encode_literals(state.values[0])
        if state.status is KeyStatus.ABSENT and default is not None:
            return encode_literals(default)
        missing = True  # absent without default, or multivalued
        return ""

    out = _VAR.sub(sub, value)
    if unknown:
        return Expanded(None, frozenset(unknown))
    return Expanded(None if missing else out)
