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


class Glob:
    """A wildcard pattern compiled to a bit-parallel automaton (shift-and): matching reads the text once.

    Bit ``j`` of the state set means "the first ``j`` single-character tokens matched". A token is a
    literal, ``?`` (any character) or, in ARN segments, ``?`` that must not be a colon; a ``*`` is a
    self-loop on the state before the next token. Each text character costs a constant number of integer
    operations, whatever the pattern: there is no backtracking, so no pattern (``*?*?*?...``) can make
    matching slower than reading the text. Regular expressions with several ``.*`` backtrack
    polynomially (exponentially in the number of stars for a failing match); this does not.
    """

    __slots__ = ("_any", "_any_nc", "_final", "_fold", "_lit", "_loop", "_loop_nc")

    def __init__(self, tokens: list[tuple[str, str]], loops: list[str], *, ignore_case: bool) -> None:
        # tokens[j] = (kind, char) with kind "lit" | "any" | "nc" (any but ':'); loops[j] for state j:
        # "" (none), "any" or "nc"
        self._fold = ignore_case
        lit: dict[str, int] = {}
        any_, nc = 0, 0
        for j, (kind, ch) in enumerate(tokens):
            bit = 1 << (j + 1)
            if kind == "lit":
                c = ch.lower() if ignore_case else ch
                lit[c] = lit.get(c, 0) | bit
            elif kind == "any":
                any_ |= bit
            else:
                nc |= bit
        loop, loop_nc = 0, 0
        for j, kind in enumerate(loops):
            if kind == "any":
                loop |= 1 << j
            elif kind == "nc":
                loop_nc |= 1 << j
        self._lit = lit
        self._any = any_
        self._any_nc = any_ | nc
        self._loop = loop
        self._loop_nc = loop | loop_nc
        self._final = 1 << len(tokens)

    def match(self, text: str) -> bool:
        """Whole-text match."""
        return self.steps(text)[0]

    def steps(self, text: str) -> tuple[bool, int]:
        """(matched, work done): the work is one step per text character read, never more."""
        fold = self._fold
        lit, any_, any_nc, loop, loop_nc = self._lit, self._any, self._any_nc, self._loop, self._loop_nc
        state = 1
        n = 0
        for c in text:
            n += 1
            if fold:
                c = c.lower()
            if c == ":":
                state = ((state << 1) & (lit.get(c, 0) | any_)) | (state & loop)
            else:
                state = ((state << 1) & (lit.get(c, 0) | any_nc)) | (state & loop_nc)
            if not state:
                break
        return bool(state & self._final), n


def _compile(pattern: str, *, ignore_case: bool, segment_of: list[bool] | None = None) -> Glob:
    """``segment_of[i]``: whether the wildcard at index ``i`` stays inside its colon-separated segment."""
    tokens: list[tuple[str, str]] = []
    loops: list[str] = [""]
    for i, ch in enumerate(pattern):
        inside = segment_of[i] if segment_of is not None else False
        if ch == "*":
            kind = "nc" if inside else "any"
            if loops[-1] != "any":
                loops[-1] = kind
        else:
            if ch == "?":
                tokens.append(("nc" if inside else "any", ""))
            else:
                tokens.append(("lit", decode_literals(ch)))
            loops.append("")
    return Glob(tokens, loops, ignore_case=ignore_case)


@lru_cache(maxsize=8192)
def compile_glob(pattern: str, ignore_case: bool = False) -> Glob:
    return _compile(pattern, ignore_case=ignore_case)


def glob_match(pattern: str, text: str, *, ignore_case: bool = False) -> bool:
    """``*`` matches any run of characters (also empty), ``?`` exactly one. Linear in ``text``."""
    if "*" not in pattern and "?" not in pattern:
        p = decode_literals(pattern)
        return p.lower() == text.lower() if ignore_case else p == text
    if pattern == "*":
        return True
    return compile_glob(pattern, ignore_case).match(text)


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


@lru_cache(maxsize=8192)
def compile_resource_glob(pattern: str) -> Glob:
    """IAM UG, Resource element: wildcards stay inside their segment in the first five parts of the ARN,
    except a ``*`` that ends a segment (or the pattern); the resource part (after the fifth colon) is one
    glob."""
    inside: list[bool] = []
    colons = 0
    for i, ch in enumerate(pattern):
        if ch == ":":
            colons += 1
        last_of_segment = ch == "*" and (i + 1 == len(pattern) or pattern[i + 1] == ":")
        inside.append(colons < 5 and not last_of_segment)
    return _compile(pattern, ignore_case=False, segment_of=inside)


def resource_pattern_problem(pattern: str) -> str | None:
    """What is wrong with a Resource / NotResource pattern, if anything.

    ``"type"``: a wildcard inside the resource type (``...:111122223333:*/1234``, ``...:k?y/1234``). The
    resource type is a fixed word of each service's ARN format (IAM UG, "Identify AWS resources with ARNs":
    ``resource-type/resource-id``); wildcards stand for parts of segments and names. Such a pattern matches
    nothing. A whole resource part ``*`` is not a wildcard in the type.

    ``"short"``: fewer than six colon-separated parts (``arn:aws:kms:*``). The IAM UG says a ``*`` that ends
    a segment "can expand to match beyond the colon boundaries" but documents no rule for an ARN missing
    its parts, so whether it matches is not known.
    """
    if pattern == "*":
        return None
    parts = pattern.split(":", 5)
    if len(parts) < 6:
        return "short"
    res = parts[5]
    cut = min((i for i in (res.find("/"), res.find(":")) if i >= 0), default=-1)
    if cut > 0 and ("*" in res[:cut] or "?" in res[:cut]):
        return "type"
    if cut == 0 and res.startswith(("*", "?")):
        return "type"
    return None


def match_resource(pattern: str, arn: str) -> bool:
    """The Resource / NotResource element (IAM UG: Resource element).

    Wildcards stay inside their colon-separated segment, except a ``*`` that ends a segment (or the
    pattern), which "can expand to match beyond the colon boundaries": ``arn:aws:kms:*`` and
    ``arn:aws:kms:us-east-1:*`` cover every key of KMS / of the region. A pattern that is too short and
    has no such ``*`` matches nothing.
    """
    if pattern == "*":
        return True
    return compile_resource_glob(pattern).match(arn)


def match_arn(pattern: str, arn: str) -> bool:
    """ArnLike / Resource semantics: ``*`` alone matches everything; otherwise segment-wise globs."""
    if pattern == "*":
        return True
    p = pattern.split(":", 5)
    a = arn.split(":", 5)
    if len(p) != 6 or len(a) != 6:
        return False
    return all(glob_match(ps, as_) for ps, as_ in zip(p, a, strict=True))
