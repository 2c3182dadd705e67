"""Preflight: is the account as a spec declares it? Pure: turns gathered facts (the live audit's) and
the declared keys into checks, one per stream property and per principal requirement.

Checks of the spec itself (KVS3xx, stable: CI pipelines and SARIF key on them):
  KVS301 the stream exists             KVS302 it uses the declared key (aliases resolved to the key ARN)
  KVS303 that key is usable by KVS     KVS304 retention as declared     KVS305 media type as declared
Each producer and consumer is then checked by the live audit (rule ids KVS-PRODUCER-GENERATEDATAKEY,
...), and the live audit's key findings (KVS1xx/KVS2xx) are kept, except those KVS30x already states.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kvsctl.audit.live import LiveAuditReport
from kvsctl.models import KeyInfo
from kvsctl.streamspec.model import Spec, StreamSpec

STREAM_EXISTS = "KVS301"
KEY_MATCHES = "KVS302"
KEY_USABLE = "KVS303"
RETENTION_MATCHES = "KVS304"
MEDIA_TYPE_MATCHES = "KVS305"


@dataclass(frozen=True)
class PreflightRule:
    id: str
    title: str
    remediation: str


RULES: dict[str, PreflightRule] = {
    r.id: r
    for r in (
        PreflightRule(STREAM_EXISTS, "Declared stream exists", "Run 'kvsctl apply SPEC' to create missing streams."),
        PreflightRule(
            KEY_MATCHES,
            "Stream uses the declared KMS key",
            "A stream's key can never change: create a new stream with the declared key, move producers and "
            "consumers to it, then retire the old stream (or correct kms_key in the spec).",
        ),
        PreflightRule(
            KEY_USABLE,
            "The stream's KMS key is usable by KVS",
            "Enable the key or cancel its deletion; KVS needs an Enabled SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key "
            "in the stream's region.",
        ),
        PreflightRule(
            RETENTION_MATCHES,
            "Retention as declared",
            "aws kinesisvideo update-data-retention, or correct retention_hours in the spec.",
        ),
        PreflightRule(
            MEDIA_TYPE_MATCHES,
            "Media type as declared",
            "aws kinesisvideo update-stream --media-type, or correct media_type in the spec.",
        ),
    )
}

#: Live-audit findings that a KVS30x check already states (stream missing, key missing or unusable).
_STATED = frozenset({"KVS201", "KVS202", "KVS203", "KVS204", "KVS205", "KVS206", "KVS212"})


@dataclass(frozen=True)
class Check:
    id: str  # KVS301..., a requirement rule id, or an audit finding code
    name: str
    status: str  # pass | fail | warn | info | skip
    message: str
    line: int  # in the spec file
    fix: str | None = None
    principal: str | None = None
    severity: str | None = None  # for audit findings

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "check": self.name,
            "status": self.status,
            "message": self.message,
            "line": self.line,
            "fix": self.fix,
        }
        if self.principal:
            data["principal"] = self.principal
        return data


@dataclass(frozen=True)
class StreamPreflight:
    spec: StreamSpec
    arn: str | None
    key_arn: str | None
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return not any(c.failed for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.spec.name,
            "ok": self.ok,
            "stream_arn": self.arn,
            "arn": self.arn,  # deprecated alias of stream_arn, for one release
            "key_arn": self.key_arn,
            "line": self.spec.line,
            "checks": [c.to_json() for c in self.checks],
        }


@dataclass(frozen=True)
class PreflightReport:
    spec: Spec
    region: str
    streams: tuple[StreamPreflight, ...]
    strict: bool = False
    fail_on: str = "error"
    findings: tuple[Check, ...] = field(default=())  # not about one stream

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.streams) and not any(c.failed for c in self.findings)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def checks(self) -> list[tuple[StreamPreflight | None, Check]]:
        out: list[tuple[StreamPreflight | None, Check]] = [(s, c) for s in self.streams for c in s.checks]
        return out + [(None, c) for c in self.findings]

    def counts(self) -> dict[str, int]:
        statuses = Counter(c.status for _s, c in self.checks())
        return {
            "streams": len(self.streams),
            "streams_failing": sum(1 for s in self.streams if not s.ok),
            "checks": sum(statuses.values()),
            **{k: statuses[k] for k in ("pass", "fail", "warn", "info", "skip")},
        }

    def summary(self) -> str:
        c = self.counts()
        verdict = "PASS" if self.ok else "FAIL"
        mode = f" (fail on {self.fail_on}{', strict' if self.strict else ''})"
        return (
            f"{verdict}{mode}: {c['streams']} stream(s), {c['streams_failing']} failing; {c['checks']} checks: "
            f"{c['pass']} pass, {c['fail']} fail, {c['warn']} warn, {c['skip']} skipped"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "spec": self.spec.path,
            "region": self.region,
            "strict": self.strict,
            "fail_on": self.fail_on,
            "summary": self.counts(),
            "streams": [s.to_json() for s in self.streams],
            "findings": [c.to_json() for c in self.findings],
        }


def requirement_rule_id(role: str, action: str) -> str:
    """KVS-PRODUCER-GENERATEDATAKEY, ...: the live audit's rule ids for principal requirements."""
    return f"KVS-{role.upper()}-{action.split(':', 1)[-1].upper()}"


# -- the checks -----------------------------------------------------------------------------------


def _skip(s: StreamSpec, rule: str, key: str, why: str) -> Check:
    return Check(rule, RULES[rule].title, "skip", why, s.line_of(key))


def spec_checks(
    s: StreamSpec,
    *,
    stream: Any | None,  # models.Stream
    held: KeyInfo | None,  # the key the stream uses, as read
    held_aws_managed: bool,
    held_note: str | None,
    declared: KeyInfo | None,  # the declared key, resolved; None when it does not exist
    declared_note: str | None,
) -> list[Check]:
    """KVS301-KVS305 for one declared stream."""
    checks: list[Check] = []
    if stream is None:
        checks.append(
            Check(
                STREAM_EXISTS,
                RULES[STREAM_EXISTS].title,
                "fail",
                held_note or f"stream {s.name} does not exist",
                s.line_of("name"),
                RULES[STREAM_EXISTS].remediation,
            )
        )
        why = "the stream does not exist"
        checks += [_skip(s, KEY_MATCHES, "kms_key", why), _skip(s, KEY_USABLE, "kms_key", why)]
        if s.retention_hours is not None:
            checks.append(_skip(s, RETENTION_MATCHES, "retention_hours", why))
        if s.media_type is not None:
            checks.append(_skip(s, MEDIA_TYPE_MATCHES, "media_type", why))
        return checks
    checks.append(Check(STREAM_EXISTS, RULES[STREAM_EXISTS].title, "pass", f"{stream.arn}", s.line_of("name")))
    held_text = stream.kms_key_id or "the AWS managed key"
    line = s.line_of("kms_key")
    if declared is None:
        checks.append(
            Check(
                KEY_MATCHES,
                RULES[KEY_MATCHES].title,
                "fail",
                f"the declared key {s.kms_key} does not exist ({declared_note or 'not found'}); "
                f"the stream uses {held_text}",
                line,
                "Correct kms_key in the spec.",
            )
        )
    else:
        declared_managed = s.key_ref.is_aws_managed
        same = (declared_managed and held_aws_managed) or (
            not declared_managed and held is not None and held.arn == declared.arn
        )
        if same:
            checks.append(Check(KEY_MATCHES, RULES[KEY_MATCHES].title, "pass", f"{s.kms_key} is {declared.arn}", line))
        else:
            target = "the AWS managed key" if declared_managed else declared.arn
            checks.append(
                Check(
                    KEY_MATCHES,
                    RULES[KEY_MATCHES].title,
                    "fail",
                    f"the stream uses {held_text}, the spec declares {s.kms_key} ({target})",
                    line,
                    RULES[KEY_MATCHES].remediation,
                )
            )
    problems: list[str] = []
    if held is None:
        problems.append(held_note or f"its key {held_text} cannot be found")
    else:
        problems += held.usable_problems
        if held.region and stream.region and held.region != stream.region:
            problems.append(f"key is in {held.region}, the stream in {stream.region}")
    if problems:
        checks.append(
            Check(
                KEY_USABLE,
                RULES[KEY_USABLE].title,
                "fail",
                "; ".join(problems) + ": every PutMedia/GetMedia on this stream fails",
                line,
                RULES[KEY_USABLE].remediation,
            )
        )
    else:
        state = held.state if held else "?"
        checks.append(Check(KEY_USABLE, RULES[KEY_USABLE].title, "pass", f"key state {state}", line))
    if s.retention_hours is not None:
        ok = stream.retention_hours == s.retention_hours
        checks.append(
            Check(
                RETENTION_MATCHES,
                RULES[RETENTION_MATCHES].title,
                "pass" if ok else "fail",
                f"retention is {stream.retention_hours} h" + ("" if ok else f", the spec says {s.retention_hours} h"),
                s.line_of("retention_hours"),
                None if ok else RULES[RETENTION_MATCHES].remediation,
            )
        )
    if s.media_type is not None:
        ok = stream.media_type == s.media_type
        checks.append(
            Check(
                MEDIA_TYPE_MATCHES,
                RULES[MEDIA_TYPE_MATCHES].title,
                "pass" if ok else "fail",
                f"media type is {stream.media_type or 'unset'}" + ("" if ok else f", the spec says {s.media_type}"),
                s.line_of("media_type"),
                None if ok else RULES[MEDIA_TYPE_MATCHES].remediation,
            )
        )
    return checks


def access_checks(s: StreamSpec, live: LiveAuditReport) -> list[Check]:
    """One check per principal × requirement from the live audit, plus its findings about the stream."""
    checks: list[Check] = []
    for _stream, r in live.results():
        role_key = "producers" if r.role == "producer" else "consumers"
        if live.result_fails(r):
            status = "fail"
        elif r.decision == "allow":
            status = "pass"
        else:
            status = "warn"  # conditional, not --strict
        reasons = "; ".join(r.reasons) or r.decision
        checks.append(
            Check(
                requirement_rule_id(r.role, r.action),
                f"{r.role} {r.principal.rsplit(':', 1)[-1]} {r.path}: {r.action}",
                status,
                f"{r.action} on {r.resource}: {r.decision}: {reasons}",
                s.line_of(f"{role_key}:{r.principal}"),
                None
                if status == "pass"
                else (f"{r.fix.summary}. " if r.fix else "")
                + "kvsctl audit stream NAME --explain PRINCIPAL shows the evaluation trace.",
                principal=r.principal,
            )
        )
    for _where, f in live.all_findings():
        if f.code in _STATED:
            continue
        checks.append(_finding_check(s, f, live))
    return checks


def _finding_check(s: StreamSpec, f: Any, live: LiveAuditReport) -> Check:
    status = "fail" if live.finding_fails(f) else ("warn" if f.severity.value == "warning" else "info")
    line = s.line_of(f"producers:{f.principal}") if f.principal else s.line_of("kms_key")
    if f.principal and line == s.line:
        line = s.line_of(f"consumers:{f.principal}")
    return Check(
        f.code,
        f.title or f.code,
        status,
        f.message,
        line,
        f.remediation or None,
        principal=f.principal,
        severity=f.severity.value,
    )
