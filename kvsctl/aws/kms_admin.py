"""KMS operations that change the account (create a key, its alias, rotation). Kept apart from the
read-only KmsGateway so that reading code can never reach them by accident."""

from __future__ import annotations

import json
from typing import Any

from kvsctl.aws.kms import SERVICE, KmsGateway
from kvsctl.models import KeyInfo


class KmsAdminGateway(KmsGateway):
    def alias_target(self, alias_name: str) -> str | None:
        """The key id an alias points to; None when the alias does not exist (read fresh, not cached)."""
        self._aliases = None
        for alias in self.list_aliases():
            if alias.name == alias_name:
                return alias.target_key_id or ""
        return None

    def create_key(self, *, policy: dict[str, Any], description: str, tags: dict[str, str]) -> KeyInfo:
        """CreateKey for a symmetric encryption key; the key as CreateKey describes it (no further call:
        rotation is not read, aliases come from the list already held)."""
        params: dict[str, Any] = {
            "Policy": json.dumps(policy),
            "KeySpec": "SYMMETRIC_DEFAULT",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "Origin": "AWS_KMS",
        }
        if description:
            params["Description"] = description
        if tags:
            params["Tags"] = [{"TagKey": k, "TagValue": v} for k, v in tags.items()]
        meta = self.factory.call(SERVICE, "create_key", region=self.region, idempotent=False, **params)["KeyMetadata"]
        return self._key_info(meta, with_rotation=False)

    def enable_key_rotation(self, key_id: str) -> None:
        self.factory.call(SERVICE, "enable_key_rotation", region=self.region, KeyId=key_id)

    def create_alias(self, alias_name: str, key_id: str) -> None:
        self.factory.call(SERVICE, "create_alias", region=self.region, AliasName=alias_name, TargetKeyId=key_id)
        self._aliases = None
