"""The one JUnit XML writer, over results (every command's -o junit): a suite per group (a stream, the
principals, a file), a test case per result. A failing result (by the verdict) is a failure whose type
is the rule id (an access check's message starts with its decision), a skipped
one is skipped, an undecided one or a finding below the threshold writes its message to system-out.
A run that errored is one suite with one errored test case, so dashboards show it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kvsctl.checks.model import Result, Status
from kvsctl.checks.verdict import Verdict


@dataclass(frozen=True)
class Suite:
    name: str
    results: Sequence[Result]
    properties: Mapping[str, str | None] = field(default_factory=dict)
    classname: str = ""
    file: str | None = None


def case_name(r: Result) -> str:
    if r.decision is not None:
        path = f" {r.subject.path}" if r.subject.path else ""
        return f"{r.subject.principal}{path} {r.action}"
    where = str(r.location) if r.location and not r.location.file else (r.subject.principal or r.resource)
    return f"{r.rule} {r.title}" + (f" [{where}]" if where else "")


def _text(r: Result) -> str:
    lines = [r.message, *r.reasons[1:]] if r.decision is None else [f"{r.decision.value}", *r.reasons]
    if r.status is not Status.PASS and r.patch is not None:
        lines.append(f"fix: {r.patch.summary}")
    elif r.status is not Status.PASS and r.fix:
        lines.append(f"fix: {r.fix}")
    return "\n".join(lines)


def junit_xml(suites: Sequence[Suite], verdict: Verdict, *, name: str, error: Any | None = None) -> str:
    root = ET.Element("testsuites", name=name)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    if error is not None:
        suite = ET.SubElement(root, "testsuite", name=name, tests="1", failures="0", errors="1", skipped="0")
        case = ET.SubElement(suite, "testcase", classname=name.replace(" ", "."), name="run")
        text = str(getattr(error, "message", error))
        hint = getattr(error, "hint", None)
        ET.SubElement(case, "error", type=str(getattr(error, "code", "internal_error")), message=text[:500]).text = (
            text + (f"\nhint: {hint}" if hint else "")
        )
        totals.update(tests=1, errors=1)
    for s in suites:
        el = ET.SubElement(root, "testsuite", name=s.name)
        if s.file:
            el.set("file", s.file)
        known = {k: v for k, v in s.properties.items() if v}
        if known:
            props = ET.SubElement(el, "properties")
            for k, v in known.items():
                ET.SubElement(props, "property", name=k, value=str(v))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for r in s.results:
            counts["tests"] += 1
            attrs = {"classname": s.classname or f"kvsctl.{s.name}", "name": case_name(r)}
            if r.location is not None and r.location.file:
                attrs["file"] = r.location.file
                if r.location.line:
                    attrs["line"] = str(r.location.line)
            case = ET.SubElement(el, "testcase", attrs)
            if verdict.fails(r):
                counts["failures"] += 1
                first = (r.reasons[0] if r.reasons else r.message) if r.decision is not None else r.message
                head = f"{r.decision.value}: {first}" if r.decision is not None else first
                ET.SubElement(case, "failure", type=r.rule, message=head[:500]).text = _text(r)
            elif r.status is Status.SKIP:
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=r.message[:500])
            elif r.status is not Status.PASS:
                ET.SubElement(case, "system-out").text = f"{verdict.shown(r)}: {_text(r)}"
        for k, n in counts.items():
            el.set(k, str(n))
            totals[k] += n
    for k, n in totals.items():
        root.set(k, str(n))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
