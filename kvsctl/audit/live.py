"""The live audit's report: one evaluator report per stream, findings about principals, and the verdict.

The verdict follows `--fail-on` (the lowest finding severity that fails) and `--strict` (a conditional
check fails too); a denied check always fails. Pure: no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kvsctl.audit.model import AuditReport, CheckResult, Finding

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
FAIL_ON_CHOICES = ("error", "warning")
DENIES = frozenset({"implicit_deny", "explicit_deny"})


@dataclass(frozen=True)
class StreamAudit:
    """The evaluator's report for one stream, with the stream's and its key's findings merged in."""

    name: str
    region: str
    arn: str | None  # None when the stream could not be read
    key_arn: str | None
    encryption: str | None  # "aws-managed" | "customer-managed" | None (unknown)
    report: AuditReport


@dataclass(frozen=True)
class LiveAuditReport:
    streams: tuple[StreamAudit, ...]
    findings: tuple[Finding, ...] = ()  # not about one stream (principals whose IAM could not be read)
    strict: bool = False
    fail_on: str = "error"

    # -- verdict -------------------------------------------------------------------------------------
    def result_fails(self, r: CheckResult) -> bool:
        return r.decision in DENIES or (self.strict and r.decision == "conditional")

    def finding_fails(self, f: Finding) -> bool:
        return SEVERITY_RANK[f.severity.value] >= SEVERITY_RANK[self.fail_on]

    def stream_ok(self, s: StreamAudit) -> bool:
        return not any(self.result_fails(r) for r in s.report.results) and not any(
            self.finding_fails(f) for f in s.report.findings
        )

    def ok(self) -> bool:
        return all(self.stream_ok(s) for s in self.streams) and not any(self.finding_fails(f) for f in self.findings)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok() else 1

    # -- iteration -----------------------------------------------------------------------------------
    def results(self) -> Iterator[tuple[StreamAudit, CheckResult]]:
        for s in self.streams:
            for r in s.report.results:
                yield s, r

    def all_findings(self) -> Iterator[tuple[StreamAudit | None, Finding]]:
        for s in self.streams:
            for f in s.report.findings:
                yield s, f
        for f in self.findings:
            yield None, f

    def counts(self) -> dict[str, int]:
        decisions = Counter(r.decision for _s, r in self.results())
        severities = Counter(f.severity.value for _s, f in self.all_findings())
        return {
            "streams": len(self.streams),
            "streams_failing": sum(1 for s in self.streams if not self.stream_ok(s)),
            "checks": sum(decisions.values()),
            "allow": decisions["allow"],
            "conditional": decisions["conditional"],
            "deny": decisions["implicit_deny"] + decisions["explicit_deny"],
            "errors": severities["error"],
            "warnings": severities["warning"],
            "info": severities["info"],
        }

    def summary(self) -> str:
        c = self.counts()
        verdict = "PASS" if self.ok() else "FAIL"
        mode = f" (fail on {self.fail_on}{', strict' if self.strict else ''})"
        return (
            f"{verdict}{mode}: {c['streams']} stream(s), {c['streams_failing']} failing; "
            f"{c['checks']} checks: {c['allow']} allow, {c['conditional']} conditional, {c['deny']} deny; "
            f"findings: {c['errors']} error, {c['warnings']} warning, {c['info']} info"
        )

    def to_json(self) -> dict[str, Any]:
        results = [{**r.to_json(), "stream": s.name} for s, r in self.results()]
        findings: list[dict[str, Any]] = []
        for s, f in self.all_findings():
            data: dict[str, Any] = dict(f.to_json())
            if s is not None:
                data["stream"] = s.name
            findings.append(data)
        return {
            "ok": self.ok(),
            "strict": self.strict,
            "fail_on": self.fail_on,
            "results": results,
            "findings": findings,
            "streams": [
                {
                    "name": s.name,
                    "region": s.region,
                    "stream_arn": s.arn,
                    "arn": s.arn,  # deprecated alias of stream_arn, for one release
                    "key_arn": s.key_arn,
                    "encryption": s.encryption,
                    "ok": self.stream_ok(s),
                }
                for s in self.streams
            ],
            "summary": self.counts(),
        }
