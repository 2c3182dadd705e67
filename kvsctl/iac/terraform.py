"""Terraform plans (``terraform show -json PLAN``) read into the same facts as CloudFormation.

Values come from ``planned_values`` (and ``prior_state`` for data sources read at plan time). A value
"known after apply" (``after_unknown``) is followed through the plan's ``configuration`` section: the
stream's ``kms_key_id = aws_kms_key.cams.arn`` is that key, an ``aws_iam_policy_document`` data source is
rendered from its configured statements, and attributes Terraform will learn on apply get stand-ins the
same everywhere in the plan (a key's id is its address, a stream ARN's creation time is zeros). The
configuration section lists the references of an expression, not the expression: an expression that
references one attribute is read as that attribute's value (a reference inside a larger string such as
``"${aws_iam_role.x.arn}/*"`` cannot be told apart), and one it cannot read is unknown.

Locations: the ``resource "TYPE" "NAME"`` line in a ``*.tf`` file beside the plan when there is one (so
code scanning annotates the configuration a pull request changes), else the resource's line in the plan.

``resource_changes`` that replace or delete an ``aws_kinesis_video_stream`` are changes that destroy
stored video (``kms_key_id`` and ``data_retention_in_hours`` force replacement in the AWS provider).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kvsctl.iac.cloudformation import default_key_policy, external_policy
from kvsctl.iac.facts import (
    AliasFact,
    ChangeFact,
    KeyFact,
    Loc,
    Note,
    PolicyFact,
    PrincipalFact,
    StreamFact,
    StreamKey,
    TemplateFacts,
    Unknown,
)
from kvsctl.iac.loader import TemplateError, line_of
from kvsctl.iac.symbolic import concretize_policy

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
STREAM_CREATION = "0000000000000"
_INDEX = re.compile(r"\[[^\]]*\]$")


def is_terraform_plan(data: Any) -> bool:
    return (
        isinstance(data, Mapping)
        and "format_version" in data
        and ("planned_values" in data or "resource_changes" in data or "configuration" in data)
    )


def _base(address: str) -> str:
    """aws_x.y[0] / aws_x.y["k"] -> aws_x.y (the configuration's address)."""
    return _INDEX.sub("", address)


def _modules(module: Any) -> list[Mapping[str, Any]]:
    out: list[Mapping[str, Any]] = []
    stack = [module]
    while stack:
        m = stack.pop()
        if not isinstance(m, Mapping):
            continue
        out.append(m)
        stack.extend(reversed(m.get("child_modules") or []))
    return out


def _config_modules(module: Any, prefix: str = "") -> list[tuple[str, Mapping[str, Any]]]:
    out: list[tuple[str, Mapping[str, Any]]] = []
    stack: list[tuple[str, Any]] = [(prefix, module)]
    while stack:
        pre, m = stack.pop()
        if not isinstance(m, Mapping):
            continue
        out.append((pre, m))
        for name, call in (m.get("module_calls") or {}).items():
            if isinstance(call, Mapping):
                stack.append((f"{pre}module.{name}.", call.get("module")))
    return out


class Plan:
    """The plan's resources by address, with what is known of each attribute."""

    def __init__(self, data: Mapping[str, Any], path: str, parameters: Mapping[str, str]) -> None:
        self.path = path
        self.data = data
        self.resources: dict[str, Mapping[str, Any]] = {}  # address -> planned_values / prior_state entry
        self.unknown: dict[str, Any] = {}  # address -> after_unknown
        self.changes: dict[str, Mapping[str, Any]] = {}
        self.config: dict[str, Mapping[str, Any]] = {}  # configuration address -> resource config
        planned = data.get("planned_values")
        if planned is not None and not isinstance(planned, Mapping):
            raise TemplateError(path, "planned_values must be an object", line_of(planned) or None)
        prior = data.get("prior_state") or {}
        for source in ((prior.get("values") or {}).get("root_module"), (planned or {}).get("root_module")):
            for m in _modules(source):
                for r in m.get("resources") or []:
                    if not isinstance(r, Mapping) or not isinstance(r.get("address"), str):
                        raise TemplateError(path, "a resource without an address", line_of(r) or None)
                    if source is not (planned or {}).get("root_module") and r.get("mode") != "data":
                        continue
                    self.resources[r["address"]] = r
        changes = data.get("resource_changes") or []
        if not isinstance(changes, list):
            raise TemplateError(path, "resource_changes must be a list", line_of(changes) or None)
        for c in changes:
            if not isinstance(c, Mapping) or not isinstance(c.get("address"), str):
                raise TemplateError(path, "a resource change without an address", line_of(c) or None)
            self.changes[c["address"]] = c
            change = c.get("change") or {}
            self.unknown[c["address"]] = change.get("after_unknown") or {}
            if c["address"] not in self.resources and "delete" not in (change.get("actions") or []):
                # a data source read on apply appears only here
                self.resources[c["address"]] = {
                    "address": c["address"],
                    "mode": c.get("mode"),
                    "type": c.get("type"),
                    "name": c.get("name"),
                    "values": change.get("after") or {},
                }
        configuration = data.get("configuration") or {}
        for prefix, m in _config_modules(configuration.get("root_module")):
            for r in m.get("resources") or []:
                if isinstance(r, Mapping) and isinstance(r.get("address"), str):
                    self.config[prefix + r["address"]] = r
        self.variables = {k: v.get("value") for k, v in (data.get("variables") or {}).items() if isinstance(v, Mapping)}
        self.assumed: dict[str, str] = {}
        self.region = (
            parameters.get("AWS::Region") or self._provider_region() or self._assume("AWS::Region", DEFAULT_REGION)
        )
        self.account = (
            parameters.get("AWS::AccountId")
            or self._caller_account()
            or self._assume("AWS::AccountId", DEFAULT_ACCOUNT)
        )
        self.partition = (
            "aws-cn" if self.region.startswith("cn-") else "aws-us-gov" if self.region.startswith("us-gov-") else "aws"
        )
        self._tf_lines = self._tf_declarations()
        self._active: set[str] = set()

    def _assume(self, name: str, value: str) -> str:
        self.assumed[name] = value
        return value

    def _provider_region(self) -> str | None:
        providers = (self.data.get("configuration") or {}).get("provider_config") or {}
        aws = providers.get("aws") if isinstance(providers, Mapping) else None
        expr = ((aws or {}).get("expressions") or {}).get("region") if isinstance(aws, Mapping) else None
        value = self.expr(expr, "") if isinstance(expr, Mapping) else None
        return value if isinstance(value, str) and value else None

    def _caller_account(self) -> str | None:
        for r in self.resources.values():
            if r.get("type") == "aws_caller_identity":
                v = (r.get("values") or {}).get("account_id")
                if isinstance(v, str) and v:
                    return v
        return None

    def _tf_declarations(self) -> dict[str, Loc]:
        """``TYPE.NAME`` -> the line of ``resource "TYPE" "NAME"`` in a *.tf file beside the plan."""
        found: dict[str, Loc] = {}
        folder = Path(self.path).parent
        pattern = re.compile(r'^\s*(resource|data)\s+"([^"]+)"\s+"([^"]+)"')
        try:
            files = sorted(folder.glob("*.tf"))
        except OSError:
            return found
        for tf in files[:200]:
            try:
                lines = tf.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for i, line in enumerate(lines, 1):
                m = pattern.match(line)
                if m:
                    address = f"{'data.' if m.group(1) == 'data' else ''}{m.group(2)}.{m.group(3)}"
                    found.setdefault(address, Loc(str(tf), i))
        return found

    def loc(self, address: str) -> Loc:
        base = _base(address)
        if base in self._tf_lines:
            return self._tf_lines[base]
        node = self.changes.get(address) or self.resources.get(address) or self.config.get(base)
        return Loc(self.path, line_of(node) or None)

    # -- values -----------------------------------------------------------------------------------
    def type_of(self, address: str) -> str | None:
        r = self.resources.get(address) or self.config.get(_base(address))
        t = r.get("type") if r else None
        return t if isinstance(t, str) else None

    def values(self, address: str) -> Mapping[str, Any]:
        v = (self.resources.get(address) or {}).get("values")
        return v if isinstance(v, Mapping) else {}

    def known(self, address: str, attr: str) -> bool:
        unknown = self.unknown.get(address) or {}
        return not (isinstance(unknown, Mapping) and unknown.get(attr) is True)

    def expression(self, address: str, attr: str) -> Any:
        exprs = (self.config.get(_base(address)) or {}).get("expressions") or {}
        return exprs.get(attr) if isinstance(exprs, Mapping) else None

    def attr(self, address: str, attr: str) -> Any:
        """The value of ``address.attr``: known, followed through the configuration, or a stand-in."""
        values = self.values(address)
        if attr in values and self.known(address, attr):
            return values[attr]  # None: the attribute is not set
        what = f"{address}.{attr}"
        if what in self._active:
            return Unknown(f"{what} (circular)")
        self._active.add(what)
        try:
            return self._computed(address, attr)
        finally:
            self._active.discard(what)

    def _computed(self, address: str, attr: str) -> Any:
        t = self.type_of(address)
        expr = self.expression(address, attr)
        if expr is not None and (not self.known(address, attr) or attr not in self.values(address)):
            v = self.expr(expr, address)
            if v is not None:
                return v
        if t == "aws_kms_key" and attr in ("arn",):
            return f"arn:{self.partition}:kms:{self.region}:{self.account}:key/{_base(address)}"
        if t == "aws_kms_key" and attr in ("key_id", "id"):
            return _base(address)
        if t == "aws_kms_alias" and attr == "arn":
            name = self.attr(address, "name")
            return (
                name if isinstance(name, Unknown) else f"arn:{self.partition}:kms:{self.region}:{self.account}:{name}"
            )
        if t in ("aws_iam_role", "aws_iam_user") and attr in ("id", "name"):
            return self.attr(address, "name") if attr == "id" else Unknown(f"{address}.name (known after apply)")
        if t in ("aws_iam_role", "aws_iam_user", "aws_iam_policy") and attr == "arn":
            name = self.attr(address, "name")
            path = self.attr(address, "path")
            if isinstance(name, Unknown):
                return name
            path = path if isinstance(path, str) and path else "/"
            kind = {"aws_iam_role": "role", "aws_iam_user": "user"}.get(t, "policy")
            return f"arn:{self.partition}:iam::{self.account}:{kind}{path}{name}"
        if t == "aws_iam_policy" and attr == "id":
            return self.attr(address, "arn")
        if t == "aws_kinesis_video_stream" and attr in ("arn", "id"):
            name = self.attr(address, "name")
            if isinstance(name, Unknown):
                return name
            return f"arn:{self.partition}:kinesisvideo:{self.region}:{self.account}:stream/{name}/{STREAM_CREATION}"
        if t == "aws_iam_policy_document" and attr in ("json", "minified_json"):
            return self._render_document(address)
        if t == "aws_caller_identity" and attr == "account_id":
            return self.account
        if t == "aws_region" and attr in ("name", "region", "id"):
            return self.region
        if t == "aws_partition" and attr == "partition":
            return self.partition
        return Unknown(f"{address}.{attr} (known after apply)")

    def expr(self, e: Any, address: str) -> Any:
        """A configuration expression's value: constant, or the attribute it references."""
        if not isinstance(e, Mapping):
            return None
        if "constant_value" in e:
            return e["constant_value"]
        refs = e.get("references")
        if isinstance(refs, list) and refs:
            values = [self.reference(str(r), address) for r in self._attribute_refs(refs)]
            values = [v for v in values if v is not None]
            if not values:
                return Unknown(f"{refs[0]}")
            return values[0] if len(values) == 1 else values
        return None

    @staticmethod
    def _attribute_refs(refs: list[Any]) -> list[str]:
        """Drop a bare resource reference when an attribute of it is listed too (Terraform lists both)."""
        texts = [str(r) for r in refs]
        return [r for r in texts if not any(o != r and o.startswith(r + ".") for o in texts)]

    def reference(self, ref: str, address: str) -> Any:
        module = ""
        if address.startswith("module."):
            parts = _base(address).split(".")
            # module.a.module.b.aws_x.y -> module.a.module.b.
            i = 0
            while i + 1 < len(parts) and parts[i] == "module":
                module += f"module.{parts[i + 1]}."
                i += 2
        if ref.startswith("var."):
            name = ref.split(".", 2)[1]
            if not module and name in self.variables:
                return self.variables[name]
            return Unknown(ref)
        if ref.startswith(("local.", "each.", "count.", "module.", "path.", "terraform.", "self.")):
            return Unknown(ref)
        parts = ref.split(".")
        if parts[0] == "data":
            target, rest = ".".join(parts[:3]), parts[3:]
        else:
            target, rest = ".".join(parts[:2]), parts[2:]
        target = module + _INDEX.sub("", target) if "[" in target else module + target
        candidates = [a for a in self.resources if _base(a) == target] or ([target] if target in self.config else [])
        if not candidates:
            return Unknown(ref)
        if not rest:
            return Unknown(ref)  # a whole resource object
        value = self.attr(candidates[0], _INDEX.sub("", rest[0]))
        for step in rest[1:]:
            if isinstance(value, Mapping):
                value = value.get(step)
            else:
                return Unknown(ref)
        return value

    def target(self, address: str, attr: str, types: tuple[str, ...]) -> tuple[str, str] | None:
        """(address, attribute) of the resource of ``types`` that ``address.attr`` references."""
        e = self.expression(address, attr)
        refs = e.get("references") if isinstance(e, Mapping) else None
        if not isinstance(refs, list):
            return None
        for ref in self._attribute_refs(refs):
            parts = str(ref).split(".")
            if parts[0] in ("var", "local", "each", "count", "path"):
                continue
            if parts[0] == "data":
                t, rest = ".".join(parts[:3]), parts[3:]
            else:
                t, rest = ".".join(parts[:2]), parts[2:]
            t = _INDEX.sub("", t)
            for a in self.resources:
                if _base(a) == t and self.type_of(a) in types:
                    return a, rest[0] if rest else ""
            if t in self.config and self.type_of(t) in types:
                return t, rest[0] if rest else ""
        return None

    # -- aws_iam_policy_document --------------------------------------------------------------------
    def _render_document(self, address: str) -> Any:
        exprs = (self.config.get(_base(address)) or {}).get("expressions")
        if not isinstance(exprs, Mapping):
            return Unknown(f"{address}.json (known after apply)")
        if exprs.get("source_policy_documents") or exprs.get("override_policy_documents"):
            return Unknown(f"{address}.json (merged documents)")
        statements: list[dict[str, Any]] = []
        for block in exprs.get("statement") or []:
            if not isinstance(block, Mapping):
                continue
            st: dict[str, Any] = {}
            sid = self.expr(block.get("sid"), address)
            if isinstance(sid, str) and sid:
                st["Sid"] = sid
            effect = self.expr(block.get("effect"), address)
            st["Effect"] = effect if effect is not None else "Allow"
            for key, name in (
                ("actions", "Action"),
                ("not_actions", "NotAction"),
                ("resources", "Resource"),
                ("not_resources", "NotResource"),
            ):
                v = self.expr(block.get(key), address)
                if v is not None:
                    st[name] = v
            for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
                blocks = block.get(key)
                if not blocks:
                    continue
                principal: dict[str, Any] = {}
                for pb in blocks:
                    ptype = self.expr(pb.get("type"), address)
                    ids = self.expr(pb.get("identifiers"), address)
                    if ptype == "*" or (ptype == "AWS" and ids == ["*"]):
                        principal = {"AWS": "*"} if ptype == "AWS" else principal
                    items = ids if isinstance(ids, list) else [ids]
                    existing = principal.setdefault(str(ptype), [])
                    if isinstance(existing, list):
                        existing.extend(items)
                st[name] = principal
            conditions: dict[str, dict[str, Any]] = {}
            for cb in block.get("condition") or []:
                test = self.expr(cb.get("test"), address)
                variable = self.expr(cb.get("variable"), address)
                values = self.expr(cb.get("values"), address)
                if isinstance(test, Unknown) or isinstance(variable, Unknown):
                    u: Unknown = test if isinstance(test, Unknown) else variable
                    conditions.setdefault("Null", {})[u.key] = "false"
                    continue
                conditions.setdefault(str(test), {})[str(variable)] = values
            if conditions:
                st["Condition"] = conditions
            statements.append(st)
        version = self.expr(exprs.get("version"), address)
        return {"Version": version if isinstance(version, str) else "2012-10-17", "Statement": statements}


def _json_doc(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def read_plan(data: Mapping[str, Any], path: str, parameters: Mapping[str, str]) -> TemplateFacts:
    plan = Plan(data, path, parameters)
    facts = TemplateFacts(path, "terraform-plan", account=plan.account, region=plan.region, partition=plan.partition)
    by_type: dict[str, list[str]] = {}
    for address in plan.resources:
        t = plan.type_of(address)
        if t:
            by_type.setdefault(t, []).append(address)
    root = f"arn:{plan.partition}:iam::{plan.account}:root"

    for address in by_type.get("aws_kms_key", []):
        facts.keys[address] = _key(plan, address, root, facts)
    for address in by_type.get("aws_kms_alias", []):
        target = plan.target(address, "target_key_id", ("aws_kms_key",))
        tgt: str | Unknown | None = target[0] if target else None
        if tgt is None:
            raw = plan.attr(address, "target_key_id")
            tgt = raw if isinstance(raw, (str, Unknown)) else None
            if isinstance(tgt, str):
                for k in facts.keys.values():
                    if tgt in (k.arn, plan.attr(k.id, "key_id")):
                        tgt = k.id
        name = plan.attr(address, "name")
        facts.aliases[address] = AliasFact(
            address, name if isinstance(name, (str, Unknown)) else str(name), tgt, plan.loc(address)
        )
    for kind in ("aws_iam_role", "aws_iam_user"):
        for address in by_type.get(kind, []):
            facts.principals[address] = _principal(plan, address, facts)
    _attach(plan, by_type, facts)
    for address in by_type.get("aws_kinesis_video_stream", []):
        facts.streams.append(_stream(plan, address, facts))
    _changes(plan, facts)
    for pseudo, assumed in sorted(plan.assumed.items()):
        facts.notes.append(
            Note(
                "assumed",
                f"{pseudo} taken as {assumed} (pass --parameter {pseudo}=VALUE to set it)",
                Loc(path, line_of(data, 1) or 1),
            )
        )
    return facts


def _bool(v: Any, default: bool) -> bool | Unknown:
    if v is None:
        return default
    if isinstance(v, (bool, Unknown)):
        return v
    return str(v).lower() == "true"


def _policy(plan: Plan, address: str, attr: str, name: str) -> PolicyFact | Unknown | None:
    loc = plan.loc(address)
    value = plan.attr(address, attr)
    if value is None or value == "":
        return None
    if isinstance(value, Unknown):
        return value
    return concretize_policy(name, _json_doc(value), loc)


def _key(plan: Plan, address: str, root: str, facts: TemplateFacts) -> KeyFact:
    loc = plan.loc(address)
    v = plan.values(address)
    arn = plan.attr(address, "arn")
    policy = _policy(plan, address, "policy", f"{address} key policy")
    if policy is None:
        policy = PolicyFact(f"{address} default key policy", default_key_policy(root), loc, (loc.line,))
        facts.notes.append(
            Note(
                "assumed",
                f"{address} has no policy: KMS gives it the default key policy (the account, through IAM)",
                loc,
            )
        )
    spec = v.get("customer_master_key_spec") or v.get("key_spec") or "SYMMETRIC_DEFAULT"
    return KeyFact(
        id=address,
        arn=arn if isinstance(arn, str) else f"arn:{plan.partition}:kms:{plan.region}:{plan.account}:key/{address}",
        loc=loc,
        spec=str(spec),
        usage=str(v.get("key_usage") or "ENCRYPT_DECRYPT"),
        enabled=_bool(v.get("is_enabled"), True),
        rotation=_bool(v.get("enable_key_rotation"), False),
        policy=policy,
    )


def _principal(plan: Plan, address: str, facts: TemplateFacts) -> PrincipalFact:
    kind = "role" if plan.type_of(address) == "aws_iam_role" else "user"
    arn = plan.attr(address, "arn")
    if isinstance(arn, Unknown) or not isinstance(arn, str):
        facts.notes.append(Note("unresolved", f"the ARN of {address} is unresolved", plan.loc(address)))
        arn = f"arn:{plan.partition}:iam::{plan.account}:{kind}/{_base(address).split('.')[-1]}"
    loc = plan.loc(address)
    policies: list[PolicyFact] = []
    for i, item in enumerate(plan.values(address).get("inline_policy") or []):
        if isinstance(item, Mapping) and item.get("policy"):
            policies.append(
                concretize_policy(f"{address} inline {item.get('name') or i}", _json_doc(item["policy"]), loc)
            )
    boundary = None
    b = plan.values(address).get("permissions_boundary")
    if isinstance(b, str) and b:
        boundary = external_policy(b, loc, boundary=True)
    return PrincipalFact(address, arn, kind, loc, tuple(policies), boundary)  # type: ignore[arg-type]


def _owner(plan: Plan, address: str, attr: str, facts: TemplateFacts, kind: str) -> list[str]:
    """Principals (addresses) that ``address.attr`` names: by reference, else by name or ARN."""
    target = plan.target(address, attr, ("aws_iam_role", "aws_iam_user"))
    if target is not None and target[0] in facts.principals:
        return [target[0]]
    value = plan.attr(address, attr)
    names = value if isinstance(value, list) else [value]
    out: list[str] = []
    for n in names:
        if isinstance(n, Unknown) or n is None:
            facts.notes.append(Note("unresolved", f"{address}.{attr} is unresolved", plan.loc(address)))
            continue
        for p in facts.principals.values():
            if p.kind == kind and (p.arn == n or p.arn.rsplit("/", 1)[-1] == n):
                out.append(p.id)
                break
        else:
            facts.notes.append(
                Note(
                    "unsupported", f"{address} is attached to {kind} {n}, not declared in this plan", plan.loc(address)
                )
            )
    return out


def _attach(plan: Plan, by_type: Mapping[str, list[str]], facts: TemplateFacts) -> None:
    extra: dict[str, list[PolicyFact]] = {a: [] for a in facts.principals}
    managed: dict[str, PolicyFact] = {}
    for address in by_type.get("aws_iam_policy", []):
        p = _policy(plan, address, "policy", f"{address} policy")
        managed[address] = (
            p
            if isinstance(p, PolicyFact)
            else external_policy(p.what if isinstance(p, Unknown) else address, plan.loc(address))
        )
    for kind, rtype in (("role", "aws_iam_role_policy"), ("user", "aws_iam_user_policy")):
        for address in by_type.get(rtype, []):
            p = _policy(plan, address, "policy", f"{address} policy")
            if p is None:
                continue
            pf = p if isinstance(p, PolicyFact) else external_policy(p.what, plan.loc(address))
            for owner in _owner(plan, address, kind, facts, kind):
                extra[owner].append(pf)
    for kind, rtype, attr in (
        ("role", "aws_iam_role_policy_attachment", "role"),
        ("user", "aws_iam_user_policy_attachment", "user"),
        ("role", "aws_iam_policy_attachment", "roles"),
        ("user", "aws_iam_policy_attachment", "users"),
    ):
        for address in by_type.get(rtype, []):
            if (
                attr in ("roles", "users")
                and not plan.values(address).get(attr)
                and plan.expression(address, attr) is None
            ):
                continue
            target = plan.target(address, "policy_arn", ("aws_iam_policy",))
            if target is not None and target[0] in managed:
                pf = managed[target[0]]
            else:
                arn = plan.attr(address, "policy_arn")
                pf = external_policy(arn.what if isinstance(arn, Unknown) else str(arn), plan.loc(address))
                for m_address in managed:
                    if plan.attr(m_address, "arn") == arn:
                        pf = managed[m_address]
            for owner in _owner(plan, address, attr, facts, kind):
                if all(x.name != pf.name for x in extra[owner]):
                    extra[owner].append(pf)
    # a role's managed_policy_arns (as state holds them after apply) lists what attachments attach too
    for address, who in facts.principals.items():
        if who.kind != "role":
            continue
        have = {pol.name for pol in extra[address]}
        for arn in plan.values(address).get("managed_policy_arns") or []:
            match = [m for m in managed if plan.attr(m, "arn") == arn]
            pf = managed[match[0]] if match else external_policy(str(arn), who.loc)
            if pf.name not in have:
                extra[address].append(pf)
                have.add(pf.name)
    for address, policies in extra.items():
        if policies:
            who = facts.principals[address]
            facts.principals[address] = PrincipalFact(
                who.id, who.arn, who.kind, who.loc, (*who.policies, *policies), who.boundary
            )


def _stream(plan: Plan, address: str, facts: TemplateFacts) -> StreamFact:
    loc = plan.loc(address)
    name = plan.attr(address, "name")
    if not isinstance(name, str):
        facts.notes.append(Note("unresolved", f"the name of {address} is unresolved", loc))
        name = _base(address).split(".")[-1]
    arn = plan.attr(address, "arn")
    if not isinstance(arn, str):
        arn = f"arn:{plan.partition}:kinesisvideo:{plan.region}:{plan.account}:stream/{name}/{STREAM_CREATION}"
    retention = plan.attr(address, "data_retention_in_hours")
    return StreamFact(
        address,
        name,
        arn,
        plan.region,
        plan.account,
        loc,
        _stream_key(plan, address, facts),
        retention if isinstance(retention, (int, Unknown)) else None,
    )


def _stream_key(plan: Plan, address: str, facts: TemplateFacts) -> StreamKey:
    target = plan.target(address, "kms_key_id", ("aws_kms_key", "aws_kms_alias"))
    if target is not None:
        t_address, _attr = target
        if t_address in facts.keys:
            return StreamKey("template-key", facts.keys[t_address].arn, key_id=t_address)
        if t_address in facts.aliases:
            alias = facts.aliases[t_address]
            shown = alias.name if isinstance(alias.name, str) else t_address
            if isinstance(alias.target, str) and alias.target in facts.keys:
                return StreamKey("template-alias", shown, key_id=alias.target, alias_id=t_address)
            if isinstance(alias.target, Unknown):
                return StreamKey("template-alias", shown, alias_id=t_address, unknown=alias.target)
            return StreamKey("template-alias", shown, alias_id=t_address)
    value = plan.attr(address, "kms_key_id")
    if value is None or value == "":
        return StreamKey("none")
    if isinstance(value, Unknown):
        return StreamKey("unknown", unknown=value)
    text = str(value)
    for key in facts.keys.values():
        if text in (key.arn, key.id, plan.attr(key.id, "key_id")):
            return StreamKey("template-key", text, key_id=key.id)
    for alias in facts.aliases.values():
        if isinstance(alias.name, str) and (text == alias.name or text.endswith(":" + alias.name)):
            if isinstance(alias.target, str) and alias.target in facts.keys:
                return StreamKey("template-alias", text, key_id=alias.target, alias_id=alias.id)
            return StreamKey("template-alias", text, alias_id=alias.id)
    return StreamKey("literal", text)


def _changes(plan: Plan, facts: TemplateFacts) -> None:
    for address, c in plan.changes.items():
        if c.get("type") != "aws_kinesis_video_stream" or c.get("mode") == "data":
            continue
        change = c.get("change") or {}
        actions = list(change.get("actions") or [])
        before = change.get("before") or {}
        after = change.get("after") or {}
        name = before.get("name") or after.get("name") or address
        loc = plan.loc(address)
        if "delete" in actions and "create" in actions:
            paths = [p[0] for p in change.get("replace_paths") or [] if isinstance(p, list) and p]
            paths = paths or [
                k for k in ("kms_key_id", "data_retention_in_hours", "name") if before.get(k) != after.get(k)
            ]
            what = "; ".join(
                f"{p} {json.dumps(before.get(p))} -> "
                + (
                    "(known after apply)"
                    if (change.get("after_unknown") or {}).get(p) is True
                    else json.dumps(after.get(p))
                )
                for p in paths
            )
            facts.changes.append(
                ChangeFact(
                    address,
                    "replace",
                    loc,
                    f"{address} (stream {name}) is replaced ({what or 'forced replacement'}): the stream and all "
                    "its stored video are destroyed and an empty stream is created",
                )
            )
        elif actions == ["delete"]:
            facts.changes.append(
                ChangeFact(address, "delete", loc, f"{address} (stream {name}) is deleted with all its stored video")
            )
