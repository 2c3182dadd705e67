"""The decisions about keys and streams, made once for every command (stream create, key describe, key
list, audit, preflight, apply): is a key usable by KVS, does a stream hold the declared key, has a stream
drifted from its declaration.

Pure: takes what was read (models.KeyInfo, models.Stream) and returns results of the registry's rules.
KVS DG, "Data protection" / "Server-side encryption": KVS needs an enabled symmetric encryption key
(SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT) in the stream's own region; a stream's key can never change.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timezone

from kvsctl.checks import rules
from kvsctl.checks.model import Result
from kvsctl.keys.kinds import (
    external_store_note,
    material_expiry,
    region_hint,
    rotation_advice,
    rotation_support,
    state_problem,
    store_problem,
)
from kvsctl.models import AWS_MANAGED_ALIASES, KeyInfo, Stream
from kvsctl.workloads import lifecycle

#: The rules that mean KVS cannot use the key at all: every PutMedia/GetMedia on its streams fails.
UNUSABLE: frozenset[str] = frozenset(
    r.id
    for r in (
        rules.KEY_DISABLED,
        rules.KEY_PENDING_DELETION,
        rules.KEY_WRONG_SPEC,
        rules.KEY_OTHER_REGION,
        rules.KEY_NOT_FOR_KVS,
        rules.KEY_STORE_NOT_CONNECTED,
        rules.KEY_PENDING_IMPORT,
    )
)


def is_kvs_aws_managed(key: KeyInfo) -> bool:
    """The AWS managed key of KVS (aws/kinesisvideo), created or not yet created."""
    return key.manager == "AWS" and (any(a in AWS_MANAGED_ALIASES for a in key.aliases) or key.state == "NotCreated")


def _finding(rule: rules.Rule, message: str, key: KeyInfo) -> Result:
    return rule(message, key=key.arn, resource=key.arn)


def key_findings(key: KeyInfo, *, aws_managed: bool = False, stream_region: str | None = None) -> list[Result]:
    """Everything wrong or worth saying about ``key`` for KVS: state, spec and usage, custom key store,
    a key of another service, rotation; with ``stream_region``, a key in another region. ``aws_managed``:
    the key is the KVS AWS managed key the stream uses (no rotation or ownership findings)."""
    found: list[Result] = []
    if key.state == "NotCreated":
        return found  # KVS creates the AWS managed key on first use
    found += _kind_findings(key)
    if key.state == "PendingDeletion":
        message = lifecycle.pending_deletion_message(key.arn, key.region, key.deletion_date)
        found.append(_finding(rules.KEY_PENDING_DELETION, message, key))
    elif key.state in ("PendingImport", "Unavailable"):
        rule = rules.KEY_PENDING_IMPORT if key.state == "PendingImport" else rules.KEY_STORE_NOT_CONNECTED
        message = f"key {key.arn}: {state_problem(key)}; every PutMedia and GetMedia on its streams fails"
        found.append(_finding(rule, message, key))
    elif key.state != "Enabled":
        found.append(_finding(rules.KEY_DISABLED, lifecycle.disabled_message(key.arn, key.region, key.state), key))
    if key.spec != "SYMMETRIC_DEFAULT" or key.usage != "ENCRYPT_DECRYPT":
        message = f"key {key.arn} is {key.spec}/{key.usage}; KVS needs SYMMETRIC_DEFAULT/ENCRYPT_DECRYPT"
        found.append(_finding(rules.KEY_WRONG_SPEC, message, key))
    is_kvs_alias = any(a in AWS_MANAGED_ALIASES for a in key.aliases)
    if key.manager == "AWS" and not aws_managed and not is_kvs_alias:
        message = f"key {key.arn} is the AWS managed key of another service; KVS cannot use it"
        found.append(_finding(rules.KEY_NOT_FOR_KVS, message, key))
    if stream_region and (other := other_region(key.arn, key.region, stream_region, key=key)) is not None:
        found.append(other)
    # Rotation only exists for symmetric encryption keys; for others a wrong spec is the finding.
    if key.manager == "CUSTOMER" and not aws_managed and key.state == "Enabled" and key.spec == "SYMMETRIC_DEFAULT":
        if rotation_support(key) != "automatic":
            # Never recommend what KMS does not support for this kind of key (EnableKeyRotation).
            advice = rotation_advice(key) or "KMS cannot rotate this key automatically"
            found.append(_finding(rules.ROTATION_NOT_AUTOMATIC, advice, key))
        elif key.rotation_enabled is False:
            found.append(_finding(rules.KEY_ROTATION_DISABLED, f"automatic rotation is off for key {key.arn}", key))
        elif key.rotation_enabled is None:
            message = f"could not check the rotation status of key {key.arn}"
            found.append(_finding(rules.COULD_NOT_CHECK_SECONDARY, message, key))
    return found


def other_region(
    key_arn: str, key_region: str | None, stream_region: str, *, stream: str | None = None, key: KeyInfo | None = None
) -> Result | None:
    """KVS206 when the key is not in the stream's region (a Multi-Region key names its replica there)."""
    if not key_region or key_region == stream_region:
        return None
    hint = region_hint(key, stream_region) if key is not None else None
    where = f"stream {stream} in {stream_region}" if stream else f"the stream in {stream_region}"
    message = f"key {key_arn} is in {key_region}, {where}: KVS needs a key in the stream's own region" + (
        f" ({hint})" if hint else ""
    )
    return rules.KEY_OTHER_REGION(message, key=key_arn, resource=key_arn)


def _kind_findings(key: KeyInfo) -> list[Result]:
    """Custom key store connection and external key store dependency (docs/key-kinds.md)."""
    found: list[Result] = []
    store = key.custom_key_store
    if key.state == "Enabled" and (problem := store_problem(key)) is not None:
        found.append(_finding(rules.KEY_STORE_NOT_CONNECTED, f"key {key.arn}: {problem}", key))
    if store is not None and store.read_error:
        # The store's state is unknown: a disconnected store would fail every PutMedia/GetMedia.
        found.append(_finding(rules.COULD_NOT_CHECK, store.read_error, key))
    if (note := external_store_note(key)) is not None:
        found.append(_finding(rules.EXTERNAL_KEY_STORE_DEPENDENCY, note, key))
    return found


def unusable(key: KeyInfo, *, stream_region: str | None = None) -> list[Result]:
    """The findings that make the key unusable by KVS (empty: KVS can use it)."""
    return [r for r in key_findings(key, stream_region=stream_region) if r.rule in UNUSABLE]


def usable_problems(key: KeyInfo, *, stream_region: str | None = None) -> list[str]:
    """Why KVS could not use this key, one line each; empty when it can."""
    return [r.message for r in unusable(key, stream_region=stream_region)]


def for_stream(f: Result, stream: Stream, key: KeyInfo | None) -> Result:
    """A key's lifecycle error, said for this stream: what it keeps (retention) and what it loses."""
    if key is None or f.rule not in (rules.KEY_PENDING_DELETION.id, rules.KEY_DISABLED.id):
        return f
    if f.rule == rules.KEY_PENDING_DELETION.id:
        text = lifecycle.pending_deletion_message(
            key.arn, key.region, key.deletion_date, stream.name, stream.retention_hours
        )
    else:
        text = lifecycle.disabled_message(key.arn, key.region, key.state, stream.name, stream.retention_hours)
    return dataclasses.replace(f, message=text)


def material_findings(key: KeyInfo, stream: Stream, now: datetime | None = None) -> list[Result]:
    """Imported key material that expires before video written now leaves the stream (an error), or at all."""
    expiry = material_expiry(key, stream.retention_hours, now or datetime.now(timezone.utc))
    if expiry is None or expiry.expired:
        return []  # expired material leaves the key PendingImport: KVS243 says so
    rule = rules.KEY_MATERIAL_EXPIRES_IN_RETENTION if expiry.within_retention else rules.KEY_MATERIAL_EXPIRES
    return [rule(expiry.message(key.arn, stream.name), key=key.arn, resource=key.arn)]


def holds_key(held: KeyInfo | None, declared: KeyInfo) -> bool:
    """Does a stream whose key reads as ``held`` hold ``declared``? The same key ARN, or both the KVS AWS
    managed key (a stream created without a key holds it under its alias)."""
    if held is None:
        return False
    return held.arn == declared.arn or (is_kvs_aws_managed(held) and is_kvs_aws_managed(declared))


@dataclass(frozen=True)
class Drift:
    """One declared property that differs from the stream (apply never changes existing streams)."""

    field: str  # "retention_hours" | "media_type"
    message: str
    fix: str


def drift(name: str, stream: Stream, retention_hours: int | None, media_type: str | None) -> list[Drift]:
    """What differs between the stream and its declaration (``None``: not declared), each with its fix."""
    found: list[Drift] = []
    version = stream.version or "VERSION"
    if retention_hours is not None and stream.retention_hours != retention_hours:
        change = retention_hours - stream.retention_hours
        op = "INCREASE_DATA_RETENTION" if change > 0 else "DECREASE_DATA_RETENTION"
        found.append(
            Drift(
                "retention_hours",
                f"retention is {stream.retention_hours} h, the spec says {retention_hours} h",
                f"aws kinesisvideo update-data-retention --stream-name {name} --current-version {version} "
                f"--operation {op} --data-retention-change-in-hours {abs(change)}",
            )
        )
    if media_type is not None and stream.media_type != media_type:
        found.append(
            Drift(
                "media_type",
                f"media type is {stream.media_type or 'unset'}, the spec says {media_type}",
                f"aws kinesisvideo update-stream --stream-name {name} --current-version {version} "
                f"--media-type {media_type}",
            )
        )
    return found
