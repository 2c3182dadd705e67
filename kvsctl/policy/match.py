"""Wildcard matching of actions and ARNs, and ARN parsing.

Actions match case-insensitively with ``*`` and ``?`` (IAM UG: Action element). ARNs match
case-sensitively. The ``Arn*`` condition operators check the six colon-separated parts each on their own
(IAM UG: ARN condition operators). The ``Resource`` element is the same except that, in AWS's words, "if
the ``*`` wildcard is the last character of a resource ARN segment, it can expand to match beyond the
colon boundaries" (IAM UG: Resource element), so ``arn:aws:kms:*`` covers every KMS ARN
(:func:`match_resource`).

Patterns may carry characters that came from policy variables; those are encoded with private-use code
points (:data:`LIT_STAR`, :data:`LIT_QMARK`, :data:`LIT_COLON`) so that they match literally and never
split ARN segments. :func:`decode_literals` turns them back into text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

LIT_STAR = "\ue000"
LIT_QMARK = "\ue001"
LIT_COLON = "\ue002"
_DECODE = str.maketrans({LIT_STAR: "*", LIT_QMARK: "?", LIT_COLON: ":"})


def decode_literals(s: str) -> str:
    return s.translate(_DECODE)


def encode_literals(s: str) -> str:
    return s.replace("*", LIT_STAR).replace("?", LIT_QMARK).replace(":", LIT_COLON)


@lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    out: list[str] = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(decode_literals(ch)))
    return re.compile("".join(out), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def glob_match(pattern: str, text: str, *, ignore_case: bool = False) -> bool:
    """``*`` matches any run of characters (also empty), ``?`` exactly one."""
    return _glob(pattern, ignore_case).fullmatch(text) is not None


def match_action(pattern: str, action: str) -> bool:
    """IAM UG, Action element: action names are case-insensitive and may use ``*`` and ``?``."""
    return glob_match(pattern, action, ignore_case=True)


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @property
    def resource_type(self) -> str:
        """``key`` for ``key/1234``, ``stream`` for ``stream/NAME/123``; '' when there is none."""
        for sep in ("/", ":"):
            if sep in self.resource:
                return self.resource.split(sep, 1)[0]
        return ""


def parse_arn(text: str) -> Arn | None:
    """Split an ARN into its six parts; None when it is not shaped like one."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


@lru_cache(maxsize=4096)
def _resource_glob(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    colons = 0
    for i, ch in enumerate(pattern):
        in_resource = colons >= 5  # after the fifth colon: the resource part, one glob
        if ch == ":":
            colons += 1
            out.append(":")
        elif ch == "*":
            last_of_segment = i + 1 == len(pattern) or pattern[i + 1] == ":"
            out.append(".*" if in_resource or last_of_segment else "[^:]*")
        elif ch == "?":
            out.append("." if in_resource else "[^:]")
        else:
            out.append(re.escape(decode_literals(ch)))
    return re.compile("".join(out), re.DOTALL)


def match_resource(pattern: str, arn: str) -> bool:
    """The Resource / NotResource element (IAM UG: Resource element).

    Wildcards stay inside their colon-separated segment, except a ``*`` that ends a segment (or the
    pattern), which "can expand to match beyond the colon boundaries": ``arn:aws:kms:*`` and
    ``arn:aws:kms:us-east-1:*`` cover every key of KMS / of the region. A pattern that is too short and
    has no such ``*`` matches nothing.
    """
    if pattern == "*":
        return True
    return _resource_glob(pattern).fullmatch(arn) is not None


def match_arn(pattern: str, arn: str) -> bool:
    """ArnLike / Resource semantics: ``*`` alone matches everything; otherwise segment-wise globs."""
    if pattern == "*":
        return True
    p = pattern.split(":", 5)
    a = arn.split(":", 5)
    if len(p) != 6 or len(a) != 6:
        return False
    return all(glob_match(ps, as_) for ps, as_ in zip(p, a, strict=True))
