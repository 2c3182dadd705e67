"""Preflight service: gather the facts of a spec's streams with the live audit (each stream described
once, each distinct key and principal read once) and check them against the spec."""

from __future__ import annotations

import dataclasses
from typing import Any

from kvsctl.audit.facts import StreamFacts
from kvsctl.audit.live import evaluate
from kvsctl.aws.kms import KmsGateway
from kvsctl.aws.organizations import RcpRead
from kvsctl.aws.session import ClientFactory
from kvsctl.checks import rules
from kvsctl.checks.model import Result, Status
from kvsctl.errors import AwsError
from kvsctl.models import KeyInfo, Stream
from kvsctl.services.audit_live import AuditScope, LiveAuditService, read_rcps_for
from kvsctl.streamspec.model import Spec, StreamSpec
from kvsctl.streamspec.preflight import PreflightReport, StreamPreflight, access_checks, spec_checks


class PreflightService:
    def __init__(self, factory: ClientFactory) -> None:
        self.factory = factory
        self._declared: dict[str, tuple[KeyInfo | None, str | None]] = {}

    def run(self, spec: Spec, *, strict: bool = False, fail_on: str = "error") -> PreflightReport:
        region = self.factory.region
        kms = KmsGateway(self.factory, region)
        producers = tuple(dict.fromkeys(p for s in spec.streams for p in s.producers))
        consumers = tuple(dict.fromkeys(c for s in spec.streams for c in s.consumers))
        scope = AuditScope(
            names=tuple(s.name for s in spec.streams),
            regions=(region,),
            producers=producers,
            consumers=consumers,
        )
        service = LiveAuditService(self.factory)
        facts = service.gather(scope)
        by_name = {sf.name: sf for sf in facts.streams}
        planned: dict[str, tuple[KeyInfo | None, str | None, StreamFacts | None]] = {}
        for s in spec.streams:
            declared, declared_note = self._declared_key(kms, s.kms_key, s.key_ref)
            sf = by_name[s.name]
            placeholder = None
            if _not_created(sf) and declared is not None:
                # not created yet: read its declared key as its facts, the way apply would use it
                stream = _placeholder(s, declared, region)
                placeholder = StreamFacts(s.name, region, stream, service.key_facts(stream), ())
            planned[s.name] = (declared, declared_note, placeholder)
        evaluated = tuple(p or by_name[name] for name, (_d, _n, p) in planned.items())
        rcps = read_rcps_for(self.factory, dataclasses.replace(facts, streams=evaluated))
        if spec.rcps:
            given = RcpRead(tuple((f"RCP {name}", doc) for name, doc in spec.rcps))
            rcps = {account: given for account in rcps}
        streams: list[StreamPreflight] = []
        for s in spec.streams:
            sf = by_name[s.name]
            declared, declared_note, placeholder = planned[s.name]
            key = sf.key
            note = None
            if sf.stream is None:
                note = "; ".join(f.message for f in sf.findings) or None
            elif key is not None and key.key is None:
                note = "; ".join(f.message for f in key.findings) or None
            checks = spec_checks(
                s,
                spec_path=spec.path,
                stream=sf.stream,
                held=key.key if key else None,
                held_aws_managed=bool(key and key.aws_managed),
                held_note=note,
                declared=declared,
                declared_note=declared_note,
                not_created=_not_created(sf),
                region=region,
            )
            audited = sf if sf.stream is not None else placeholder
            if audited is not None:
                mine = set(s.producers) | set(s.consumers)
                one = dataclasses.replace(
                    facts,
                    streams=(audited,),
                    producers=s.producers,
                    consumers=s.consumers,
                    findings=tuple(f for f in facts.findings if f.principal in mine),
                    reads=s.reads,
                    producer_creates=s.producer_creates,
                )
                found = access_checks(s, evaluate(one, strict=strict, fail_on=fail_on, rcps=rcps), spec_path=spec.path)
                if audited is placeholder and placeholder.stream is not None:
                    found = [_not_yet(r, placeholder.stream.arn) for r in found]
                checks += found
            streams.append(
                StreamPreflight(s, sf.stream.arn if sf.stream else None, key.arn if key else None, tuple(checks))
            )
        return PreflightReport(spec, region, tuple(streams), strict=strict, fail_on=fail_on)

    def _declared_key(self, kms: KmsGateway, text: str, ref: Any) -> tuple[KeyInfo | None, str | None]:
        if text not in self._declared:
            try:
                self._declared[text] = (kms.describe(ref, with_rotation=False), None)
            except AwsError as exc:
                if exc.code not in ("not_found", "access_denied"):
                    raise
                self._declared[text] = (None, exc.message)
        return self._declared[text]


def _not_created(sf: StreamFacts) -> bool:
    """KVS answered that the stream does not exist (not: the read failed)."""
    return sf.stream is None and bool(sf.findings) and all(f.rule == rules.STREAM_NOT_FOUND.id for f in sf.findings)


def _placeholder(s: StreamSpec, declared: KeyInfo, region: str) -> Stream:
    """The stream as apply would create it. Its ARN ends in a creation time that does not exist yet, so
    the checks of kinesisvideo: actions on it are skipped (see _not_yet); the key is the declared one."""
    partition = declared.arn.split(":")[1] if declared.arn.startswith("arn:") else "aws"
    return Stream(
        name=s.name,
        arn=f"arn:{partition}:kinesisvideo:{region}:{declared.account}:stream/{s.name}/not-created-yet",
        status="NOT_CREATED",
        retention_hours=s.retention_hours or 0,
        media_type=s.media_type,
        kms_key_id=None if s.key_ref.is_aws_managed else declared.arn,
    )


def _not_yet(r: Result, placeholder_arn: str) -> Result:
    """A check on a stream that does not exist yet: the key's are real (its policy, grants and IAM were
    read); a kinesisvideo: action's resource is an ARN nobody knows yet, so it is skipped, not guessed."""
    if r.decision is None:
        return r
    if r.resource == placeholder_arn:
        return dataclasses.replace(
            r,
            status=Status.SKIP,
            resource=None,
            message=f"{r.action}: not checked, the stream does not exist yet (its ARN is known once apply creates it)",
        )
    return dataclasses.replace(r, subject=dataclasses.replace(r.subject, stream_arn=None))
