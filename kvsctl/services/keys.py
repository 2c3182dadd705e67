"""Resolving the keys streams use, once per distinct key, without ever creating one."""

from __future__ import annotations

import threading

from kvsctl.aws.kms import KmsGateway
from kvsctl.checks.keys import is_kvs_aws_managed
from kvsctl.errors import AwsError, UsageError
from kvsctl.keyref import KeyRef, parse_key_ref
from kvsctl.models import KeyInfo, is_aws_managed_reference


class KeyResolver:
    """Resolves a stream's KmsKeyId (as KVS holds it) to KeyInfo, caching per distinct reference."""

    def __init__(self, kms: KmsGateway) -> None:
        self.kms = kms
        self._cache: dict[str, tuple[KeyInfo | None, str | None]] = {}
        self._lock = threading.Lock()

    def remember(self, key: KeyInfo) -> None:
        """Take `key` as already read: a stream naming it by key id, key ARN, alias name or alias ARN
        resolves to it without another DescribeKey."""
        partition = key.arn.split(":")[1] if key.arn.count(":") >= 5 else "aws"
        forms = [key.key_id, key.arn]
        for alias in key.aliases:
            forms.append(alias)
            if key.region and key.account:
                forms.append(f"arn:{partition}:kms:{key.region}:{key.account}:{alias}")
        with self._lock:
            for form in forms:
                if form:
                    self._cache.setdefault(form, (key, None))

    def remember_as(self, reference: str, key: KeyInfo) -> None:
        with self._lock:
            self._cache.setdefault(reference, (key, None))

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


class KeyMatcher:
    """Tells which streams use one key without resolving every stream's key.

    A stream's KmsKeyId (as KVS holds it) may name the key by key id, key ARN, alias name or alias ARN.
    The key is read once (by the caller); ListAliases, read once, says where every alias of this account
    and region points and which keys are AWS managed (their aliases are alias/aws/*). Only a value these
    cannot settle (another account's alias or key ARN) is resolved, once per distinct value.
    """

    def __init__(self, resolver: KeyResolver, key: KeyInfo, region: str) -> None:
        self.resolver = resolver
        self.key = key
        self.region = region
        self.aws_wanted = is_kvs_aws_managed(key)
        aliases = resolver.kms.list_aliases()
        self._by_name = {a.name: a.target_key_id for a in aliases}
        self._by_arn = {a.arn: a.target_key_id for a in aliases if a.arn}
        accounts = {a.arn.split(":")[4] for a in aliases if a.arn and a.arn.count(":") >= 5}
        self.account = accounts.pop() if len(accounts) == 1 else None  # this account, when ListAliases says
        self._aws_managed_ids = {
            a.target_key_id for a in aliases if a.name.startswith("alias/aws/") and a.target_key_id
        }
        self._decided: dict[str, bool] = {}
        resolver.remember(key)
        if self.aws_wanted:
            resolver.remember_as("aws-managed", key)

    def uses_key(self, kms_key_id: str | None) -> bool:
        """True when a stream holding `kms_key_id` uses the key."""
        if is_aws_managed_reference(kms_key_id):
            return self.aws_wanted
        value = str(kms_key_id)
        if value not in self._decided:
            decided = self._decide(value)
            if decided is None:  # not settled by comparison: resolve this value (cached per value)
                found, _note = self.resolver.resolve(value)
                if found is None:
                    decided = False
                elif self.aws_wanted:
                    decided = found.manager == "AWS"
                else:
                    decided = found.arn == self.key.arn
            self._decided[value] = decided
        return self._decided[value]

    def _ours(self, ref: KeyRef) -> bool | None:
        """Whether an ARN is of this account and region (None: this account is not known)."""
        if ref.region != self.region:
            return False
        return None if self.account is None else ref.account == self.account

    def _targets_key(self, target: str | None) -> bool:
        if not target:
            return False
        if self.aws_wanted:
            return target in self._aws_managed_ids
        return target == self.key.key_id and self.key.region == self.region

    def _decide(self, value: str) -> bool | None:
        try:
            ref = parse_key_ref(value)
        except UsageError:
            return False  # a reference KMS cannot resolve: the stream uses no key kvsctl can name
        if ref.kind == "key-id":
            return self._targets_key(ref.text)
        if ref.kind == "key-arn":
            if ref.text == self.key.arn:
                return True
            if self._ours(ref):
                return self._targets_key(ref.text.rsplit("/", 1)[-1])
            # another ARN than the key's own names another key; only whether it is AWS managed needs a look
            return None if self.aws_wanted else False
        if ref.kind == "alias-name":
            return self._targets_key(self._by_name.get(ref.text))
        if ref.kind == "alias-arn":
            if ref.text in self._by_arn:
                return self._targets_key(self._by_arn[ref.text])
            if self._ours(ref):
                return False  # no such alias here
            if not self.aws_wanted and (ref.account, ref.region) != (self.key.account, self.key.region):
                return False  # an alias points only at a key of its own account and region
            return None
        return None
