"""Fleet audits: `audit all` over many accounts (and their regions) in one run.

Each account is entered once (STS AssumeRole, or the caller's own session) and audited with the live
audit as one unit (every region of the run, each key and principal read once); accounts run concurrently
(`--max-concurrency`), each under its own rate limiter at AWS's documented quotas, so concurrency never
raises the request rate of one account. An account that cannot be entered is an error result for that
account; the others complete. Keys owned by another account of the run are read through that account's
session. Every result carries its account and region.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TypeVar

from kvsctl.audit.live import LiveAuditReport, StreamAudit
from kvsctl.audit.model import AuditReport
from kvsctl.aws.org import AccountSessions, list_organization_accounts
from kvsctl.aws.organizations import OrgCache, RcpRead, read_rcps
from kvsctl.aws.ratelimit import LimiterRegistry
from kvsctl.aws.session import ClientFactory
from kvsctl.checks import rules
from kvsctl.checks.model import Result, Subject
from kvsctl.errors import AwsError, UsageError
from kvsctl.services.audit_live import AuditScope
from kvsctl.singleflight import Once

DEFAULT_CONCURRENCY = 8
#: Threads inside one account's audit; with --max-concurrency accounts at once.
WORKERS_PER_ACCOUNT = 4

ProgressFn = Callable[[str, int, int], None]


@dataclass(frozen=True)
class FleetScope:
    accounts: tuple[str, ...] = ()  # explicit --accounts
    organization: bool = False
    role_name: str | None = None
    external_id: str | None = None
    session_name: str = "kvsctl-audit"
    max_concurrency: int = DEFAULT_CONCURRENCY

    def validated(self) -> FleetScope:
        from kvsctl.aws.org import check_role_options

        if self.accounts and self.organization:
            raise UsageError("give --accounts or --organization, not both")
        if not 1 <= self.max_concurrency <= 64:
            raise UsageError("--max-concurrency must be 1-64", hint="The default is 8 accounts at once.")
        check_role_options(self.role_name, self.external_id, self.session_name)
        if self.organization and self.role_name is None:
            raise UsageError(
                "--organization needs --assume-role NAME",
                hint="kvsctl enters each member account through that role (examples/org-audit).",
            )
        return self


def _tag(r: Result, account: str, region: str | None) -> Result:
    return r.about(Subject(account=account, region=region))


def _tag_stream(s: StreamAudit, account: str) -> StreamAudit:
    report = AuditReport(
        tuple(_tag(r, account, s.region) for r in s.report.results),
        tuple(_tag(r, account, s.region) for r in s.report.findings),
    )
    return replace(s, report=report)


#: What keeps one account out of a fleet run while the others go on (anything else stops the run).
ENTRY_FAILURES = ("assume_role_failed", "no_role", "access_denied", "endpoint_unreachable")

R = TypeVar("R")


class FleetRun:
    """Entering the accounts of a fleet run and working on them concurrently, each under its own rate
    limiter; shared by the fleet audit and the fleet cost count."""

    def __init__(
        self,
        base: ClientFactory,
        fleet: FleetScope,
        *,
        progress: ProgressFn | None = None,
        limiters: LimiterRegistry | None = None,
    ) -> None:
        self.base = base
        self.fleet = fleet
        self.sessions = AccountSessions(base, fleet.role_name, fleet.external_id, fleet.session_name, limiters)
        self.progress = progress
        self._factories: dict[str, ClientFactory] = {}
        self._lock = threading.Lock()

    def cancel(self) -> None:
        """Ctrl-C: every session of the run stops sending, sleeping and waiting for its rate limiter."""
        self.base.cancel()
        with self._lock:
            factories = list(self._factories.values())
        for factory in factories:
            factory.cancel()

    def accounts(self) -> list[str]:
        if self.fleet.organization:
            return [a.account_id for a in list_organization_accounts(self.base)]
        return list(self.fleet.accounts)

    def factory_for(self, account: str) -> ClientFactory | None:
        """The session in `account` when it is part of this run and was entered (for keys it owns)."""
        with self._lock:
            return self._factories.get(account)

    def enter_all(self, accounts: Sequence[str]) -> tuple[list[str], list[tuple[str, AwsError]]]:
        """Enter every account first (so keys owned by any account of the run are read with its own
        session): the accounts entered, and those that could not be, with why."""
        entered: list[str] = []
        refused: list[tuple[str, AwsError]] = []
        for account in accounts:
            try:
                factory = self.sessions.enter(account)
            except AwsError as exc:
                if exc.code not in ENTRY_FAILURES:
                    raise
                refused.append((account, exc))
                continue
            with self._lock:
                self._factories[account] = factory
            entered.append(account)
        return entered, refused

    def map_accounts(self, fn: Callable[[str, ClientFactory], R], accounts: Sequence[str]) -> Iterator[tuple[str, R]]:
        """fn(account, its session) for every entered account, --max-concurrency at once, in order; progress
        counts accounts. Ctrl-C cancels every session and does not wait for the running ones."""
        pool = ThreadPoolExecutor(max_workers=self.fleet.max_concurrency, thread_name_prefix="kvsctl-fleet")
        try:
            results = pool.map(lambda a: fn(a, self._factories[a]), accounts)
            for done, (account, result) in enumerate(zip(accounts, results, strict=True), 1):
                if self.progress:
                    self.progress("accounts", done, len(accounts))
                yield account, result
        except BaseException:
            # Ctrl-C (or a bug): queued accounts never start, running ones stop at their next request,
            # backoff or rate-limit wait; leaving does not wait for them
            self.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)


class FleetAudit(FleetRun):
    def __init__(
        self,
        base: ClientFactory,
        fleet: FleetScope,
        *,
        run_one: Callable[..., LiveAuditReport] | None = None,
        progress: ProgressFn | None = None,
        limiters: LimiterRegistry | None = None,
    ) -> None:
        super().__init__(base, fleet, progress=progress, limiters=limiters)
        from kvsctl.services.audit_live import run

        self._run_one: Callable[..., LiveAuditReport] = run_one or run
        self._rcps: Once[RcpRead] = Once()
        self._org = OrgCache()

    def rcps_of(self, account: str) -> RcpRead:
        """The RCPs that apply to `account`, read once per run from the caller's account: Organizations
        answers only the management account or a delegated administrator, never a member's role."""
        return self._rcps.get(account, lambda: read_rcps(self.base, account, self._org))

    def run(self, scope: AuditScope, *, context: Mapping[str, str], strict: bool, fail_on: str) -> LiveAuditReport:
        accounts = self.accounts()
        streams: list[StreamAudit] = []
        entered, refused = self.enter_all(accounts)
        findings: list[Result] = [_not_audited(account, exc) for account, exc in refused]

        def one(account: str, factory: ClientFactory) -> LiveAuditReport | Result:
            try:
                return self._run_one(
                    factory,
                    replace(scope, allow_empty=True),  # an account without cameras is normal; the fleet decides
                    key_factory=self.factory_for,
                    context=context,
                    strict=strict,
                    fail_on=fail_on,
                    workers=WORKERS_PER_ACCOUNT,
                    rcps_of=self.rcps_of,
                )
            except AwsError as exc:
                return _not_audited(account, exc)

        for account, outcome in self.map_accounts(one, entered):
            if isinstance(outcome, Result):
                findings.append(outcome)
                continue
            streams += [_tag_stream(s, account) for s in outcome.streams]
            findings += [_tag(f, account, f.subject.region) for f in outcome.findings]
        streams.sort(key=lambda s: (s.arn or "", s.region, s.name))
        if not streams and not getattr(scope, "allow_empty", False):
            from kvsctl.words import plural

            where = plural(len(accounts), "account")
            findings.append(rules.NO_STREAM_MATCHED(f"no stream matched in {where}"))
        return LiveAuditReport(tuple(streams), tuple(findings), strict=strict, fail_on=fail_on)


def _not_audited(account: str, exc: AwsError) -> Result:
    return rules.ACCOUNT_NOT_AUDITED(
        f"account {account} could not be audited: {exc.message}", subject=Subject(account=account), fix=exc.hint
    )


def accounts_of(values: Sequence[str]) -> tuple[str, ...]:
    from kvsctl.aws.org import parse_accounts

    return tuple(parse_accounts(list(values)))
