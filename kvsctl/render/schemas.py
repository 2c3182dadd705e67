"""Views of the JSON Schemas: the document itself for JSON, its top-level fields as a table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in prop:
        return " | ".join(_type(p) for p in prop["anyOf"])
    if "enum" in prop:
        return " | ".join(str(v) for v in prop["enum"])
    kind = prop.get("type", "any")
    if kind == "array" and isinstance(prop.get("items"), dict):
        return f"array of {_type(prop['items'])}"
    return " | ".join(kind) if isinstance(kind, list) else str(kind)


@dataclass(frozen=True)
class SchemaView:
    command: str
    schema: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return self.schema

    def render_table(self) -> list[Any]:
        from rich.table import Table

        body = self.schema
        if "$ref" in body:
            body = body["$defs"][str(body["$ref"]).rsplit("/", 1)[-1]]
        table = Table(title=f"kvsctl {self.command} -o json", title_justify="left")
        for column in ("field", "type", "required", "note"):
            table.add_column(column, overflow="fold")
        required = set(body.get("required", ()))
        for name, prop in body.get("properties", {}).items():
            note = "deprecated" if prop.get("deprecated") else ""
            table.add_row(name, _type(prop), "yes" if name in required else "", note)
        return [table, f"kvsctl schema {self.command} -o json prints the JSON Schema ({self.schema['$id']})."]


@dataclass(frozen=True)
class SchemaListView:
    schemas: list[tuple[str, dict[str, Any]]]

    def to_json(self) -> dict[str, Any]:
        return {
            "schemas": [
                {"command": name, "id": schema["$id"], "title": schema["title"]} for name, schema in self.schemas
            ]
        }

    def render_table(self) -> list[Any]:
        from rich.table import Table

        table = Table(title="JSON Schemas of -o json output", title_justify="left")
        for column in ("command", "what it prints"):
            table.add_column(column, overflow="fold")
        for name, schema in self.schemas:
            table.add_row(name, schema.get("description", ""))
        return [table]
