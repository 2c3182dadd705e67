"""Report files and the SARIF envelope, shared by every command that writes CI reports
(audit stream/all, preflight): one place decides how --report writes and what a SARIF log wraps."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kvsctl import __version__

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def sarif_rule_name(title: str) -> str:
    """SARIF rule names are PascalCase identifiers: 'Key policy open to everyone' -> KeyPolicyOpenToEveryone."""
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", title) if w)


def sarif_log(
    *,
    automation_id: str,
    rules: Mapping[str, Any],
    results: Sequence[Any],
    properties: Mapping[str, Any],
    artifacts: Sequence[Any] | None = None,
) -> str:
    """A SARIF 2.1.0 log with one run of kvsctl (rules sorted by id, for stable output)."""
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "kvsctl",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [rules[k] for k in sorted(rules)],
            }
        },
        "automationDetails": {"id": automation_id},
    }
    if artifacts:
        run["artifacts"] = list(artifacts)
    run["results"] = list(results)
    run["properties"] = dict(properties)
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)


def report_text(view: Any, fmt: Any, *, width: int = 120) -> str:
    """The report in one format as text for a file (--report): tables without colour at a fixed width."""
    from kvsctl.render import OutputFormat, make_console, print_parts, render

    if OutputFormat(fmt) is not OutputFormat.table:
        text = render(view, OutputFormat(fmt)) or ""
        return text if text.endswith("\n") else text + "\n"
    import io

    console = make_console(no_color=True, width=width)
    console.file = io.StringIO()
    print_parts(console, view.render_table())
    return str(console.file.getvalue())


def check_report_path(path: str | None, overwrite: bool) -> Path | None:
    """Refuse, before any AWS call, a --report FILE that cannot be written or would be replaced silently."""
    if path is None:
        return None
    from kvsctl.errors import UsageError

    target = Path(path)
    if target.is_dir():
        raise UsageError(f"--report {path}: is a directory", hint="Give a file name, e.g. --report audit.sarif")
    if not target.parent.is_dir():
        raise UsageError(f"--report {path}: the folder {target.parent} does not exist", hint="Create it first.")
    if target.exists() and not overwrite:
        raise UsageError(f"--report {path}: the file exists", hint="Pass --overwrite to replace it.")
    return target


def write_report(target: Path, view: Any, fmt: Any) -> None:
    from kvsctl.errors import UsageError

    try:
        target.write_text(report_text(view, fmt), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--report {target}: cannot write: {exc.strerror or exc}") from exc
