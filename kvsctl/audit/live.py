"""The live audit's report: one evaluator report per stream, findings about principals, and the verdict
(kvsctl.checks.verdict: --fail-on and --strict). Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kvsctl.audit.model import AuditReport, finding_json, result_json
from kvsctl.checks.model import Result
from kvsctl.checks.verdict import FAIL_ON_CHOICES, Verdict
from kvsctl.words import findings_in_words, plural

__all__ = ["FAIL_ON_CHOICES", "LiveAuditReport", "StreamAudit"]


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
    findings: tuple[Result, ...] = ()  # not about one stream (principals; no stream matched)
    strict: bool = False
    fail_on: str = "error"
    verdict: Verdict = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "verdict", Verdict.of(self.fail_on, self.strict))

    # -- verdict -------------------------------------------------------------------------------------
    def result_fails(self, r: Result) -> bool:
        return self.verdict.fails(r)

    finding_fails = result_fails

    def stream_ok(self, s: StreamAudit) -> bool:
        return self.verdict.ok(s.report.all())

    def ok(self) -> bool:
        return self.verdict.ok(self.everything())

    @property
    def exit_code(self) -> int:
        return 0 if self.ok() else 1

    # -- iteration -----------------------------------------------------------------------------------
    def everything(self) -> list[Result]:
        return [r for s in self.streams for r in s.report.all()] + list(self.findings)

    def results(self) -> Iterator[tuple[StreamAudit, Result]]:
        for s in self.streams:
            for r in s.report.results:
                yield s, r

    def all_findings(self) -> Iterator[tuple[StreamAudit | None, Result]]:
        for s in self.streams:
            for f in s.report.findings:
                yield s, f
        for f in self.findings:
            yield None, f

    def counts(self) -> dict[str, int]:
        c = self.verdict.counts(self.everything())
        return {
            "streams": len(self.streams),
            "streams_failing": sum(1 for s in self.streams if not self.stream_ok(s)),
            **{k: c[k] for k in ("checks", "allow", "conditional", "deny", "errors", "warnings", "info")},
        }

    def summary(self) -> str:
        c = self.counts()
        verdict = "PASS" if self.ok() else "FAIL"
        mode = f" (fail on {self.fail_on}{', strict' if self.strict else ''})"
        return (
            f"{verdict}{mode}: {plural(c['streams'], 'stream')}, {c['streams_failing']} failing; "
            f"{plural(c['checks'], 'check')}: {c['allow']} allow, {c['conditional']} conditional, {c['deny']} deny; "
            f"findings: {findings_in_words(c['errors'], c['warnings'], c['info'], zeros=True)}"
        )

    def to_json(self) -> dict[str, Any]:
        results = [{**result_json(r), "stream": s.name} for s, r in self.results()]
        findings: list[dict[str, Any]] = []
        for s, f in self.all_findings():
            data: dict[str, Any] = dict(finding_json(f))
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
