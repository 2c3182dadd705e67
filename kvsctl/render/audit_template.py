"""Views of `kvsctl audit template`: the live audit's views, with every result and finding located at
the file and line of the template or plan it rests on (JSON ``location``, SARIF physical locations)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kvsctl.iac.audit import TemplateAudit
from kvsctl.iac.facts import Loc


def _loc_json(loc: Loc | None) -> dict[str, Any] | None:
    return {"file": loc.file, "line": loc.line} if loc is not None else None


@dataclass(frozen=True)
class TemplateAuditView:
    audit: TemplateAudit

    def _live(self) -> Any:
        from kvsctl.render.audit_live import LiveAuditView

        return LiveAuditView(self.audit.report)

    def _ordered_locs(self) -> tuple[list[Loc], list[Loc | None]]:
        results = [loc for locs in self.audit.result_locs for loc in locs]
        findings: list[Loc | None] = [loc for locs in self.audit.finding_locs for loc in locs]
        findings += self.audit.global_locs
        return results, findings

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.audit.report.to_json()
        rlocs, flocs = self._ordered_locs()
        ids = self.audit.principal_ids
        for r, loc in zip(data["results"], rlocs, strict=True):
            r["location"] = _loc_json(loc)
            if r["principal"] in ids:
                r["principal_id"] = ids[r["principal"]]
        for f, floc in zip(data["findings"], flocs, strict=True):
            f["location"] = _loc_json(floc)
        for s, sloc in zip(data["streams"], self.audit.stream_locs, strict=True):
            s["location"] = _loc_json(sloc)
        data["files"] = list(self.audit.files)
        return data

    def render_table(self) -> list[Any]:
        return list(self._live().render_table())

    def to_junit(self) -> str:
        return str(self._live().to_junit())

    def to_sarif(self) -> str:
        """The one SARIF writer: every result already points at its template file and line."""
        from kvsctl.render.sarif import sarif_log

        rep = self.audit.report
        return sarif_log(rep.everything(), rep.verdict, command="audit-template")


def _uri(path: str) -> str:
    """Relative to the working folder, as code scanning wants it; a file outside it as a file: URI."""
    import urllib.parse
    from pathlib import Path

    p = Path(path)
    try:
        rel = p.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return p.resolve().as_uri()
    return urllib.parse.quote(rel.as_posix(), safe="/-_.~")
