"""Calibrate the KMS estimate from CloudTrail evidence: which KMS requests KVS made, for whom, how often.

Pure: records (decoded CloudTrail events) go in one at a time, a frozen `Calibration` comes out. Reading
files or calling LookupEvents is the service's job.

What is matched, and why
------------------------
KVS calls KMS with the caller's credentials (forward access sessions, IAM user guide "Forward access
sessions"): the KMS event's `userIdentity` is the producer's or consumer's own identity, and CloudTrail
names the AWS service that made the request on its behalf in `userIdentity.invokedBy`, and puts the
service's name in `sourceIPAddress` and `userAgent` (CloudTrail user guide, "CloudTrail userIdentity
element": invokedBy is "the name of the AWS service that made the request"). An event counts as *made
through KVS* when it is a `kms.amazonaws.com` `GenerateDataKey` or `Decrypt` and any of those three fields
names Kinesis Video Streams: `kinesisvideo.amazonaws.com`, or the regional endpoint name
`kinesisvideo.REGION.amazonaws.com` (the value of `kms:ViaService` for KVS). KVS documents no encryption
context, so the context is not used. Every other KMS request (a direct call, another service's call, a
KVS event of another operation) is "other KMS requests": it draws on the same free tier.

Who and which credential
------------------------
- principal: for an assumed-role session the role behind it (`sessionContext.sessionIssuer.arn`, else
  derived from the `assumed-role` ARN); otherwise the identity's ARN (IAM user, root), else its
  principalId, else "unknown".
- session (one credential): an assumed-role session is its session ARN plus the session's
  `creationDate` (a renewed credential with the same session name is a new session); otherwise the access
  key id; otherwise the identity ARN.

Rates
-----
A credential asks KMS when it starts and then once per data-key interval. For each (session, key,
operation) the first and last request and the count are kept; the interval is estimated over every
session that asked at least twice as Σ(last − first) / Σ(count − 1) — independent of where clock hours
fall. Requests per credential-hour are 60 / interval. Sessions that asked only once say nothing about
the interval; if there are only those, no interval is implied and the result says why.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from kvsctl.errors import shown
from kvsctl.words import noun, plural, verb

KMS_SOURCE = "kms.amazonaws.com"
KVS_SERVICE = "kinesisvideo.amazonaws.com"
DATA_OPERATIONS = ("GenerateDataKey", "Decrypt")
ROLE_OF_OPERATION = {"GenerateDataKey": "producer", "Decrypt": "consumer"}
MATCHED_FIELDS = ("userIdentity.invokedBy", "sourceIPAddress", "userAgent")
SHORT_WINDOW_HOURS = 24
_KVS_NAME = re.compile(r"kinesisvideo(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?")
_ASSUMED = re.compile(r"arn:(?P<part>[^:]+):sts::(?P<acct>\d{12}):assumed-role/(?P<role>[^/]+)/.+")
_HOUR = timedelta(hours=1)

# How to see whether a trail records KMS data-key events (CloudTrail API reference, EventSelector and
# AdvancedEventSelector; the KMS CloudTrail examples mark GenerateDataKey and Decrypt "readOnly": true).
SELECTOR_HINT = (
    "Check the trail's event selectors: `aws cloudtrail get-event-selectors --trail-name NAME`. KMS events "
    'are excluded by `ExcludeManagementEventSources: ["kms.amazonaws.com"]`, by `ReadWriteType: WriteOnly` '
    "(GenerateDataKey and Decrypt are read-only events), by `IncludeManagementEvents: false`, or by an "
    "advanced selector with `eventSource` NotEquals `kms.amazonaws.com`."
)


class MalformedRecord(ValueError):
    """A record that is not a usable CloudTrail event (reported with its source, then skipped)."""


def names_kvs(value: object) -> bool:
    return isinstance(value, str) and _KVS_NAME.fullmatch(value.strip().lower()) is not None


def parse_time(value: object) -> datetime:
    """CloudTrail's eventTime ('2025-05-20T20:46:16Z') as an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        raise MalformedRecord("eventTime is missing or not a string")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedRecord(f"eventTime {shown(value)} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class KmsEvent:
    """One KMS request from a CloudTrail record, reduced to what calibration needs."""

    time: datetime
    operation: str
    key: str
    principal: str
    session: str
    via_kvs: bool
    matched_on: tuple[str, ...]
    failed: bool


def _str(mapping: object, key: str) -> str | None:
    if isinstance(mapping, dict):
        value = mapping.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _principal_and_session(identity: object) -> tuple[str, str]:
    if not isinstance(identity, dict):
        return "unknown", "unknown"
    arn = _str(identity, "arn")
    context = identity.get("sessionContext")
    issuer = _str(context.get("sessionIssuer") if isinstance(context, dict) else None, "arn")
    created = _str(context.get("attributes") if isinstance(context, dict) else None, "creationDate")
    access_key = _str(identity, "accessKeyId")
    if identity.get("type") == "AssumedRole" or (arn and ":assumed-role/" in arn):
        principal = issuer
        match = _ASSUMED.fullmatch(arn or "")
        if principal is None and match:
            principal = f"arn:{match['part']}:iam::{match['acct']}:role/{match['role']}"
        principal = principal or arn or _str(identity, "principalId") or "unknown"
        if arn and created:
            return principal, f"{arn}@{created}"
        return principal, access_key or arn or principal
    principal = arn or _str(identity, "principalId") or str(identity.get("type") or "unknown")
    return principal, access_key or principal


def _key_of(record: dict[str, object]) -> str:
    resources = record.get("resources")
    if isinstance(resources, list):
        for res in resources:
            arn = _str(res, "ARN")
            if arn and ":key/" in arn:
                return arn
    key_id = _str(record.get("requestParameters"), "keyId")
    return key_id or "unknown"


def parse_event(record: object) -> KmsEvent | None:
    """The KMS request in `record`, None for an event of another service; MalformedRecord if unusable."""
    if not isinstance(record, dict):
        raise MalformedRecord(f"a record is a JSON {type(record).__name__}, not an object")
    source = record.get("eventSource")
    name = record.get("eventName")
    if not isinstance(source, str) or not isinstance(name, str):
        raise MalformedRecord("eventSource or eventName is missing")
    moment = parse_time(record.get("eventTime"))
    if source != KMS_SOURCE:
        return None
    identity = record.get("userIdentity")
    principal, session = _principal_and_session(identity)
    values = (
        identity.get("invokedBy") if isinstance(identity, dict) else None,
        record.get("sourceIPAddress"),
        record.get("userAgent"),
    )
    matched = tuple(f for f, v in zip(MATCHED_FIELDS, values, strict=True) if names_kvs(v))
    return KmsEvent(
        time=moment,
        operation=name,
        key=_key_of(record),
        principal=principal,
        session=session,
        via_kvs=bool(matched) and name in DATA_OPERATIONS,
        matched_on=matched,
        failed=bool(record.get("errorCode")),
    )


# --- results ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    """KVS-made requests for one key × principal × operation × hour."""

    key: str
    principal: str
    operation: str
    hour: datetime
    requests: int
    sessions: int


@dataclass(frozen=True)
class SessionRow:
    """Distinct credentials (sessions) of one principal that asked KMS through KVS in one hour."""

    principal: str
    hour: datetime
    sessions: int


@dataclass(frozen=True)
class RoleRate:
    """Producers (GenerateDataKey) or consumers (Decrypt): measured cadence per credential."""

    role: str
    operation: str
    requests: int
    sessions: int
    """Distinct (session, key) pairs that asked."""
    sessions_with_repeats: int
    """Of those, how many asked at least twice (only these measure the interval)."""
    interval_minutes: Fraction | None
    requests_per_credential_hour: Fraction | None
    requests_per_session: Fraction | None


@dataclass(frozen=True)
class KeyExtrapolation:
    key: str
    kvs_requests: int
    by_operation: tuple[tuple[str, int], ...]
    monthly_requests: int
    monthly_request_cost_usd: Decimal
    """Before the account-wide free tier."""


@dataclass(frozen=True)
class OtherRow:
    key: str
    operation: str
    requests: int


@dataclass(frozen=True)
class Malformed:
    source: str
    reason: str


@dataclass(frozen=True)
class Calibration:
    window_start: datetime | None
    window_end: datetime | None
    window_hours: Fraction
    window_from: str
    """"records" (whole hours from the first to the last record) or "request" (--start/--end)."""
    sources: int
    records: int
    kms_records: int
    kvs_requests: int
    failed_kvs_requests: int
    other_kms_requests: int
    rows: tuple[CountRow, ...]
    sessions: tuple[SessionRow, ...]
    rates: tuple[RoleRate, ...]
    combined: RoleRate
    per_key: tuple[KeyExtrapolation, ...]
    other: tuple[OtherRow, ...]
    other_monthly_requests: int
    gaps: tuple[tuple[datetime, datetime], ...]
    malformed: tuple[Malformed, ...]
    malformed_total: int
    warnings: tuple[str, ...]
    hours_per_month: Decimal
    price_per_10k: Decimal


@dataclass
class _Span:
    first: datetime
    last: datetime
    count: int = 1


MAX_MALFORMED_LISTED = 100


@dataclass
class Calibrator:
    """Feed records (and per-file problems) in any order; `result()` computes the calibration."""

    sources: int = 0
    records: int = 0
    kms_records: int = 0
    failed_kvs: int = 0
    first: datetime | None = None
    last: datetime | None = None
    hours_seen: set[datetime] = field(default_factory=set)
    counts: dict[tuple[str, str, str, datetime], int] = field(default_factory=lambda: defaultdict(int))
    hour_sessions: dict[tuple[str, str, str, datetime], set[str]] = field(default_factory=lambda: defaultdict(set))
    spans: dict[tuple[str, str, str], _Span] = field(default_factory=dict)
    other: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    malformed: list[Malformed] = field(default_factory=list)
    malformed_total: int = 0

    def add_source(self) -> None:
        self.sources += 1

    def add_malformed(self, source: str, reason: str) -> None:
        self.malformed_total += 1
        if len(self.malformed) < MAX_MALFORMED_LISTED:
            self.malformed.append(Malformed(source, reason))

    def add(self, record: object, source: str) -> None:
        """Count one record; a malformed one is reported against `source` and skipped."""
        try:
            event = parse_event(record)
            if event is None:
                moment = parse_time(record.get("eventTime") if isinstance(record, dict) else None)
        except MalformedRecord as exc:
            self.add_malformed(source, str(exc))
            return
        self.records += 1
        if event is not None:
            moment = event.time
        self.first = moment if self.first is None or moment < self.first else self.first
        self.last = moment if self.last is None or moment > self.last else self.last
        self.hours_seen.add(hour_of(moment))
        if event is None:
            return
        self.kms_records += 1
        if not event.via_kvs:
            self.other[(event.key, event.operation)] += 1
            return
        if event.failed:
            self.failed_kvs += 1
        hour = hour_of(event.time)
        self.counts[(event.key, event.principal, event.operation, hour)] += 1
        self.hour_sessions[(event.key, event.principal, event.operation, hour)].add(event.session)
        span_key = (event.session, event.key, event.operation)
        span = self.spans.get(span_key)
        if span is None:
            self.spans[span_key] = _Span(event.time, event.time)
        else:
            span.first = min(span.first, event.time)
            span.last = max(span.last, event.time)
            span.count += 1

    def add_all(self, records: Iterable[object], source: str) -> None:
        for record in records:
            self.add(record, source)

    # -- result ---------------------------------------------------------------------------------------
    def result(
        self,
        *,
        hours_per_month: Decimal,
        price_per_10k: Decimal,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Calibration:
        window_start: datetime | None
        window_end: datetime | None
        if start is not None and end is not None:
            window_start, window_end, window_from = start, end, "request"
        elif self.first is not None and self.last is not None:
            window_start, window_end, window_from = hour_of(self.first), hour_of(self.last) + _HOUR, "records"
        else:
            window_start = window_end = None
            window_from = "records"
        seconds = int((window_end - window_start).total_seconds()) if window_start and window_end else 0
        window_hours = Fraction(seconds, 3600)

        rows = tuple(
            CountRow(
                key=k, principal=p, operation=o, hour=h, requests=n, sessions=len(self.hour_sessions[(k, p, o, h)])
            )
            for (k, p, o, h), n in sorted(self.counts.items())
        )
        per_principal_hour: dict[tuple[str, datetime], set[str]] = defaultdict(set)
        for (_k, p, _o, h), sessions in self.hour_sessions.items():
            per_principal_hour[(p, h)].update(sessions)
        session_rows = tuple(
            SessionRow(principal=p, hour=h, sessions=len(s)) for (p, h), s in sorted(per_principal_hour.items())
        )
        rates = tuple(self._rate(op) for op in DATA_OPERATIONS)
        combined = self._rate(None)
        kvs_total = sum(self.counts.values())

        per_key_ops: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for (k, _p, o, _h), n in self.counts.items():
            per_key_ops[k][o] += n
        per_request = price_per_10k / Decimal(10_000)
        per_key = tuple(
            KeyExtrapolation(
                key=k,
                kvs_requests=sum(ops.values()),
                by_operation=tuple(sorted(ops.items())),
                monthly_requests=(monthly := extrapolate(sum(ops.values()), window_hours, hours_per_month)),
                monthly_request_cost_usd=Decimal(monthly) * per_request,
            )
            for k, ops in sorted(per_key_ops.items())
        )
        other_rows = tuple(OtherRow(key=k, operation=o, requests=n) for (k, o), n in sorted(self.other.items()))
        other_total = sum(self.other.values())
        gaps = self._gaps(window_start, window_end)
        calibration = Calibration(
            window_start=window_start,
            window_end=window_end,
            window_hours=window_hours,
            window_from=window_from,
            sources=self.sources,
            records=self.records,
            kms_records=self.kms_records,
            kvs_requests=kvs_total,
            failed_kvs_requests=self.failed_kvs,
            other_kms_requests=other_total,
            rows=rows,
            sessions=session_rows,
            rates=rates,
            combined=combined,
            per_key=per_key,
            other=other_rows,
            other_monthly_requests=extrapolate(other_total, window_hours, hours_per_month),
            gaps=gaps,
            malformed=tuple(self.malformed),
            malformed_total=self.malformed_total,
            warnings=(),
            hours_per_month=hours_per_month,
            price_per_10k=price_per_10k,
        )
        return _with_warnings(calibration, self)

    def _rate(self, operation: str | None) -> RoleRate:
        spans = [s for (_sess, _k, o), s in self.spans.items() if operation is None or o == operation]
        requests = sum(s.count for s in spans)
        repeats = [s for s in spans if s.count > 1]
        gaps_seconds = sum(int((s.last - s.first).total_seconds()) for s in repeats)
        steps = sum(s.count - 1 for s in repeats)
        interval = Fraction(gaps_seconds, 60 * steps) if steps and gaps_seconds else None
        return RoleRate(
            role=ROLE_OF_OPERATION.get(operation or "", "all"),
            operation=operation or "all",
            requests=requests,
            sessions=len(spans),
            sessions_with_repeats=len(repeats),
            interval_minutes=interval,
            requests_per_credential_hour=(60 / interval) if interval else None,
            requests_per_session=Fraction(requests, len(spans)) if spans else None,
        )

    def _gaps(self, start: datetime | None, end: datetime | None) -> tuple[tuple[datetime, datetime], ...]:
        """Runs of whole clock hours inside the window in which no record at all was seen."""
        if start is None or end is None or not self.records:
            return ()
        gaps: list[tuple[datetime, datetime]] = []
        hour = hour_of(start) if hour_of(start) == start else hour_of(start) + _HOUR
        run_start: datetime | None = None
        while hour + _HOUR <= end:
            if hour not in self.hours_seen:
                run_start = run_start or hour
            elif run_start is not None:
                gaps.append((run_start, hour))
                run_start = None
            hour += _HOUR
        if run_start is not None:
            gaps.append((run_start, hour))
        return tuple(gaps)


def extrapolate(requests: int, window_hours: Fraction, hours_per_month: Decimal) -> int:
    """Requests in the window scaled to a month, rounded half up to a whole request (0 for no window)."""
    if not window_hours:
        return 0
    exact = Fraction(requests) * Fraction(hours_per_month) / window_hours
    return math.floor(exact + Fraction(1, 2))


def rounded(value: Fraction, places: int = 4) -> Decimal:
    """A Fraction as a Decimal rounded half up to `places` decimals (display and JSON only)."""
    quantum = Decimal(1).scaleb(-places)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(quantum, rounding=ROUND_HALF_UP).normalize() if exact else Decimal(0)


def _fmt_hours(hours: Fraction) -> str:
    return format(rounded(hours, 2), "f")


def _with_warnings(c: Calibration, state: Calibrator) -> Calibration:
    from dataclasses import replace

    warnings: list[str] = []
    if c.window_start is None:
        warnings.append("No CloudTrail records were read: nothing to calibrate from.")
    elif c.window_hours < SHORT_WINDOW_HOURS:
        warnings.append(
            f"The observed window is {_fmt_hours(c.window_hours)} h, less than 24 h: daily patterns (idle "
            "cameras at night, viewers by day) are not in it, so the monthly extrapolation is uncertain."
        )
    if c.gaps:
        missing = sum(int((b - a).total_seconds()) // 3600 for a, b in c.gaps)
        first = c.gaps[0][0].strftime("%Y-%m-%dT%H:%MZ")
        warnings.append(
            f"{plural(missing, 'hour')} of the window {verb(missing, 'has', 'have')} no CloudTrail records at all "
            f"(first gap from {first}): log "
            "files may be missing. The extrapolation counts those hours as quiet."
        )
    data_events = any(op in DATA_OPERATIONS for (_k, op) in state.other) or c.kvs_requests > 0
    if c.records and not data_events:
        warnings.append(
            "No KMS GenerateDataKey or Decrypt events at all: the trail may exclude KMS events. " + SELECTOR_HINT
        )
    elif data_events and c.kvs_requests == 0:
        warnings.append(
            "KMS GenerateDataKey/Decrypt events were found, but none made through Kinesis Video Streams "
            f"(none names {KVS_SERVICE} in {', '.join(MATCHED_FIELDS)})."
        )
    for rate in c.rates:
        if rate.requests and rate.interval_minutes is None:
            warnings.append(
                f"No {rate.role} credential asked KMS more than once in the window: each asked once per "
                "credential, so no data-key interval is implied (the credentials lived shorter than it)."
            )
    if c.failed_kvs_requests:
        warnings.append(
            f"{plural(c.failed_kvs_requests, 'KMS request')} made through KVS failed (errorCode set); "
            f"{'it is' if c.failed_kvs_requests == 1 else 'they are'} counted."
        )
    if c.malformed_total:
        warnings.append(
            f"{c.malformed_total} malformed {noun(c.malformed_total, 'record or file', 'records or files')} "
            f"{verb(c.malformed_total, 'was', 'were')} skipped (listed under malformed)."
        )
    return replace(c, warnings=tuple(warnings))
