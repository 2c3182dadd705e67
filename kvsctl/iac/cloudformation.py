"""CloudFormation (and CDK output): resolve intrinsic functions symbolically and collect the facts.

``Ref`` / ``Fn::GetAtt`` / ``Fn::Sub`` / ``Fn::Join`` / ``Fn::Select`` / ``Fn::Split`` / ``Fn::If`` /
``Fn::FindInMap`` / ``Fn::ToJsonString`` are followed within the template; parameters take
``--parameter NAME=VALUE`` or their ``Default``; pseudo parameters take ``--parameter AWS::Region=...``
(``AWS::AccountId``, ``AWS::StackName``) or a stated placeholder. Physical names CloudFormation or KMS
assign (a key's id, a role without ``RoleName``) get a stable stand-in, the same everywhere in the
template, so ``!GetAtt Key.Arn`` in a stream and ``!GetAtt Key.Arn`` in a policy name the same key.
Everything else (``Fn::ImportValue``, a parameter with no value, an attribute known only after
deployment) is ``Unknown``.

A template CloudFormation would reject (no ``Resources`` mapping, a resource with no ``Type``, a ``Ref``
to nothing, an intrinsic function of the wrong shape) is an input error naming the file and line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from kvsctl.iac.facts import (
    AliasFact,
    KeyFact,
    Loc,
    Note,
    PolicyFact,
    PrincipalFact,
    StreamFact,
    StreamKey,
    TemplateFacts,
    Unknown,
    unknowns_in,
)
from kvsctl.iac.loader import LDict, TemplateError, line_of
from kvsctl.iac.symbolic import concretize_policy
from kvsctl.models import AWS_MANAGED_ALIASES

STREAM = "AWS::KinesisVideo::Stream"
KEY = "AWS::KMS::Key"
ALIAS = "AWS::KMS::Alias"
ROLE = "AWS::IAM::Role"
USER = "AWS::IAM::User"
POLICY = "AWS::IAM::Policy"
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"
ROLE_POLICY = "AWS::IAM::RolePolicy"
USER_POLICY = "AWS::IAM::UserPolicy"

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
STREAM_CREATION = "0000000000000"  # stand-in for the creation time in a stream ARN


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()

_SUB_VAR = re.compile(r"\$\{([^}]*)\}")


def is_cloudformation(data: Any) -> bool:
    return isinstance(data, Mapping) and (
        isinstance(data.get("Resources"), Mapping)
        or "AWSTemplateFormatVersion" in data
        or ("Resources" in data and ("Parameters" in data or "Outputs" in data or "Transform" in data))
    )


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


class Resolver:
    """Symbolic evaluation of one template's intrinsic functions."""

    def __init__(self, template: Mapping[str, Any], path: str, parameters: Mapping[str, str]) -> None:
        self.t = template
        self.path = path
        self.given = dict(parameters)
        resources = template.get("Resources")
        if not isinstance(resources, Mapping):
            raise TemplateError(path, "Resources must be a mapping of logical ids to resources", line_of(template, 1))
        self.resources: Mapping[str, Any] = resources
        params = template.get("Parameters") or {}
        if not isinstance(params, Mapping):
            raise TemplateError(path, "Parameters must be a mapping", line_of(params, 1))
        self.parameters: Mapping[str, Any] = params
        conditions = template.get("Conditions") or {}
        self.conditions: Mapping[str, Any] = conditions if isinstance(conditions, Mapping) else {}
        mappings = template.get("Mappings") or {}
        self.mappings: Mapping[str, Any] = mappings if isinstance(mappings, Mapping) else {}
        for lid, res in self.resources.items():
            if not isinstance(res, Mapping):
                raise TemplateError(path, f"resource {lid} must be a mapping", line_of(self.resources, 0) or None)
            if not isinstance(res.get("Type"), str):
                where = self.resources.line_of(lid) if isinstance(self.resources, LDict) else None
                raise TemplateError(path, f"resource {lid} has no Type", where)
            props = res.get("Properties")
            if props is not None and not isinstance(props, Mapping):
                raise TemplateError(path, f"resource {lid}: Properties must be a mapping", line_of(props) or None)
        self.assumed: dict[str, str] = {}
        self._active: set[str] = set()
        self._cond_cache: dict[str, bool | Unknown] = {}
        self.region = self._pseudo_text("AWS::Region", DEFAULT_REGION)
        self.account = self._pseudo_text("AWS::AccountId", DEFAULT_ACCOUNT)
        self.partition = _partition(self.region)
        self.stack = self.given.get("AWS::StackName") or "stack"

    # -- errors -----------------------------------------------------------------------------------
    def fail(self, message: str, node: Any) -> TemplateError:
        return TemplateError(self.path, message, line_of(node) or None)

    def _pseudo_text(self, name: str, default: str) -> str:
        if name in self.given:
            return self.given[name]
        self.assumed[name] = default
        return default

    # -- resources --------------------------------------------------------------------------------
    def type_of(self, lid: str) -> str | None:
        res = self.resources.get(lid)
        return str(res["Type"]) if isinstance(res, Mapping) else None

    def props(self, lid: str) -> Mapping[str, Any]:
        res = self.resources.get(lid)
        p = res.get("Properties") if isinstance(res, Mapping) else None
        return p if isinstance(p, Mapping) else {}

    def loc(self, lid: str) -> Loc:
        line = self.resources.line_of(lid) if isinstance(self.resources, LDict) else None
        return Loc(self.path, line or None)

    def _name(self, lid: str, prop: str) -> str | Unknown:
        if prop in self.props(lid) and self.value(self.props(lid)[prop]) is not NO_VALUE:
            return self.text(self.props(lid)[prop])
        return f"{self.stack}-{lid}"  # CloudFormation generates STACK-LOGICALID-SUFFIX

    def _arn(self, service: str, resource: str, *, region: bool = True, account: str | None = None) -> str:
        r = self.region if region else ""
        return f"arn:{self.partition}:{service}:{r}:{account or self.account}:{resource}"

    def key_arn(self, lid: str) -> str:
        return self._arn("kms", f"key/{lid}")

    def _iam_path(self, lid: str) -> str | Unknown:
        p = self.props(lid).get("Path")
        if p is None:
            return "/"
        return self.text(p)

    def physical_ref(self, lid: str) -> Any:
        """What ``Ref`` of a resource returns."""
        kind = self.type_of(lid)
        if kind == KEY:
            return lid
        if kind == ALIAS:
            return self.text(self.props(lid).get("AliasName", Unknown(f"AliasName of {lid}")))
        if kind == ROLE:
            return self._name(lid, "RoleName")
        if kind == USER:
            return self._name(lid, "UserName")
        if kind == MANAGED_POLICY:
            return self.attribute(lid, "PolicyArn")
        if kind == STREAM:
            return self._name(lid, "Name")
        if kind == "AWS::IAM::Group":
            return self._name(lid, "GroupName")
        return Unknown(f"Ref {lid} ({kind})")

    def attribute(self, lid: str, attr: str) -> Any:
        kind = self.type_of(lid)
        if kind == KEY and attr == "Arn":
            return self.key_arn(lid)
        if kind == KEY and attr == "KeyId":
            return lid
        if kind in (ROLE, USER, "AWS::IAM::Group") and attr == "Arn":
            prop = {ROLE: "RoleName", USER: "UserName"}.get(kind or "", "GroupName")
            typ = {ROLE: "role", USER: "user"}.get(kind or "", "group")
            name, path = self._name(lid, prop), self._iam_path(lid)
            if isinstance(name, Unknown):
                return name
            if isinstance(path, Unknown):
                return path
            return self._arn("iam", f"{typ}{path}{name}", region=False)
        if kind == MANAGED_POLICY and attr == "PolicyArn":
            name, path = self._name(lid, "ManagedPolicyName"), self._iam_path(lid)
            if isinstance(name, Unknown):
                return name
            if isinstance(path, Unknown):
                return path
            return self._arn("iam", f"policy{path}{name}", region=False)
        if kind == STREAM and attr == "Arn":
            name = self._name(lid, "Name")
            if isinstance(name, Unknown):
                return name
            return self._arn("kinesisvideo", f"stream/{name}/{STREAM_CREATION}")
        return Unknown(f"Fn::GetAtt {lid}.{attr}")

    # -- values -----------------------------------------------------------------------------------
    def text(self, node: Any) -> str | Unknown:
        v = self.value(node)
        if isinstance(v, Unknown):
            return v
        u = unknowns_in(v)
        if u:
            return u[0]
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (str, int, float)):
            return str(v)
        raise self.fail(f"expected a text value, got {type(v).__name__}", node)

    def value(self, node: Any) -> Any:
        """The resolved value: plain data, with Unknown where it cannot be known; AWS::NoValue removed."""
        if isinstance(node, Mapping):
            if len(node) == 1:
                (k, v), *_ = node.items()
                if k == "Ref":
                    return self.ref(v, node)
                if k.startswith("Fn::"):
                    return self.function(k, v, node)
            out = LDict(line=line_of(node), key_lines=dict(getattr(node, "key_lines", {})))
            for k, v in node.items():
                r = self.value(v)
                if r is not NO_VALUE:
                    out[str(k)] = r
            return out
        if isinstance(node, list):
            from kvsctl.iac.loader import LList

            return LList((r for r in (self.value(x) for x in node) if r is not NO_VALUE), line=line_of(node))
        return node

    def ref(self, name: Any, node: Any) -> Any:
        if not isinstance(name, str):
            raise self.fail("Ref takes the name of a parameter or resource", node)
        if name.startswith("AWS::"):
            return self.pseudo(name)
        if name in self.parameters:
            return self.parameter(name)
        if name in self.resources:
            return self.guarded(f"Ref {name}", lambda: self.physical_ref(name))
        raise self.fail(f"Ref {name}: no parameter or resource {name} in the template", node)

    def guarded(self, what: str, fn: Any) -> Any:
        if what in self._active:
            return Unknown(f"{what} (circular)")
        self._active.add(what)
        try:
            return fn()
        finally:
            self._active.discard(what)

    def pseudo(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name == "AWS::AccountId":
            return self.account
        if name == "AWS::Region":
            return self.region
        if name == "AWS::Partition":
            return self.partition
        if name == "AWS::URLSuffix":
            return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"
        if name == "AWS::StackName":
            if "AWS::StackName" not in self.given:
                self.assumed["AWS::StackName"] = self.stack
            return self.stack
        if name in self.given:
            return self.given[name]
        return Unknown(name)

    def parameter(self, name: str) -> Any:
        decl = self.parameters.get(name)
        decl = decl if isinstance(decl, Mapping) else {}
        ptype = str(decl.get("Type", "String"))
        if name in self.given:
            raw: Any = self.given[name]
        elif ptype.startswith("AWS::SSM::Parameter::Value"):
            return Unknown(f"parameter {name} (read from SSM at deployment)")
        elif "Default" in decl:
            raw = decl["Default"]
        else:
            return Unknown(f"parameter {name}")
        if ptype.startswith("List<") or ptype == "CommaDelimitedList":
            if isinstance(raw, list):
                return [str(x) for x in raw]
            return [x.strip() for x in str(raw).split(",")]
        return str(raw) if not isinstance(raw, str) else raw

    def function(self, fn: str, arg: Any, node: Any) -> Any:
        if fn == "Fn::GetAtt":
            if isinstance(arg, str):
                parts = arg.split(".", 1)
            elif isinstance(arg, list) and len(arg) == 2:
                attr = self.text(arg[1])
                parts = [arg[0], attr] if not isinstance(attr, Unknown) else []
                if isinstance(attr, Unknown):
                    return attr
            else:
                raise self.fail("Fn::GetAtt takes [LogicalId, Attribute]", node)
            if len(parts) != 2 or not isinstance(parts[0], str):
                raise self.fail("Fn::GetAtt takes LogicalId.Attribute", node)
            lid, attr = parts[0], str(parts[1])
            if lid not in self.resources:
                raise self.fail(f"Fn::GetAtt {lid}.{attr}: no resource {lid} in the template", node)
            return self.guarded(f"Fn::GetAtt {lid}.{attr}", lambda: self.attribute(lid, attr))
        if fn == "Fn::Sub":
            return self.sub(arg, node)
        if fn == "Fn::Join":
            if not (isinstance(arg, list) and len(arg) == 2):
                raise self.fail("Fn::Join takes [delimiter, [values]]", node)
            delim = self.text(arg[0])
            items = self.value(arg[1])
            if isinstance(delim, Unknown):
                return delim
            if isinstance(items, Unknown):
                return items
            if not isinstance(items, list):
                raise self.fail("Fn::Join takes a list of values", node)
            texts = [self._scalar_text(x) for x in items]
            bad = [t for t in texts if isinstance(t, Unknown)]
            return bad[0] if bad else delim.join(str(t) for t in texts)
        if fn == "Fn::Select":
            if not (isinstance(arg, list) and len(arg) == 2):
                raise self.fail("Fn::Select takes [index, [values]]", node)
            index, items = self.text(arg[0]), self.value(arg[1])
            if isinstance(index, Unknown):
                return index
            if isinstance(items, Unknown):
                return items
            if not isinstance(items, list) or not index.isdigit():
                raise self.fail("Fn::Select takes a numeric index and a list", node)
            if int(index) >= len(items):
                raise self.fail(f"Fn::Select index {index} is out of range", node)
            return items[int(index)]
        if fn == "Fn::Split":
            if not (isinstance(arg, list) and len(arg) == 2):
                raise self.fail("Fn::Split takes [delimiter, text]", node)
            delim, src = self.text(arg[0]), self.text(arg[1])
            if isinstance(delim, Unknown):
                return delim
            if isinstance(src, Unknown):
                return src
            return src.split(delim)
        if fn == "Fn::If":
            if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
                raise self.fail("Fn::If takes [Condition, value if true, value if false]", node)
            cond = self.condition(arg[0], node)
            if isinstance(cond, Unknown):
                return cond
            return self.value(arg[1] if cond else arg[2])
        if fn == "Fn::ImportValue":
            name = self.text(arg)
            return Unknown(f"Fn::ImportValue {name.what if isinstance(name, Unknown) else name}")
        if fn == "Fn::FindInMap":
            if not (isinstance(arg, list) and len(arg) in (3, 4)):
                raise self.fail("Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]", node)
            keys = [self.text(a) for a in arg[:3]]
            bad = [k for k in keys if isinstance(k, Unknown)]
            if bad:
                return bad[0]
            found: Any = self.mappings
            for k in keys:
                found = found.get(k) if isinstance(found, Mapping) else None
            if found is None:
                if len(arg) == 4 and isinstance(arg[3], Mapping) and "DefaultValue" in arg[3]:
                    return self.value(arg[3]["DefaultValue"])
                raise self.fail(f"Fn::FindInMap {'/'.join(str(k) for k in keys)}: no such mapping entry", node)
            return self.value(found)
        if fn == "Fn::ToJsonString":
            v = self.value(arg)
            u = unknowns_in(v)
            return u[0] if u else json.dumps(v, separators=(",", ":"))
        return Unknown(f"{fn} (not evaluated offline)")

    def _scalar_text(self, v: Any) -> str | Unknown:
        if isinstance(v, Unknown):
            return v
        u = unknowns_in(v)
        if u:
            return u[0]
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)

    def sub(self, arg: Any, node: Any) -> Any:
        if isinstance(arg, str):
            template, variables = arg, {}
        elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], Mapping):
            template, variables = arg[0], dict(arg[1])
        else:
            raise self.fail("Fn::Sub takes a text or [text, {variables}]", node)
        unknown: list[Unknown] = []

        def replace(m: re.Match[str]) -> str:
            name = m.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                v = self._scalar_text(self.value(variables[name]))
            elif name.startswith("AWS::"):
                v = self._scalar_text(self.pseudo(name))
            elif name in self.parameters:
                v = self._scalar_text(self.parameter(name))
            elif name in self.resources:
                v = self._scalar_text(self.guarded(f"Ref {name}", lambda: self.physical_ref(name)))
            elif "." in name and name.split(".", 1)[0] in self.resources:
                lid, attr = name.split(".", 1)
                v = self._scalar_text(self.guarded(f"Fn::GetAtt {name}", lambda: self.attribute(lid, attr)))
            else:
                raise self.fail(f"Fn::Sub ${{{name}}}: no parameter, resource or variable {name}", node)
            if isinstance(v, Unknown):
                unknown.append(v)
                return ""
            return v

        out = _SUB_VAR.sub(replace, template)
        return unknown[0] if unknown else out

    def condition(self, name: str, node: Any) -> bool | Unknown:
        if name in self._cond_cache:
            return self._cond_cache[name]
        if name not in self.conditions:
            raise self.fail(f"condition {name} is not declared in Conditions", node)
        result = self.guarded(f"Condition {name}", lambda: self._cond(self.conditions[name]))
        self._cond_cache[name] = result
        return result  # type: ignore[no-any-return]

    def _cond(self, expr: Any) -> bool | Unknown:
        if isinstance(expr, Mapping) and len(expr) == 1:
            (fn, arg), *_ = expr.items()
            if fn == "Condition" and isinstance(arg, str):
                return self.condition(arg, expr)
            if fn == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
                a, b = (self._scalar_text(self.value(x)) for x in arg)
                if isinstance(a, Unknown):
                    return a
                if isinstance(b, Unknown):
                    return b
                return a == b
            if fn == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
                v = self._cond(arg[0])
                return v if isinstance(v, Unknown) else not v
            if fn in ("Fn::And", "Fn::Or") and isinstance(arg, list):
                vals = [self._cond(x) for x in arg]
                known = [v for v in vals if not isinstance(v, Unknown)]
                unknown = [v for v in vals if isinstance(v, Unknown)]
                if fn == "Fn::And":
                    if False in known:
                        return False
                    return unknown[0] if unknown else True
                if True in known:
                    return True
                return unknown[0] if unknown else False
        v = self.value(expr)
        if isinstance(v, bool):
            return v
        if isinstance(v, Unknown):
            return v
        raise self.fail("a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition", expr)


# -- facts --------------------------------------------------------------------------------------------


def _bool(v: Any, default: bool) -> bool | Unknown:
    if v is None:
        return default
    if isinstance(v, Unknown):
        return v
    if isinstance(v, bool):
        return v
    text = str(v).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    return default


def _target_lid(node: Any, r: Resolver, kinds: tuple[str, ...]) -> str | None:
    """The logical id a ``Ref`` / ``Fn::GetAtt`` (or ``${X}`` / ``${X.Arn}`` Sub) names, if of ``kinds``."""
    lid: Any = None
    if isinstance(node, Mapping) and len(node) == 1:
        (fn, arg), *_ = node.items()
        if fn == "Ref":
            lid = arg
        elif fn == "Fn::GetAtt":
            lid = arg[0] if isinstance(arg, list) and arg else arg.split(".", 1)[0] if isinstance(arg, str) else None
        elif fn == "Fn::Sub" and isinstance(arg, str):
            m = _SUB_VAR.fullmatch(arg)
            lid = m.group(1).split(".", 1)[0] if m else None
    if isinstance(lid, str) and r.type_of(lid) in kinds:
        return lid
    return None


# AWS managed policies whose content matters here and is stable (IAM, "AWS managed policies for Kinesis
# Video Streams"); any other AWS managed policy is unknown content that may only allow.
KNOWN_MANAGED_POLICIES: dict[str, dict[str, Any]] = {
    "AmazonKinesisVideoStreamsFullAccess": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "kinesisvideo:*", "Resource": "*"}],
    },
    "AmazonKinesisVideoStreamsReadOnlyAccess": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["kinesisvideo:Describe*", "kinesisvideo:Get*", "kinesisvideo:List*"],
                "Resource": "*",
            }
        ],
    },
}


def external_policy(arn: str, loc: Loc, *, boundary: bool = False) -> PolicyFact:
    """A managed policy the template only names: its content is unknown."""
    name = arn.rsplit("/", 1)[-1]
    aws_managed = ":iam::aws:policy/" in arn
    if aws_managed and name in KNOWN_MANAGED_POLICIES and not boundary:
        return PolicyFact(f"AWS managed policy {name}", KNOWN_MANAGED_POLICIES[name], loc, (loc.line,))
    u = Unknown(f"managed policy {arn}")
    cond = {"Null": {u.key: "false"}}
    statements: list[dict[str, Any]] = [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": cond}]
    if not aws_managed and not boundary:
        # a customer managed policy may deny as well; AWS managed policies for services only allow
        statements.append({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": cond})
    doc = {"Version": "2012-10-17", "Statement": statements}
    return PolicyFact(f"policy {arn}", doc, loc, tuple(loc.line for _ in statements), frozenset(), (u,))


def default_key_policy(account_root: str) -> dict[str, Any]:
    """The key policy KMS gives a key created without one (KMS DG, "Default key policy")."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": account_root},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }


def read_cloudformation(data: Mapping[str, Any], path: str, parameters: Mapping[str, str]) -> TemplateFacts:
    r = Resolver(data, path, parameters)
    facts = TemplateFacts(path, "cloudformation", account=r.account, region=r.region, partition=r.partition)
    active: list[str] = []
    for lid, res in r.resources.items():
        cond = res.get("Condition")
        if isinstance(cond, str):
            value = r.condition(cond, res)
            if value is False:
                continue
            if isinstance(value, Unknown):
                facts.notes.append(
                    Note(
                        "unresolved",
                        f"{lid} exists only if condition {cond} holds ({value.what}); checked as if it does",
                        r.loc(lid),
                    )
                )
        active.append(lid)

    root = f"arn:{r.partition}:iam::{r.account}:root"
    for lid in active:
        kind = r.type_of(lid)
        props = r.props(lid)
        if kind == KEY:
            facts.keys[lid] = _key(r, lid, props, root, facts)
        elif kind == ALIAS:
            target_lid = _target_lid(props.get("TargetKeyId"), r, (KEY,))
            target: str | Unknown | None = target_lid
            if target is None and "TargetKeyId" in props:
                target = r.text(props["TargetKeyId"])
            name = r.text(props.get("AliasName", Unknown(f"AliasName of {lid}")))
            facts.aliases[lid] = AliasFact(lid, name, target, r.loc(lid))
    for lid in active:
        kind = r.type_of(lid)
        if kind in (ROLE, USER):
            facts.principals[lid] = _principal(r, lid, facts)
    _attach_policies(r, active, facts)
    for lid in active:
        if r.type_of(lid) == STREAM:
            facts.streams.append(_stream(r, lid, facts))
    for pseudo, assumed in sorted(r.assumed.items()):
        facts.notes.append(
            Note(
                "assumed",
                f"{pseudo} taken as {assumed} (pass --parameter {pseudo}=VALUE to set it)",
                Loc(path, line_of(data, 1) or 1),
            )
        )
    return facts


def _key(r: Resolver, lid: str, props: Mapping[str, Any], root: str, facts: TemplateFacts) -> KeyFact:
    loc = r.loc(lid)
    spec = r.text(props["KeySpec"]) if "KeySpec" in props else "SYMMETRIC_DEFAULT"
    usage = r.text(props["KeyUsage"]) if "KeyUsage" in props else "ENCRYPT_DECRYPT"
    policy: PolicyFact | Unknown | None
    if "KeyPolicy" in props:
        raw = props["KeyPolicy"]
        policy_loc = Loc(r.path, line_of(raw) or (props.line_of("KeyPolicy") if isinstance(props, LDict) else None))
        resolved = r.value(raw)
        policy = (
            resolved if isinstance(resolved, Unknown) else concretize_policy(f"{lid} key policy", resolved, policy_loc)
        )
    else:
        policy = PolicyFact(f"{lid} default key policy", default_key_policy(root), loc, (loc.line,))
        facts.notes.append(
            Note(
                "assumed",
                f"{lid} has no KeyPolicy: KMS gives it the default key policy (the account, through IAM)",
                loc,
            )
        )
    return KeyFact(
        id=lid,
        arn=r.key_arn(lid),
        loc=loc,
        spec=spec,
        usage=usage,
        enabled=_bool(r.value(props.get("Enabled")), True),
        rotation=_bool(r.value(props.get("EnableKeyRotation")), False),
        policy=policy,
    )


def _inline_policies(r: Resolver, owner: str, items: Any, facts: TemplateFacts) -> list[PolicyFact]:
    out: list[PolicyFact] = []
    resolved_items = r.value(items) if items is not None else []
    if isinstance(resolved_items, Unknown):
        out.append(external_policy(resolved_items.what, r.loc(owner)))
        return out
    raw_items = items if isinstance(items, list) else []
    for i, item in enumerate(resolved_items if isinstance(resolved_items, list) else []):
        raw = raw_items[i] if i < len(raw_items) else item
        if not isinstance(item, Mapping):
            continue
        name = item.get("PolicyName", f"policy {i}")
        label = name.what if isinstance(name, Unknown) else str(name)
        doc = item.get("PolicyDocument")
        loc = Loc(r.path, line_of(raw) or r.loc(owner).line)
        if isinstance(doc, Unknown):
            out.append(external_policy(doc.what, loc))
            continue
        out.append(concretize_policy(f"{owner} policy {label}", doc, Loc(r.path, line_of(doc) or loc.line)))
    return out


def _principal(r: Resolver, lid: str, facts: TemplateFacts) -> PrincipalFact:
    kind = r.type_of(lid)
    props = r.props(lid)
    arn = r.attribute(lid, "Arn")
    if isinstance(arn, Unknown):
        facts.notes.append(Note("unresolved", f"the ARN of {lid} is unresolved ({arn.what})", r.loc(lid)))
        arn = r._arn("iam", f"{'role' if kind == ROLE else 'user'}/{lid}", region=False)
    policies = _inline_policies(r, lid, props.get("Policies"), facts)
    boundary: PolicyFact | None = None
    if "PermissionsBoundary" in props:
        b = r.text(props["PermissionsBoundary"])
        line = props.line_of("PermissionsBoundary") if isinstance(props, LDict) else None
        bloc = Loc(r.path, line or r.loc(lid).line)
        boundary = _managed_by_arn(r, b, bloc, boundary=True)
    return PrincipalFact(lid, arn, "role" if kind == ROLE else "user", r.loc(lid), tuple(policies), boundary)


def _managed_by_arn(r: Resolver, arn: str | Unknown, loc: Loc, *, boundary: bool = False) -> PolicyFact:
    if isinstance(arn, Unknown):
        return external_policy(arn.what, loc, boundary=boundary)
    for lid, res in r.resources.items():
        if res.get("Type") == MANAGED_POLICY and r.attribute(lid, "PolicyArn") == arn:
            doc = r.value(r.props(lid).get("PolicyDocument"))
            if isinstance(doc, Unknown):
                return external_policy(doc.what, r.loc(lid), boundary=boundary)
            return concretize_policy(f"{lid} managed policy", doc, Loc(r.path, line_of(doc) or r.loc(lid).line))
    return external_policy(arn, loc, boundary=boundary)


def _attach_policies(r: Resolver, active: list[str], facts: TemplateFacts) -> None:
    """AWS::IAM::Policy / ManagedPolicy / RolePolicy / UserPolicy and Role.ManagedPolicyArns."""
    by_name: dict[tuple[str, str], str] = {}
    for lid, p in facts.principals.items():
        name = r.physical_ref(lid)
        if isinstance(name, str):
            by_name[(p.kind, name)] = lid
    extra: dict[str, list[PolicyFact]] = {lid: [] for lid in facts.principals}
    attached_managed: set[tuple[str, str]] = set()

    def attach(kind: str, names: Any, policy: PolicyFact, source: str, node: Any) -> None:
        values = r.value(names) if names is not None else []
        if isinstance(values, Unknown):
            values = [values]
        if not isinstance(values, list):
            values = [values]
        for v in values:
            text = r._scalar_text(v)
            if isinstance(text, Unknown):
                facts.notes.append(
                    Note("unresolved", f"{source} is attached to an unresolved {kind} ({text.what})", policy.loc)
                )
                continue
            target = by_name.get((kind, text))
            if target is None:
                facts.notes.append(
                    Note(
                        "unsupported",
                        f"{source} is attached to {kind} {text}, not declared in this template",
                        policy.loc,
                    )
                )
                continue
            extra[target].append(policy)
            attached_managed.add((source, target))

    for lid in active:
        kind = r.type_of(lid)
        props = r.props(lid)
        if kind not in (POLICY, MANAGED_POLICY, ROLE_POLICY, USER_POLICY):
            continue
        raw = props.get("PolicyDocument")
        doc = r.value(raw)
        loc = Loc(r.path, line_of(raw) or r.loc(lid).line)
        policy = (
            external_policy(doc.what, r.loc(lid))
            if isinstance(doc, Unknown)
            else concretize_policy(f"{lid} policy", doc, loc)
        )
        if kind in (POLICY, MANAGED_POLICY):
            attach("role", props.get("Roles"), policy, lid, raw)
            attach("user", props.get("Users"), policy, lid, raw)
        elif kind == ROLE_POLICY:
            attach("role", [props.get("RoleName")], policy, lid, raw)
        else:
            attach("user", [props.get("UserName")], policy, lid, raw)
    for lid, p in list(facts.principals.items()):
        props = r.props(lid)
        arns = r.value(props.get("ManagedPolicyArns")) if "ManagedPolicyArns" in props else []
        line = props.line_of("ManagedPolicyArns") if isinstance(props, LDict) else None
        loc = Loc(r.path, line or p.loc.line)
        for arn in arns if isinstance(arns, list) else [arns]:
            text = r._scalar_text(arn)
            owner = None
            if isinstance(text, str):
                for mlid in active:
                    if r.type_of(mlid) == MANAGED_POLICY and r.attribute(mlid, "PolicyArn") == text:
                        owner = mlid
            if owner is not None and (owner, lid) in attached_managed:
                continue
            extra[lid].append(_managed_by_arn(r, text, loc))
        if extra[lid]:
            facts.principals[lid] = PrincipalFact(p.id, p.arn, p.kind, p.loc, (*p.policies, *extra[lid]), p.boundary)


def _stream(r: Resolver, lid: str, facts: TemplateFacts) -> StreamFact:
    props = r.props(lid)
    name = r._name(lid, "Name")
    if isinstance(name, Unknown):
        facts.notes.append(Note("unresolved", f"the name of stream {lid} is unresolved ({name.what})", r.loc(lid)))
        name = lid
    arn = r._arn("kinesisvideo", f"stream/{name}/{STREAM_CREATION}")
    retention_raw = r.value(props.get("DataRetentionInHours")) if "DataRetentionInHours" in props else None
    retention: int | Unknown | None
    if isinstance(retention_raw, Unknown):
        retention = retention_raw
    elif retention_raw is None:
        retention = None
    else:
        try:
            retention = int(str(retention_raw))
        except ValueError:
            raise r.fail(
                f"stream {lid}: DataRetentionInHours must be a number", props.get("DataRetentionInHours")
            ) from None
    return StreamFact(lid, name, arn, r.region, r.account, r.loc(lid), _stream_key(r, props, facts), retention)


def _stream_key(r: Resolver, props: Mapping[str, Any], facts: TemplateFacts) -> StreamKey:
    if "KmsKeyId" not in props:
        return StreamKey("none")
    raw = props["KmsKeyId"]
    if r.value(raw) is NO_VALUE:
        return StreamKey("none")
    lid = _target_lid(raw, r, (KEY, ALIAS))
    if lid is not None and r.type_of(lid) == KEY:
        return StreamKey("template-key", r.key_arn(lid), key_id=lid)
    if lid is not None:
        return _via_alias(facts, lid)
    text = r.text(raw)
    if isinstance(text, Unknown):
        return StreamKey("unknown", unknown=text)
    if not text:
        return StreamKey("none")
    lid2 = _target_lid(raw, r, tuple({r.type_of(x) or "" for x in r.resources} - {KEY, ALIAS}))
    if lid2 is not None:
        return StreamKey("not-a-key", text)
    for key in facts.keys.values():
        if text in (key.arn, key.id):
            return StreamKey("template-key", text, key_id=key.id)
    for alias in facts.aliases.values():
        if isinstance(alias.name, str) and (text == alias.name or text.endswith(":" + alias.name)):
            return _via_alias(facts, alias.id, text)
    return StreamKey("literal", text)


def _via_alias(facts: TemplateFacts, alias_lid: str, text: str | None = None) -> StreamKey:
    alias = facts.aliases.get(alias_lid)
    if alias is None:
        return StreamKey("unknown", text, unknown=Unknown(f"alias {alias_lid} (condition false?)"))
    shown = text or (alias.name if isinstance(alias.name, str) else None)
    if isinstance(alias.target, str) and alias.target in facts.keys:
        return StreamKey("template-alias", shown, key_id=alias.target, alias_id=alias_lid)
    if isinstance(alias.target, Unknown):
        return StreamKey("template-alias", shown, alias_id=alias_lid, unknown=alias.target)
    if isinstance(alias.target, str):
        for key in facts.keys.values():
            if alias.target in (key.arn, key.id):
                return StreamKey("template-alias", shown, key_id=key.id, alias_id=alias_lid)
    # the alias points at a key the template does not declare (its policy is not here)
    return StreamKey("template-alias", shown, alias_id=alias_lid)


__all__ = ["AWS_MANAGED_ALIASES", "is_cloudformation", "read_cloudformation"]
