"""Parse what a user may type for a KMS key (pure, no AWS): id, ARN, alias name, alias ARN, aws-managed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kvsctl.errors import UsageError, shown
from kvsctl.models import AWS_MANAGED_ALIASES
from kvsctl.validate import ALIAS_NAME

_KEY_ID = re.compile(r"mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)
_ARN = re.compile(
    r"arn:(?P<partition>aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):kms:(?P<region>[a-z0-9-]+):"
    r"(?P<account>[0-9]{12}):(?P<resource>[!-~]+)",
    re.ASCII,
)

KEY_HINT = (
    "Give a key id (1234abcd-12ab-34cd-56ef-1234567890ab), a key ARN, an alias name (alias/NAME), "
    "an alias ARN, or 'aws-managed'."
)


@dataclass(frozen=True)
class KeyRef:
    """A parsed key reference. `kind` is aws-managed, key-id, key-arn, alias-name or alias-arn."""

    kind: str
    text: str
    region: str | None = None
    account: str | None = None
    partition: str = "aws"

    @property
    def is_aws_managed(self) -> bool:
        return self.kind == "aws-managed"

    @property
    def is_alias(self) -> bool:
        return self.kind in ("alias-name", "alias-arn")

    @property
    def alias_name(self) -> str | None:
        if self.kind == "alias-name":
            return self.text
        if self.kind == "alias-arn":
            return self.text.split(":", 5)[5]
        return None


def parse_key_ref(text: str) -> KeyRef:
    """Parse a key reference, refusing what KMS would never accept (exit 2)."""
    raw = text.strip()
    if not raw:
        raise UsageError("empty KMS key reference", hint=KEY_HINT, code="invalid_key")
    if len(raw) > 2048:
        raise UsageError("KMS key reference is longer than 2048 characters", hint=KEY_HINT, code="invalid_key")
    if raw.lower() in ("aws-managed", "aws_managed", "default"):
        return KeyRef("aws-managed", "aws-managed")
    if raw in AWS_MANAGED_ALIASES or raw in ("aws/kinesisvideo", "aws/kinesis-video"):
        return KeyRef("aws-managed", "aws-managed")
    if _KEY_ID.fullmatch(raw):
        return KeyRef("key-id", raw)
    if raw.startswith("alias/"):
        if not ALIAS_NAME.fullmatch(raw):
            raise UsageError(
                f"invalid alias name {shown(raw)}",
                hint="Alias names look like alias/NAME (letters, digits, / _ -).",
                code="invalid_key",
            )
        _refuse_foreign_aws_alias(raw)
        return KeyRef("alias-name", raw)
    if raw.startswith("arn:"):
        m = _ARN.fullmatch(raw)
        if not m:
            raise UsageError(f"not a KMS key or alias ARN: {shown(raw)}", hint=KEY_HINT, code="invalid_key")
        resource = m.group("resource")
        common = {"region": m.group("region"), "account": m.group("account"), "partition": m.group("partition")}
        if resource.startswith("key/") and _KEY_ID.fullmatch(resource[4:]):
            return KeyRef("key-arn", raw, **common)
        if resource.startswith("alias/") and ALIAS_NAME.fullmatch(resource):
            if resource in AWS_MANAGED_ALIASES:
                return KeyRef("aws-managed", "aws-managed", **common)
            _refuse_foreign_aws_alias(resource)
            return KeyRef("alias-arn", raw, **common)
        raise UsageError(f"not a KMS key or alias ARN: {shown(raw)}", hint=KEY_HINT, code="invalid_key")
    if ALIAS_NAME.fullmatch(f"alias/{raw}"):  # a bare alias name, as people type it
        raise UsageError(
            f"not a KMS key reference: {shown(raw)}", hint=f"Did you mean alias/{raw}? {KEY_HINT}", code="invalid_key"
        )
    raise UsageError(f"not a KMS key reference: {shown(raw)}", hint=KEY_HINT, code="invalid_key")


def _refuse_foreign_aws_alias(alias: str) -> None:
    # alias/aws/* are AWS managed keys of other services: their key policies only allow use through
    # that service, so KVS can never use them. Refusing here also avoids DescribeKey, which would
    # create such a key in the account.
    if alias.startswith("alias/aws/"):
        raise UsageError(
            f"{alias} is the AWS managed key of another service; Kinesis Video Streams cannot use it",
            hint="Use 'aws-managed' for the KVS AWS managed key, or a customer managed key.",
            code="invalid_key",
        )
