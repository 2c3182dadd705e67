"""KMS gateway: resolves key references to KeyInfo without ever creating a key.

DescribeKey on a predefined AWS alias (alias/aws/kinesisvideo) makes KMS create the AWS managed key,
so the AWS managed key is only ever found through ListAliases (KMS API Reference, DescribeKey:
https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kvsctl.aws.session import ClientFactory
from kvsctl.errors import AwsError
from kvsctl.keyref import KeyRef

if TYPE_CHECKING:
    from kvsctl.audit.model import Grant
from kvsctl.models import AWS_MANAGED_ALIASES, CustomKeyStore, KeyInfo, MultiRegionInfo

SERVICE = "kms"


@dataclass(frozen=True)
class Alias:
    """One KMS alias as ListAliases returns it; target_key_id is None when AWS has not made the key yet
    (a predefined alias/aws/* before first use)."""

    name: str
    arn: str | None
    target_key_id: str | None

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Alias:
        target = item.get("TargetKeyId")
        arn = item.get("AliasArn")
        return cls(str(item["AliasName"]), str(arn) if arn else None, str(target) if target else None)


def _arn_parts(arn: str) -> tuple[str, str]:
    parts = arn.split(":")
    return (parts[3], parts[4]) if len(parts) > 4 else ("", "")


def _multi_region(config: dict[str, Any] | None) -> MultiRegionInfo | None:
    if not config or not config.get("PrimaryKey"):
        return None
    primary = config["PrimaryKey"]
    replicas = tuple(sorted((str(r.get("Region", "")), str(r.get("Arn", ""))) for r in config.get("ReplicaKeys") or []))
    return MultiRegionInfo(
        key_type=str(config.get("MultiRegionKeyType") or "PRIMARY"),
        primary_arn=str(primary.get("Arn", "")),
        primary_region=str(primary.get("Region", "")),
        replicas=replicas,
    )


class KmsGateway:
    def __init__(self, factory: ClientFactory, region: str | None = None) -> None:
        self.factory = factory
        self.region = region
        self._aliases: tuple[Alias, ...] | None = None
        self._stores: dict[str, CustomKeyStore] = {}
        self._lock = threading.Lock()

    # -- aliases -----------------------------------------------------------------------------------
    def list_aliases(self) -> tuple[Alias, ...]:
        with self._lock:
            if self._aliases is None:
                self._aliases = tuple(
                    Alias.from_api(item)
                    for item in self.factory.paginate(
                        SERVICE,
                        "list_aliases",
                        "Aliases",
                        token_in="Marker",
                        token_out="NextMarker",
                        truncated_key="Truncated",
                        region=self.region,
                    )
                )
            return self._aliases

    def aliases_for(self, key_id: str) -> tuple[str, ...]:
        return tuple(sorted(a.name for a in self.list_aliases() if a.target_key_id == key_id))

    def aws_managed_alias(self) -> Alias | None:
        for alias in self.list_aliases():
            if alias.name in AWS_MANAGED_ALIASES:
                return alias
        return None

    # -- keys --------------------------------------------------------------------------------------
    def describe(self, ref: KeyRef, *, with_rotation: bool = True) -> KeyInfo:
        """KeyInfo for a reference; AwsError(code=not_found) when there is no such key."""
        if ref.is_aws_managed:
            return self.describe_aws_managed(with_rotation=with_rotation)
        # An ARN (key or alias) goes to DescribeKey whole: only the ARN carries the key's account.
        info = self.describe_key_id(ref.text, with_rotation=with_rotation)
        if ref.account and (info.account, info.region) != (ref.account, ref.region):
            # A stand-in (moto) may resolve an alias ARN by its name alone, in the caller's account.
            raise AwsError(
                f"{ref.text} resolved to {info.arn}, a key in another account or region",
                code="not_found",
                aws_code="NotFoundException",
                operation="DescribeKey",
            )
        return info

    def describe_aws_managed(self, *, with_rotation: bool = True) -> KeyInfo:
        alias = self.aws_managed_alias()
        if alias is not None and alias.target_key_id:
            try:
                return self.describe_key_id(alias.target_key_id, with_rotation=with_rotation)
            except AwsError as exc:
                # A predefined alias may point at a key that does not exist yet (moto does this; AWS
                # omits TargetKeyId until first use): either way KVS will create it on first use.
                if exc.code != "not_found":
                    raise
        region = self.region or self.factory.region
        account = _arn_parts(alias.arn)[1] if alias and alias.arn else ""
        return KeyInfo(
            arn=alias.arn if alias and alias.arn else "alias/aws/kinesisvideo",
            key_id="",
            aliases=("alias/aws/kinesisvideo",),
            manager="AWS",
            state="NotCreated",
            spec="SYMMETRIC_DEFAULT",
            usage="ENCRYPT_DECRYPT",
            region=region,
            account=account,
            rotation_enabled=True,
            description="AWS managed key for Kinesis Video Streams; KMS creates it on first use",
        )

    def describe_key_id(self, key_id: str, *, with_rotation: bool = True) -> KeyInfo:
        if key_id.startswith("alias/aws/") or ":alias/aws/" in key_id:
            # Never DescribeKey a predefined AWS alias: KMS would create the key.
            raise AwsError(f"refusing to look up {key_id} with DescribeKey", code="internal_guard")
        meta = self.factory.call(SERVICE, "describe_key", region=self.region, KeyId=key_id)["KeyMetadata"]
        return self._key_info(meta, with_rotation=with_rotation)

    def _key_info(self, meta: dict[str, Any], *, with_rotation: bool) -> KeyInfo:
        arn = str(meta["Arn"])
        region, account = _arn_parts(arn)
        key_id = str(meta["KeyId"])
        manager = str(meta.get("KeyManager", "CUSTOMER"))
        origin = str(meta.get("Origin") or "AWS_KMS")
        rotation: bool | None = None
        # KMS has no rotation for keys in custom key stores (GetKeyRotationStatus refuses them): not asked.
        if with_rotation and meta.get("KeyState") not in ("PendingDeletion",) and not meta.get("CustomKeyStoreId"):
            rotation = self.rotation_enabled(arn)  # by ARN: a key id would be looked up in the caller's account
        aliases: tuple[str, ...] = ()
        if region == (self.region or self.factory.region):
            aliases = self.aliases_for(key_id)
        return KeyInfo(
            arn=arn,
            key_id=key_id,
            aliases=aliases,
            manager=manager,
            state=str(meta.get("KeyState", "Enabled" if meta.get("Enabled") else "Disabled")),
            spec=str(meta.get("KeySpec") or meta.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"),
            usage=str(meta.get("KeyUsage", "ENCRYPT_DECRYPT")),
            region=region,
            account=account,
            rotation_enabled=rotation,
            deletion_date=meta.get("DeletionDate"),
            description=str(meta.get("Description") or ""),
            multi_region=bool(meta.get("MultiRegion", False)),
            origin=origin,
            expiration_model=meta.get("ExpirationModel"),
            valid_to=meta.get("ValidTo"),
            custom_key_store=self.custom_key_store(str(store)) if (store := meta.get("CustomKeyStoreId")) else None,
            multi_region_info=_multi_region(meta.get("MultiRegionConfiguration")),
        )

    def custom_key_store(self, store_id: str) -> CustomKeyStore:
        """The store's connection state (DescribeCustomKeyStores), read once per store; a store that cannot be
        read is returned with `read_error` set, never as connected."""
        with self._lock:
            if store_id in self._stores:
                return self._stores[store_id]
        try:
            out = self.factory.call(
                SERVICE, "describe_custom_key_stores", region=self.region, CustomKeyStoreId=store_id
            )
            entries = out.get("CustomKeyStores") or []
            if not entries:
                store = CustomKeyStore(store_id, read_error="DescribeCustomKeyStores returned no such store")
            else:
                e = entries[0]
                store = CustomKeyStore(
                    store_id=store_id,
                    name=e.get("CustomKeyStoreName"),
                    store_type=e.get("CustomKeyStoreType") or "AWS_CLOUDHSM",
                    connection_state=e.get("ConnectionState"),
                    connection_error_code=e.get("ConnectionErrorCode"),
                )
        except AwsError as exc:  # denied, throttled after retries, ...: a could-not-check, never "connected"
            store = CustomKeyStore(store_id, read_error=f"could not read custom key store {store_id}: {exc.message}")
        with self._lock:
            self._stores[store_id] = store
        return store

    def rotation_enabled(self, key_id: str) -> bool | None:
        """Rotation status; None when it cannot be read (denied, or a key type without rotation)."""
        try:
            out = self.factory.call(SERVICE, "get_key_rotation_status", region=self.region, KeyId=key_id)
        except AwsError as exc:
            if exc.code in ("access_denied", "aws_error", "key_invalid_state"):
                return None
            raise
        return bool(out.get("KeyRotationEnabled"))

    def get_key_policy(self, key_id: str) -> str:
        out = self.factory.call(SERVICE, "get_key_policy", region=self.region, KeyId=key_id, PolicyName="default")
        return str(out["Policy"])

    def list_grants(self, key_id: str) -> tuple[Grant, ...]:
        """Every grant on the key (all pages); ValueError when an item is not a grant as KMS describes one."""
        from kvsctl.audit.model import Grant

        return tuple(
            Grant.from_api(item)
            for item in self.factory.paginate(
                SERVICE,
                "list_grants",
                "Grants",
                token_in="Marker",
                token_out="NextMarker",
                truncated_key="Truncated",
                region=self.region,
                KeyId=key_id,
            )
        )

    def list_keys(self) -> list[str]:
        """Every key id in the region (all pages)."""
        return [
            str(k["KeyId"])
            for k in self.factory.paginate(
                SERVICE,
                "list_keys",
                "Keys",
                token_in="Marker",
                token_out="NextMarker",
                truncated_key="Truncated",
                region=self.region,
            )
        ]
