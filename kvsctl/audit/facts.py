"""The facts a live audit gathers (kvsctl/services/audit_live.py reads them through kvsctl/aws/) and the
evaluation reads (kvsctl/audit/live.py): each stream as described, each distinct key as read, each
principal's IAM. Pure data: what could not be read is None, with a finding saying why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kvsctl.audit.model import Grant
from kvsctl.checks.model import Result
from kvsctl.models import KeyInfo, Stream

if TYPE_CHECKING:
    from kvsctl.aws.iam import PrincipalIam


def _arn_field(arn: str, index: int) -> str:
    parts = arn.split(":")
    return parts[index] if len(parts) > index else ""


@dataclass(frozen=True)
class KeyFacts:
    """One distinct key as read (or not) for the audit."""

    reference: str | None  # KmsKeyId as KVS holds it; None = the AWS managed key
    arn: str  # best known ARN (the alias ARN for an AWS managed key not created yet)
    key: KeyInfo | None
    aws_managed: bool
    policy: Any | None  # document (JSON text or dict); None = unreadable
    policy_source: str | None  # "key" (read) | "documented" (AWS managed shape) | None
    grants: tuple[Grant, ...] | None  # None = unreadable
    findings: tuple[Result, ...] = ()

    @property
    def region(self) -> str:
        return self.key.region if self.key else _arn_field(self.arn, 3)

    @property
    def account(self) -> str:
        return self.key.account if self.key and self.key.account else _arn_field(self.arn, 4)


@dataclass(frozen=True)
class StreamFacts:
    name: str
    region: str
    stream: Stream | None  # None: not found or not readable (see findings)
    key: KeyFacts | None
    findings: tuple[Result, ...] = ()

    @property
    def arn(self) -> str:
        return self.stream.arn if self.stream else f"stream/{self.name}"


@dataclass(frozen=True)
class AuditFacts:
    streams: tuple[StreamFacts, ...]
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    principals: Mapping[str, PrincipalIam]
    findings: tuple[Result, ...] = ()  # about principals
    listed: str | None = None  # audit all: what was listed ("streams in us-east-1 named cam*")
    allow_empty: bool = False
    reads: tuple[str, ...] = ("getmedia",)
    producer_creates: bool = False
