"""What a template or plan declares, as the audit needs it: streams, keys, aliases, principals with their
identity policies, and changes. Every fact carries the file and line it was read from.

Values the reader could not work out are ``Unknown`` (naming what is missing); policy documents hold
concrete JSON in which each unknown has been made a condition on a context key no request carries
(``iac:Unresolved/...``), so the one evaluator answers ``conditional`` and names it (see ``symbolic``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Loc:
    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Unknown:
    """A value the template does not determine (a parameter without a value, an import, an attribute
    known only after deployment). ``what`` reads in a sentence: 'Fn::ImportValue SharedKey'."""

    what: str

    @property
    def key(self) -> str:
        """The context key standing for this value in rewritten policies."""
        slug = re.sub(r"[^A-Za-z0-9_.:/-]+", "-", self.what).strip("-")
        return f"iac:Unresolved/{slug}"

    def __str__(self) -> str:
        return f"<unresolved: {self.what}>"


def unknowns_in(value: Any) -> list[Unknown]:
    """Every Unknown inside a resolved value (depth first, each once)."""
    out: list[Unknown] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, Unknown):
            if v not in out:
                out.append(v)
        elif isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
        elif isinstance(v, list):
            stack.extend(reversed(v))
    return out


@dataclass(frozen=True)
class PolicyFact:
    """A policy document ready for the evaluator, with the line of each of its statements."""

    name: str  # label used in results: "Key key policy", "ProducerRole policy put-media"
    document: dict[str, Any]
    loc: Loc
    statement_lines: tuple[int | None, ...] = ()
    rewritten_principals: frozenset[int] = frozenset()  # statements whose Principal stands for an unknown
    unknowns: tuple[Unknown, ...] = ()

    def statement_loc(self, index: int) -> Loc:
        if 0 <= index < len(self.statement_lines) and self.statement_lines[index]:
            return Loc(self.loc.file, self.statement_lines[index])
        return self.loc


@dataclass(frozen=True)
class KeyFact:
    id: str  # logical id or Terraform address
    arn: str  # as the template makes it (symbolic key id where KMS assigns it)
    loc: Loc
    spec: str | Unknown = "SYMMETRIC_DEFAULT"
    usage: str | Unknown = "ENCRYPT_DECRYPT"
    enabled: bool | Unknown = True
    rotation: bool | Unknown = False
    policy: PolicyFact | Unknown | None = None  # None: the template states none (KMS's default policy)


@dataclass(frozen=True)
class AliasFact:
    id: str
    name: str | Unknown  # alias/NAME
    target: str | Unknown | None  # id of a KeyFact, or a literal key id / ARN
    loc: Loc


@dataclass(frozen=True)
class PrincipalFact:
    id: str
    arn: str
    kind: Literal["role", "user"]
    loc: Loc
    policies: tuple[PolicyFact, ...] = ()
    boundary: PolicyFact | None = None


KeySource = Literal["none", "template-key", "template-alias", "literal", "unknown", "not-a-key"]


@dataclass(frozen=True)
class StreamKey:
    """What a stream's KmsKeyId / kms_key_id comes to."""

    source: KeySource
    text: str | None = None  # the literal reference, or what it resolved to
    key_id: str | None = None  # the KeyFact it names (directly or through an alias in the template)
    alias_id: str | None = None  # the AliasFact it goes through
    unknown: Unknown | None = None


@dataclass(frozen=True)
class StreamFact:
    id: str
    name: str
    arn: str
    region: str
    account: str
    loc: Loc
    key: StreamKey
    retention_hours: int | Unknown | None = None


@dataclass(frozen=True)
class ChangeFact:
    """A planned change to a stream that loses data or cannot happen as declared."""

    id: str  # logical id / address
    kind: Literal["replace", "delete", "key-in-place"]
    loc: Loc
    detail: str


@dataclass(frozen=True)
class Note:
    """Something the reader assumed or could not follow (reported as an info finding)."""

    kind: Literal["assumed", "unresolved", "unsupported"]
    message: str
    loc: Loc


@dataclass
class TemplateFacts:
    path: str
    kind: Literal["cloudformation", "terraform-plan"]
    streams: list[StreamFact] = field(default_factory=list)
    keys: dict[str, KeyFact] = field(default_factory=dict)
    aliases: dict[str, AliasFact] = field(default_factory=dict)
    principals: dict[str, PrincipalFact] = field(default_factory=dict)
    changes: list[ChangeFact] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    account: str = "123456789012"
    region: str = "us-east-1"
    partition: str = "aws"
