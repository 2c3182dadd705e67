"""Parse and validate IAM / KMS policy documents into immutable statements.

Input is either an already decoded JSON object or JSON text. Anything AWS itself would refuse to store
(wrong types, unknown elements, an Effect other than Allow/Deny, an unknown condition operator, an
unparseable typed condition value) raises :class:`PolicyParseError` naming the source and, when the
document came as text, the line of the offending statement.
"""

from __future__ import annotations

import bisect
import ipaddress
import json
import json.decoder
import json.scanner
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from kvsctl.longnum import NumberTooLong, read_int, too_long_in
from kvsctl.policy.conditions import ConditionClause, parse_date, parse_number, split_operator

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"
_VERSIONS = (VERSION_2012, VERSION_2008)

_STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
_POLICY_ELEMENTS = ("Version", "Id", "Statement")
_PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
_NEWLINE = re.compile("\n")


class PolicyParseError(ValueError):
    """A policy document AWS would reject. ``source`` names the document, ``line`` is 1-based."""

    def __init__(self, message: str, *, source: str, line: int | None = None) -> None:
        self.message = message
        self.source = source
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


class PolicyKind(str, Enum):
    """Where a document sits decides which elements it may carry."""

    RESOURCE = "resource"  # key policy: Principal required
    IDENTITY = "identity"  # inline / managed / group policy: no Principal
    BOUNDARY = "boundary"  # permissions boundary: identity-policy grammar
    SCP = "scp"  # service control policy: identity-policy grammar
    RCP = "rcp"  # resource control policy: resource-policy grammar (Principal required)


@dataclass(frozen=True)
class PrincipalSpec:
    """A Principal or NotPrincipal element. ``wildcard`` is the bare string ``"*"``."""

    wildcard: bool = False
    aws: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_user: tuple[str, ...] = ()

    def entries(self) -> tuple[tuple[str, str], ...]:
        out: list[tuple[str, str]] = []
        if self.wildcard:
            out.append(("*", "*"))
        out += [("AWS", v) for v in self.aws]
        out += [("Service", v) for v in self.service]
        out += [("Federated", v) for v in self.federated]
        out += [("CanonicalUser", v) for v in self.canonical_user]
        return tuple(out)


@dataclass(frozen=True)
class Statement:
    index: int  # 0-based position in the Statement list
    sid: str | None
    effect: Literal["Allow", "Deny"]
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...] | None  # None: element absent (only trust-style documents)
    not_resource: bool
    principal: PrincipalSpec | None
    not_principal: bool
    conditions: tuple[ConditionClause, ...]
    line: int | None = None


@dataclass(frozen=True)
class Policy:
    name: str
    version: str | None
    statements: tuple[Statement, ...]
    kind: PolicyKind = PolicyKind.IDENTITY
    policy_id: str | None = None

    @property
    def variables_enabled(self) -> bool:
        """Policy variables are substituted only in Version 2012-10-17 documents."""
        return self.version == VERSION_2012


# --------------------------------------------------------------------------- JSON with line numbers


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str, line: int) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKeyError(k, 0)
        out[k] = v
    return out


class _LineTrackingDecoder(json.JSONDecoder):
    """A JSON decoder that remembers the line each object starts on (by ``id`` of the object).

    It refuses duplicate names in an object: RFC 8259 (4) leaves their meaning to each parser and AWS
    documents no rule, so a statement reading ``"Effect": "Deny", ..., "Effect": "Allow"`` is an input
    error rather than whichever value Python keeps.
    """

    def __init__(self) -> None:
        super().__init__(object_pairs_hook=_no_duplicates, parse_int=read_int)
        self.lines: dict[int, int] = {}
        inner: Callable[..., tuple[Any, int]] = json.decoder.JSONObject  # type: ignore[attr-defined]

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
            s, end = s_and_end
            # the '{' sits just before ``end``; counting newlines from the start for every object was
            # quadratic in the size of the document, so look the offset up in the newline table
            line = self._line_at(s, max(end - 1, 0))
            try:
                obj, new_end = inner(s_and_end, *args)
            except _DuplicateKeyError as e:
                raise _DuplicateKeyError(e.key, e.line or line) from None
            self.lines[id(obj)] = line
            return obj, new_end

        self.parse_object = parse_object
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]
        self._newlines_of: str | None = None
        self._newlines: list[int] = []

    def _line_at(self, s: str, offset: int) -> int:
        """1-based line of ``offset`` in ``s``: one pass over the text, then a binary search per object."""
        if self._newlines_of is not s:
            self._newlines_of = s
            self._newlines = [m.start() for m in _NEWLINE.finditer(s)]
        return bisect.bisect_left(self._newlines, offset) + 1


def loads_with_lines(text: str, source: str) -> tuple[object, dict[int, int]]:
    """Decode JSON text; map ``id(obj) -> line`` for each object. Syntax errors name the line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    decoder = _LineTrackingDecoder()
    try:
        obj = decoder.decode(text)
    except json.JSONDecodeError as e:
        raise PolicyParseError(f"invalid JSON: {e.msg} (column {e.colno})", source=source, line=e.lineno) from e
    except _DuplicateKeyError as e:
        raise PolicyParseError(
            f"duplicate key {json.dumps(e.key)} in one object (which value AWS uses is not defined)",
            source=source,
            line=e.line,
        ) from None
    except RecursionError as e:
        raise PolicyParseError("invalid JSON: nested too deeply", source=source) from e
    except NumberTooLong as e:
        found = too_long_in(text)
        raise PolicyParseError(str(e), source=source, line=found[1] if found else None) from None
    return obj, decoder.lines


# --------------------------------------------------------------------------- parsing


def parse_policy(document: object, name: str, kind: PolicyKind = PolicyKind.IDENTITY) -> Policy:
    """Parse a policy from a decoded JSON object or JSON text. Raises :class:`PolicyParseError`."""
    lines: dict[int, int] = {}
    if isinstance(document, bytes):
        try:
            document = document.decode("utf-8")
        except UnicodeDecodeError as e:
            raise PolicyParseError("not UTF-8 text", source=name) from e
    if isinstance(document, str):
        document, lines = loads_with_lines(document, name)
    return _Parser(name, kind, lines).policy(document)


class _Parser:
    def __init__(self, source: str, kind: PolicyKind, lines: dict[int, int]) -> None:
        self.source = source
        self.kind = kind
        self.lines = lines

    def fail(self, message: str, at: object = None) -> PolicyParseError:
        return PolicyParseError(message, source=self.source, line=self.lines.get(id(at)) if at is not None else None)

    def policy(self, doc: object) -> Policy:
        if not isinstance(doc, Mapping):
            raise self.fail(f"a policy must be a JSON object, not {_jtype(doc)}", doc)
        for k in doc:
            if k not in _POLICY_ELEMENTS:
                raise self.fail(_unknown_element(k, _POLICY_ELEMENTS, "policy"), doc)
        version = doc.get("Version")
        if version is not None and version not in _VERSIONS:
            raise self.fail(f'Version must be "{VERSION_2012}" or "{VERSION_2008}", not {json.dumps(version)}', doc)
        pid = doc.get("Id")
        if pid is not None and not isinstance(pid, str):
            raise self.fail("Id must be a string", doc)
        if "Statement" not in doc:
            raise self.fail("missing Statement", doc)
        raw = doc["Statement"]
        if isinstance(raw, Mapping):
            raw_list: list[object] = [raw]
        elif isinstance(raw, list):
            raw_list = list(raw)
        else:
            raise self.fail(f"Statement must be an object or a list of objects, not {_jtype(raw)}", doc)
        statements = tuple(self.statement(i, s, doc) for i, s in enumerate(raw_list))
        return Policy(
            name=self.source,
            version=version if isinstance(version, str) else None,
            statements=statements,
            kind=self.kind,
            policy_id=pid,
        )

    def statement(self, index: int, st: object, parent: object) -> Statement:
        if not isinstance(st, Mapping):
            raise self.fail(f"Statement {index}: must be an object, not {_jtype(st)}", parent)
        where = f"Statement {index}"
        for k in st:
            if k not in _STATEMENT_ELEMENTS:
                raise self.fail(f"{where}: " + _unknown_element(k, _STATEMENT_ELEMENTS, "statement"), st)
        sid = st.get("Sid")
        if sid is not None and not isinstance(sid, str):
            raise self.fail(f"{where}: Sid must be a string", st)
        if sid:
            where = f'Statement {index} (Sid "{sid}")'
        effect = st.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise self.fail(f'{where}: Effect must be "Allow" or "Deny", not {json.dumps(effect)}', st)

        actions, not_action = self.either(st, "Action", "NotAction", where, required=True)
        resources_t, not_resource = self.either(st, "Resource", "NotResource", where, required=True)

        has_p = "Principal" in st or "NotPrincipal" in st
        principal: PrincipalSpec | None = None
        not_principal = False
        if self.kind in (PolicyKind.RESOURCE, PolicyKind.RCP):
            if not has_p:
                what = "a key policy" if self.kind is PolicyKind.RESOURCE else "an RCP"
                raise self.fail(f"{where}: {what} statement needs Principal or NotPrincipal", st)
            if "Principal" in st and "NotPrincipal" in st:
                raise self.fail(f"{where}: Principal and NotPrincipal cannot both be present", st)
            not_principal = "NotPrincipal" in st
            principal = self.principal(st["NotPrincipal" if not_principal else "Principal"], where, st)
        elif has_p:
            raise self.fail(
                f"{where}: {self.kind.value} policies cannot name a Principal (is this a key policy?)",
                st,
            )

        conditions = self.conditions(st.get("Condition"), where, st) if "Condition" in st else ()
        return Statement(
            index=index,
            sid=sid if sid else None,
            effect=effect,
            actions=actions or (),
            not_action=not_action,
            resources=resources_t,
            not_resource=not_resource,
            principal=principal,
            not_principal=not_principal,
            conditions=conditions,
            line=self.lines.get(id(st)),
        )

    def either(
        self, st: Mapping[str, object], a: str, not_a: str, where: str, *, required: bool
    ) -> tuple[tuple[str, ...] | None, bool]:
        if a in st and not_a in st:
            raise self.fail(f"{where}: {a} and {not_a} cannot both be present", st)
        if a not in st and not_a not in st:
            if required:
                raise self.fail(f"{where}: missing {a} or {not_a}", st)
            return None, False
        key = a if a in st else not_a
        return self.strings(st[key], f"{where}: {key}", st), key == not_a

    def strings(self, v: object, what: str, at: object) -> tuple[str, ...]:
        if isinstance(v, str):
            vals: list[object] = [v]
        elif isinstance(v, list):
            vals = list(v)
        else:
            raise self.fail(f"{what} must be a string or a list of strings, not {_jtype(v)}", at)
        if not vals:
            raise self.fail(f"{what} must not be empty", at)
        out: list[str] = []
        for x in vals:
            if not isinstance(x, str):
                raise self.fail(f"{what} must contain only strings, found {_jtype(x)}", at)
            if not x:
                raise self.fail(f"{what} contains an empty string", at)
            out.append(x)
        return tuple(out)

    def principal(self, v: object, where: str, at: object) -> PrincipalSpec:
        if v == "*":
            return PrincipalSpec(wildcard=True)
        if not isinstance(v, Mapping):
            raise self.fail(f'{where}: Principal must be "*" or an object such as {{"AWS": "..."}}', at)
        if not v:
            raise self.fail(f"{where}: Principal must not be empty", at)
        parts: dict[str, tuple[str, ...]] = {}
        for k, val in v.items():
            if k not in _PRINCIPAL_TYPES:
                raise self.fail(f"{where}: " + _unknown_element(k, _PRINCIPAL_TYPES, "principal type"), at)
            parts[k] = self.strings(val, f"{where}: Principal {k}", at)
        return PrincipalSpec(
            aws=parts.get("AWS", ()),
            service=parts.get("Service", ()),
            federated=parts.get("Federated", ()),
            canonical_user=parts.get("CanonicalUser", ()),
        )

    def conditions(self, v: object, where: str, at: object) -> tuple[ConditionClause, ...]:
        if not isinstance(v, Mapping):
            raise self.fail(f"{where}: Condition must be an object", at)
        out: list[ConditionClause] = []
        for op, block in v.items():
            parsed = split_operator(op)
            if parsed is None:
                raise self.fail(f"{where}: unknown condition operator {json.dumps(op)}", at)
            set_op, base, if_exists = parsed
            if not isinstance(block, Mapping) or not block:
                raise self.fail(f"{where}: Condition {op} must be a non-empty object of keys to values", at)
            for key, raw in block.items():
                if not key:
                    raise self.fail(f"{where}: Condition {op} has an empty key", at)
                values = self.condition_values(raw, f"{where}: Condition {op} {key}", at)
                self.check_typed_values(base, values, f"{where}: Condition {op} {key}", at)
                out.append(
                    ConditionClause(
                        operator=op,
                        base=base,
                        set_operator=set_op,
                        if_exists=if_exists,
                        key=key,
                        values=values,
                    )
                )
        return tuple(out)

    def condition_values(self, raw: object, what: str, at: object) -> tuple[str, ...]:
        # an empty list is valid (IAM stores it; no value can match it): lint warns, evaluation goes on
        items: list[object] = list(raw) if isinstance(raw, list) else [raw]
        out: list[str] = []
        for x in items:
            # JSON booleans and numbers are accepted by AWS and compared as their text
            if isinstance(x, bool):
                out.append("true" if x else "false")
            elif isinstance(x, (int, float)):
                out.append(json.dumps(x))
            elif isinstance(x, str):
                out.append(x)
            else:
                raise self.fail(f"{what}: values must be strings, numbers or booleans, found {_jtype(x)}", at)
        return tuple(out)

    def check_typed_values(self, base: str, values: tuple[str, ...], what: str, at: object) -> None:
        for val in values:
            if "${" in val:
                continue  # resolved at evaluation time
            bad = False
            if base.startswith("Numeric"):
                bad = parse_number(val) is None
            elif base.startswith("Date"):
                bad = parse_date(val) is None
            elif base in ("IpAddress", "NotIpAddress"):
                try:
                    ipaddress.ip_network(val, strict=False)
                except ValueError:
                    bad = True
            elif base == "Null":
                bad = val.lower() not in ("true", "false")
            if bad:
                raise self.fail(f"{what}: {json.dumps(val)} is not a valid value for {base}", at)


def _jtype(v: object) -> str:
    names: dict[type, str] = {
        dict: "an object",
        list: "a list",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
        type(None): "null",
    }
    return names.get(type(v), type(v).__name__)


def _unknown_element(k: object, allowed: tuple[str, ...], what: str) -> str:
    msg = f"unknown {what} element {json.dumps(k)}"
    if isinstance(k, str):
        for a in allowed:
            if a.lower() == k.lower():
                return msg + f' (element names are case-sensitive: use "{a}")'
    return msg + f" (expected one of {', '.join(allowed)})"
