"""Views of `kvsctl audit template`: the live audit's table, JSON with every result and finding at the
file and line of the template or plan it rests on, and the CI formats through the one SARIF writer
(render/sarif.py) and the one JUnit writer (render/junit.py) — the results already carry their
locations, so nothing is added after the writers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kvsctl.audit.model import location_json
from kvsctl.iac.audit import TemplateAudit

COMMAND = "audit-template"


@dataclass(frozen=True)
class TemplateAuditView:
    audit: TemplateAudit
    sarif_root: Path | None = None  # SARIF file URIs are relative to it (default: the git root)

    def to_json(self) -> dict[str, Any]:
        rep = self.audit.report
        data: dict[str, Any] = rep.to_json()
        ids = self.audit.principal_ids
        for (_s, r), out in zip(rep.results(), data["results"], strict=True):
            out["location"] = location_json(r.location)
            if r.principal in ids:
                out["principal_id"] = ids[r.principal or ""]
        for (_where, f), out in zip(rep.all_findings(), data["findings"], strict=True):
            out["location"] = location_json(f.location)
        for s, loc in zip(data["streams"], self.audit.stream_locs, strict=True):
            s["location"] = {"file": loc.file, "line": loc.line, "label": str(loc)}
        data["files"] = list(self.audit.files)
        return data

    def render_table(self) -> list[Any]:
        from kvsctl.render.audit_live import LiveAuditView

        return list(LiveAuditView(self.audit.report).render_table())

    def to_sarif(self) -> str:
        from kvsctl.render.sarif import sarif_log

        rep = self.audit.report
        return sarif_log(rep.everything(), rep.verdict, command=COMMAND, root=self.sarif_root)

    def to_junit(self) -> str:
        """A suite per stream (its template file and the stream's properties), one for what is about no
        one stream (notes, changes), a test case per result at its file and line."""
        from kvsctl.render.junit import Suite, junit_xml

        rep = self.audit.report
        suites = [
            Suite(
                f"stream {s.name}",
                s.report.all(),
                {"stream_arn": s.arn, "region": s.region, "key_arn": s.key_arn, "encryption": s.encryption},
                classname=f"kvsctl.audit-template.{s.name}",
                file=loc.file,
            )
            for s, loc in zip(rep.streams, self.audit.stream_locs, strict=True)
        ]
        if rep.findings:
            suites.append(Suite("templates", rep.findings, classname="kvsctl.audit-template.templates"))
        return junit_xml(suites, rep.verdict, name="kvsctl audit template")
