"""Views of spec results (apply; preflight) for the renderers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_ACTION_STYLE = {
    "would-create": "cyan",
    "created": "green",
    "exists": "green",
    "drift": "yellow",
    "wrong-key": "red",
    "blocked": "red",
    "failed": "red",
}


@dataclass(frozen=True)
class ApplyView:
    result: Any  # services.apply.ApplyResult

    def created(self) -> list[str]:
        """What this run created (said on stderr when the output cannot be written)."""
        return [
            f"stream {i.existing.stream.arn if i.existing else i.spec.name}"
            for i in self.result.items
            if i.action == "created"
        ]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.result.to_json()
        return data

    def render_table(self) -> list[Any]:
        from rich.table import Table

        r = self.result
        title = f"{'Plan (dry run: nothing changed)' if r.dry_run else 'Apply'}: {r.spec.path} in {r.region}"
        table = Table(title=title, title_justify="left")
        for col in ("stream", "action", "key", "details"):
            table.add_column(col, overflow="fold")
        for item in r.items:
            style = _ACTION_STYLE.get(item.action, "")
            key = item.key.arn if item.key else item.spec.kms_key
            table.add_row(item.spec.name, f"[{style}]{item.action}[/{style}]", key, item.message)
        parts: list[Any] = [table]
        for item in r.items:
            if item.fix and (not item.ok or item.action == "drift"):
                parts.append(f"{item.spec.name}: fix: {item.fix}")
        summary = ", ".join(f"{n} {a}" for a, n in sorted(r.counts().items()))
        verdict = "[green]ok[/green]" if r.ok else "[red]not everything is as declared[/red]"
        parts.append(f"{summary}: {verdict}")
        return parts


_STATUS_STYLE = {"pass": "green", "fail": "red", "warn": "yellow", "info": "dim", "skip": "dim"}
_SARIF_LEVEL = {"fail": "error", "warn": "warning", "info": "note"}


def spec_uri(path: str) -> str:
    """The spec file as code scanning wants it: relative to the working directory (the repository root
    in CI) when it is inside it, else an absolute file URI."""
    import os
    import urllib.parse
    from pathlib import Path

    p = Path(path).resolve()
    try:
        rel = p.relative_to(Path(os.getcwd()).resolve())
    except ValueError:
        return p.as_uri()
    return urllib.parse.quote(rel.as_posix(), safe="/-_.~")


@dataclass(frozen=True)
class PreflightView:
    report: Any  # spec.preflight.PreflightReport

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.report.to_json()
        return data

    def render_table(self) -> list[Any]:
        from rich.table import Table

        from kvsctl.render.audit_live import OneLine

        r = self.report
        parts: list[Any] = []
        for s in r.streams:
            verdict = "[green]ok[/green]" if s.ok else "[red]FAIL[/red]"
            table = Table(title=f"Stream {s.spec.name} {verdict} ({r.spec.path}:{s.spec.line})", title_justify="left")
            for col in ("status", "check", "line", "details"):
                table.add_column(col, overflow="fold")
            for c in s.checks:
                style = _STATUS_STYLE[c.status]
                details = c.message + (f"\nfix: {c.fix}" if c.fix and c.status == "fail" else "")
                table.add_row(f"[{style}]{c.status}[/{style}]", c.name, str(c.line), details)
            parts.append(table)
        for c in r.findings:
            parts.append(f"{c.status}: {c.message}")
        parts.append(OneLine(r.summary()))
        return parts

    def to_sarif(self) -> str:
        import hashlib

        from kvsctl.audit.findings import RULES as AUDIT_RULES
        from kvsctl.render.reports import sarif_log, sarif_rule_name
        from kvsctl.streamspec.preflight import RULES as SPEC_RULES

        r = self.report
        uri = spec_uri(r.spec.path)
        rules: dict[str, dict[str, Any]] = {}
        results: list[dict[str, Any]] = []
        for s, c in r.checks():
            if c.status in ("pass", "skip"):
                continue
            if c.id not in rules:
                spec_rule = SPEC_RULES.get(c.id)
                audit_rule = AUDIT_RULES.get(c.id)
                title = spec_rule.title if spec_rule else audit_rule.title if audit_rule else c.name
                helptext = (
                    spec_rule.remediation if spec_rule else audit_rule.remediation if audit_rule else c.fix or c.message
                )
                rules[c.id] = {
                    "id": c.id,
                    "name": sarif_rule_name(title if (spec_rule or audit_rule) else c.id),
                    "shortDescription": {"text": title},
                    "help": {"text": helptext},
                    "defaultConfiguration": {"level": "error"},
                }
            where = s.spec.name if s else "spec"
            location: dict[str, Any] = {
                "physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": c.line}},
            }
            if s is not None and s.arn:
                location["logicalLocations"] = [{"fullyQualifiedName": s.arn, "kind": "resource"}]
            fingerprint = hashlib.sha256(f"{c.id}|{where}|{c.principal or ''}".encode()).hexdigest()[:32]
            results.append(
                {
                    "ruleId": c.id,
                    "level": _SARIF_LEVEL[c.status],
                    "message": {"text": f"stream {where}: {c.name}: {c.message}"},
                    "locations": [location],
                    "partialFingerprints": {"kvsctlPreflight/v1": fingerprint},
                    "properties": {k: v for k, v in {"stream": where, "principal": c.principal}.items() if v},
                }
            )
        return sarif_log(
            automation_id="kvsctl-preflight/",
            rules=rules,
            results=results,
            properties={"ok": r.ok, "strict": r.strict, "failOn": r.fail_on},
            artifacts=[{"location": {"uri": uri}}],
        )

    def to_junit(self) -> str:
        import xml.etree.ElementTree as ET

        r = self.report
        root = ET.Element("testsuites", name="kvsctl preflight")
        totals = {"tests": 0, "failures": 0, "skipped": 0}
        for s in r.streams:
            suite = ET.SubElement(root, "testsuite", name=f"stream {s.spec.name}", file=r.spec.path)
            counts = {"tests": 0, "failures": 0, "skipped": 0}
            for c in s.checks:
                counts["tests"] += 1
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname=f"kvsctl.preflight.{s.spec.name}",
                    name=f"{c.id} {c.name}",
                    file=r.spec.path,
                    line=str(c.line),
                )
                if c.status == "fail":
                    counts["failures"] += 1
                    failure = ET.SubElement(case, "failure", type=c.id, message=c.message[:500])
                    failure.text = c.message + (f"\nfix: {c.fix}" if c.fix else "")
                elif c.status == "skip":
                    counts["skipped"] += 1
                    ET.SubElement(case, "skipped", message=c.message)
                elif c.status in ("warn", "info"):
                    ET.SubElement(case, "system-out").text = f"{c.status}: {c.message}"
            for k, v in counts.items():
                suite.set(k, str(v))
                totals[k] += v
            suite.set("errors", "0")
        for k, v in totals.items():
            root.set(k, str(v))
        root.set("errors", "0")
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
