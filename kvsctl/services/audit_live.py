"""Live audit: gather, through kvsctl/aws/, every fact the evaluator needs for a set of streams (this module
only gathers; ``kvsctl.audit.live.evaluate`` turns the facts into the report, with no I/O).

Cost is kept proportional to what is distinct, never to the number of streams:
- streams: `audit all` takes them from ListStreams pages (StreamInfo carries the KmsKeyId); named
  streams are described concurrently, one DescribeStream each;
- keys: metadata, key policy and grants once per distinct key reference (per account and region),
  plus one ListAliases per region;
- principals: IAM policies once per principal, managed policies and groups once each.

Reads run from a bounded thread pool; throttling is retried by the client factory. A read that fails
for one resource (denied, not found, throttled past retries) becomes a finding on that resource and
leaves the fact unknown (the evaluator then answers `conditional`), never a silent pass. A failure of
the session itself (no credentials, endpoint unreachable) or of ListStreams stops the audit (exit 3).

The AWS managed key is found through ListAliases only (DescribeKey on its alias would create it). When
it does not exist yet, or its policy cannot be read, it is evaluated with its documented policy shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from kvsctl import validate
from kvsctl.audit.facts import AuditFacts, KeyFacts, StreamFacts
from kvsctl.audit.live import LiveAuditReport, evaluate
from kvsctl.audit.model import Grant
from kvsctl.aws.errors import is_session_error
from kvsctl.aws.iam import IamGateway, PrincipalIam
from kvsctl.aws.kms import KmsGateway
from kvsctl.aws.kvs import KvsGateway
from kvsctl.aws.organizations import RcpRead, read_rcps
from kvsctl.aws.session import ClientFactory
from kvsctl.checks import rules
from kvsctl.checks.keys import for_stream, key_findings, material_findings, other_region
from kvsctl.checks.model import Result
from kvsctl.checks.rules import Rule
from kvsctl.errors import AwsError, UsageError
from kvsctl.keyref import KeyRef, parse_key_ref
from kvsctl.models import AWS_MANAGED_ALIASES, KeyInfo, Stream, is_aws_managed_reference
from kvsctl.singleflight import Once

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_WORKERS = 8

ProgressFn = Callable[[str, int, int], None]


@dataclass(frozen=True)
class AuditScope:
    """What to audit: named streams, or every stream (optionally by prefix) in one or more regions."""

    names: tuple[str, ...] = ()
    all_streams: bool = False
    name_prefix: str | None = None
    regions: tuple[str, ...] = ()
    producers: tuple[str, ...] = ()
    consumers: tuple[str, ...] = ()
    require_customer_key: bool = False
    allow_empty: bool = False  # audit all: no stream matching passes
    reads: tuple[str, ...] = ("getmedia",)  # consumer read paths (kvsctl/workloads/paths.py)
    producer_creates: bool = False

    def validated(self) -> AuditScope:
        """Local checks (exit 2 before any AWS call)."""
        if not self.all_streams and not self.names:
            raise UsageError(
                "name at least one stream",
                hint="Example: kvsctl audit stream lobby-cam (a stream ARN, or --stream-name NAME, works too)",
            )
        if self.names:
            validate.stream_given(list(self.names), many=True, region=self.regions[0] if self.regions else None)
            arn_regions = {r for n in self.names if (r := validate.stream_ref(n)[2]) is not None}
            if len(arn_regions) > 1:
                raise UsageError(
                    f"the stream ARNs are in {len(arn_regions)} regions ({', '.join(sorted(arn_regions))})",
                    hint="Audit one region's streams per run, or use kvsctl audit all --region R --region R2.",
                )
        if self.name_prefix == "":
            raise UsageError("empty stream name prefix", hint="Drop --name-prefix to audit every stream.")
        validate.name_prefix(self.name_prefix)
        for flag, arns in (("--producer", self.producers), ("--consumer", self.consumers)):
            for arn in arns:
                check_principal(arn, flag)
        for region in self.regions:
            validate.region(region)
        return self


def check_principal(arn: str, flag: str) -> str:
    """A producer or consumer must be a principal KVS can act for (exit 2 otherwise)."""
    validate.principal_arn(arn, flag)
    return arn


def aws_managed_key_policy(account: str, region: str) -> dict[str, Any]:
    """The documented shape of the KVS AWS managed key's policy: every principal of the account, but only
    through KVS in this region; direct metadata access for the account (KMS developer guide, "AWS managed
    keys": https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key)."""
    return {
        "Version": "2012-10-17",
        "Id": "auto-kinesisvideo",
        "Statement": [
            {
                "Sid": "Allow access through Kinesis Video Streams for all principals in the account "
                "that are authorized to use Kinesis Video Streams",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:CreateGrant",
                    "kms:DescribeKey",
                ],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:CallerAccount": account,
                        "kms:ViaService": f"kinesisvideo.{region}.amazonaws.com",
                    }
                },
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                "Resource": "*",
            },
        ],
    }


def _arn_field(arn: str, index: int) -> str:
    parts = arn.split(":")
    return parts[index] if len(parts) > index else ""


def _reason(exc: AwsError) -> str:
    return exc.message


#: Who reads keys of another account: one session (--key-profile), or one per account (a fleet run).
KeyFactory = ClientFactory | Callable[[str], ClientFactory | None] | None


class LiveAuditService:
    """Gathers AuditFacts for a scope. `key_factory` reads keys owned by another account (--key-profile)."""

    def __init__(
        self,
        factory: ClientFactory,
        *,
        key_factory: KeyFactory = None,
        workers: int = DEFAULT_WORKERS,
        progress: ProgressFn | None = None,
    ) -> None:
        self.factory = factory
        self.key_factory = key_factory
        self.workers = max(1, workers)
        self.progress = progress
        self.iam = IamGateway(factory)
        self._gateways: Once[KmsGateway] = Once()
        self._keys: Once[KeyFacts] = Once()

    def _owner_factory(self, account: str) -> ClientFactory | None:
        """The session that reads a key owned by `account`: --key-profile's, or (fleet runs) that account's own
        session when the account is part of the run; None when kvsctl has none."""
        if self.key_factory is None or isinstance(self.key_factory, ClientFactory):
            return self.key_factory
        return self.key_factory(account)

    # -- the whole gathering -------------------------------------------------------------------------
    def gather(self, scope: AuditScope) -> AuditFacts:
        scope = scope.validated()
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="kvsctl-audit") as pool:
            found = self._streams(scope, pool)
            streams = [s for _name, _region, s, _f in found if s is not None]
            # Distinct keys first, so each is read by exactly one task.
            wanted: dict[tuple[str, str, str], Stream] = {}
            for stream in streams:
                wanted.setdefault(self._key_slot(stream), stream)
            self._map(pool, "keys", list(wanted.values()), self.key_facts)
            home = streams[0].account if streams else None
            arns = list(dict.fromkeys(a.strip() for a in (*scope.producers, *scope.consumers)))
            read = self._map(pool, "principals", arns, lambda a: self.iam.principal(a, home_account=home))
            principals = dict(zip(arns, read, strict=True))
        results = [self._stream_facts(name, region, stream, fs, scope) for name, region, stream, fs in found]
        return AuditFacts(
            streams=tuple(results),
            producers=tuple(dict.fromkeys(p.strip() for p in scope.producers)),
            consumers=tuple(dict.fromkeys(c.strip() for c in scope.consumers)),
            principals=principals,
            findings=tuple(_principal_findings(principals.values())),
            listed=self._listed(scope) if scope.all_streams else None,
            allow_empty=scope.allow_empty,
            reads=scope.reads,
            producer_creates=scope.producer_creates,
        )

    def _listed(self, scope: AuditScope) -> str:
        named = f" named {scope.name_prefix}*" if scope.name_prefix else ""
        return f"streams{named} in {', '.join(self._regions(scope))}"

    # -- streams -------------------------------------------------------------------------------------
    def _regions(self, scope: AuditScope) -> list[str]:
        # named by ARN: the ARN's region, unless --region says otherwise (validated: then they agree)
        return list(dict.fromkeys(scope.regions)) or [validate.arn_region(list(scope.names)) or self.factory.region]

    def _streams(
        self, scope: AuditScope, pool: ThreadPoolExecutor
    ) -> list[tuple[str, str, Stream | None, tuple[Result, ...]]]:
        if scope.all_streams:
            listed: list[tuple[str, str, Stream | None, tuple[Result, ...]]] = []
            for region in self._regions(scope):
                # ListStreams denied or failing stops the audit: there is nothing else to check.
                for stream in KvsGateway(self.factory, region).list_streams(scope.name_prefix):
                    listed.append((stream.name, region, stream, ()))
            return sorted(listed, key=lambda t: (t[1], t[0]))
        region = self._regions(scope)[0]
        kvs = KvsGateway(self.factory, region)
        names = list(dict.fromkeys(scope.names))

        def describe(given: str) -> tuple[str, str, Stream | None, tuple[Result, ...]]:
            name, arn, _ = validate.stream_ref(given)  # a name or a stream ARN, as the AWS CLI takes either
            try:
                stream = kvs.describe_stream(arn=arn) if arn else kvs.describe_stream(name)
            except AwsError as exc:
                if is_session_error(exc):
                    raise
                message = f"could not check stream {name}: {_reason(exc)}"
                return name, region, None, (_finding(rules.COULD_NOT_CHECK, message, stream=name),)
            if stream is None:
                message = f"stream {name} not found in {region}"
                return name, region, None, (_finding(rules.STREAM_NOT_FOUND, message, stream=name),)
            return name, region, stream, ()

        return self._map(pool, "streams", names, describe)

    def _stream_facts(
        self,
        name: str,
        region: str,
        stream: Stream | None,
        found: tuple[Result, ...],
        scope: AuditScope,
    ) -> StreamFacts:
        if stream is None:
            return StreamFacts(name, region, None, None, found)
        key = self.key_facts(stream)
        findings = list(found) + [for_stream(f, stream, key.key) for f in key.findings]
        if (other := other_region(key.arn, key.region, stream.region, stream=stream.name, key=key.key)) is not None:
            findings.append(other)
        if key.key is not None:
            findings += material_findings(key.key, stream)
        if scope.require_customer_key and key.aws_managed:
            findings.append(
                _finding(
                    rules.AWS_MANAGED_KEY_USED,
                    f"stream {stream.name} uses the AWS managed key; a customer managed key is required",
                    stream=stream.arn,
                )
            )
        return StreamFacts(name, region, stream, key, tuple(findings))

    # -- keys ----------------------------------------------------------------------------------------
    @staticmethod
    def _key_slot(stream: Stream) -> tuple[str, str, str]:
        """(account, region, reference) with a bare key id spelled as its ARN, so that streams holding
        the id and streams holding the ARN share one read."""
        if is_aws_managed_reference(stream.kms_key_id):
            return stream.account, stream.region, "aws-managed"
        ref = str(stream.kms_key_id).strip()
        try:
            parsed = parse_key_ref(ref)
        except UsageError:
            return stream.account, stream.region, ref
        if parsed.kind == "key-id":
            partition = _arn_field(stream.arn, 1) or "aws"
            ref = f"arn:{partition}:kms:{stream.region}:{stream.account}:key/{parsed.text}"
        return stream.account, stream.region, ref

    def key_facts(self, stream: Stream) -> KeyFacts:
        """The facts of a stream's key, read once per distinct (account, region, reference)."""
        account, region, ref = self._key_slot(stream)
        return self._keys.get((account, region, ref), lambda: self._read_key(account, region, ref))

    def _kms(self, factory: ClientFactory, region: str) -> KmsGateway:
        return self._gateways.get((id(factory), region), lambda: KmsGateway(factory, region))

    def _read_key(self, account: str, region: str, ref_text: str) -> KeyFacts:
        if ref_text == "aws-managed":
            return self._read_aws_managed(account, region)
        try:
            ref = parse_key_ref(ref_text)
        except UsageError as exc:
            return KeyFacts(
                ref_text,
                ref_text,
                None,
                False,
                None,
                None,
                None,
                (
                    _finding(
                        rules.KEY_NOT_FOR_KVS,
                        f"KVS holds a key reference that cannot work: {exc.message}",
                        key=ref_text,
                    ),
                ),
            )
        key_account = ref.account or account
        key_region = ref.region or region
        cross_account = key_account != account
        owner_factory = self._owner_factory(key_account) if cross_account else None
        kms = self._kms(owner_factory or self.factory, key_region)
        arn = _guess_arn(ref, key_account, key_region)
        findings: list[Result] = []
        key: KeyInfo | None = None
        try:
            key = kms.describe(ref)
        except AwsError as exc:
            if is_session_error(exc):
                raise
            if exc.code == "not_found":
                where = f"in account {key_account}, {key_region}"
                extra = " (or it is not shared with this account)" if cross_account and owner_factory is None else ""
                findings.append(
                    _finding(
                        rules.KEY_NOT_FOUND,
                        f"key {ref_text} does not exist {where}{extra}: "
                        "every PutMedia and GetMedia on its streams fails",
                        key=arn,
                    )
                )
                return KeyFacts(ref_text, arn, None, False, None, None, None, tuple(findings))
            message = f"could not check key {ref_text}: {_reason(exc)}"
            # The key's state, spec and usage are unknown: a disabled or deleted key would fail every
            # PutMedia/GetMedia, so this cannot pass (an error, as for a stream that cannot be read).
            findings.append(_finding(rules.COULD_NOT_CHECK, message, key=arn))
        if key is not None:
            arn = key.arn
            findings += key_findings(key)
        key_id = key.key_id if key else (ref.text if ref.kind in ("key-id", "key-arn") else None)
        # Cross-account reads go by ARN: a bare key id would be looked up in the caller's account.
        read_id = arn if cross_account and key_id else key_id
        policy: Any | None = None
        if cross_account and owner_factory is None:
            findings.append(
                _finding(
                    rules.CROSS_ACCOUNT_KEY_POLICY,
                    f"key policy of {arn} is unreadable: the key belongs to account {key_account}, and GetKeyPolicy "
                    "works only with the owner's credentials (pass --key-profile PROFILE)",
                    key=arn,
                )
            )
        elif read_id is None:
            message = f"key policy of {ref_text} is unreadable: the key could not be described"
            findings.append(_finding(rules.KEY_POLICY_READ_FAILED, message, key=arn))
        else:
            try:
                policy = kms.get_key_policy(read_id)
            except AwsError as exc:
                if is_session_error(exc):
                    raise
                message = f"could not read the key policy of {arn}: {_reason(exc)}"
                # Every key decision rests on this policy: unread, nothing about the key was checked.
                findings.append(_finding(rules.KEY_POLICY_READ_FAILED, message, key=arn))
        grants = self._grants(kms, read_id, arn, findings) if read_id else None
        source = "key" if policy is not None else None
        return KeyFacts(ref_text, arn, key, False, policy, source, grants, tuple(findings))

    def _grants(self, kms: KmsGateway, key_id: str, arn: str, findings: list[Result]) -> tuple[Grant, ...] | None:
        try:
            return kms.list_grants(key_id)
        except (AwsError, ValueError) as exc:
            if isinstance(exc, AwsError) and is_session_error(exc):
                raise
            why = _reason(exc) if isinstance(exc, AwsError) else f"a grant KMS returned cannot be read: {exc}"
            message = f"could not check the grants of key {arn}: {why}"
            findings.append(_finding(rules.COULD_NOT_CHECK_SECONDARY, message, key=arn))
            return None

    def _read_aws_managed(self, account: str, region: str) -> KeyFacts:
        kms = self._kms(self.factory, region)
        alias_arn = f"arn:aws:kms:{region}:{account}:{AWS_MANAGED_ALIASES[0]}"
        documented = aws_managed_key_policy(account, region)
        try:
            key: KeyInfo | None = kms.describe_aws_managed()
        except AwsError as exc:
            if is_session_error(exc):
                raise
            return KeyFacts(
                None,
                alias_arn,
                None,
                True,
                documented,
                "documented",
                None,
                (
                    _finding(
                        rules.COULD_NOT_CHECK_SECONDARY,
                        f"could not check the AWS managed key in {region}: {_reason(exc)}",
                        key=alias_arn,
                    ),
                    _assumed(alias_arn, region, "it could not be looked up"),
                ),
            )
        assert key is not None
        if key.state == "NotCreated":
            return KeyFacts(
                None,
                alias_arn,
                key,
                True,
                documented,
                "documented",
                (),
                (_assumed(alias_arn, region, "it does not exist yet (KMS creates it on the first PutMedia)"),),
            )
        findings = key_findings(key, aws_managed=True)
        policy: Any = documented
        source = "documented"
        try:
            policy = kms.get_key_policy(key.key_id)
            source = "key"
        except AwsError as exc:
            if is_session_error(exc):
                raise
            findings.append(_assumed(key.arn, region, f"its policy could not be read ({_reason(exc)})"))
        grants = self._grants(kms, key.key_id, key.arn, findings)
        return KeyFacts(None, key.arn, key, True, policy, source, grants, tuple(findings))

    # -- concurrency ---------------------------------------------------------------------------------
    def _map(self, pool: ThreadPoolExecutor, phase: str, items: list[T], fn: Callable[[T], R]) -> list[R]:
        """fn over items on the pool, in order; reports progress; the first session error propagates."""
        total = len(items)
        if self.progress:
            self.progress(phase, 0, total)
        futures = [pool.submit(fn, item) for item in items]
        results: list[R] = []
        try:
            for done, future in enumerate(futures, 1):
                results.append(future.result())
                if self.progress:
                    self.progress(phase, done, total)
        except BaseException as exc:
            # Ctrl-C or a session error: drop the queued reads (leaving the pool would wait for all of
            # them) and, on Ctrl-C, make the running ones stop retrying and sleeping
            for future in futures:
                future.cancel()
            if isinstance(exc, KeyboardInterrupt):
                self.factory.cancel()
            raise
        return results


def _guess_arn(ref: KeyRef, account: str, region: str) -> str:
    if ref.kind in ("key-arn", "alias-arn"):
        return ref.text
    if ref.kind == "alias-name":
        return f"arn:aws:kms:{region}:{account}:{ref.text}"
    return f"arn:aws:kms:{region}:{account}:key/{ref.text}"


def _finding(rule: Rule, message: str, **where: str | None) -> Result:
    """A finding of ``rule``; `key` / `stream` become its resource, `principal` its principal."""
    resource = where.get("key") or where.get("stream")
    return rule(message, principal=where.get("principal"), key=where.get("key"), resource=resource)


def _assumed(arn: str, region: str, why: str) -> Result:
    return _finding(
        rules.AWS_MANAGED_POLICY_ASSUMED,
        f"the AWS managed key ({AWS_MANAGED_ALIASES[0]}, {region}) was evaluated with its documented key policy: {why}",
        key=arn,
    )


def _principal_findings(principals: Iterable[PrincipalIam]) -> list[Result]:
    found = []
    for p in principals:
        if p.error is None:
            continue
        if p.error_code == "not_found" and p.kind in ("role", "user"):
            # A producer or consumer that does not exist cannot stream: most often a typo in the ARN.
            message = f"{p.arn} does not exist"
            found.append(_finding(rules.PRINCIPAL_NOT_FOUND, message, principal=p.arn))
            continue
        rule = rules.PRINCIPAL_IAM_NOT_READABLE if p.kind in ("account", "other") else rules.OTHER_ACCOUNT_IAM
        if p.error_code not in (None, "not_found"):
            # AWS refused or failed the read (denied, throttled, unreachable): an IAM deny may be hiding
            # there, so this fails the audit rather than passing it as merely conditional.
            rule = rules.COULD_NOT_CHECK
        message = p.error if p.error.startswith("could not") else f"could not check IAM policies: {p.error}"
        found.append(_finding(rule, message, principal=p.arn))
    return found


def run(
    factory: ClientFactory,
    scope: AuditScope,
    *,
    key_factory: KeyFactory = None,
    context: Mapping[str, str] | None = None,
    strict: bool = False,
    fail_on: str = "error",
    progress: ProgressFn | None = None,
    workers: int = DEFAULT_WORKERS,
    rcps_of: Callable[[str], RcpRead] | None = None,
) -> LiveAuditReport:
    """Gather the facts of `scope` and evaluate them: the whole live audit. `rcps_of` reads the RCPs of a
    key's account (a fleet run reads them once per account, from the organization's account); by default
    they are read through --key-profile's session or the audited one."""
    facts = LiveAuditService(factory, key_factory=key_factory, progress=progress, workers=workers).gather(scope)
    if rcps_of is None:
        rcp_factory = key_factory if isinstance(key_factory, ClientFactory) else factory
        rcps = read_rcps_for(rcp_factory, facts)
    else:
        rcps = {a: rcps_of(a) for a in key_owner_accounts(facts)}
    return evaluate(facts, context=context, strict=strict, fail_on=fail_on, rcps=rcps)


def key_owner_accounts(facts: AuditFacts) -> list[str]:
    """Every account that owns a customer managed key of the audited streams (RCPs apply to those keys)."""
    return sorted({s.key.account for s in facts.streams if s.key is not None and not s.key.aws_managed} - {""})


def read_rcps_for(factory: ClientFactory, facts: AuditFacts) -> dict[str, RcpRead]:
    """The RCPs of every account that owns a customer managed key of the audited streams (read once each)."""
    return {a: read_rcps(factory, a) for a in key_owner_accounts(facts)}
