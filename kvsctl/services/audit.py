"""Offline policy audit: read the files named on the command line into an AuditInput and run it.

Every problem with the input (missing file, bad JSON, a policy AWS would refuse, a bad ARN, a bad
``--context``) is a UsageError naming the file and, where there is one, the line — exit 2, no
traceback. Nothing here touches the network or imports boto3.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kvsctl import validate
from kvsctl.audit.engine import run_audit
from kvsctl.audit.model import AuditInput, AuditReport, Grant, PolicyDoc, PrincipalPolicies
from kvsctl.checks.model import Location, Result
from kvsctl.errors import UsageError, shown
from kvsctl.policy.document import PolicyKind, PolicyParseError, loads_with_lines, parse_policy
from kvsctl.policy.match import parse_arn
from kvsctl.policy.principals import PrincipalError, parse_principal
from kvsctl.workloads.fixes import add_fixes
from kvsctl.workloads.paths import parse_reads

_MAX_BYTES = 5 * 1024 * 1024  # far above any policy quota (key policies: 32 KiB)


@dataclass(frozen=True)
class PolicyAuditRequest:
    """What the command line said, before any file is read."""

    key_policy: str
    key_arn: str
    stream_arn: str | None = None
    producers: Sequence[str] = ()
    consumers: Sequence[str] = ()
    identity_policies: Sequence[str] = ()  # "PRINCIPAL=FILE"
    boundaries: Sequence[str] = ()  # "PRINCIPAL=FILE"
    scps: Sequence[str] = ()
    grants: str | None = None
    context: Sequence[str] = ()  # "KEY=VALUE"
    reads: Sequence[str] = ()  # "--read" values: "hls,dash", "all"; none = getmedia
    producer_creates: bool = False
    scp_levels: Sequence[str] = ()  # "FILE[,FILE...]" per level, root first
    rcps: Sequence[str] = ()
    rcp_levels: Sequence[str] = ()  # "FILE[,FILE...]" per level (every Deny counts, levels or not)


def split_level(item: str, what: str) -> list[str]:
    files = [f.strip() for f in item.split(",")]
    if not all(files):
        raise UsageError(
            f"{what} {shown(item)}: an empty file name",
            hint=f"Give the SCPs attached at one level as FILE[,FILE...], one {what} per level, root first.",
        )
    return files


def read_text(path: str, what: str) -> str:
    from kvsctl.files import InputFileProblem, read_bounded

    try:
        data = read_bounded(path, _MAX_BYTES)
    except InputFileProblem as e:
        raise UsageError(f"{what} {path}: {e.reason}", hint=e.hint) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UsageError(f"{what} {path}: not UTF-8 text (byte {e.start})") from None


def load_policy(path: str, kind: PolicyKind, what: str) -> PolicyDoc:
    """Read and validate one policy file; the returned doc holds the text (for line numbers later)."""
    text = read_text(path, what)
    try:
        parse_policy(text, path, kind)
    except PolicyParseError as e:
        hint = (
            "Keep one of the duplicate keys (merge their values); kvsctl does not guess which one AWS uses."
            if e.message.startswith("duplicate key")
            else "Fix the policy document; AWS would reject it too."
        )
        raise UsageError(f"{what} {e}", hint=hint) from None
    return PolicyDoc(path, text)


def load_grants(path: str) -> tuple[Grant, ...]:
    """ListGrants output: ``{"Grants": [...]}`` (aws kms list-grants) or a bare list of grants."""
    text = read_text(path, "--grants")
    try:
        data, _ = loads_with_lines(text, path)
    except PolicyParseError as e:
        raise UsageError(f"--grants {e}") from None
    items = data.get("Grants") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise UsageError(f'--grants {path}: expected {{"Grants": [...]}} or a list of grants')
    out: list[Grant] = []
    for i, item in enumerate(items):
        try:
            out.append(Grant.from_api(item))
        except ValueError as e:
            raise UsageError(f"--grants {path}: grant {i}: {e}") from None
    return tuple(out)


def _principal(text: str, flag: str) -> str:
    validate.principal_arn(text, flag)
    return text


def split_assignment(text: str, flag: str) -> tuple[str, str]:
    """``PRINCIPAL=FILE``. IAM names and paths may contain '=', so prefer the split whose left side is a
    principal and whose right side exists."""
    positions = [i for i, c in enumerate(text) if c == "="]
    if not positions:
        raise UsageError(f"{flag} {shown(text)}: expected PRINCIPAL_ARN=FILE")
    candidates = [(text[:i], text[i + 1 :]) for i in positions]
    for left, right in candidates:
        try:
            parse_principal(left)
        except PrincipalError:
            continue
        if Path(right).exists():
            return left, right
    left, right = candidates[0]
    if not right:
        raise UsageError(f"{flag} {shown(text)}: expected PRINCIPAL_ARN=FILE")
    return _principal(left, flag), right


def parse_context(items: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key or ":" not in key or " " in key:
            raise UsageError(
                f"--context {shown(item)}: expected KEY=VALUE with a condition key such as aws:SourceIp",
                hint="An empty VALUE (KEY=) marks the key as absent from the request.",
            )
        out[key] = value
    return out


def _check_key_arn(arn: str) -> None:
    a = parse_arn(arn)
    if a is None or a.service != "kms" or a.resource_type != "key" or not a.region or not a.account:
        raise UsageError(
            f"--key-arn {shown(arn)} is not a KMS key ARN",
            hint="Use arn:aws:kms:REGION:ACCOUNT:key/KEY_ID (not an alias: the key policy belongs to the key).",
        )


def _check_stream_arn(arn: str) -> None:
    a = parse_arn(arn)
    if a is None or a.service != "kinesisvideo" or a.resource_type != "stream" or not a.region or not a.account:
        raise UsageError(
            f"--stream-arn {shown(arn)} is not a Kinesis video stream ARN",
            hint="Use arn:aws:kinesisvideo:REGION:ACCOUNT:stream/NAME/CREATION_MS (kvsctl stream describe NAME).",
        )


def build_input(req: PolicyAuditRequest) -> AuditInput:
    _check_key_arn(req.key_arn)
    if req.stream_arn is not None:
        _check_stream_arn(req.stream_arn)
    producers = tuple(dict.fromkeys(_principal(p, "--producer") for p in req.producers))
    consumers = tuple(dict.fromkeys(_principal(c, "--consumer") for c in req.consumers))
    if not producers and not consumers:
        raise UsageError("nothing to check: give at least one --producer or --consumer")
    context = parse_context(req.context)
    reads = parse_reads(req.reads)

    key_policy = load_policy(req.key_policy, PolicyKind.RESOURCE, "--key-policy")
    identity: dict[str, list[PolicyDoc]] = {}
    for item in req.identity_policies:
        who, path = split_assignment(item, "--identity-policy")
        identity.setdefault(who, []).append(load_policy(path, PolicyKind.IDENTITY, "--identity-policy"))
    boundaries: dict[str, PolicyDoc] = {}
    for item in req.boundaries:
        who, path = split_assignment(item, "--permissions-boundary")
        if who in boundaries:
            raise UsageError(f"--permissions-boundary given twice for {who}; a principal has at most one")
        boundaries[who] = load_policy(path, PolicyKind.BOUNDARY, "--permissions-boundary")
    principals = {
        who: PrincipalPolicies(who, tuple(identity.get(who, ())), boundaries.get(who))
        for who in dict.fromkeys([*identity, *boundaries])
    }
    scps = tuple(load_policy(p, PolicyKind.SCP, "--scp") for p in req.scps)
    scp_levels = tuple(
        tuple(load_policy(f, PolicyKind.SCP, "--scp-level") for f in split_level(item, "--scp-level"))
        for item in req.scp_levels
    )
    rcp_files = [*req.rcps, *(f for item in req.rcp_levels for f in split_level(item, "--rcp-level"))]
    rcps = tuple(load_policy(f, PolicyKind.RCP, "--rcp") for f in rcp_files)
    grants = load_grants(req.grants) if req.grants is not None else ()
    return AuditInput(
        key_arn=req.key_arn,
        key_policy=key_policy,
        grants=grants,
        stream_arn=req.stream_arn,
        producers=producers,
        consumers=consumers,
        principals=principals,
        scps=scps,
        context=context,
        reads=reads,
        producer_creates=req.producer_creates,
        scp_levels=scp_levels,
        rcps=rcps,
    )


def audit_policy_files(req: PolicyAuditRequest) -> tuple[AuditInput, AuditReport]:
    """Run the offline audit; results point at the files given (file and line of the deciding statement)."""
    inp = build_input(req)
    report = add_fixes(inp, run_audit(inp))
    findings = report.findings
    if req.grants is None:
        from kvsctl.checks.rules import GRANTS_NOT_GIVEN

        note = GRANTS_NOT_GIVEN(
            "no --grants file was given; the key was assumed to have no grants", resource=req.key_arn
        )
        findings = (*findings, note)
    files = frozenset(_files(req))
    results = tuple(_in_files(_where_to_fix(r, req), files) for r in report.results)
    return inp, AuditReport(results, tuple(_in_files(f, files) for f in findings))


def _where_to_fix(r: Result, req: PolicyAuditRequest) -> Result:
    """A check no statement decided (an implicit deny) points at the document to change: the key policy for
    a kms: action, the principal's identity policy for the others (when one was given)."""
    if r.location is not None:
        return r
    if (r.action or "").startswith("kms:"):
        return dataclasses.replace(r, location=Location(document=req.key_policy))
    for item in req.identity_policies:
        who, path = split_assignment(item, "--identity-policy")
        if who == r.subject.principal:
            return dataclasses.replace(r, location=Location(document=path))
    return r


def _files(req: PolicyAuditRequest) -> list[str]:
    """The policy files named on the command line (the names their documents carry)."""
    out = [req.key_policy, *req.scps, *req.rcps]
    for flag, levels in (("--scp-level", req.scp_levels), ("--rcp-level", req.rcp_levels)):
        out += [f for item in levels for f in split_level(item, flag)]
    for flag, items in (("--identity-policy", req.identity_policies), ("--permissions-boundary", req.boundaries)):
        out += [split_assignment(item, flag)[1] for item in items]
    return out


def _in_files(r: Result, files: frozenset[str]) -> Result:
    if r.location is None:
        return r
    located = r.location.in_files(files)
    return r if located is r.location else dataclasses.replace(r, location=located)


def dumps_compact(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":"))
