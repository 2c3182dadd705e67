"""The live audit's evaluation and report: the facts services/audit_live.py gathered go through the
evaluator once per stream (``evaluate``); the report holds one evaluator report per stream, findings about
principals, and the verdict (kvsctl.checks.verdict: --fail-on and --strict). Pure: no I/O."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kvsctl.audit.facts import AuditFacts
from kvsctl.audit.model import AuditReport, finding_json, result_json
from kvsctl.checks import rules
from kvsctl.checks.model import Result, Subject
from kvsctl.checks.verdict import FAIL_ON_CHOICES, Verdict
from kvsctl.words import findings_in_words, plural

if TYPE_CHECKING:
    from kvsctl.audit.model import PolicyDoc, PrincipalPolicies
    from kvsctl.aws.iam import PrincipalIam
    from kvsctl.aws.organizations import RcpRead

__all__ = ["FAIL_ON_CHOICES", "LiveAuditReport", "StreamAudit", "evaluate"]


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
        results = [{**result_json(r), "stream": s.name, **_where(r)} for s, r in self.results()]
        findings: list[dict[str, Any]] = []
        for s, f in self.all_findings():
            data: dict[str, Any] = {**finding_json(f), **_where(f)}
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
                    "account": arn_account(s.arn),
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


def _where(r: Result) -> dict[str, str]:
    """Account and region of a result (fleet runs span many): set when known."""
    return {k: v for k, v in (("account", r.subject.account), ("region", r.subject.region)) if v}


def arn_account(arn: str | None) -> str | None:
    parts = (arn or "").split(":")
    return parts[4] or None if len(parts) > 4 else None


# -- evaluation: the gathered facts (services/audit_live.py) -> one report ----------------------------------


def _principal_policies(iam: PrincipalIam) -> PrincipalPolicies:
    from kvsctl.audit.model import PolicyDoc, PrincipalPolicies

    identity = tuple(PolicyDoc(p.name, p.document) for p in iam.identity)
    boundary = PolicyDoc(iam.boundary.name, iam.boundary.document) if iam.boundary else None
    return PrincipalPolicies(iam.arn, identity, boundary)


#: Evaluator findings that the live audit states with its reason (KVS2xx), so they are not said twice.
_EXPLAINED = {
    rules.KEY_POLICY_UNREADABLE.id: {"KVS207", "KVS215", "KVS202", "KVS212"},
    rules.GRANTS_UNREADABLE.id: {"KVS210", "KVS214", "KVS202", "KVS212"},
}


def evaluate(
    facts: AuditFacts,
    *,
    context: Mapping[str, str] | None = None,
    strict: bool = False,
    fail_on: str = "error",
    scps: Sequence[PolicyDoc] = (),
    rcps: Mapping[str, RcpRead] | None = None,
) -> LiveAuditReport:
    """Run the evaluator once per stream on the gathered facts (pure: no AWS call).

    ``rcps``: account -> the resource control policies read for it (:func:`read_rcps_for`); a customer
    managed key whose account's RCPs could not be read gets an info finding (``--strict`` fails on it).
    None: the caller does not consider RCPs."""
    from kvsctl.audit.engine import run_audit
    from kvsctl.audit.model import AuditInput, PolicyDoc
    from kvsctl.workloads.fixes import add_fixes

    Verdict.of(fail_on, strict)  # an unknown --fail-on is a usage error (exit 2) before anything runs
    known = {arn: _principal_policies(p) for arn, p in facts.principals.items() if p.complete}
    unread = {arn for arn, p in facts.principals.items() if not p.complete}
    audits: list[StreamAudit] = []
    for s in facts.streams:
        if s.stream is None or s.key is None:
            where = Subject(stream=s.name, region=s.region)
            audits.append(
                StreamAudit(
                    s.name, s.region, None, None, None, AuditReport((), tuple(f.about(where) for f in s.findings))
                )
            )
            continue
        key = s.key
        inp = AuditInput(
            key_arn=key.arn,
            key_policy=PolicyDoc("key policy", key.policy) if key.policy is not None else None,
            grants=key.grants,
            stream_arn=s.stream.arn,
            producers=facts.producers,
            consumers=facts.consumers,
            principals=known,
            scps=tuple(scps),
            context=dict(context or {}),
            reads=facts.reads,
            producer_creates=facts.producer_creates,
            key_aws_managed=key.aws_managed,
        )
        if rcps is not None and not key.aws_managed:
            read = rcps.get(key.account)
            policies = read.policies if read is not None else None
            docs = None if policies is None else tuple(PolicyDoc(n, d) for n, d in policies)
            inp = dataclasses.replace(inp, rcps=docs, rcps_unread_why=read.why if read is not None else "not read")
        report = add_fixes(inp, run_audit(inp))
        own = {f.code for f in s.findings}
        kept = [
            f
            for f in report.findings
            if not (f.code in _EXPLAINED and own & _EXPLAINED[f.code])
            and not (f.code == rules.IAM_NOT_GIVEN.id and f.principal in unread)
        ]
        encryption = "aws-managed" if key.aws_managed else "customer-managed"
        where = Subject(
            stream=s.name, stream_arn=s.stream.arn, key=key.arn, region=s.region, account=s.stream.account or None
        )
        results = tuple(r.about(where) for r in report.results)
        findings = tuple(f.about(where) for f in (*kept, *s.findings))
        audits.append(StreamAudit(s.name, s.region, s.stream.arn, key.arn, encryption, AuditReport(results, findings)))
    findings = facts.findings
    if facts.listed is not None and not facts.streams and not facts.allow_empty:
        findings = (*findings, rules.NO_STREAM_MATCHED(f"no stream matched: no {facts.listed}"))
    return LiveAuditReport(tuple(audits), findings, strict=strict, fail_on=fail_on)
