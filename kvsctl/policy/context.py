"""Three-valued logic and the request context a policy is evaluated against.

A context key is *present* (with one or more values), *absent* (the request certainly does not carry
it), or *unknown* (the tool cannot tell). Unknown keys make conditions that read them unknown, and an
unknown that could change the outcome makes the decision ``conditional`` instead of guessing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum


class Tri(Enum):
    FALSE = 0
    UNKNOWN = 1
    TRUE = 2

    @staticmethod
    def of(b: bool) -> Tri:
        return Tri.TRUE if b else Tri.FALSE

    def __invert__(self) -> Tri:
        return {Tri.TRUE: Tri.FALSE, Tri.FALSE: Tri.TRUE, Tri.UNKNOWN: Tri.UNKNOWN}[self]


def tri_any(values: Iterable[Tri]) -> Tri:
    best = Tri.FALSE
    for v in values:
        if v is Tri.TRUE:
            return Tri.TRUE
        if v is Tri.UNKNOWN:
            best = Tri.UNKNOWN
    return best


def tri_all(values: Iterable[Tri]) -> Tri:
    worst = Tri.TRUE
    for v in values:
        if v is Tri.FALSE:
            return Tri.FALSE
        if v is Tri.UNKNOWN:
            worst = Tri.UNKNOWN
    return worst


class KeyStatus(Enum):
    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class KeyState:
    status: KeyStatus
    values: tuple[str, ...] = ()


ABSENT = KeyState(KeyStatus.ABSENT)
UNKNOWN = KeyState(KeyStatus.UNKNOWN)


@dataclass(frozen=True)
class RequestContext:
    """Condition keys of one request. Key names are case-insensitive.

    With ``unknown_by_default`` false (plain IAM semantics) a key that is not listed is absent; with it
    true (what an offline audit can honestly say) a key that is not listed is unknown unless it is named
    in ``absent`` or starts with one of ``absent_prefixes``. ``unknown`` / ``unknown_prefixes`` mark keys
    unknown in either mode.
    """

    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    absent: frozenset[str] = frozenset()
    unknown: frozenset[str] = frozenset()
    absent_prefixes: tuple[str, ...] = ()
    unknown_prefixes: tuple[str, ...] = ()
    unknown_by_default: bool = False

    @staticmethod
    def build(
        values: Mapping[str, str | Sequence[str]] | None = None,
        *,
        absent: Iterable[str] = (),
        unknown: Iterable[str] = (),
        absent_prefixes: Iterable[str] = (),
        unknown_prefixes: Iterable[str] = (),
        unknown_by_default: bool = False,
    ) -> RequestContext:
        norm: dict[str, tuple[str, ...]] = {}
        for k, v in (values or {}).items():
            norm[k.lower()] = (v,) if isinstance(v, str) else tuple(v)
        return RequestContext(
            values=norm,
            absent=frozenset(k.lower() for k in absent),
            unknown=frozenset(k.lower() for k in unknown),
            absent_prefixes=tuple(p.lower() for p in absent_prefixes),
            unknown_prefixes=tuple(p.lower() for p in unknown_prefixes),
            unknown_by_default=unknown_by_default,
        )

    def get(self, key: str) -> KeyState:
        k = key.lower()
        if k in self.values:
            vals = self.values[k]
            return KeyState(KeyStatus.PRESENT, vals) if vals else ABSENT
        if k in self.absent:
            return ABSENT
        if k in self.unknown or any(k.startswith(p) for p in self.unknown_prefixes):
            return UNKNOWN
        if any(k.startswith(p) for p in self.absent_prefixes):
            return ABSENT
        return UNKNOWN if self.unknown_by_default else ABSENT

    def with_values(self, values: Mapping[str, str | Sequence[str]], absent: Iterable[str] = ()) -> RequestContext:
        """A copy where ``values`` are set (present) and ``absent`` keys are known to be missing."""
        norm = dict(self.values)
        gone = {k.lower() for k in absent}
        for k, v in values.items():
            norm[k.lower()] = (v,) if isinstance(v, str) else tuple(v)
        for k in gone:
            norm.pop(k, None)
        return RequestContext(
            values=norm,
            absent=(self.absent - {k.lower() for k in values}) | gone,
            unknown=self.unknown - {k.lower() for k in values} - gone,
            absent_prefixes=self.absent_prefixes,
            unknown_prefixes=self.unknown_prefixes,
            unknown_by_default=self.unknown_by_default,
        )
