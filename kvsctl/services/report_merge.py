"""`kvsctl report merge`: one audit report from the JSON reports of separate runs (shards of accounts or
regions, e.g. one per task of the Step Functions map in examples/org-audit).

Each input is read back into the one model (kvsctl.checks: Result, Subject) and the merged report is a
LiveAuditReport like any run's, so the verdict (--fail-on/--strict), summary, exit code and every format
(json, table, sarif, junit) are computed exactly as one run over all the shards computes them. Offline:
reads files only.

What a report's JSON does not carry is not invented: an access check's deciding statement comes back as
its label (the JSON's ``statements``), and evaluation traces (--explain) are not merged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kvsctl.audit.live import LiveAuditReport, StreamAudit, arn_account
from kvsctl.audit.model import AuditReport
from kvsctl.checks import rules
from kvsctl.checks.model import Decision, Location, Result, Status, Subject
from kvsctl.checks.rules import RULES
from kvsctl.errors import UsageError

#: The keys every kvsctl live-audit JSON report has (audit stream / audit all, one account or a fleet).
REQUIRED = {"ok": bool, "results": list, "findings": list, "streams": list, "summary": dict}
_SUBJECT_FIELDS = ("stream", "stream_arn", "key", "principal", "role", "account", "region", "path")


@dataclass(frozen=True)
class SavedChange:
    """One change of a saved fix, as its JSON holds it (workloads/fixes.py Change.to_json)."""

    op: str
    where: str
    statement: dict[str, Any] | None
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return dict(self.data)


@dataclass(frozen=True)
class SavedFix:
    """A fix read back from a report (the Change protocol of kvsctl.checks.model), written out unchanged."""

    summary: str
    changes: tuple[SavedChange, ...]
    verified: bool
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return dict(self.data)


class NotAReport(UsageError):
    def __init__(self, path: str, why: str, hint: str | None = None) -> None:
        super().__init__(
            f"{path}: not a kvsctl audit JSON report ({why})",
            hint=hint or "Give the JSON written by `kvsctl audit all -o json` or `kvsctl audit stream -o json`.",
            code="invalid_report",
        )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _rule_id(path: str, data: Any) -> str:
    rid = data.get("rule") if isinstance(data, dict) else None
    if not isinstance(rid, str):
        raise NotAReport(path, "an entry without a rule id")
    if rid not in RULES:
        raise NotAReport(
            path,
            f"rule {rid} is not one this kvsctl knows",
            hint="Merge with the kvsctl version that wrote the reports (or a newer one).",
        )
    return rid


def _fix(path: str, data: Any) -> SavedFix | None:
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("summary"), str):
        raise NotAReport(path, "a result whose fix is not a fix object")
    changes: list[SavedChange] = []
    for c in data.get("changes") or []:
        if not isinstance(c, dict) or c.get("op") not in ("add", "replace", "remove"):
            raise NotAReport(path, "a fix with an unknown change")
        statement = c.get("statement")
        changes.append(
            SavedChange(str(c["op"]), str(c.get("where") or ""), statement if isinstance(statement, dict) else None, c)
        )
    return SavedFix(data["summary"], tuple(changes), bool(data.get("verified")), data)


def _subject(data: dict[str, Any]) -> Subject:
    fields = {k: _str(data.get(k)) for k in _SUBJECT_FIELDS}
    if fields["role"] not in (None, "producer", "consumer"):
        fields["role"] = None
    return Subject(**fields)  # type: ignore[arg-type]


def access_check(path: str, data: Any, where: Subject) -> Result:
    """One entry of ``results`` (an access check) back into a Result."""
    rid = _rule_id(path, data)
    try:
        decision = Decision(data.get("decision"))
    except ValueError:
        raise NotAReport(path, f"a result of {rid} without a valid decision") from None
    action, resource = _str(data.get("action")), _str(data.get("resource"))
    reasons, statements = _strs(data.get("reasons")), _strs(data.get("statements"))
    own = Subject(
        principal=_str(data.get("principal")),
        role=data.get("role") if data.get("role") in ("producer", "consumer") else None,
        path=_str(data.get("path")),
        account=_str(data.get("account")),
        region=_str(data.get("region")),
    )
    return Result(
        rule=rid,
        # the message access checks are made with (kvsctl.checks.access.access_result)
        message=f"{action} on {resource}: {decision.value}" + (f": {reasons[0]}" if reasons else ""),
        status=decision.status,
        subject=own.merged(where),
        location=Location(label=statements[0]) if statements else None,
        decision=decision,
        action=action,
        resource=resource,
        reasons=reasons,
        statements=statements,
        unknown_keys=_strs(data.get("unknown_keys")),
        basis=_str(data.get("basis")),
        patch=_fix(path, data.get("fix")),
    )


def finding(path: str, data: Any) -> Result:
    """One entry of ``findings`` back into a Result (finding_json's fields)."""
    rid = _rule_id(path, data)
    try:
        status = Status(data.get("status", "fail"))
    except ValueError:
        raise NotAReport(path, f"a finding of {rid} with an unknown status") from None
    message = data.get("message")
    if not isinstance(message, str):
        raise NotAReport(path, f"a finding of {rid} without a message")
    subject = _subject(data["subject"]) if isinstance(data.get("subject"), dict) else Subject()
    loc = data.get("location")
    location = None
    if isinstance(loc, dict):
        line = loc.get("line")
        location = Location(
            file=_str(loc.get("file")), line=line if isinstance(line, int) else None, label=_str(loc.get("label"))
        )
    fix = _str(data.get("fix"))
    return Result(
        rule=rid,
        message=message,
        status=status,
        subject=subject,
        location=location,
        fix=fix if fix != RULES[rid].remediation else None,
        resource=_str(data.get("resource")),
    )


@dataclass(frozen=True)
class Shard:
    """One input report, read back."""

    path: str
    streams: tuple[StreamAudit, ...]
    findings: tuple[Result, ...]  # not about one stream


def read_shard(path: str) -> Shard:
    """Read and check one report; NotAReport (exit 2, naming the file) for anything else."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file", hint="Give the JSON reports of the runs to merge.") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory", hint="Give the report files (e.g. shards/*.json).") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotAReport(path, f"not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(data, dict):
        raise NotAReport(path, "not a JSON object")
    error = data.get("error")
    if isinstance(error, dict) and "results" not in data:
        raise NotAReport(
            path,
            f"it is the report of a run that failed: {error.get('code')}: {error.get('message')}",
            hint="Rerun that shard; a run that errored audited nothing that could be merged.",
        )
    for key, kind in REQUIRED.items():
        if not isinstance(data.get(key), kind):
            raise NotAReport(path, f"no {key!r} {kind.__name__}")
    streams: list[StreamAudit] = []
    by_name: dict[tuple[str, str | None], int] = {}
    for s in data["streams"]:
        if not isinstance(s, dict) or not isinstance(s.get("name"), str) or not isinstance(s.get("region"), str):
            raise NotAReport(path, "a stream without a name and region")
        streams.append(
            StreamAudit(
                s["name"],
                s["region"],
                _str(s.get("stream_arn", s.get("arn"))),
                _str(s.get("key_arn")),
                _str(s.get("encryption")),
                AuditReport((), ()),
            )
        )
        by_name.setdefault((s["name"], s["region"]), len(streams) - 1)
        by_name.setdefault((s["name"], None), len(streams) - 1)
    results: list[list[Result]] = [[] for _ in streams]
    findings: list[list[Result]] = [[] for _ in streams]
    loose: list[Result] = []

    def owner(entry: dict[str, Any]) -> int | None:
        name = entry.get("stream")
        if not isinstance(name, str):
            return None
        index = by_name.get((name, _str(entry.get("region")))) if entry.get("region") else None
        return index if index is not None else by_name.get((name, None))

    for entry in data["results"]:
        if not isinstance(entry, dict):
            raise NotAReport(path, "a result that is not an object")
        index = owner(entry)
        if index is None:
            raise NotAReport(path, f"a result about stream {entry.get('stream')!r}, which the report does not list")
        s = streams[index]
        where = Subject(stream=s.name, stream_arn=s.arn, key=s.key_arn, region=s.region, account=arn_account(s.arn))
        results[index].append(access_check(path, entry, where))
    for entry in data["findings"]:
        if not isinstance(entry, dict):
            raise NotAReport(path, "a finding that is not an object")
        index = owner(entry)
        (loose if index is None else findings[index]).append(finding(path, entry))
    done = tuple(
        StreamAudit(s.name, s.region, s.arn, s.key_arn, s.encryption, AuditReport(tuple(r), tuple(f)))
        for s, r, f in zip(streams, results, findings, strict=True)
    )
    return Shard(path, done, tuple(loose))


def _identity(s: StreamAudit) -> tuple[str | None, ...]:
    return (s.arn,) if s.arn else (None, arn_account(s.arn), s.region, s.name)


def merge(shards: Sequence[Shard], *, strict: bool = False, fail_on: str = "error") -> LiveAuditReport:
    """One report over every shard: streams in the order one fleet run lists them, each stream once (a
    stream in two shards means the shards overlap: exit 2), "no stream matched" only when no shard had one."""
    seen: dict[tuple[str | None, ...], str] = {}
    streams: list[StreamAudit] = []
    for shard in shards:
        for s in shard.streams:
            ident = _identity(s)
            if ident in seen:
                raise UsageError(
                    f"{shard.path}: stream {s.arn or s.name} is in {seen[ident]} too",
                    hint="The shards overlap: merge each shard's report once, or rerun with disjoint accounts.",
                    code="invalid_report",
                )
            seen[ident] = shard.path
            streams.append(s)
    streams.sort(key=lambda s: (s.arn or "", s.region, s.name))
    findings = list(_loose(shards, any_stream=bool(streams)))
    return LiveAuditReport(tuple(streams), tuple(findings), strict=strict, fail_on=fail_on)


def _loose(shards: Sequence[Shard], *, any_stream: bool) -> Iterable[Result]:
    """The findings not about one stream; a shard's "no stream matched" (KVS218) stands only when the
    merged report has no stream either, and then once."""
    empty: Result | None = None
    for shard in shards:
        for f in shard.findings:
            if f.rule == rules.NO_STREAM_MATCHED.id:
                empty = empty or f
                continue
            yield f
    if empty is not None and not any_stream:
        yield empty


def merge_files(paths: Sequence[str], *, strict: bool = False, fail_on: str = "error") -> LiveAuditReport:
    if not paths:
        raise UsageError("report merge needs at least one report FILE")
    return merge([read_shard(p) for p in paths], strict=strict, fail_on=fail_on)
