"""The one verdict: does a set of results pass, given --fail-on and --strict? Used by every command.

A result fails when its status is ``fail`` and its rule's severity reaches ``fail_on``, or when it is
``warn`` (undecided: conditional) and ``strict`` is set. A denied access check is a fail of an error
rule, so it always fails; an info rule never does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from kvsctl.checks.model import Result, Severity, Status

FAIL_ON_CHOICES = ("error", "warning")


@dataclass(frozen=True)
class Verdict:
    fail_on: Severity = Severity.ERROR
    strict: bool = False

    @classmethod
    def of(cls, fail_on: str | Severity = "error", strict: bool = False) -> Verdict:
        """From the command line's --fail-on (error | warning) and --strict."""
        value = fail_on.value if isinstance(fail_on, Severity) else fail_on
        if value not in FAIL_ON_CHOICES:
            from kvsctl.errors import UsageError

            raise UsageError(f"--fail-on {value!r}: choose error or warning")
        return cls(Severity(value), strict)

    def fails(self, r: Result) -> bool:
        if r.status is Status.FAIL:
            return r.severity.rank >= self.fail_on.rank
        return r.status is Status.WARN and self.strict

    def shown(self, r: Result) -> str:
        """The status people see: pass, fail, warn, info or skip (a fail below the threshold shows as
        warn or info by its rule's severity; a conditional fails under --strict)."""
        if self.fails(r):
            return "fail"
        if r.status is Status.FAIL:
            return "warn" if r.severity is Severity.WARNING else "info"
        return str(r.status.value)

    def ok(self, results: Iterable[Result]) -> bool:
        return not any(self.fails(r) for r in results)

    def exit_code(self, results: Iterable[Result]) -> int:
        return 0 if self.ok(results) else 1

    def counts(self, results: Iterable[Result]) -> dict[str, int]:
        """Access decisions, shown statuses and finding severities, for summaries."""
        decisions: Counter[str] = Counter()
        shown: Counter[str] = Counter()
        severities: Counter[str] = Counter()
        for r in results:
            shown[self.shown(r)] += 1
            if r.decision is not None:
                decisions[r.decision.value] += 1
            elif r.status is Status.FAIL:
                severities[r.severity.value] += 1
        return {
            "checks": sum(decisions.values()),
            "allow": decisions["allow"],
            "conditional": decisions["conditional"],
            "deny": decisions["implicit_deny"] + decisions["explicit_deny"],
            "errors": severities["error"],
            "warnings": severities["warning"],
            "info": severities["info"],
            **{f"status_{k}": shown[k] for k in ("pass", "fail", "warn", "info", "skip")},
        }
