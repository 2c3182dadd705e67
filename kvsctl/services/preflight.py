"""Preflight service: gather the facts of a spec's streams with the live audit (each stream described
once, each distinct key and principal read once) and check them against the spec."""

from __future__ import annotations

import dataclasses
from typing import Any

from kvsctl.aws.kms import KmsGateway
from kvsctl.aws.organizations import RcpRead
from kvsctl.aws.session import ClientFactory
from kvsctl.errors import AwsError
from kvsctl.models import KeyInfo
from kvsctl.services.audit_live import AuditScope, LiveAuditService, evaluate, read_rcps_for
from kvsctl.streamspec.model import Spec
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
        facts = LiveAuditService(self.factory).gather(scope)
        rcps = read_rcps_for(self.factory, facts)
        if spec.rcps:
            given = RcpRead(tuple((f"RCP {name}", doc) for name, doc in spec.rcps))
            rcps = {account: given for account in rcps}
        by_name = {sf.name: sf for sf in facts.streams}
        streams: list[StreamPreflight] = []
        for s in spec.streams:
            sf = by_name[s.name]
            declared, declared_note = self._declared_key(kms, s.kms_key, s.key_ref)
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
            )
            if sf.stream is not None:
                mine = set(s.producers) | set(s.consumers)
                one = dataclasses.replace(
                    facts,
                    streams=(sf,),
                    producers=s.producers,
                    consumers=s.consumers,
                    findings=tuple(f for f in facts.findings if f.principal in mine),
                    reads=s.reads,
                    producer_creates=s.producer_creates,
                )
                checks += access_checks(
                    s, evaluate(one, strict=strict, fail_on=fail_on, rcps=rcps), spec_path=spec.path
                )
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
