"""`apply`: plan a spec against the account, then create the missing streams through the checked
create path (StreamService.create). Existing streams are never changed or deleted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kvsctl.aws.session import ClientFactory
from kvsctl.checks.keys import drift, holds_key
from kvsctl.errors import AwsError, CheckFailed, ExitCode, Interrupted, shown
from kvsctl.models import KeyInfo, StreamView
from kvsctl.services.streams import CreateStreamRequest, StreamService
from kvsctl.streamspec.model import Spec, StreamSpec

#: Actions that leave the stream as declared (or about to be). Everything else makes exit 1 (or 3).
OK_ACTIONS = ("would-create", "created", "exists", "drift")


def wrong_key_fix(name: str, declared: str) -> str:
    return (
        f"A stream's KMS key can never change. The only fix: create a new stream (e.g. {name}-v2) with "
        f"kms_key = {shown(declared)}, move its producers and consumers to it, then retire {name} "
        "and rename the stream in the spec."
    )


@dataclass(frozen=True)
class StreamPlan:
    spec: StreamSpec
    action: str  # would-create | created | exists | drift | wrong-key | blocked | failed
    key: KeyInfo | None = None  # the declared key, resolved
    existing: StreamView | None = None
    message: str = ""
    fix: str | None = None
    exit_code: int = 0

    @property
    def ok(self) -> bool:
        return self.action in OK_ACTIONS

    def to_json(self) -> dict[str, Any]:
        existing = self.existing.stream if self.existing else None
        return {
            "name": self.spec.name,
            "action": self.action,
            "ok": self.ok,
            "kms_key_declared": self.spec.kms_key,
            "key_arn": self.key.arn if self.key else None,
            "stream_arn": existing.arn if existing else None,
            "kms_key_id": existing.kms_key_id if existing else None,
            "kms_key_id_held": existing.kms_key_id if existing else None,  # deprecated alias of kms_key_id
            "message": self.message,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class ApplyResult:
    spec: Spec
    region: str
    dry_run: bool
    items: tuple[StreamPlan, ...]

    @property
    def ok(self) -> bool:
        return all(i.ok for i in self.items)

    @property
    def exit_code(self) -> int:
        codes = [i.exit_code for i in self.items if not i.ok]
        return max(codes) if codes else int(ExitCode.OK)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.action] = counts.get(item.action, 0) + 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "spec": self.spec.path,
            "region": self.region,
            "summary": {action.replace("-", "_"): n for action, n in self.counts().items()},  # snake_case keys
            "streams": [i.to_json() for i in self.items],
        }


class ApplyService:
    def __init__(self, factory: ClientFactory, region: str | None = None) -> None:
        self.streams = StreamService(factory, region)
        self._keys: dict[str, KeyInfo | AwsError] = {}

    @property
    def region(self) -> str:
        return self.streams.region

    def apply(self, spec: Spec, *, dry_run: bool, warn: Callable[[str], None] = lambda _m: None) -> ApplyResult:
        plan = [self.plan_one(s) for s in spec.streams]
        if not dry_run:
            warned: list[str] = []

            def warn_once(message: str) -> None:
                if message not in warned:
                    warned.append(message)
                    warn(message)

            plan = self._create_missing(plan, warn_once)
        return ApplyResult(spec, self.region, dry_run, tuple(plan))

    def _create_missing(self, plan: list[StreamPlan], warn: Callable[[str], None]) -> list[StreamPlan]:
        done: list[StreamPlan] = []
        for p in plan:
            if p.action != "would-create":
                done.append(p)
                continue
            try:
                done.append(self.create_one(p, warn))
            except (KeyboardInterrupt, Interrupted):
                created = [d.spec.name for d in done if d.action == "created"]
                missing = [q.spec.name for q in plan[len(done) + 1 :] if q.action == "would-create"]
                raise Interrupted(
                    f"interrupted while creating stream {p.spec.name} (it may or may not exist now); "
                    f"created before: {', '.join(created) or 'none'}; not created: {', '.join(missing) or 'none'}",
                    hint="Rerun 'kvsctl apply' with the same spec to finish: it creates only what is missing and "
                    "never changes what exists. Nothing was changed or deleted.",
                    details={"created": created, "in_progress": p.spec.name, "not_created": missing},
                ) from None
        return done

    # -- plan --------------------------------------------------------------------------------------
    def _request(self, s: StreamSpec, *, dry_run: bool) -> CreateStreamRequest:
        return CreateStreamRequest(
            name=s.name,
            kms_key=s.kms_key,
            retention_hours=s.retention_hours,
            media_type=s.media_type,
            tags=dict(s.tags),
            dry_run=dry_run,
            if_not_exists=not dry_run,
        )

    def plan_one(self, s: StreamSpec) -> StreamPlan:
        existing = self.streams.kvs.describe_stream(s.name)
        if existing is None:
            try:
                outcome = self.streams.create(self._request(s, dry_run=True))
            except CheckFailed as exc:
                return StreamPlan(s, "blocked", message=exc.message, fix=exc.hint, exit_code=int(exc.exit_code))
            except AwsError as exc:
                if exc.code != "key_not_found":
                    raise
                return StreamPlan(s, "blocked", message=exc.message, fix=exc.hint, exit_code=int(ExitCode.CHECK_FAILED))
            return StreamPlan(s, "would-create", key=outcome.key, message="missing: will be created")
        view = self.streams.view(existing)
        declared = self._declared_key(s)
        if isinstance(declared, AwsError):
            return StreamPlan(
                s,
                "blocked",
                existing=view,
                message=f"the declared key {s.kms_key} does not exist; the stream holds "
                f"{existing.kms_key_id or 'the AWS managed key'}",
                fix="Correct kms_key in the spec.",
                exit_code=int(ExitCode.CHECK_FAILED),
            )
        if not holds_key(view.key, declared):
            held = existing.kms_key_id or "the AWS managed key"
            return StreamPlan(
                s,
                "wrong-key",
                key=declared,
                existing=view,
                message=f"exists with key {held}, not {declared.arn}; left untouched",
                fix=wrong_key_fix(s.name, s.kms_key),
                exit_code=int(ExitCode.CHECK_FAILED),
            )
        drifted = drift(s.name, view.stream, s.retention_hours, s.media_type)
        if drifted:
            return StreamPlan(
                s,
                "drift",
                key=declared,
                existing=view,
                message="exists with the declared key, but "
                + "; ".join(d.message for d in drifted)
                + "; apply does not change existing streams",
                fix="Change it yourself if intended: " + " ; ".join(d.fix for d in drifted),
            )
        return StreamPlan(s, "exists", key=declared, existing=view, message="exists as declared")

    def _declared_key(self, s: StreamSpec) -> KeyInfo | AwsError:
        if s.kms_key not in self._keys:
            try:
                self._keys[s.kms_key] = self.streams.kms.describe(s.key_ref)
            except AwsError as exc:
                if exc.code != "not_found":
                    raise
                self._keys[s.kms_key] = exc
        return self._keys[s.kms_key]

    # -- create ------------------------------------------------------------------------------------
    def create_one(self, planned: StreamPlan, warn: Callable[[str], None]) -> StreamPlan:
        s = planned.spec
        try:
            outcome = self.streams.create(self._request(s, dry_run=False), warn=warn)
        except CheckFailed as exc:
            action = "wrong-key" if exc.code == "stream_key_mismatch" else "blocked"
            fix = wrong_key_fix(s.name, s.kms_key) if action == "wrong-key" else exc.hint
            return StreamPlan(s, action, key=planned.key, message=exc.message, fix=fix, exit_code=int(exc.exit_code))
        except AwsError as exc:
            # Keep going: the report must still show what the other streams did.
            return StreamPlan(
                s, "failed", key=planned.key, message=exc.message, fix=exc.hint, exit_code=int(exc.exit_code)
            )
        if outcome.action == "exists":  # created by someone else since the plan, with the same key
            return StreamPlan(s, "exists", key=outcome.key, existing=outcome.stream, message="exists as declared")
        return StreamPlan(s, "created", key=outcome.key, existing=outcome.stream, message="created")
