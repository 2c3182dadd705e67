"""Preflight: is the account as a spec declares it? Pure: turns gathered facts (the live audit's) and
the declared keys into checks, one per stream property and per principal requirement.

Checks of the spec itself (KVS3xx, stable: CI pipelines and SARIF key on them):
  KVS301 the stream exists             KVS302 it uses the declared key (aliases resolved to the key ARN)
  KVS303 that key is usable by KVS     KVS304 retention as declared     KVS305 media type as declared
  KVS306 (info) the stream does not exist yet: its declared key is checked as apply would use it
Each producer and consumer is then checked by the live audit (rule ids KVS-PRODUCER-GENERATEDATAKEY,
...), and the live audit's key findings (KVS1xx/KVS2xx) are kept, except those KVS30x already states.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from kvsctl.audit.live import LiveAuditReport
from kvsctl.checks import rules
from kvsctl.checks.keys import drift, holds_key, usable_problems
from kvsctl.checks.model import Location, Result, Status, Subject
from kvsctl.checks.rules import Rule
from kvsctl.checks.verdict import Verdict
from kvsctl.models import KeyInfo
from kvsctl.streamspec.model import Spec, StreamSpec
from kvsctl.words import plural

STREAM_EXISTS = rules.STREAM_EXISTS.id
KEY_MATCHES = rules.KEY_MATCHES.id
KEY_USABLE = rules.KEY_USABLE.id
RETENTION_MATCHES = rules.RETENTION_MATCHES.id
MEDIA_TYPE_MATCHES = rules.MEDIA_TYPE_MATCHES.id

#: Live-audit findings that a KVS30x check already states (stream missing, key missing or unusable).
_STATED = frozenset({"KVS201", "KVS202", "KVS203", "KVS204", "KVS205", "KVS206", "KVS212"})


def check_name(r: Result) -> str:
    """How a check is named in tables and JSON: 'producer role/cam producer: kms:GenerateDataKey',
    'consumer role/viewer hls: kinesisvideo:GetHLSStreamingSessionURL', or the rule's title."""
    if r.decision is not None and r.subject.principal:
        path = f" {r.subject.path}" if r.subject.path else ""
        return f"{r.subject.role} {r.subject.principal.rsplit(':', 1)[-1]}{path}: {r.action}"
    return r.title


def _fix_text(r: Result) -> str:
    if r.patch is not None:
        return f"{r.patch.summary}. kvsctl audit stream NAME --explain PRINCIPAL shows the evaluation trace."
    return r.remediation


def check_json(r: Result, verdict: Verdict) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": r.rule,
        "check": check_name(r),
        "status": verdict.shown(r),
        "message": r.message,
        "line": r.location.line if r.location else None,
        "fix": _fix_text(r) if r.status is not Status.PASS and r.status is not Status.SKIP else None,
    }
    if r.subject.principal:
        data["principal"] = r.subject.principal
    return data


@dataclass(frozen=True)
class StreamPreflight:
    spec: StreamSpec
    arn: str | None
    key_arn: str | None
    checks: tuple[Result, ...]


@dataclass(frozen=True)
class PreflightReport:
    spec: Spec
    region: str
    streams: tuple[StreamPreflight, ...]
    strict: bool = False
    fail_on: str = "error"
    findings: tuple[Result, ...] = field(default=())  # not about one stream

    @property
    def verdict(self) -> Verdict:
        return Verdict.of(self.fail_on, self.strict)

    def stream_ok(self, s: StreamPreflight) -> bool:
        return self.verdict.ok(s.checks)

    @property
    def ok(self) -> bool:
        return self.verdict.ok(r for _s, r in self.checks())

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def checks(self) -> list[tuple[StreamPreflight | None, Result]]:
        out: list[tuple[StreamPreflight | None, Result]] = [(s, c) for s in self.streams for c in s.checks]
        return out + [(None, c) for c in self.findings]

    def results(self) -> list[Result]:
        return [c for _s, c in self.checks()]

    def counts(self) -> dict[str, int]:
        c = self.verdict.counts(self.results())
        return {
            "streams": len(self.streams),
            "streams_failing": sum(1 for s in self.streams if not self.stream_ok(s)),
            "checks": len(self.results()),
            **{k: c[f"status_{k}"] for k in ("pass", "fail", "warn", "info", "skip")},
        }

    def summary(self) -> str:
        c = self.counts()
        verdict = "PASS" if self.ok else "FAIL"
        mode = f" (fail on {self.fail_on}{', strict' if self.strict else ''})"
        return (
            f"{verdict}{mode}: {plural(c['streams'], 'stream')}, {c['streams_failing']} failing; "
            f"{plural(c['checks'], 'check')}: "
            f"{c['pass']} pass, {c['fail']} fail, {c['warn']} warn, {c['skip']} skipped"
        )

    def to_json(self) -> dict[str, Any]:
        v = self.verdict
        return {
            "ok": self.ok,
            "spec": self.spec.path,
            "region": self.region,
            "strict": self.strict,
            "fail_on": self.fail_on,
            "summary": self.counts(),
            "streams": [
                {
                    "name": s.spec.name,
                    "ok": self.stream_ok(s),
                    "stream_arn": s.arn,
                    "arn": s.arn,  # deprecated alias of stream_arn, for one release
                    "key_arn": s.key_arn,
                    "line": s.spec.line,
                    "checks": [check_json(c, v) for c in s.checks],
                }
                for s in self.streams
            ],
            "findings": [check_json(c, v) for c in self.findings],
        }


# -- the checks -----------------------------------------------------------------------------------


class _At:
    """Results of the spec checks of one declared stream, each at its line in the spec file."""

    def __init__(self, spec_path: str, s: StreamSpec, stream_arn: str | None) -> None:
        self.path, self.s = spec_path, s
        self.subject = Subject(stream=s.name, stream_arn=stream_arn)

    def __call__(self, rule: Rule, status: str, message: str, key: str, fix: str | None = None) -> Result:
        return rule(
            message,
            subject=self.subject,
            location=Location(file=self.path, line=self.s.line_of(key)),
            fix=fix,
            status=Status(status),
        )


def _skip(at: _At, rule: Rule, key: str, why: str) -> Result:
    return at(rule, "skip", why, key)


def spec_checks(
    s: StreamSpec,
    *,
    spec_path: str,
    stream: Any | None,  # models.Stream
    held: KeyInfo | None,  # the key the stream uses, as read
    held_aws_managed: bool,
    held_note: str | None,
    declared: KeyInfo | None,  # the declared key, resolved; None when it does not exist
    declared_note: str | None,
    not_created: bool = False,  # the stream does not exist yet (apply would create it)
    region: str = "",
) -> list[Result]:
    """KVS301-KVS306 for one declared stream. A stream that does not exist yet is checked as
    ``apply --dry-run`` plans it: its declared key must exist, be usable by KVS and be in its region."""
    at = _At(spec_path, s, stream.arn if stream is not None else None)
    checks: list[Result] = []
    if stream is None:
        why = "the stream does not exist"
        if not_created:
            key_text = declared.arn if declared is not None else s.kms_key
            message = f"stream {s.name} does not exist yet: kvsctl apply creates it with {key_text}"
            checks.append(at(rules.STREAM_NOT_CREATED_YET, "fail", message, "name"))
            why = "the stream does not exist yet"
        else:
            checks.append(at(rules.STREAM_EXISTS, "fail", held_note or f"stream {s.name} does not exist", "name"))
        checks.append(_skip(at, rules.KEY_MATCHES, "kms_key", why))
        if not_created:
            checks.append(_declared_usable(at, s, declared, declared_note, region))
        else:
            checks.append(_skip(at, rules.KEY_USABLE, "kms_key", why))
        if s.retention_hours is not None:
            checks.append(_skip(at, rules.RETENTION_MATCHES, "retention_hours", why))
        if s.media_type is not None:
            checks.append(_skip(at, rules.MEDIA_TYPE_MATCHES, "media_type", why))
        return checks
    checks.append(at(rules.STREAM_EXISTS, "pass", f"{stream.arn}", "name"))
    held_text = stream.kms_key_id or "the AWS managed key"
    if declared is None:
        message = (
            f"the declared key {s.kms_key} does not exist ({declared_note or 'not found'}); the stream uses {held_text}"
        )
        checks.append(at(rules.KEY_MATCHES, "fail", message, "kms_key", "Correct kms_key in the spec."))
    elif holds_key(held, declared) or (s.key_ref.is_aws_managed and held_aws_managed):
        checks.append(at(rules.KEY_MATCHES, "pass", f"{s.kms_key} is {declared.arn}", "kms_key"))
    else:
        target = "the AWS managed key" if s.key_ref.is_aws_managed else declared.arn
        message = f"the stream uses {held_text}, the spec declares {s.kms_key} ({target})"
        checks.append(at(rules.KEY_MATCHES, "fail", message, "kms_key"))
    problems: list[str] = []
    if held is None:
        problems.append(held_note or f"its key {held_text} cannot be found")
    else:
        problems += usable_problems(held, stream_region=stream.region)
    if problems:
        message = "; ".join(problems) + ": every PutMedia/GetMedia on this stream fails"
        checks.append(at(rules.KEY_USABLE, "fail", message, "kms_key"))
    else:
        checks.append(at(rules.KEY_USABLE, "pass", f"key state {held.state if held else '?'}", "kms_key"))
    drifted = {d.field: d for d in drift(s.name, stream, s.retention_hours, s.media_type)}
    for field_name, rule, declared_value in (
        ("retention_hours", rules.RETENTION_MATCHES, s.retention_hours),
        ("media_type", rules.MEDIA_TYPE_MATCHES, s.media_type),
    ):
        if declared_value is None:
            continue
        if field_name in drifted:
            checks.append(at(rule, "fail", drifted[field_name].message, field_name, drifted[field_name].fix))
        else:
            shown = f"{stream.retention_hours} h" if field_name == "retention_hours" else stream.media_type or "unset"
            label = "retention" if field_name == "retention_hours" else "media type"
            checks.append(at(rule, "pass", f"{label} is {shown}", field_name))
    return checks


def _declared_usable(
    at: _At, s: StreamSpec, declared: KeyInfo | None, declared_note: str | None, region: str
) -> Result:
    """KVS303 for a stream apply would create: the declared key as CreateStream would get it."""
    if declared is None:
        message = f"the declared key {s.kms_key} does not exist ({declared_note or 'not found'}): apply would refuse"
        return at(rules.KEY_USABLE, "fail", message, "kms_key", "Correct kms_key in the spec, or create the key.")
    problems = usable_problems(declared, stream_region=region or None)
    if problems:
        message = "; ".join(problems) + ": apply would refuse to create the stream on it"
        return at(rules.KEY_USABLE, "fail", message, "kms_key")
    return at(rules.KEY_USABLE, "pass", f"{declared.arn}: state {declared.state}", "kms_key")


def _principal_line(s: StreamSpec, principal: str | None) -> int:
    if not principal:
        return s.line_of("kms_key")
    line = s.line_of(f"producers:{principal}")
    return s.line_of(f"consumers:{principal}") if line == s.line else line


def access_checks(s: StreamSpec, live: LiveAuditReport, *, spec_path: str) -> list[Result]:
    """The live audit's results for this stream, each pointing at its line in the spec: one per principal
    × requirement, plus its findings (except those a KVS30x check already states)."""
    out: list[Result] = []
    for _stream, r in live.results():
        role_key = "producers" if r.role == "producer" else "consumers"
        line = s.line_of(f"{role_key}:{r.principal}")
        out.append(replace(r, location=Location(file=spec_path, line=line)))
    for _where, f in live.all_findings():
        if f.rule in _STATED:
            continue
        out.append(replace(f, location=Location(file=spec_path, line=_principal_line(s, f.principal))))
    return out
