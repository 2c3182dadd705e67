"""Views of streams and keys for the table and JSON renderers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kvsctl.models import KeyInfo, StreamView
from kvsctl.words import plural


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def key_table(key: KeyInfo | None, title: str = "KMS key") -> Any:
    from rich.table import Table

    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    if key is None:
        table.add_row("key", "unknown (not found or not readable)")
        return table
    rows = [
        ("ARN", key.arn),
        ("aliases", ", ".join(key.aliases) or "-"),
        ("manager", key.manager),
        ("state", key.state + (f" (deletion {key.deletion_date.isoformat()})" if key.deletion_date else "")),
        ("spec", key.spec),
        ("usage", key.usage),
        ("region", key.region),
        ("account", key.account or "-"),
        ("rotation", _yes_no(key.rotation_enabled)),
        *_kind_rows(key),
    ]
    for k, v in rows:
        table.add_row(k, v)
    return table


def _kind_rows(key: KeyInfo) -> list[tuple[str, str]]:
    """Origin, imported material expiry, custom key store and multi-Region set: shown when they differ
    from a plain single-Region key with KMS-generated material."""
    from datetime import datetime, timezone

    from kvsctl.keys.kinds import ORIGIN_NAMES, material_expiry

    rows: list[tuple[str, str]] = []
    if key.origin != "AWS_KMS":
        rows.append(("origin", f"{key.origin} ({ORIGIN_NAMES.get(key.origin, 'unknown origin')})"))
    if key.origin == "EXTERNAL":
        rows.append(("expiration model", key.expiration_model or "unknown"))
        expiry = material_expiry(key, 0, datetime.now(timezone.utc))
        if expiry is not None:
            left = "expired" if expiry.expired else f"{plural(expiry.days_left, 'day')} left"
            rows.append(("valid to", f"{expiry.valid_to.isoformat()} ({left})"))
    store = key.custom_key_store
    if store is not None:
        state = store.connection_state or f"unknown ({store.read_error})"
        error = f", {store.connection_error_code}" if store.connection_error_code else ""
        rows.append(("custom key store", f"{store.label}, {store.store_type or '?'}, {state}{error}"))
    mr = key.multi_region_info
    if mr is not None:
        others = sorted({r for r, _ in mr.replicas} | {mr.primary_region} - {key.region})
        role = "primary" if mr.key_type == "PRIMARY" else f"replica of {mr.primary_arn}"
        rows.append(("multi-Region", f"{role}; related keys in: {', '.join(others) or '-'}"))
    return rows


def stream_table(view: StreamView) -> Any:
    from rich.table import Table

    s = view.stream
    table = Table(title=f"Stream {s.name}", show_header=False, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for k, v in [
        ("ARN", s.arn),
        ("status", s.status),
        ("retention", f"{s.retention_hours} h"),
        ("media type", s.media_type or "-"),
        ("device", s.device_name or "-"),
        ("KmsKeyId (held by KVS)", s.kms_key_id or "(none: AWS managed key)"),
        ("encryption", view.encryption),
    ]:
        table.add_row(k, v)
    return table


def _notes(notes: Iterable[str]) -> list[str]:
    return [f"[yellow]note:[/yellow] {n}" for n in notes]


@dataclass(frozen=True)
class DescribeView:
    view: StreamView

    def to_json(self) -> dict[str, Any]:
        return self.view.to_json()

    def render_table(self) -> list[Any]:
        return [stream_table(self.view), key_table(self.view.key), *_notes(self.view.notes)]


@dataclass(frozen=True)
class ListView:
    views: list[StreamView]

    def to_json(self) -> dict[str, Any]:
        return {"streams": [v.to_json() for v in self.views]}

    def render_table(self) -> list[Any]:
        from rich.table import Table

        from kvsctl.checks.keys import usable_problems

        table = Table(title=plural(len(self.views), "stream"), title_justify="left")
        for col in ("name", "status", "retention", "encryption", "key", "key state"):
            table.add_column(col, overflow="fold")
        for v in self.views:
            key = v.key
            label = key.aliases[0] if key and key.aliases else (key.arn if key else (v.stream.kms_key_id or "-"))
            state = key.state if key else "not found"
            if key and usable_problems(key, stream_region=v.stream.region):
                state = f"[red]{state}[/red]"
            table.add_row(v.stream.name, v.stream.status, f"{v.stream.retention_hours} h", v.encryption, label, state)
        parts: list[Any] = [table]
        for v in self.views:
            parts += [f"{v.stream.name}: {n}" for n in _notes(v.notes)]
        return parts


@dataclass(frozen=True)
class CreateView:
    outcome: Any  # services.streams.CreateOutcome

    def created(self) -> list[str]:
        """What this run created (said on stderr when the output cannot be written)."""
        o = self.outcome
        if o.action != "created":
            return []
        return [f"stream {o.stream.stream.arn if o.stream else o.request.name}"]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.outcome.to_json()
        return data

    def render_table(self) -> list[Any]:
        o = self.outcome
        headline = {
            "created": f"[green]Created[/green] stream {o.request.name}",
            "exists": f"Stream {o.request.name} already exists with the requested key; left untouched",
            "would-create": f"[cyan]Dry run:[/cyan] would create stream {o.request.name}",
        }[o.action]
        parts: list[Any] = [headline]
        if o.stream is not None:
            parts.append(stream_table(o.stream))
        parts.append(key_table(o.key, "KMS key (checked)"))
        sent = o.kms_key_id_sent or "(none: KVS uses the AWS managed key)"
        parts.append(f"KmsKeyId sent to CreateStream: {sent}" if o.action != "exists" else "")
        return [p for p in parts if p != ""]
