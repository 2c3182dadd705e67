"""Run the producer / consumer checks and the policy findings for one key (and stream).

Each principal is checked on the calls its client really makes (kvsctl/workloads/paths.py): producers on
DescribeStream, GetDataEndpoint, PutMedia and ``kms:GenerateDataKey``; consumers on each selected read
path (GetDataEndpoint, the path's actions, ``kms:Decrypt``). KVS DG, "Data protection"; producer SDK.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from kvsctl.audit.context import kvs_request_context
from kvsctl.audit.lint import lint_policy
from kvsctl.audit.model import AuditInput, AuditReport, Grant, PolicyDoc, PrincipalPolicies, Result, Role
from kvsctl.checks.access import access_result
from kvsctl.checks.model import Location, Status
from kvsctl.checks.rules import (
    CONSUMER_CAN_GENERATE,
    CROSS_ACCOUNT_STREAM,
    GRANT_OVERBROAD,
    GRANTS_UNREADABLE,
    IAM_NOT_GIVEN,
    KEY_POLICY_UNREADABLE,
    POLICY_UNPARSEABLE,
    PRINCIPAL_UNKNOWN,
    PRODUCER_CAN_CREATE_STREAM,
    PRODUCER_CAN_DECRYPT,
    RCPS_NOT_CHECKED,
)
from kvsctl.policy.context import RequestContext
from kvsctl.policy.document import Policy, PolicyKind, PolicyParseError, parse_policy
from kvsctl.policy.evaluate import Decision, DecisionKind, Request
from kvsctl.policy.kms import (
    IamPolicies,
    authorize_identity_only,
    authorize_kms,
    cross_account_without_resource_policy,
)
from kvsctl.policy.principals import PrincipalError, PrincipalId, PrincipalKind, parse_principal
from kvsctl.workloads.paths import AWS_MANAGED_WARNING, CREATE_STREAM, Requirement, paths_for

GENERATE_DATA_KEY = "kms:GenerateDataKey"
DECRYPT = "kms:Decrypt"
PUT_MEDIA = "kinesisvideo:PutMedia"
GET_MEDIA = "kinesisvideo:GetMedia"


class _Parsed:
    """Parsed documents, with every failure recorded as a finding."""

    def __init__(self, findings: list[Result]) -> None:
        self.findings = findings

    def one(self, doc: PolicyDoc, kind: PolicyKind, key_arn: str | None = None) -> Policy | None:
        try:
            policy = parse_policy(doc.document, doc.name, kind)
        except PolicyParseError as e:
            self.findings.append(POLICY_UNPARSEABLE(e.message, location=Location(document=e.source, line=e.line)))
            return None
        self.findings += lint_policy(policy, key_arn=key_arn)
        return policy


def _resolve_role_arn(who: PrincipalId, known: list[str]) -> PrincipalId:
    """A session ARN has no role path; take the role ARN from the input when it is there."""
    if who.kind is not PrincipalKind.SESSION or who.role_arn:
        return who
    for arn in known:
        try:
            p = parse_principal(arn)
        except PrincipalError:
            continue
        if p.kind is PrincipalKind.ROLE and p.account == who.account and p.name.lower() == who.name.lower():
            return dataclasses.replace(who, role_arn=p.arn)
    # without the role ARN (its path) aws:PrincipalArn stays unknown rather than guessed
    return who


def _lookup_iam(who: PrincipalId, raw: str, principals: Mapping[str, PrincipalPolicies]) -> PrincipalPolicies | None:
    if raw in principals:
        return principals[raw]
    if who.arn in principals:
        return principals[who.arn]
    if who.kind is PrincipalKind.SESSION:
        # a session acts with its role's policies
        for arn, pp in principals.items():
            try:
                p = parse_principal(arn)
            except PrincipalError:
                continue
            if p.kind is PrincipalKind.ROLE and p.account == who.account and p.name.lower() == who.name.lower():
                return pp
    return None


def _result(raw: str, role: Role, path: str, req: Requirement, resource: str, d: Decision) -> Result:
    return access_result(raw, role, req.action, resource, d, path=path, basis=req.basis)


def _grant_findings(grants: tuple[Grant, ...]) -> list[Result]:
    out: list[Result] = []
    for g in grants:
        ops = {o.lower() for o in g.operations}
        label = g.name or g.grant_id
        if "creategrant" in ops:
            out.append(
                GRANT_OVERBROAD(
                    f"grant {label} lets {g.grantee_principal} create further grants", principal=g.grantee_principal
                )
            )
        if g.grantee_principal.endswith(":root"):
            out.append(
                GRANT_OVERBROAD(
                    f"grant {label} is given to a whole account ({g.grantee_principal})", principal=g.grantee_principal
                )
            )
        if {"decrypt", "generatedatakey"} <= ops and not (g.encryption_context_equals or g.encryption_context_subset):
            out.append(
                GRANT_OVERBROAD(
                    f"grant {label} gives {g.grantee_principal} both Decrypt and GenerateDataKey without constraints",
                    principal=g.grantee_principal,
                )
            )
    return out


def run_audit(inp: AuditInput) -> AuditReport:
    findings: list[Result] = []
    parsed = _Parsed(findings)

    key_policy: Policy | None = None
    if inp.key_policy is None:
        findings.append(
            KEY_POLICY_UNREADABLE(
                "the key policy could not be read; key decisions are conditional", resource=inp.key_arn
            )
        )
    else:
        key_policy = parsed.one(inp.key_policy, PolicyKind.RESOURCE, inp.key_arn)
    if inp.grants is None:
        findings.append(GRANTS_UNREADABLE("the key's grants could not be read", resource=inp.key_arn))
    else:
        findings += _grant_findings(inp.grants)

    scps: list[Policy] = []
    scp_unreadable = False
    for doc in inp.scps:
        p = parsed.one(doc, PolicyKind.SCP)
        if p is None:
            scp_unreadable = True
        else:
            scps.append(p)
    scp_levels: list[list[Policy]] = []
    for level in inp.scp_levels:
        kept = []
        for doc in level:
            p = parsed.one(doc, PolicyKind.SCP)
            if p is None:
                scp_unreadable = True
            else:
                kept.append(p)
        scp_levels.append(kept)
    rcps: list[Policy] = []
    if not inp.key_aws_managed:
        # KMS DG "Resource control policies in AWS KMS": RCPs apply to customer managed keys only
        if inp.rcps is None:
            why = f" ({inp.rcps_unread_why})" if inp.rcps_unread_why else ""
            findings.append(
                RCPS_NOT_CHECKED(
                    f"the resource control policies of the key's account could not be read{why}; an RCP Deny "
                    "would override every allow below",
                    resource=inp.key_arn,
                    status=Status.WARN,  # undecided, not broken: --strict fails on it
                )
            )
        else:
            for doc in inp.rcps:
                p = parsed.one(doc, PolicyKind.RCP)
                if p is None:
                    scp_unreadable = True
                else:
                    rcps.append(p)

    # parse each principal's IAM once; an unparseable document makes that principal's IAM unknown
    iam_cache: dict[str, IamPolicies | None] = {}

    def iam_for(pp: PrincipalPolicies | None) -> IamPolicies | None:
        if pp is None:
            return None
        if pp.arn in iam_cache:
            return iam_cache[pp.arn]
        identity = [parsed.one(d, PolicyKind.IDENTITY) for d in pp.identity]
        boundary = parsed.one(pp.boundary, PolicyKind.BOUNDARY) if pp.boundary is not None else None
        ok = all(p is not None for p in identity) and (pp.boundary is None or boundary is not None)
        iam = IamPolicies(tuple(p for p in identity if p is not None), boundary) if ok else None
        iam_cache[pp.arn] = iam
        return iam

    known_arns = [*inp.producers, *inp.consumers, *inp.principals]
    results: list[Result] = []
    roles: list[tuple[str, Role]] = [(p, "producer") for p in inp.producers] + [(c, "consumer") for c in inp.consumers]
    both = set(inp.producers) & set(inp.consumers)
    iam_noted: set[str] = set()

    for raw, role in roles:
        try:
            who = _resolve_role_arn(parse_principal(raw), known_arns)
        except PrincipalError as e:
            findings.append(PRINCIPAL_UNKNOWN(str(e), principal=raw))
            continue
        pp = _lookup_iam(who, raw, inp.principals)
        iam = iam_for(pp)
        if who.kind is PrincipalKind.SERVICE:
            iam = IamPolicies()  # a service principal has no identity policies (IAM UG, Principal element)
        elif pp is None and raw not in iam_noted:
            iam_noted.add(raw)
            findings.append(IAM_NOT_GIVEN(f"IAM policies of {raw} were not given", principal=raw))

        def check(action: str, resource: str, who: PrincipalId = who, iam: IamPolicies | None = iam) -> Decision:
            ctx = kvs_request_context(who, action=action, resource=resource, overrides=inp.context)
            req = Request(who, action, resource, ctx)
            if action.startswith("kms:"):
                d = authorize_kms(
                    req,
                    key_arn=inp.key_arn,
                    key_policy=key_policy,
                    iam=iam,
                    scps=scps,
                    grants=inp.grants,
                    scp_levels=scp_levels,
                    rcps=rcps,
                )
            else:
                d = authorize_identity_only(req, iam=iam, scps=scps, scp_levels=scp_levels)
            if scp_unreadable and d.kind is DecisionKind.ALLOW:
                d = dataclasses.replace(
                    d,
                    kind=DecisionKind.CONDITIONAL,
                    reasons=(*d.reasons, "an SCP or RCP could not be parsed and may deny"),
                )
            return d

        # one decision per (action, resource): read paths share GetDataEndpoint and kms:Decrypt
        decided: dict[tuple[str, str], Decision] = {}
        crossed: set[str] = set()
        reads = inp.consumer_reads.get(raw, inp.reads) if role == "consumer" else inp.reads
        for client_path in paths_for(role, reads, inp.producer_creates):
            for req in client_path.requirements:
                resource = inp.key_arn if req.target == "key" else inp.stream_arn
                if resource is None:
                    continue
                if (req.action, resource) not in decided:
                    decided[(req.action, resource)] = check(req.action, resource)
                d = decided[(req.action, resource)]
                results.append(_result(raw, role, client_path.name, req, resource, d))
                if not req.action.startswith("kms:") and req.action not in crossed:
                    crossed.add(req.action)
                    cross = cross_account_without_resource_policy(Request(who, req.action, resource, RequestContext()))
                    if cross is not None:
                        findings.append(
                            CROSS_ACCOUNT_STREAM(f"{raw} ({role}): {cross}", principal=raw, resource=resource)
                        )

        if role == "producer" and inp.stream_arn is not None:
            d = decided.get((CREATE_STREAM, inp.stream_arn)) or check(CREATE_STREAM, inp.stream_arn)
            if d.kind is DecisionKind.ALLOW:
                findings.append(
                    PRODUCER_CAN_CREATE_STREAM(
                        f"{raw} (producer) is allowed kinesisvideo:CreateStream: {AWS_MANAGED_WARNING}",
                        principal=raw,
                        resource=inp.stream_arn,
                    )
                )

        if raw not in both:
            extra, rule = (
                (DECRYPT, PRODUCER_CAN_DECRYPT) if role == "producer" else (GENERATE_DATA_KEY, CONSUMER_CAN_GENERATE)
            )
            d = check(extra, inp.key_arn)
            if d.kind is DecisionKind.ALLOW:
                by = ", ".join(s.label() for s in d.statements) or "grants"
                findings.append(rule(f"{raw} ({role}) is allowed {extra} by {by}", principal=raw, resource=inp.key_arn))

    return AuditReport(tuple(results), tuple(_dedupe(findings)))


def _dedupe(findings: list[Result]) -> list[Result]:
    seen: set[Result] = set()
    out: list[Result] = []
    for f in findings:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out
