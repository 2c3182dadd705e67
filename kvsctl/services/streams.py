"""Stream service: the checked create path, describe and list."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from kvsctl import validate
from kvsctl.aws.kms import KmsGateway
from kvsctl.aws.kvs import KvsGateway
from kvsctl.aws.session import ClientFactory
from kvsctl.checks.keys import holds_key, is_kvs_aws_managed, usable_problems
from kvsctl.errors import AwsError, CheckFailed, Interrupted
from kvsctl.keyref import KeyRef, parse_key_ref
from kvsctl.models import KeyInfo, Stream, StreamView, is_aws_managed_reference
from kvsctl.services.keys import KeyMatcher, KeyResolver

#: How far AWS's clock may trail ours when telling a stream our retry created from an older one.
CLOCK_SKEW = timedelta(minutes=2)

IMMUTABLE_KEY_WARNING = (
    "The KMS key of a Kinesis video stream can never be changed after creation; "
    "to change it later you must create a new stream."
)


@dataclass(frozen=True)
class CreateStreamRequest:
    name: str
    kms_key: str = "aws-managed"
    retention_hours: int | None = None
    media_type: str | None = None
    device_name: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False
    if_not_exists: bool = False
    strict: bool = False  # a key warning (imported material expiring within the retention window) refuses

    def validated(self) -> tuple[CreateStreamRequest, KeyRef]:
        """Check every field locally (exit 2 before any AWS call)."""
        validate.stream_name(self.name)
        validate.retention_hours(self.retention_hours)
        validate.media_type(self.media_type)
        validate.device_name(self.device_name)
        validate.tags(dict(self.tags))
        return self, parse_key_ref(self.kms_key)


@dataclass(frozen=True)
class CreateOutcome:
    action: str  # "created" | "exists" | "would-create"
    stream: StreamView | None
    key: KeyInfo
    kms_key_id_sent: str | None
    request: CreateStreamRequest

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "dry_run": self.request.dry_run,
            "stream": self.stream.to_json() if self.stream else None,
            "kms_key_id": self.kms_key_id_sent,  # what CreateStream was given, so what KVS holds
            "kms_key_id_sent": self.kms_key_id_sent,  # deprecated alias of kms_key_id, for one release
            "key": self.key.to_json(),
            "planned": {
                "name": self.request.name,
                "retention_hours": self.request.retention_hours,
                "media_type": self.request.media_type,
                "device_name": self.request.device_name,
                "tags": dict(self.request.tags),
            },
        }


class StreamService:
    def __init__(self, factory: ClientFactory, region: str | None = None, *, kms: KmsGateway | None = None) -> None:
        self.factory = factory
        self.kvs = KvsGateway(factory, region)
        self.kms = kms or KmsGateway(factory, region)
        self.keys = KeyResolver(self.kms)
        self._region = region

    @property
    def region(self) -> str:
        return self._region or self.factory.region

    # -- create ------------------------------------------------------------------------------------
    def create(self, req: CreateStreamRequest, warn: Callable[[str], None] = lambda _m: None) -> CreateOutcome:
        req, ref = req.validated()
        region = self.region
        if ref.region and ref.region != region:
            raise CheckFailed(
                f"key {ref.text} is in region {ref.region}, the stream would be in {region}",
                hint="KVS needs a key in the stream's own region; pass --region or pick a key there "
                "(a multi-Region key's replica in this region works).",
                code="key_wrong_region",
            )
        key = self._resolve_requested(ref)
        existing = self.kvs.describe_stream(req.name)
        if existing is not None:
            return self._existing(req, existing, key)
        self._check_usable(key)
        self._check_kind(key, req, warn)
        sent = None if is_kvs_aws_managed(key) else key.arn
        if req.dry_run:
            return CreateOutcome("would-create", None, key, sent, req)
        warn(IMMUTABLE_KEY_WARNING)
        started = datetime.now(timezone.utc)
        try:
            self.kvs.create_stream(
                req.name,
                kms_key_id=sent,
                retention_hours=req.retention_hours,
                media_type=req.media_type,
                device_name=req.device_name,
                tags=dict(req.tags),
            )
        except KeyboardInterrupt:
            raise Interrupted(
                f"interrupted during CreateStream: stream {req.name} may or may not exist now",
                hint=f"See with 'kvsctl stream describe {req.name}'; rerun with --if-not-exists to finish.",
                details={"in_progress": req.name},
            ) from None
        except AwsError as exc:
            if exc.aws_code != "ResourceInUseException":
                raise
            raced = self.kvs.describe_stream(req.name)
            if raced is None:
                raise
            # ResourceInUse on the first request: someone else made it between our check and our create
            if exc.attempts > 1 and self._made_by_our_retry(raced, key, started):
                key = self._key_now(key, warn)
                return CreateOutcome("created", StreamView(raced, key), key, sent, req)
            return self._existing(req, raced, key)  # created by someone else meanwhile
        created = self.kvs.describe_stream(req.name)
        if created is None:
            raise AwsError(
                f"stream {req.name} was created but cannot be described yet",
                code="eventual_consistency",
                hint="Run 'kvsctl stream describe' in a few seconds.",
            )
        key = self._key_now(key, warn)
        return CreateOutcome("created", StreamView(created, key), key, sent, req)

    def _key_now(self, key: KeyInfo, warn: Callable[[str], None]) -> KeyInfo:
        """The key as it is after the create (it may have been disabled or scheduled for deletion since it
        was checked): what is reported is what the stream has now, with a warning when it changed."""
        if is_kvs_aws_managed(key):
            return key
        try:
            now = self.kms.describe_key_id(key.arn)
        except AwsError as exc:
            warn(f"could not read key {key.arn} again after creating the stream: {exc.message}")
            return key
        if now.state != key.state:
            problems = "; ".join(usable_problems(now)) or "usable"
            warn(
                f"key {key.arn} changed while the stream was created: it is now {now.state} (was {key.state}); "
                f"{problems}. The stream keeps this key for good: PutMedia/GetMedia fail until the key is usable."
            )
        return now

    @staticmethod
    def _made_by_our_retry(stream: Stream, key: KeyInfo, started: datetime) -> bool:
        """ResourceInUse right after our own CreateStream: when the first attempt timed out or hit a 5xx
        after KVS had created the stream, the retry finds it. A stream with the requested key created
        since this command started is taken as ours (were it someone else's, it is the same stream)."""
        if stream.creation_time is None or (stream.kms_key_id is None and not is_kvs_aws_managed(key)):
            return False
        same_key = stream.kms_key_id == key.arn or (
            is_kvs_aws_managed(key) and is_aws_managed_reference(stream.kms_key_id)
        )
        created = stream.creation_time
        if created.tzinfo is None:
            created = created.replace(tzinfo=timezone.utc)
        return same_key and created >= started - CLOCK_SKEW

    def _resolve_requested(self, ref: KeyRef) -> KeyInfo:
        try:
            key = self.kms.describe(ref)
        except AwsError as exc:
            if exc.code == "not_found":
                raise AwsError(
                    f"KMS key {ref.text} not found in {self.region}",
                    hint="Check the key id, alias and region; 'aws kms list-aliases' lists what exists. "
                    "Nothing was created.",
                    code="key_not_found",
                    aws_code=exc.aws_code,
                    operation=exc.operation,
                ) from exc
            raise
        if key.manager == "AWS" and not is_kvs_aws_managed(key):
            raise CheckFailed(
                f"{ref.text} is the AWS managed key of another service; KVS cannot use it",
                hint="Use 'aws-managed' or a customer managed key. Nothing was created.",
                code="key_unusable",
            )
        return key

    @staticmethod
    def _check_usable(key: KeyInfo) -> None:
        problems = usable_problems(key)
        if problems:
            raise CheckFailed(
                f"KMS key {key.arn} cannot encrypt a video stream: {'; '.join(problems)}",
                hint="KVS would accept the stream and every PutMedia/GetMedia would fail. Nothing was created.",
                code="key_unusable",
            )

    @staticmethod
    def _check_kind(key: KeyInfo, req: CreateStreamRequest, warn: Callable[[str], None]) -> None:
        """Imported key material that expires while video written now is still retained: a warning,
        refused under --strict; an external key store's dependency: a warning (docs/key-kinds.md)."""
        from kvsctl.keys.kinds import external_store_note, material_expiry

        expiry = material_expiry(key, req.retention_hours or 0, datetime.now(timezone.utc))
        if expiry is not None and (expiry.expired or expiry.within_retention):
            if req.strict or expiry.expired:
                raise CheckFailed(
                    expiry.message(key.arn, req.name),
                    hint=f"{expiry.fix}. Or use a key whose material does not expire. Nothing was created.",
                    code="key_material_expires",
                )
            warn(expiry.message(key.arn, req.name) + f". {expiry.fix}")
        elif expiry is not None:
            warn(expiry.message(key.arn, req.name))
        if (note := external_store_note(key)) is not None:
            warn(note)

    def _existing(self, req: CreateStreamRequest, existing: Stream, key: KeyInfo) -> CreateOutcome:
        existing_key, _note = self.keys.resolve(existing.kms_key_id)
        same = holds_key(existing_key, key)
        held = existing.kms_key_id or "the AWS managed key"
        if not req.if_not_exists:
            raise CheckFailed(
                f"stream {req.name} already exists (key: {held}); it was left untouched",
                hint="Use --if-not-exists to accept an existing stream that has the requested key.",
                code="stream_exists",
            )
        if not same:
            raise CheckFailed(
                f"stream {req.name} exists with key {held}, not {key.arn}; it was left untouched",
                hint="A stream's key can never change: create a new stream with the key, move producers and "
                "consumers, then retire the old stream.",
                code="stream_key_mismatch",
            )
        self._check_usable(key)
        return CreateOutcome("exists", StreamView(existing, existing_key), key, None, req)

    # -- read --------------------------------------------------------------------------------------
    def describe(self, name: str) -> StreamView:
        """A stream by name or by ARN."""
        name, arn, _ = validate.stream_ref(name)
        stream = self.kvs.describe_stream(arn=arn) if arn else self.kvs.describe_stream(name)
        if stream is None:
            raise AwsError(
                f"stream {name} not found in {self.region}",
                hint="Check the name and --region; 'kvsctl stream list' shows what exists.",
                code="not_found",
            )
        return self.view(stream)

    def view(self, stream: Stream) -> StreamView:
        key, note = self.keys.resolve(stream.kms_key_id)
        return StreamView(stream, key, (note,) if note else ())

    def list(self, name_prefix: str | None = None, kms_key: str | None = None) -> list[StreamView]:
        validate.name_prefix(name_prefix)
        if kms_key:
            return self.using_key(self._resolve_requested(parse_key_ref(kms_key)), name_prefix)
        views = [self.view(stream) for stream in self.kvs.list_streams(name_prefix)]
        return sorted(views, key=lambda v: v.stream.name)

    def using_key(self, key: KeyInfo, name_prefix: str | None = None) -> builtins.list[StreamView]:
        """The streams that use `key`, read once: each stream's KmsKeyId is compared with the key's forms
        (KeyMatcher), and only the streams that match are shown, from what is already known."""
        matcher = KeyMatcher(self.keys, key, self.region)
        views = [self.view(s) for s in self.kvs.list_streams(name_prefix) if matcher.uses_key(s.kms_key_id)]
        return sorted(views, key=lambda v: v.stream.name)
