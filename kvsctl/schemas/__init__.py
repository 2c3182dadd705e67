"""The JSON Schemas of every command's `-o json` output, shipped as files beside this module.

`load("stream list")` reads one; `python -m kvsctl.schemas` rewrites the files from `build.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kvsctl.schemas.build import SCHEMAS, file_name

HERE = Path(__file__).resolve().parent


def commands() -> list[str]:
    """Every command that has a schema, in the order of the command reference."""
    return list(SCHEMAS)


def find(words: list[str] | tuple[str, ...]) -> str | None:
    """The command named by `words` ("stream", "list" or "stream-list" or "stream list"), else None."""
    wanted = " ".join(" ".join(words).replace("-", " ").split())
    for command in SCHEMAS:
        if command.replace("-", " ") == wanted:
            return command
    return None


def load(command: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HERE / file_name(command)).read_text(encoding="utf-8"))
    return data


def load_error() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HERE / "error.json").read_text(encoding="utf-8"))
    return data


def write_all() -> list[Path]:
    from kvsctl.schemas.build import build_all

    written = []
    for name, schema in build_all().items():
        path = HERE / name
        path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
