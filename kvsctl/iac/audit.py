"""Audit what templates and plans declare, with the same evaluator and findings as the live audit.

For each stream: what its key comes to (a key of the template, an alias, a literal reference, the AWS
managed key, or unknown), whether KVS can use that key, and for each producer and consumer the decisions
``run_audit`` makes from the key policy and the principals' identity policies. Every result and finding
gets the file and line it rests on. Pure: no file or network access.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kvsctl.audit.context import kvs_request_context
from kvsctl.audit.engine import run_audit
from kvsctl.audit.live import LiveAuditReport, StreamAudit
from kvsctl.audit.model import AuditInput, AuditReport, PolicyDoc, PrincipalPolicies
from kvsctl.checks import rules as catalogue
from kvsctl.checks.keys import key_findings
from kvsctl.checks.model import Location, Result, Subject
from kvsctl.iac.facts import KeyFact, Loc, PolicyFact, PrincipalFact, StreamFact, TemplateFacts, Unknown
from kvsctl.models import AWS_MANAGED_ALIASES, KeyInfo, is_aws_managed_reference
from kvsctl.workloads.fixes import add_fixes
from kvsctl.workloads.paths import DEFAULT_READS, PUT_MEDIA, READ_PATHS, read_path

if TYPE_CHECKING:
    from kvsctl.policy.kms import IamPolicies
    from kvsctl.policy.principals import PrincipalId


@dataclass(frozen=True)
class TemplateOptions:
    producers: tuple[str, ...] = ()  # ARNs, logical ids or Terraform addresses
    consumers: tuple[str, ...] = ()
    require_customer_key: bool = False
    context: Mapping[str, str] = field(default_factory=dict)
    strict: bool = False
    fail_on: str = "error"
    reads: tuple[str, ...] = DEFAULT_READS  # consumer read paths (--read)
    producer_creates: bool = False  # producers also need CreateStream + TagStream


@dataclass(frozen=True)
class TemplateAudit:
    """The report (every result and finding located at its file and line), where each stream is
    declared, and the logical id / address of each principal of the templates."""

    report: LiveAuditReport
    files: tuple[str, ...]
    stream_locs: tuple[Loc, ...]  # one per report.streams
    principal_ids: Mapping[str, str] = field(default_factory=dict)  # ARN -> logical id / address


# -- key ----------------------------------------------------------------------------------------------


@dataclass
class _Key:
    arn: str
    policy: PolicyFact | None
    aws_managed: bool = False
    fact: KeyFact | None = None
    unknown: Unknown | None = None
    external: bool = False


def _is_alias(text: str) -> bool:
    return text.startswith("alias/") or ":alias/" in text


def _region_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] if arn.startswith("arn:") and len(parts) > 5 and parts[3] else None


def _aws_managed(facts: TemplateFacts, s: StreamFact) -> _Key:
    from kvsctl.services.audit_live import aws_managed_key_policy

    arn = f"arn:{facts.partition}:kms:{s.region}:{s.account}:{AWS_MANAGED_ALIASES[0]}"
    doc = aws_managed_key_policy(s.account, s.region)
    return _Key(arn, PolicyFact("AWS managed key policy (documented)", doc, s.loc), aws_managed=True)


def _stream_key(facts: TemplateFacts, s: StreamFact, out: list[tuple[Result, Loc | None]]) -> _Key:
    k = s.key
    literal_alias = f"arn:{facts.partition}:kms:{s.region}:{s.account}:alias/"

    def external(text: str) -> _Key:
        arn = text
        if not text.startswith("arn:"):
            arn = literal_alias + text[len("alias/") :] if _is_alias(text) else f"{literal_alias[:-6]}key/{text}"
        out.append(
            (
                catalogue.IAC_EXTERNAL_KEY(
                    f"stream {s.name} uses key {text}, which this template does not declare: its policy is unknown",
                    resource=arn,
                    location=str(s.loc),
                ),
                s.loc,
            )
        )
        region = _region_of(arn)
        if region and region != s.region:
            out.append(
                (
                    catalogue.KEY_OTHER_REGION(
                        f"key {arn} is in {region}, stream {s.name} in {s.region}: "
                        "KVS needs a key in the stream's region",
                        resource=arn,
                        location=str(s.loc),
                    ),
                    s.loc,
                )
            )
        return _Key(arn, None, external=True)

    def alias_warning(text: str) -> None:
        out.append(
            (
                catalogue.IAC_ALIAS_AS_KEY(
                    f"stream {s.name} names its key by the alias {text}; the stream keeps the key the alias "
                    "points to when it is created",
                    resource=text,
                    location=str(s.loc),
                ),
                s.loc,
            )
        )

    if k.source == "none":
        return _aws_managed(facts, s)
    if k.source == "unknown":
        u = k.unknown or Unknown("KmsKeyId")
        out.append(
            (
                catalogue.IAC_UNRESOLVED(
                    f"the key of stream {s.name} is unresolved ({u.what}): key checks are conditional",
                    location=str(s.loc),
                ),
                s.loc,
            )
        )
        return _Key(f"{literal_alias[:-6]}key/unresolved", None, unknown=u)
    if k.source == "not-a-key":
        out.append(
            (
                catalogue.KEY_NOT_FOR_KVS(
                    f"stream {s.name}'s KmsKeyId is {k.text}, which is not a KMS key", location=str(s.loc)
                ),
                s.loc,
            )
        )
        return _Key(str(k.text), None, unknown=Unknown(f"KmsKeyId {k.text}"))
    if k.source == "literal":
        text = str(k.text)
        if is_aws_managed_reference(text) or any(text.endswith(":" + a) for a in AWS_MANAGED_ALIASES):
            return _aws_managed(facts, s)
        if text.startswith("alias/aws/") or ":alias/aws/" in text:
            out.append(
                (
                    catalogue.KEY_NOT_FOR_KVS(
                        f"stream {s.name}'s KmsKeyId {text} is the AWS managed key of another service",
                        resource=text,
                        location=str(s.loc),
                    ),
                    s.loc,
                )
            )
            return _Key(text, None, unknown=Unknown(f"KmsKeyId {text}"))
        if _is_alias(text):
            alias_warning(text)
        return external(text)
    # a key or alias of this template
    if k.source == "template-alias":
        alias = facts.aliases.get(k.alias_id or "")
        alias_warning(k.text or (str(alias.name) if alias else "alias"))
        if k.key_id is None:
            if k.unknown is not None:
                out.append(
                    (
                        catalogue.IAC_UNRESOLVED(
                            f"the key behind alias {k.alias_id} is unresolved ({k.unknown.what})", location=str(s.loc)
                        ),
                        s.loc,
                    )
                )
                return _Key(f"{literal_alias[:-6]}key/unresolved", None, unknown=k.unknown)
            target = alias.target if alias and isinstance(alias.target, str) else str(k.text)
            return external(target)
    key = facts.keys[k.key_id or ""]
    policy = key.policy if isinstance(key.policy, PolicyFact) else None
    if isinstance(key.policy, Unknown):
        out.append(
            (
                catalogue.IAC_UNRESOLVED(
                    f"the key policy of {key.id} is unresolved ({key.policy.what}): key decisions are conditional",
                    resource=key.arn,
                    location=str(key.loc),
                ),
                key.loc,
            )
        )
    out.extend(_key_findings(key))
    return _Key(key.arn, policy, fact=key)


def _declared_key(key: KeyFact) -> KeyInfo:
    """The key as the template declares it; an unresolved value is taken as the harmless default."""

    def known(value: Any, default: Any) -> Any:
        return default if isinstance(value, Unknown) else value

    parts = key.arn.split(":")
    return KeyInfo(
        arn=key.arn,
        key_id=key.id,
        aliases=(),
        manager="CUSTOMER",
        state="Disabled" if known(key.enabled, True) is False else "Enabled",
        spec=str(known(key.spec, "SYMMETRIC_DEFAULT")),
        usage=str(known(key.usage, "ENCRYPT_DECRYPT")),
        region=parts[3] if len(parts) > 3 else "",
        account=parts[4] if len(parts) > 4 else "",
        rotation_enabled=bool(known(key.rotation, True)),
    )


def _key_findings(key: KeyFact) -> list[tuple[Result, Loc | None]]:
    found: list[tuple[Result, Loc | None]] = []
    where = str(key.loc)
    for what, value in (("KeySpec", key.spec), ("KeyUsage", key.usage), ("Enabled", key.enabled)):
        if isinstance(value, Unknown):
            found.append(
                (
                    catalogue.IAC_UNRESOLVED(f"{what} of key {key.id} is unresolved ({value.what})", location=where),
                    key.loc,
                )
            )
    # The decision is the one every command makes (kvsctl/checks/keys.py), on the key as declared; what
    # the template leaves unresolved is said above and decides nothing here. The words are the template's.
    decided = {r.rule for r in key_findings(_declared_key(key))}
    said = {
        catalogue.KEY_DISABLED.id: f"key {key.id} is declared with Enabled false: every PutMedia and GetMedia on "
        "its streams fails",
        catalogue.KEY_WRONG_SPEC.id: f"key {key.id} is {key.spec}/{key.usage}; KVS needs "
        "SYMMETRIC_DEFAULT/ENCRYPT_DECRYPT",
        catalogue.KEY_ROTATION_DISABLED.id: f"automatic rotation is off for key {key.id} (EnableKeyRotation / "
        "enable_key_rotation)",
    }
    for rule_id, message in said.items():
        if rule_id in decided:
            found.append((catalogue.RULES[rule_id](message, resource=key.arn, location=where), key.loc))
    return found


# -- principals ---------------------------------------------------------------------------------------


def _iam(p: PrincipalFact) -> PrincipalPolicies:
    docs = tuple(PolicyDoc(pol.name, pol.document) for pol in p.policies)
    boundary = PolicyDoc(p.boundary.name, p.boundary.document) if p.boundary else None
    return PrincipalPolicies(p.arn, docs, boundary)


class _Grants:
    """What the template's principals' identity policies (as written) allow on a stream; each principal's
    policies are parsed once, however many streams they are asked about."""

    def __init__(self, context: Mapping[str, str]) -> None:
        self.context = context
        self.parsed: dict[tuple[str, str], tuple[PrincipalId, IamPolicies, frozenset[str]] | None] = {}

    def _parsed(self, p: PrincipalFact) -> tuple[PrincipalId, IamPolicies, frozenset[str]] | None:
        from kvsctl.policy.document import PolicyKind, PolicyParseError, parse_policy
        from kvsctl.policy.kms import IamPolicies
        from kvsctl.policy.principals import PrincipalError, parse_principal

        at = (p.loc.file, p.id)
        if at not in self.parsed:
            try:
                who = parse_principal(p.arn)
                policies = tuple(parse_policy(pol.document, pol.name, PolicyKind.IDENTITY) for pol in p.policies)
                boundary = (
                    parse_policy(p.boundary.document, p.boundary.name, PolicyKind.BOUNDARY) if p.boundary else None
                )
            except (PrincipalError, PolicyParseError):
                self.parsed[at] = None
            else:
                named = frozenset(pol.name for pol in p.policies if not pol.unknowns or pol.name.startswith(p.id))
                self.parsed[at] = (who, IamPolicies(policies, boundary), named)
        return self.parsed[at]

    def any_of(self, p: PrincipalFact, actions: Sequence[str], stream_arn: str) -> bool:
        """Whether the identity policies allow one of ``actions`` on the stream. A decision that is only
        conditional through a policy the template merely names does not count: that would make every role
        with some AWS managed policy a producer of every stream."""
        from kvsctl.policy.evaluate import DecisionKind, Request
        from kvsctl.policy.kms import authorize_identity_only

        parsed = self._parsed(p)
        if parsed is None:
            return False
        who, iam, named = parsed
        for action in actions:
            if not _may_allow(iam, action):
                continue  # no Allow statement names it: an implicit deny, without evaluating
            ctx = kvs_request_context(who, action=action, resource=stream_arn, overrides=self.context)
            d = authorize_identity_only(Request(who, action, stream_arn, ctx), iam=iam)
            if d.kind is DecisionKind.ALLOW:
                return True
            if d.kind is DecisionKind.CONDITIONAL and any(st.policy in named for st in d.statements):
                return True
        return False

    def read_paths(self, p: PrincipalFact, stream_arn: str) -> tuple[str, ...]:
        """The read paths whose own actions (GetMedia; ListFragments, GetMediaForFragmentList; ...) the
        principal is granted one of: it is a consumer on those paths."""
        return tuple(n for n in READ_PATHS if self.any_of(p, read_path(n).own_actions, stream_arn))


def _may_allow(iam: IamPolicies, action: str) -> bool:
    """Whether some identity Allow statement could match ``action`` (its Action pattern matches, or it
    uses NotAction). Without one the identity policies cannot allow it, conditionally or not."""
    from kvsctl.policy.match import glob_match

    return any(
        st.effect == "Allow" and (st.not_action or any(glob_match(a, action, ignore_case=True) for a in st.actions))
        for pol in iam.identity
        for st in pol.statements
    )


_LABEL = re.compile(r"^(?P<name>.*) #(?P<index>\d+)(?: \".*\")?$")


class _Locator:
    """Statement labels ('Key key policy #2 "Sid"') -> file:line."""

    def __init__(self, policies: Sequence[PolicyFact]) -> None:
        self.by_name = {p.name: p for p in policies}

    def policy(self, label: str | None) -> tuple[PolicyFact, int] | None:
        m = _LABEL.match(label or "")
        if not m or m.group("name") not in self.by_name:
            return None
        return self.by_name[m.group("name")], int(m.group("index"))

    def loc(self, label: str | None) -> Loc | None:
        found = self.policy(label)
        return found[0].statement_loc(found[1]) if found else None


def _resolve_principal(text: str, facts: TemplateFacts) -> PrincipalFact | str | None:
    """A template principal by logical id / address / ARN, an external ARN, or None (not in this file)."""
    if text in facts.principals:
        return facts.principals[text]
    for p in facts.principals.values():
        if p.arn == text:
            return p
    return text if text.startswith("arn:") or text.isdigit() else None


def _inferred_note(stream: str, role: str, who: Sequence[str]) -> str:
    verb = "grant kinesisvideo:PutMedia" if role == "producer" else "grant a read path's actions"
    return f"{role}s of stream {stream} inferred from identity policies that {verb} on it: " + ", ".join(who)


def audit_stream(
    facts: TemplateFacts, s: StreamFact, opts: TemplateOptions, grants: _Grants | None = None
) -> tuple[StreamAudit, dict[str, str]]:
    """One stream's audit (results and findings located in the template) and the logical ids of the
    principals it checked."""
    grants = grants or _Grants(opts.context)
    found: list[tuple[Result, Loc | None]] = []
    key = _stream_key(facts, s, found)
    if opts.require_customer_key and key.aws_managed:
        found.append(
            (
                catalogue.AWS_MANAGED_KEY_USED(
                    f"stream {s.name} uses the AWS managed key"
                    + (f" ({s.key.text})" if s.key.text else " (no KmsKeyId)")
                    + "; a customer managed key is required",
                    resource=s.arn,
                    location=str(s.loc),
                ),
                s.loc,
            )
        )

    # principals: given (consumers then read on every --read path), or inferred from identity policies: a
    # producer grants PutMedia on the stream, a consumer is one on each selected read path it grants
    ids: dict[str, str] = {}
    principals: dict[str, PrincipalFact] = {}
    roles: dict[str, list[str]] = {"producer": [], "consumer": []}
    consumer_reads: dict[str, tuple[str, ...]] = {}
    notes: list[str] = []
    for role, given in (("producer", opts.producers), ("consumer", opts.consumers)):
        if given:
            for text in given:
                p = _resolve_principal(text, facts)
                if isinstance(p, PrincipalFact):
                    principals[p.arn] = p
                    ids[p.arn] = p.id
                    roles[role].append(p.arn)
                elif isinstance(p, str):
                    roles[role].append(p)
            continue
        inferred: list[str] = []
        unselected: list[str] = []
        for p in facts.principals.values():
            if role == "producer":
                if not grants.any_of(p, (PUT_MEDIA,), s.arn):
                    continue
                inferred.append(p.id)
            else:
                granted = grants.read_paths(p, s.arn)
                on = tuple(n for n in granted if n in opts.reads)
                off = [n for n in granted if n not in opts.reads]
                if off:
                    unselected.append(f"{p.id} ({', '.join(off)})")
                if not on:
                    continue
                consumer_reads[p.arn] = on
                inferred.append(f"{p.id} ({', '.join(on)})")
            principals[p.arn] = p
            ids[p.arn] = p.id
            roles[role].append(p.arn)
        if inferred:
            notes.append(_inferred_note(s.name, role, inferred))
        if unselected:
            notes.append(
                f"roles granting read paths not selected with --read are not checked on stream {s.name}: "
                + ", ".join(unselected)
                + " (add the paths to --read, or --read all)"
            )
    if notes:
        found.append(
            (catalogue.IAC_INFERRED("; ".join(notes), resource=s.arn, location=str(s.loc)), s.loc),
        )
    if not roles["producer"] and not roles["consumer"]:
        found.append(
            (
                catalogue.IAC_NO_PRINCIPALS(
                    f"stream {s.name}: no producer or consumer is declared in the template "
                    "or given on the command line",
                    resource=s.arn,
                    location=str(s.loc),
                ),
                s.loc,
            )
        )

    policies: list[PolicyFact] = [key.policy] if key.policy else []
    for p in principals.values():
        policies += list(p.policies) + ([p.boundary] if p.boundary else [])
    locator = _Locator(policies)
    inp = AuditInput(
        key_arn=key.arn,
        key_policy=PolicyDoc(key.policy.name, key.policy.document) if key.policy else None,
        grants=() if key.fact is not None or key.aws_managed else None,
        stream_arn=s.arn,
        producers=tuple(dict.fromkeys(roles["producer"])),
        consumers=tuple(dict.fromkeys(roles["consumer"])),
        principals={arn: _iam(p) for arn, p in principals.items()},
        context=dict(opts.context),
        reads=opts.reads,
        producer_creates=opts.producer_creates,
        consumer_reads=consumer_reads,
        key_aws_managed=key.aws_managed,
    )
    report = add_fixes(inp, run_audit(inp))
    refs = _references(facts, s, key, principals)
    report = AuditReport(tuple(_placed(r, key, principals, refs) for r in report.results), report.findings)

    subject = Subject(stream=s.name, stream_arn=s.arn, key=key.arn, region=s.region, account=s.account)
    results: list[Result] = []
    key_loc = key.fact.loc if key.fact else s.loc
    for r in report.results:
        if (r.action or "").startswith("kms:") and (key.unknown or key.external):
            what = key.unknown.what if key.unknown else f"key {key.arn} is not declared in the template"
            extra_keys = (key.unknown.key,) if key.unknown else ()
            r = dataclasses.replace(
                r,
                reasons=(f"the stream's key is unknown here: {what}", *r.reasons),
                unknown_keys=tuple(sorted({*r.unknown_keys, *extra_keys})),
            )
        loc = locator.loc(r.statements[0]) if r.statements else None
        if loc is None:
            if (r.action or "").startswith("kms:"):
                loc = key_loc
            else:
                p = principals.get(r.principal or "")
                loc = p.loc if p else s.loc
        results.append(_at(r, loc).about(subject))

    kept: list[tuple[Result, Loc | None]] = []
    for f in report.findings:
        if f.code in (catalogue.KEY_POLICY_UNREADABLE.id, catalogue.GRANTS_UNREADABLE.id):
            continue  # said above, with the reason (external or unresolved key)
        where = locator.policy(str(f.location) if f.location is not None else None)
        if where is not None:
            pol, index = where
            if f.code == catalogue.KEY_POLICY_PUBLIC.id and index in pol.rewritten_principals:
                continue  # "*" stands for an unresolved principal there, not for everyone
            floc: Loc | None = pol.statement_loc(index)
            f = _at(f, floc, f"{floc} ({f.location})")
        else:
            p = principals.get(f.principal or "")
            floc = p.loc if p else s.loc
            f = _at(f, floc)
        kept.append((f, floc))
    all_found = [f.about(subject) for f, _ in kept] + [_at(f, loc).about(subject) for f, loc in found]
    encryption = "aws-managed" if key.aws_managed else "customer-managed"
    audit = StreamAudit(s.name, s.region, s.arn, key.arn, encryption, AuditReport(tuple(results), tuple(all_found)))
    return audit, ids


def audit_templates(templates: Sequence[TemplateFacts], opts: TemplateOptions) -> TemplateAudit:
    streams: list[StreamAudit] = []
    stream_locs: list[Loc] = []
    global_findings: list[Result] = []
    ids: dict[str, str] = {}
    grants = _Grants(opts.context)
    for t in templates:
        for s in t.streams:
            audit, found_ids = audit_stream(t, s, opts, grants)
            streams.append(audit)
            stream_locs.append(s.loc)
            ids.update(found_ids)
        for note in t.notes:
            rule = {
                "assumed": catalogue.IAC_ASSUMED,
                "unresolved": catalogue.IAC_UNRESOLVED,
                "unsupported": catalogue.IAC_NOT_FOLLOWED,
            }[note.kind]
            global_findings.append(rule(note.message, location=_file(note.loc)))
        for c in t.changes:
            rule = {
                "replace": catalogue.IAC_STREAM_REPLACED,
                "delete": catalogue.IAC_STREAM_DELETED,
                "key-in-place": catalogue.IAC_KEY_IN_PLACE,
            }[c.kind]
            global_findings.append(rule(c.detail, resource=c.id, location=_file(c.loc)))
    report = LiveAuditReport(tuple(streams), tuple(global_findings), strict=opts.strict, fail_on=opts.fail_on)
    return TemplateAudit(
        report=report,
        files=tuple(dict.fromkeys(t.path for t in templates)),
        stream_locs=tuple(stream_locs),
        principal_ids=ids,
    )


def _references(
    facts: TemplateFacts, s: StreamFact, key: _Key, principals: Mapping[str, PrincipalFact]
) -> dict[str, Any]:
    """How the template itself writes the ARNs kvsctl made up for its stream, key and roles (and the
    kms:ViaService value of its region): ``{"Fn::GetAtt": [ID, "Arn"]}`` in CloudFormation, ``${ADDRESS.arn}``
    in Terraform. A fix's statement says it so: the ARN kvsctl assumed (a stream's creation time is
    zeros, the account may be a stand-in) is never what the deployed resource gets."""
    ids = {s.arn: s.id, **{p.arn: p.id for p in principals.values()}}
    if key.fact is not None:
        ids[key.fact.arn] = key.fact.id
    if facts.kind == "cloudformation":
        out: dict[str, Any] = {arn: {"Fn::GetAtt": [lid, "Arn"]} for arn, lid in ids.items()}
        out[f"kinesisvideo.{s.region}.amazonaws.com"] = {"Fn::Sub": "kinesisvideo.${AWS::Region}.amazonaws.com"}
        return out
    return {arn: "${" + address + ".arn}" for arn, address in ids.items()}


def _referenced(value: Any, refs: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        return refs.get(value, value)
    if isinstance(value, list):
        return [_referenced(v, refs) for v in value]
    if isinstance(value, dict):
        return {k: _referenced(v, refs) for k, v in value.items()}
    return value


def _placed(
    r: Result, key: _Key, principals: Mapping[str, PrincipalFact], refs: Mapping[str, Any] | None = None
) -> Result:
    """The result with its fix written for the template: a statement to add names the stream, key and
    roles by the template's own references, and is placed at the role's logical id (Terraform address)
    and line, or the key's (narrowing a Deny already names its statement)."""
    from kvsctl.workloads.fixes import Fix

    fix = r.patch
    if not isinstance(fix, Fix) or not fix.changes:
        return r
    changes = []
    summary = fix.summary
    for c in fix.changes:
        where = c.where
        p = principals.get(c.principal or "")
        if c.op == "add" and c.target == "identity" and p is not None:
            where = f"a policy of {p.id} ({p.loc}): inline, or a managed policy attached to it"
        elif c.op == "add" and c.target == "boundary" and p is not None and p.boundary is not None:
            where = f"the permissions boundary of {p.id} ({p.boundary.loc})"
        elif c.op == "add" and c.target == "key_policy" and key.fact is not None:
            where = f"the key policy of {key.fact.id} ({key.fact.loc})"
        summary = summary.replace(c.where, where)
        statement = _referenced(c.statement, refs or {})
        changes.append(dataclasses.replace(c, where=where, statement=statement))
    return dataclasses.replace(r, patch=dataclasses.replace(fix, changes=tuple(changes), summary=summary))


def _file(loc: Loc, label: str | None = None) -> Location:
    return Location(file=loc.file, line=loc.line, label=label)


def _at(r: Result, loc: Loc | None, label: str | None = None) -> Result:
    """The result pointed at its file and line in the template (SARIF shows it there)."""
    if loc is None:
        return r
    return dataclasses.replace(r, location=_file(loc, label or (str(r.location) if r.location else None)))
