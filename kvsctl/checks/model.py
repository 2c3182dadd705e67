"""The model of what kvsctl checks: a Rule (the registry holds them: kvsctl/checks/rules.py) and the one
Result type — what any check found, for one subject, at one place.

Pure data (no I/O, no rich, no boto3). Every command builds results; the verdict, the JSON adapters
and the SARIF / JUnit writers read them together with the registry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from kvsctl.policy.evaluate import StatementRef

#: Where docs/rules.md is published; each rule's helpUri is this plus "#" and its anchor.
DOCS_URL = "https://github.com/kvsctl/kvsctl/blob/main/docs/rules.md"

Role = Literal["producer", "consumer"]


class Change(Protocol):
    """A concrete change that makes a failing access check pass (kvsctl/workloads/fixes.py's Fix)."""

    @property
    def summary(self) -> str: ...

    @property
    def changes(self) -> tuple[Any, ...]: ...

    @property
    def verified(self) -> bool: ...

    def to_json(self) -> dict[str, Any]: ...


class Severity(str, Enum):
    """A rule's severity (final: set in the registry, never at a call site)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Decision(str, Enum):
    """An access check's answer (README, "kvsctl audit": allow, implicit_deny, explicit_deny, conditional)."""

    ALLOW = "allow"
    IMPLICIT_DENY = "implicit_deny"
    EXPLICIT_DENY = "explicit_deny"
    CONDITIONAL = "conditional"

    @property
    def status(self) -> Status:
        if self is Decision.ALLOW:
            return Status.PASS
        if self is Decision.CONDITIONAL:
            return Status.WARN
        return Status.FAIL


class Status(str, Enum):
    """What a result says of its rule: it holds (pass), it is broken (fail), it could not be decided
    (warn: conditional), or it was not checked (skip). How much a fail weighs is the rule's severity."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"


@dataclass(frozen=True)
class Subject:
    """What a result is about. Every field is optional; set what is known."""

    stream: str | None = None  # stream name
    stream_arn: str | None = None
    key: str | None = None  # key ARN (or the reference, when it cannot be resolved)
    principal: str | None = None
    role: Role | None = None  # producer | consumer
    account: str | None = None
    region: str | None = None
    path: str | None = None  # a producer's or consumer's path (getmedia, hls, ...)

    def merged(self, other: Subject) -> Subject:
        """This subject with the fields it lacks taken from ``other``."""
        values = {k: getattr(self, k) if getattr(self, k) is not None else getattr(other, k) for k in _SUBJECT_FIELDS}
        return Subject(**values)


_SUBJECT_FIELDS = ("stream", "stream_arn", "key", "principal", "role", "account", "region", "path")


@dataclass(frozen=True)
class Location:
    """Where in the input a result points. ``file`` is a file the user gave (a policy, a spec, a
    template): SARIF shows it as a physical location. ``document`` names a document that is no file
    ("key policy", "role/cam inline:put"); ``label`` is how people read the place ('key.json #1 "Sid"')."""

    file: str | None = None
    line: int | None = None
    document: str | None = None
    label: str | None = None

    def __str__(self) -> str:
        if self.label:
            return self.label
        where = self.file or self.document or ""
        return f"{where}:{self.line}" if self.line is not None else where

    def in_files(self, files: frozenset[str] | set[str]) -> Location:
        """The same place, marked as a file when its document is one of ``files``."""
        if self.file is None and self.document in files:
            return replace(self, file=self.document)
        return self


@dataclass(frozen=True)
class Result:
    """One outcome of one rule.

    A *finding* (a rule that fired: key disabled, policy public) has status ``fail``; an *access check*
    (principal, action, resource) has a ``decision`` and the status that follows from it; a *spec check*
    has any status. ``fix`` says what to do about this very result; without it the rule's remediation
    applies."""

    rule: str  # a rule id of the registry (kvsctl.checks.rules.RULES)
    message: str
    status: Status = Status.FAIL
    subject: Subject = field(default_factory=Subject)
    location: Location | None = None
    fix: str | None = None
    decision: Decision | None = None
    action: str | None = None  # access checks: the action required
    resource: str | None = None  # the resource it is required on (or that a finding names)
    reasons: tuple[str, ...] = ()
    statements: tuple[str, ...] = ()  # labels of the deciding statements
    unknown_keys: tuple[str, ...] = ()
    trace: tuple[str, ...] = field(default=(), compare=False)
    basis: str | None = None  # access checks: "documented", or "inferred" where AWS documents nothing
    patch: Change | None = field(default=None, compare=False)  # the smallest verified change to pass
    refs: tuple[StatementRef, ...] = field(default=(), compare=False)  # the deciding statements

    # -- what the registry says about this result ----------------------------------------------------
    @property
    def severity(self) -> Severity:
        return rule(self.rule).severity

    @property
    def title(self) -> str:
        return rule(self.rule).title

    @property
    def remediation(self) -> str:
        """This result's fix, else its rule's remediation."""
        return self.fix or rule(self.rule).remediation

    # -- short names for the subject ----------------------------------------------------------------
    @property
    def principal(self) -> str | None:
        return self.subject.principal

    @property
    def role(self) -> Role | None:
        return self.subject.role

    @property
    def code(self) -> str:
        """The rule id under its older name."""
        return self.rule

    @property
    def path(self) -> str | None:
        return self.subject.path

    @property
    def failing(self) -> bool:
        """An access check that denies (implicitly or explicitly)."""
        return self.decision in (Decision.IMPLICIT_DENY, Decision.EXPLICIT_DENY)

    @property
    def is_access(self) -> bool:
        return self.decision is not None

    def about(self, subject: Subject) -> Result:
        """This result with its subject completed from ``subject`` (e.g. the stream it was found on)."""
        return replace(self, subject=self.subject.merged(subject))


@dataclass(frozen=True)
class Rule:
    id: str
    name: str  # PascalCase, unique (SARIF reportingDescriptor.name)
    severity: Severity
    title: str  # one line
    description: str  # what it means and why it matters
    remediation: str  # what to do
    tags: tuple[str, ...] = ()
    security_severity: float | None = None

    @property
    def anchor(self) -> str:
        return self.id.lower()

    @property
    def help_uri(self) -> str:
        return f"{DOCS_URL}#{self.anchor}"

    def __call__(
        self,
        message: str,
        *,
        subject: Subject | None = None,
        principal: str | None = None,
        resource: str | None = None,
        stream: str | None = None,
        key: str | None = None,
        location: Location | str | None = None,
        fix: str | None = None,
        status: Status = Status.FAIL,
    ) -> Result:
        """A result of this rule (by default a finding: the rule fired)."""
        if isinstance(location, str):
            location = Location(document=location)
        base = subject or Subject()
        extra = Subject(principal=principal, stream=stream, key=key)
        return Result(
            rule=self.id,
            message=message,
            status=status,
            subject=extra.merged(base),
            location=location,
            fix=fix,
            resource=resource,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "severity": self.severity.value,
            "title": self.title,
            "description": self.description,
            "remediation": self.remediation,
            "help_uri": self.help_uri,
            "security_severity": self.security_severity,
            "tags": list(self.tags),
        }


RULES: dict[str, Rule] = {}  # filled by kvsctl/checks/rules.py (imported with the package)


def register(rules: Iterable[Rule]) -> None:
    for r in rules:
        if r.id in RULES:
            raise ValueError(f"duplicate rule id {r.id}")
        if any(o.name == r.name for o in RULES.values()):
            raise ValueError(f"duplicate rule name {r.name}")
        RULES[r.id] = r


def rule(rule_id: str) -> Rule:
    """The registered rule; an unknown id is a bug (KeyError names it)."""
    return RULES[rule_id]


def catalogue() -> list[Rule]:
    """Every rule, in id order."""
    return [RULES[k] for k in sorted(RULES)]
