"""The one SARIF 2.1.0 writer, over results and the rule registry (every command's -o sarif).

- ``tool.driver.rules``: every rule a reported result names, as the registry has it (name, short and
  full description, helpUri, help, default level, security-severity, tags);
- results: every result that is not a pass or a skip; the level follows the rule's severity (an
  undecided access check is a warning, an error under --strict);
- locations: the file and line when the result has one (a policy, a spec, a template), relative to the
  repository root (``--sarif-root``, default the git root of the working directory); otherwise a
  stable relative path naming the AWS resource, with its ARN as a logical location (code scanning
  needs a location);
- a run that errored is still a valid log: no results, ``invocations[0].executionSuccessful`` false and
  the error as a tool execution notification.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.parse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kvsctl import __version__
from kvsctl.checks.model import Result, Severity, Status
from kvsctl.checks.rules import Rule, rule
from kvsctl.checks.verdict import Verdict

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def default_root(start: Path | None = None) -> Path:
    """The git root of the working directory (where code scanning resolves paths), else the directory."""
    here = (start or Path(os.getcwd())).resolve()
    for d in (here, *here.parents):
        if (d / ".git").exists():
            return d
    return here


def artifact_uri(file: str, root: Path) -> str:
    """``file`` relative to ``root`` when inside it (code scanning wants that), else an absolute file URI."""
    p = Path(file).resolve()
    try:
        rel = p.relative_to(root.resolve())
    except ValueError:
        return p.as_uri()
    return urllib.parse.quote(rel.as_posix(), safe="/-_.~")


def resource_path(arn: str | None, fallback: str) -> str:
    """A relative, stable, URI-safe path naming an AWS resource: aws/ACCOUNT/REGION/SERVICE/RESOURCE."""
    if arn and arn.startswith("arn:") and arn.count(":") >= 5:
        _arn, _partition, service, region, account, resource = arn.split(":", 5)
        parts = ["aws", account or "unknown-account", region or "global", service, resource]
    else:
        parts = ["aws", "unknown", fallback or "unknown"]
    return urllib.parse.quote("/".join(parts), safe="/-_.~")


def rule_descriptor(r: Rule) -> dict[str, Any]:
    props: dict[str, Any] = {"tags": list(r.tags)}
    if r.security_severity is not None:
        props["security-severity"] = f"{r.security_severity:.1f}"
    return {
        "id": r.id,
        "name": r.name,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": r.description},
        "helpUri": r.help_uri,
        "help": {"text": r.remediation, "markdown": f"{r.remediation}\n\n[{r.id} {r.name}]({r.help_uri})"},
        "defaultConfiguration": {"level": LEVEL[r.severity]},
        "properties": props,
    }


def level(r: Result, verdict: Verdict) -> str:
    if r.status is Status.WARN:
        return "error" if verdict.strict else "warning"
    return LEVEL[r.severity]


def message(r: Result) -> str:
    s = r.subject
    head = f"stream {s.stream}: " if s.stream else ""
    if r.decision is not None and s.principal:
        head += f"{s.principal} ({s.role}) "
    return head + r.message + (f". Fix: {r.patch.summary}" if r.patch is not None else "")


def _fingerprint(r: Result) -> str:
    s = r.subject
    parts = (r.rule, s.account, s.region, s.stream_arn or s.stream, s.key, s.principal, s.path, r.action, r.resource)
    where = str(r.location) if r.location else ""
    return hashlib.sha256("|".join([*(p or "" for p in parts), where]).encode()).hexdigest()[:32]


def _location(r: Result, root: Path) -> dict[str, Any]:
    loc = r.location
    if loc is not None and loc.file:
        physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(loc.file, root)}}
        if loc.line:
            physical["region"] = {"startLine": loc.line}
        return {"physicalLocation": physical}
    s = r.subject
    arn = s.stream_arn or (s.key if s.key and s.key.startswith("arn:") else None) or s.principal
    fallback = s.stream or s.key or s.principal or "account"
    out: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": resource_path(arn, fallback)}}}
    if arn and arn.startswith("arn:"):
        out["logicalLocations"] = [{"fullyQualifiedName": arn, "kind": "resource"}]
    return out


def _properties(r: Result) -> dict[str, Any]:
    s = r.subject
    props: dict[str, Any] = {
        "stream": s.stream,
        "principal": s.principal,
        "role": s.role,
        "account": s.account,
        "region": s.region,
        "path": s.path,
        "action": r.action,
        "resource": r.resource,
        "decision": r.decision.value if r.decision else None,
        "fix": r.patch.summary if r.patch is not None else r.fix,
    }
    if r.location is not None and not r.location.file:
        props["policyLocation"] = str(r.location)
    return {k: v for k, v in props.items() if v}


def sarif_log(
    results: Sequence[Result],
    verdict: Verdict,
    *,
    command: str,
    root: Path | None = None,
    error: Any | None = None,
    properties: Mapping[str, Any] | None = None,
) -> str:
    """A SARIF 2.1.0 log with one run of kvsctl. ``error`` (a KvsctlError) marks a run that failed."""
    base = root or default_root()
    reported = [r for r in results if r.status in (Status.FAIL, Status.WARN)]
    rules = {r.rule: rule(r.rule) for r in reported}
    invocation: dict[str, Any] = {"executionSuccessful": error is None}
    if error is not None:
        text = str(getattr(error, "message", error))
        hint = getattr(error, "hint", None)
        invocation["exitCode"] = int(getattr(error, "exit_code", 4))
        invocation["toolExecutionNotifications"] = [
            {
                "level": "error",
                "message": {"text": text + (f" (hint: {hint})" if hint else "")},
                "descriptor": {"id": str(getattr(error, "code", "internal_error"))},
            }
        ]
    files = sorted({r.location.file for r in reported if r.location is not None and r.location.file})
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "kvsctl",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://github.com/kvsctl/kvsctl",
                "rules": [rule_descriptor(rules[k]) for k in sorted(rules)],
            }
        },
        "automationDetails": {"id": f"kvsctl-{command}/"},
        "invocations": [invocation],
    }
    if files:
        run["artifacts"] = [{"location": {"uri": artifact_uri(f, base)}} for f in files]
    run["results"] = [
        {
            "ruleId": r.rule,
            "level": level(r, verdict),
            "message": {"text": message(r)},
            "locations": [_location(r, base)],
            "partialFingerprints": {"kvsctl/v1": _fingerprint(r)},
            "properties": _properties(r),
        }
        for r in reported
    ]
    run["properties"] = {
        "ok": error is None and verdict.ok(results),
        "strict": verdict.strict,
        "failOn": verdict.fail_on.value,
        **dict(properties or {}),
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)
