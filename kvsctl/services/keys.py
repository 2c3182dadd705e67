"""Resolving the keys streams use, once per distinct key, without ever creating one."""

from __future__ import annotations

import threading

from kvsctl.aws.kms import KmsGateway
from kvsctl.errors import AwsError, UsageError
from kvsctl.keyref import parse_key_ref
from kvsctl.models import KeyInfo, is_aws_managed_reference


class KeyResolver:
    """Resolves a stream's KmsKeyId (as KVS holds it) to KeyInfo, caching per distinct reference."""

    def __init__(self, kms: KmsGateway) -> None:
        self.kms = kms
        self._cache: dict[str, tuple[KeyInfo | None, str | None]] = {}
        self._lock = threading.Lock()

    def resolve(self, kms_key_id: str | None) -> tuple[KeyInfo | None, str | None]:
        """(key, note): key is None when it cannot be found or read, and the note says why."""
        cache_key = "aws-managed" if is_aws_managed_reference(kms_key_id) else str(kms_key_id)
        with self._lock:
            if cache_key in self._cache:
                return self._cache[cache_key]
        result = self._resolve(cache_key)
        with self._lock:
            self._cache[cache_key] = result
        return result

    def _resolve(self, ref_text: str) -> tuple[KeyInfo | None, str | None]:
        try:
            ref = parse_key_ref(ref_text)
        except UsageError as exc:
            return None, f"KVS holds a key reference kvsctl cannot read: {exc.message}"
        try:
            return self.kms.describe(ref), None
        except AwsError as exc:
            if exc.code == "not_found":
                return None, f"key {ref_text} does not exist: every PutMedia/GetMedia on this stream fails"
            if exc.code == "access_denied":
                return None, f"could not read key {ref_text}: access denied"
            raise
