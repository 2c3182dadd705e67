"""Key service: create a KVS key the right way (policy, rotation, alias) and describe a key with the
streams that use it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kvsctl import validate
from kvsctl.aws.kms_admin import KmsAdminGateway
from kvsctl.aws.session import ClientFactory
from kvsctl.checks.keys import usable_problems
from kvsctl.errors import AwsError, CheckFailed, ExitCode, Interrupted, UsageError, clip
from kvsctl.keyref import parse_key_ref
from kvsctl.keys.policy import PolicyRequest, RecommendedPolicy, build_key_policy, lockout_problem
from kvsctl.longnum import read_int
from kvsctl.models import KeyInfo, StreamView
from kvsctl.services.streams import StreamService

MAX_DESCRIPTION = 8192


def check_alias(alias: str) -> str:
    return validate.alias_name(alias, creating=True)


@dataclass(frozen=True)
class CreateKeyRequest:
    alias: str
    admins: tuple[str, ...]
    producers: tuple[str, ...] = ()
    consumers: tuple[str, ...] = ()
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    allow_account_iam: bool = False
    account: str | None = None
    dry_run: bool = False
    reads: tuple[str, ...] = ("getmedia",)  # consumer read paths the key serves

    def plan(self, region: str | None) -> RecommendedPolicy:
        """Check every input and build the policy (exit 2, before any AWS call)."""
        check_alias(self.alias)
        validate.tags(dict(self.tags))
        if len(self.description) > MAX_DESCRIPTION:
            raise UsageError(f"description is longer than {MAX_DESCRIPTION} characters", hint="Shorten it.")
        rec = build_key_policy(
            PolicyRequest(
                admins=self.admins,
                producers=self.producers,
                consumers=self.consumers,
                region=region,
                account=self.account,
                allow_account_iam=self.allow_account_iam,
                reads=self.reads,
            )
        )
        problem = lockout_problem(rec)
        if problem:
            raise UsageError(
                f"refusing a key policy that locks every admin out: {problem}",
                hint="Give an --admin who keeps kms:PutKeyPolicy. Nothing was created.",
                code="policy_lockout",
            )
        return rec


@dataclass(frozen=True)
class KeyCreateOutcome:
    action: str  # "created" | "would-create"
    request: CreateKeyRequest
    policy: RecommendedPolicy
    key: KeyInfo | None

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "dry_run": self.request.dry_run,
            "alias": self.request.alias,
            "key": self.key.to_json() if self.key else None,
            "policy": self.policy.document,
            "paths": list(self.policy.paths),
            "tags": dict(self.request.tags),
            "description": self.request.description,
        }


class PartialCreateError(AwsError):
    """The key exists but a later step failed: says what exists and how to finish or clean up."""

    def __init__(self, cause: AwsError, *, key_arn: str, step: str, remaining: list[str], cleanup: str) -> None:
        done = "; ".join(remaining)
        super().__init__(
            f"key {key_arn} was created, but {step} failed: {cause.message}",
            hint=f"The key exists. To finish: {done}. Or to clean up: {cleanup}",
            code="partial_create",
            aws_code=cause.aws_code,
            operation=cause.operation,
        )
        self.exit_code = cause.exit_code if cause.exit_code != ExitCode.INTERNAL else ExitCode.AWS
        self.key_arn = key_arn
        self.remaining = remaining
        self.cleanup = cleanup

    def to_json(self) -> dict[str, object]:
        data = super().to_json()
        err = data["error"]
        assert isinstance(err, dict)
        err.update({"key_arn": self.key_arn, "remaining": self.remaining, "cleanup": self.cleanup})
        return data


@dataclass(frozen=True)
class KeyReport:
    """What `key describe` shows."""

    key: KeyInfo
    streams: tuple[StreamView, ...]
    policy: dict[str, Any] | None
    notes: tuple[str, ...] = ()
    access: Any = None  # the live audit's summary of who can use the key through KVS, when available

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key.to_json(),
            "usable_by_kvs": not usable_problems(self.key),
            "problems": usable_problems(self.key),
            "streams": [
                {
                    "name": v.stream.name,
                    "stream_arn": v.stream.arn,
                    "arn": v.stream.arn,
                    "status": v.stream.status,
                    "retention_hours": v.stream.retention_hours,
                }
                for v in self.streams
            ],
            "policy": self.policy,
        }
        if self.access is not None:
            data["access"] = self.access.to_json()
        if self.notes:
            data["notes"] = list(self.notes)
        return data


def _kind_notes(key: KeyInfo, streams: tuple[StreamView, ...]) -> list[str]:
    """What the key's kind means for its streams (docs/key-kinds.md): expiring imported material against
    each stream's retention, rotation for imported and custom-store keys, an external key store's dependency."""
    from datetime import datetime, timezone

    from kvsctl.keys.kinds import external_store_note, material_expiry, rotation_advice

    notes: list[str] = []
    now = datetime.now(timezone.utc)
    for view in streams:
        expiry = material_expiry(key, view.stream.retention_hours, now)
        if expiry is not None and expiry.within_retention and not expiry.expired:
            notes.append(expiry.message(key.arn, view.stream.name))
    if key.custom_key_store is not None and key.custom_key_store.read_error:
        notes.append(key.custom_key_store.read_error)
    notes += [n for n in (rotation_advice(key), external_store_note(key)) if n]
    return notes


def lifecycle_notes(key: KeyInfo, streams: tuple[StreamView, ...]) -> list[str]:
    """What the key's state means for the streams on it (kvsctl/workloads/lifecycle.py)."""
    from kvsctl.workloads import lifecycle

    if not streams:
        return ["no stream in this region uses this key"]
    out: list[str] = []
    for v in streams:
        st = v.stream
        if key.state == "PendingDeletion":
            out.append(
                lifecycle.pending_deletion_message(key.arn, key.region, key.deletion_date, st.name, st.retention_hours)
            )
        elif key.state == "Disabled":
            out.append(lifecycle.disabled_message(key.arn, key.region, key.state, st.name, st.retention_hours))
    return out


class KeyAdminService:
    def __init__(self, factory: ClientFactory, region: str | None = None) -> None:
        self.factory = factory
        self.kms = KmsAdminGateway(factory, region)
        self._region = region

    @property
    def region(self) -> str:
        return self._region or self.factory.region

    # -- create ------------------------------------------------------------------------------------
    def create(self, req: CreateKeyRequest, warn: Callable[[str], None] = lambda _m: None) -> KeyCreateOutcome:
        rec = req.plan(self.region)
        target = self.kms.alias_target(req.alias)
        if target is not None:
            raise CheckFailed(
                f"alias {req.alias} is already in use (it points to key {target or '?'})",
                hint="Pick another --alias, or use that key. Nothing was created.",
                code="alias_in_use",
            )
        if req.dry_run:
            return KeyCreateOutcome("would-create", req, rec, None)
        try:
            created = self.kms.create_key(policy=rec.document, description=req.description, tags=dict(req.tags))
        except KeyboardInterrupt:
            raise Interrupted(
                "interrupted during CreateKey: a key may or may not have been created",
                hint="Look for it with 'aws kms list-keys' (a key without alias "
                f"{req.alias}, created just now): schedule its deletion, or rerun to create the key.",
            ) from None
        except AwsError as exc:
            if exc.aws_code == "MalformedPolicyDocumentException":
                raise AwsError(
                    f"KMS refused the key policy: {exc.message}",
                    hint="KMS requires every principal to exist, and (its lockout safety check) that the "
                    "identity running kvsctl may call kms:PutKeyPolicy: add your own role with --admin. "
                    "Nothing was created.",
                    code="policy_refused",
                    aws_code=exc.aws_code,
                    operation=exc.operation,
                ) from exc
            if exc.code in ("service_unavailable", "endpoint_timeout", "endpoint_unreachable"):
                raise AwsError(
                    f"CreateKey may or may not have created a key: {exc.message}",
                    hint="It was not retried, so at most one key exists. Look for it with 'aws kms list-keys' "
                    f"(a key without alias {req.alias}, created just now) and rerun, or schedule its deletion.",
                    code=exc.code,
                    aws_code=exc.aws_code,
                    operation=exc.operation,
                ) from exc
            raise
        arn, key_id = created.arn, created.key_id
        finish = {
            "rotation": f"aws kms enable-key-rotation --key-id {arn}",
            "alias": f"aws kms create-alias --alias-name {req.alias} --target-key-id {key_id}",
        }
        cleanup = f"aws kms schedule-key-deletion --key-id {arn} --pending-window-in-days 7"
        steps: list[tuple[str, Callable[[], None]]] = [
            ("rotation", lambda: self.kms.enable_key_rotation(key_id)),
            ("alias", lambda: self._create_alias(req.alias, key_id)),
        ]
        for step, call in steps:
            todo = list(finish.values())[list(finish).index(step) :]
            what = "enabling rotation" if step == "rotation" else f"creating alias {req.alias}"
            try:
                call()
            except AwsError as exc:
                raise PartialCreateError(exc, key_arn=arn, step=what, remaining=todo, cleanup=cleanup) from exc
            except KeyboardInterrupt:
                raise Interrupted(
                    f"interrupted while {what}: key {arn} exists, the rest was not done",
                    hint=f"To finish: {'; '.join(todo)}. Or to clean up: {cleanup}",
                    details={"key_arn": arn, "remaining": todo, "cleanup": cleanup},
                ) from None
        return KeyCreateOutcome("created", req, rec, self.kms.describe_key_id(key_id))

    def _create_alias(self, alias: str, key_id: str) -> None:
        """CreateAlias; an AlreadyExists for an alias that points at this very key is success: an earlier
        attempt whose answer was lost (a timeout, a 5xx) made it, and the retry found it."""
        try:
            self.kms.create_alias(alias, key_id)
        except AwsError as exc:
            if exc.aws_code != "AlreadyExistsException" or self.kms.alias_target(alias) != key_id:
                raise

    # -- describe ----------------------------------------------------------------------------------
    def describe(self, key_text: str) -> KeyReport:
        ref = parse_key_ref(key_text)
        try:
            key = self.kms.describe(ref)
        except AwsError as exc:
            if exc.code == "not_found":
                raise AwsError(
                    f"KMS key {key_text} not found in {self.region}",
                    hint="Check the key id, alias and --region; 'aws kms list-aliases' lists what exists.",
                    code="key_not_found",
                    aws_code=exc.aws_code,
                    operation=exc.operation,
                ) from exc
            raise
        notes: list[str] = []
        policy: dict[str, Any] | None = None
        if key.state != "NotCreated" and key.state != "PendingDeletion":
            try:
                policy = json.loads(self.kms.get_key_policy(key.key_id), parse_int=read_int)
            except AwsError as exc:
                if exc.code != "access_denied":
                    raise
                notes.append("could not read the key policy: access denied")
            except ValueError as exc:  # not JSON, or a number too long to read: said, not a crash
                notes.append(f"could not read the key policy: {clip(str(exc))}")
        if key.state == "NotCreated":
            notes.append("the AWS managed key does not exist yet: KMS creates it when KVS first uses it")
        access = None
        if key.manager == "AWS":
            notes.append(
                f"AWS managed key: any principal of account {key.account or 'this account'} whose IAM policies "
                "allow it can use it, only through KVS"
            )
        elif policy is not None:
            access = self.access(key, policy, notes)
        streams = tuple(self.streams_using(key))
        notes += _kind_notes(key, streams)
        notes += lifecycle_notes(key, streams)
        return KeyReport(key, streams, policy, tuple(notes), access)

    def access(self, key: KeyInfo, policy: dict[str, Any], notes: list[str]) -> Any:
        """Who can use the key through KVS: the principals its policy and grants name, with their IAM
        policies read by the live audit's gateway (those of the key's account), judged by the evaluator."""
        from kvsctl.audit.model import Grant, PolicyDoc, PrincipalPolicies
        from kvsctl.aws.iam import IamGateway
        from kvsctl.keys.access import named_principals, summarize

        grants: tuple[Grant, ...] | None
        try:
            grants = self.kms.list_grants(key.key_id)
        except (AwsError, ValueError) as exc:
            notes.append(f"could not read the key's grants: {getattr(exc, 'message', exc)}")
            grants = None
        named, _accounts, _public = named_principals(policy, grants or ())
        iam = IamGateway(self.factory)
        known: dict[str, PrincipalPolicies] = {}
        unread: dict[str, str] = {}
        for arn in named:
            read = iam.principal(arn, home_account=key.account)
            if read.complete:
                identity = tuple(PolicyDoc(p.name, p.document) for p in read.identity)
                boundary = PolicyDoc(read.boundary.name, read.boundary.document) if read.boundary else None
                known[arn] = PrincipalPolicies(arn, identity, boundary)
            else:
                unread[arn] = read.error or f"IAM policies of {arn} could not be read"
        return summarize(key.arn, policy, grants, known, unread)

    def streams_using(self, key: KeyInfo) -> list[StreamView]:
        return StreamService(self.factory, self._region, kms=self.kms).using_key(key)
