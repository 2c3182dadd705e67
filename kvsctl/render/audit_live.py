"""Views of the live audit: a matrix per stream with its findings, a one-line summary, and the CI
formats — SARIF 2.1.0 (code scanning) and JUnit XML (test dashboards).

SARIF: one rule per finding code and per failing requirement; each result points at a repository-style
path naming the AWS resource (`aws/ACCOUNT/REGION/kinesisvideo/stream/NAME`), because code scanning only
accepts relative paths, and carries the ARN as a logical location and stable partial fingerprints.
JUnit: one suite per stream, one testcase per principal × requirement (a failure carries the decision
and its reasons), and one testcase for the stream's key and stream findings.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from dataclasses import dataclass
from typing import Any

from kvsctl.audit.live import LiveAuditReport
from kvsctl.audit.model import CheckResult, Finding
from kvsctl.render.reports import sarif_log, sarif_rule_name


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def requirement_rule_id(r: CheckResult) -> str:
    """KVS-PRODUCER-GENERATEDATAKEY, KVS-CONSUMER-GETMEDIA, ..."""
    return f"KVS-{r.role.upper()}-{r.action.split(':', 1)[-1].upper()}"


def resource_path(arn: str | None, fallback: str) -> str:
    """A relative, stable, URI-safe path for an AWS resource (code scanning needs a location)."""
    if arn and arn.startswith("arn:") and arn.count(":") >= 5:
        _arn, _partition, service, region, account, resource = arn.split(":", 5)
        parts = ["aws", account or "unknown-account", region or "global", service, resource]
    else:
        parts = ["aws", "unknown", fallback]
    return urllib.parse.quote("/".join(parts), safe="/-_.~")


def _fingerprint(*parts: str | None) -> str:
    return hashlib.sha256("|".join(p or "" for p in parts).encode()).hexdigest()[:32]


class OneLine(str):
    """A line printed whole whatever the terminal width (the table renderer honours `soft_wrap`), so
    that `grep '^FAIL'` on the output always sees the whole summary."""

    soft_wrap = True


@dataclass(frozen=True)
class LiveAuditView:
    report: LiveAuditReport
    explain: str | None = None  # a principal whose results carry the full evaluation trace
    diagnosis: Any = None  # kvsctl.workloads.ackcodes.Diagnosis for --ack-code

    def to_json(self) -> dict[str, Any]:
        data = self.report.to_json()
        if self.diagnosis is not None:
            data["diagnosis"] = self.diagnosis.to_json()
        if self.explain is not None:
            pairs = list(self.report.results())
            data["results"] = [
                {**out, "trace": list(r.trace)} if r.principal == self.explain else out
                for (_s, r), out in zip(pairs, data["results"], strict=True)
            ]
        return data

    # -- table -------------------------------------------------------------------------------------
    def render_table(self) -> list[Any]:
        from kvsctl.render.audit import AuditView

        rep = self.report
        parts: list[Any] = []
        for s in rep.streams:
            view = AuditView(s.report, strict=rep.strict, explain=self.explain)
            verdict = "[green]ok[/green]" if rep.stream_ok(s) else "[red]FAIL[/red]"
            key = s.key_arn or "unknown"
            head = f"[bold]Stream {s.name}[/bold] ({s.region}) {verdict} — key {key}"
            if s.encryption:
                head += f" ({s.encryption})"
            parts.append(head)
            if s.report.results:
                parts.extend(view.matrices(titled=False))
                parts.extend(view.fixes_parts())
                if self.explain is not None:
                    parts.append(f"[bold]Explanation for {_escape(self.explain)} on {_escape(s.name)}[/bold]")
                    parts.extend(view.explain_parts())
            if s.report.findings:
                table = view.findings_table()
                table.title = f"Findings for {s.name}"
                parts.append(table)
        if rep.findings:
            from kvsctl.audit.model import AuditReport

            table = AuditView(AuditReport((), rep.findings)).findings_table()
            table.title = "Findings about principals"
            parts.append(table)
        if not rep.streams:
            parts.append("No stream matched.")
        if self.diagnosis is not None:
            d = self.diagnosis
            layers = ", ".join(d.layers) or "nothing the audit can see"
            parts.append(
                f"[bold]Ack {d.ack_code}[/bold] ({_escape(d.meaning)}) for {_escape(d.principal)}: {_escape(layers)}"
            )
            parts += [f"  {_escape(x)}" for x in d.explanation]
            if d.fix is not None:
                parts.append(f"  fix: {_escape(d.fix.summary)}")
        parts.append(OneLine(rep.summary()))
        return parts

    # -- SARIF -------------------------------------------------------------------------------------
    def to_sarif(self) -> str:
        from kvsctl.audit.findings import RULES

        rep = self.report
        rules: dict[str, dict[str, Any]] = {}
        results: list[dict[str, Any]] = []

        def location(arn: str | None, fallback: str, kind: str) -> dict[str, Any]:
            loc: dict[str, Any] = {
                "physicalLocation": {"artifactLocation": {"uri": resource_path(arn, fallback)}},
            }
            if arn:
                loc["logicalLocations"] = [{"fullyQualifiedName": arn, "kind": kind}]
            return loc

        for s, r in rep.results():
            if r.decision == "allow":
                continue
            rid = requirement_rule_id(r)
            target = "key" if r.action.startswith("kms:") else "stream"
            rules.setdefault(
                rid,
                {
                    "id": rid,
                    "name": sarif_rule_name(f"{r.role} needs {r.action}"),
                    "shortDescription": {"text": f"A {r.role} must be allowed {r.action} on the stream's {target}"},
                    "fullDescription": {
                        "text": f"Kinesis Video Streams {r.role}s need {r.action} on the {target}; "
                        "without it every " + ("PutMedia" if r.role == "producer" else "GetMedia") + " fails."
                    },
                    "help": {"text": "See the reasons of each result; kvsctl audit policy --explain shows the trace."},
                    "defaultConfiguration": {"level": "error"},
                    "properties": {"tags": ["kvs", "kms", "iam", r.role]},
                },
            )
            fails = rep.result_fails(r)
            reasons = "; ".join(r.reasons) or r.decision
            results.append(
                {
                    "ruleId": rid,
                    "level": "error" if fails else "warning",
                    "message": {
                        "text": f"{r.principal} ({r.role}, {r.path}) on stream {s.name}: {r.action} on {r.resource} "
                        f"is {r.decision}: {reasons}" + (f". Fix: {r.fix.summary}" if r.fix else "")
                    },
                    "locations": [location(s.arn, s.name, "resource")],
                    "partialFingerprints": {"kvsctlCheck/v1": _fingerprint(rid, s.arn or s.name, r.principal, r.path)},
                    "properties": {
                        "stream": s.name,
                        "principal": r.principal,
                        "role": r.role,
                        "path": r.path,
                        "action": r.action,
                        "resource": r.resource,
                        "decision": r.decision,
                    },
                }
            )
        for where_stream, f in rep.all_findings():
            rule = RULES.get(f.code)
            if f.code not in rules:
                rules[f.code] = {
                    "id": f.code,
                    "name": sarif_rule_name(rule.title if rule else f.code),
                    "shortDescription": {"text": (rule.title if rule else f.title) or f.code},
                    "help": {"text": (rule.remediation if rule else f.remediation) or f.message},
                    "defaultConfiguration": {"level": _LEVEL[(rule.severity if rule else f.severity).value]},
                }
            where = f.resource or (where_stream.arn if where_stream else None) or f.principal
            fallback = where_stream.name if where_stream else (f.principal or "account")
            result: dict[str, Any] = {
                "ruleId": f.code,
                "level": _LEVEL[f.severity.value],
                "message": {"text": (f"stream {where_stream.name}: " if where_stream else "") + f.message},
                "locations": [location(where, fallback, "resource")],
                "partialFingerprints": {
                    "kvsctlFinding/v1": _fingerprint(
                        f.code, where_stream.name if where_stream else None, f.resource, f.principal, f.location
                    )
                },
            }
            props = {
                "stream": where_stream.name if where_stream else None,
                "principal": f.principal,
                "policyLocation": f.location,
            }
            result["properties"] = {k: v for k, v in props.items() if v}
            results.append(result)
        return sarif_log(
            automation_id="kvsctl-audit/",
            rules=rules,
            results=results,
            properties={"ok": rep.ok(), "strict": rep.strict, "failOn": rep.fail_on},
        )

    # -- JUnit -------------------------------------------------------------------------------------
    def to_junit(self) -> str:
        import xml.etree.ElementTree as ET

        rep = self.report
        root = ET.Element("testsuites", name="kvsctl audit")
        total = failures = 0

        def suite_for(name: str, props: dict[str, str | None]) -> ET.Element:
            suite = ET.SubElement(root, "testsuite", name=name)
            known = {k: v for k, v in props.items() if v}
            if known:
                el = ET.SubElement(suite, "properties")
                for k, v in known.items():
                    ET.SubElement(el, "property", name=k, value=str(v))
            return suite

        def findings_case(suite: ET.Element, classname: str, name: str, found: tuple[Finding, ...]) -> bool:
            case = ET.SubElement(suite, "testcase", classname=classname, name=name)
            bad = [f for f in found if rep.finding_fails(f)]
            if bad:
                failure = ET.SubElement(
                    case, "failure", type=bad[0].code, message=f"{bad[0].code}: {bad[0].message}"[:500]
                )
                failure.text = "\n".join(f"{f.code} [{f.severity.value}] {f.message}" for f in bad)
            rest = [f for f in found if not rep.finding_fails(f)]
            if rest:
                ET.SubElement(case, "system-out").text = "\n".join(
                    f"{f.code} [{f.severity.value}] {f.message}" for f in rest
                )
            return bool(bad)

        for s in rep.streams:
            suite = suite_for(f"stream {s.name}", {"stream_arn": s.arn, "region": s.region, "key_arn": s.key_arn})
            tests = fails = 0
            for r in s.report.results:
                tests += 1
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname=f"kvsctl.audit.{s.name}.{r.role}",
                    name=f"{r.principal} {r.path} {r.action}",
                )
                reasons = "\n".join(r.reasons)
                if rep.result_fails(r):
                    fails += 1
                    first = r.reasons[0] if r.reasons else r.decision
                    ET.SubElement(
                        case, "failure", type=r.decision, message=f"{r.decision}: {first}"[:500]
                    ).text = f"{r.principal} ({r.role}) {r.action} on {r.resource}: {r.decision}\n{reasons}"
                elif r.decision != "allow":
                    ET.SubElement(case, "system-out").text = f"{r.decision}\n{reasons}"
            tests += 1
            fails += findings_case(suite, f"kvsctl.audit.{s.name}", "key and stream checks", s.report.findings)
            suite.set("tests", str(tests))
            suite.set("failures", str(fails))
            suite.set("errors", "0")
            suite.set("skipped", "0")
            total += tests
            failures += fails
        if rep.findings:
            suite = suite_for("principals", {})
            failed = findings_case(suite, "kvsctl.audit.principals", "principal checks", rep.findings)
            suite.set("tests", "1")
            suite.set("failures", str(int(failed)))
            suite.set("errors", "0")
            suite.set("skipped", "0")
            total += 1
            failures += int(failed)
        root.set("tests", str(total))
        root.set("failures", str(failures))
        root.set("errors", "0")
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
