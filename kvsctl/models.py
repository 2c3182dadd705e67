"""Domain models shared by services and renderers. Plain frozen dataclasses: no boto3 dicts leak past aws/."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: Both spellings of the AWS managed key alias for KVS (API docs and real output use the first,
#: the SSE guide's prose the second); both mean the AWS managed key.
AWS_MANAGED_ALIASES = ("alias/aws/kinesisvideo", "alias/aws/kinesis-video")


def is_aws_managed_reference(kms_key_id: str | None) -> bool:
    """True when a stream's KmsKeyId (as KVS holds it) names the AWS managed key, or is absent."""
    if not kms_key_id:
        return True
    ref = kms_key_id.strip()
    if ref in ("aws-managed",):
        return True
    if ref.startswith("arn:"):
        ref = ref.split(":", 5)[-1] if ref.count(":") >= 5 else ref
    if not ref.startswith("alias/"):
        ref = "alias/" + ref if ref.startswith("aws/") else ref
    return ref in AWS_MANAGED_ALIASES


@dataclass(frozen=True)
class CustomKeyStore:
    """The custom key store (CloudHSM or external) that holds a key's material, as DescribeCustomKeyStores
    reports it; `connection_state` is None when the store could not be read (then `read_error` says why)."""

    store_id: str
    name: str | None = None
    store_type: str | None = None  # AWS_CLOUDHSM | EXTERNAL_KEY_STORE
    connection_state: str | None = None  # CONNECTED | CONNECTING | FAILED | DISCONNECTED | DISCONNECTING
    connection_error_code: str | None = None
    read_error: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.store_id})" if self.name else self.store_id

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.store_id,
            "name": self.name,
            "type": self.store_type,
            "connection_state": self.connection_state,
            "connection_error_code": self.connection_error_code,
            "read_error": self.read_error,
        }


@dataclass(frozen=True)
class MultiRegionInfo:
    """A multi-Region key's place in its set (DescribeKey's MultiRegionConfiguration)."""

    key_type: str  # PRIMARY | REPLICA
    primary_arn: str
    primary_region: str
    replicas: tuple[tuple[str, str], ...] = ()  # (region, arn) of every replica

    def arn_in(self, region: str) -> str | None:
        """The related key's ARN in `region` (the primary or a replica), if the set has one there."""
        if self.primary_region == region:
            return self.primary_arn
        return next((arn for r, arn in self.replicas if r == region), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.key_type,
            "primary": {"key_arn": self.primary_arn, "region": self.primary_region},
            "replicas": [{"key_arn": arn, "region": r} for r, arn in self.replicas],
        }


@dataclass(frozen=True)
class KeyInfo:
    """What kvsctl knows of one KMS key."""

    arn: str
    key_id: str
    aliases: tuple[str, ...]
    manager: str  # "AWS" | "CUSTOMER"
    state: str  # Enabled, Disabled, PendingDeletion, ... ; "NotCreated" for an AWS managed key not yet made
    spec: str
    usage: str
    region: str
    account: str
    rotation_enabled: bool | None = None
    deletion_date: datetime | None = None
    description: str = ""
    multi_region: bool = False
    origin: str = "AWS_KMS"  # AWS_KMS | EXTERNAL (imported material) | AWS_CLOUDHSM | EXTERNAL_KEY_STORE
    expiration_model: str | None = None  # EXTERNAL origin only: KEY_MATERIAL_EXPIRES | KEY_MATERIAL_DOES_NOT_EXPIRE
    valid_to: datetime | None = None  # EXTERNAL origin with expiring material: when (the earliest) material expires
    custom_key_store: CustomKeyStore | None = None
    multi_region_info: MultiRegionInfo | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key_arn": self.arn,
            "arn": self.arn,  # deprecated alias of key_arn (its older name), for one release
            "key_id": self.key_id or None,  # None: the AWS managed key before KMS creates it
            "aliases": list(self.aliases),
            "manager": self.manager,
            "state": self.state,
            "spec": self.spec,
            "usage": self.usage,
            "region": self.region,
            "account": self.account or None,
            "rotation_enabled": self.rotation_enabled,
        }
        if self.deletion_date is not None:
            data["deletion_date"] = self.deletion_date.isoformat()
        if self.description:
            data["description"] = self.description
        data["origin"] = self.origin
        if self.origin == "EXTERNAL":
            data["expiration_model"] = self.expiration_model
            data["valid_to"] = self.valid_to.isoformat() if self.valid_to else None
        if self.custom_key_store is not None:
            data["custom_key_store"] = self.custom_key_store.to_json()
        data["multi_region"] = self.multi_region_info.to_json() if self.multi_region_info else None
        return data


@dataclass(frozen=True)
class Stream:
    """One Kinesis video stream as KVS describes it."""

    name: str
    arn: str
    status: str
    retention_hours: int
    media_type: str | None
    kms_key_id: str | None  # verbatim what KVS holds; None when KVS returned none
    device_name: str | None = None
    creation_time: datetime | None = None
    version: str | None = None

    @property
    def region(self) -> str:
        parts = self.arn.split(":")
        return parts[3] if len(parts) > 3 else ""

    @property
    def account(self) -> str:
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 4 else ""


@dataclass(frozen=True)
class StreamView:
    """A stream together with what is known of its key, as shown to users."""

    stream: Stream
    key: KeyInfo | None
    notes: tuple[str, ...] = field(default=())

    @property
    def encryption(self) -> str:
        if self.key is not None:
            return "aws-managed" if self.key.manager == "AWS" else "customer-managed"
        return "aws-managed" if is_aws_managed_reference(self.stream.kms_key_id) else "customer-managed"

    def to_json(self) -> dict[str, Any]:
        s = self.stream
        data: dict[str, Any] = {
            "name": s.name,
            "stream_arn": s.arn,
            "arn": s.arn,  # deprecated alias of stream_arn (its older name), for one release
            "status": s.status,
            "retention_hours": s.retention_hours,
            "media_type": s.media_type,
            "kms_key_id": s.kms_key_id,
            "encryption": self.encryption,
            "key": self.key.to_json() if self.key else None,
            "device_name": s.device_name,
            "creation_time": s.creation_time.isoformat() if s.creation_time else None,
        }
        if self.notes:
            data["notes"] = list(self.notes)
        return data
