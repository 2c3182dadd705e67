"""The report of a run that errored (exit 2, 3 or 4 after the report was asked for): every format still
says what happened, so CI uploads a valid file instead of failing on a missing one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kvsctl.checks.verdict import Verdict


@dataclass(frozen=True)
class ErroredRun:
    command: str
    error: BaseException
    sarif_root: Path | None = None

    @property
    def _parts(self) -> tuple[str, str, str | None, int]:
        code = str(getattr(self.error, "code", "internal_error"))
        message = str(getattr(self.error, "message", None) or self.error or type(self.error).__name__)
        hint = getattr(self.error, "hint", None)
        return code, message, hint, int(getattr(self.error, "exit_code", 4))

    def to_json(self) -> dict[str, Any]:
        code, message, hint, exit_code = self._parts
        return {"ok": False, "exit_code": exit_code, "error": {"code": code, "message": message, "hint": hint}}

    def to_sarif(self) -> str:
        from kvsctl.render.sarif import sarif_log

        return sarif_log([], Verdict(), command=self.command, root=self.sarif_root, error=self.error)

    def to_junit(self) -> str:
        from kvsctl.render.junit import junit_xml

        return junit_xml([], Verdict(), name=f"kvsctl {self.command}", error=self.error)

    def render_table(self) -> list[Any]:
        code, message, hint, exit_code = self._parts
        return [f"ERROR (exit {exit_code}, {code}): {message}" + (f"\nhint: {hint}" if hint else "")]
