"""Views for `kvsctl whoami` and `kvsctl key list`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kvsctl.words import plural

__all__ = ["KeyListView", "WhoamiView", "plural"]


@dataclass(frozen=True)
class WhoamiView:
    identity: Any  # services.whoami.Identity

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.identity.to_json()
        return data

    def render_table(self) -> list[Any]:
        from rich.table import Table

        i = self.identity
        table = Table(show_header=False, title="Caller", title_justify="left")
        table.add_column("field", style="bold")
        table.add_column("value")
        for label, value in (
            ("arn", i.arn),
            ("account", i.account),
            ("user id", i.user_id),
            ("region", i.region),
            ("profile", i.profile or "(none)"),
            ("endpoint", i.endpoint_url or "(AWS default)"),
            ("credentials from", i.credential_source),
        ):
            table.add_row(label, value)
        checks = Table(title="Endpoints", title_justify="left")
        for col in ("service", "endpoint", "answers"):
            checks.add_column(col)
        for c in i.checks:
            checks.add_row(c.service, c.endpoint, "[green]yes[/green]" if c.ok else f"[red]no[/red]: {c.detail}")
        return [table, checks]


@dataclass(frozen=True)
class KeyListView:
    listing: Any  # services.keylist.KeyList

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.listing.to_json()
        return data

    def render_table(self) -> list[Any]:
        from rich.table import Table

        lst = self.listing
        usable = [k for k in lst.keys if not k.problems]
        title = f"{plural(len(usable), 'customer managed key')} KVS can use in {lst.region}"
        table = Table(title=title, title_justify="left")
        columns = ["alias", "key id", "rotation", "streams"]
        if lst.all_keys:
            columns.append("KVS can use it")
        why: list[str] = []
        for col in columns:
            table.add_column(col, justify="right" if col == "streams" else "left")
        for k in lst.keys:
            key = k.key
            rotation = {True: "on", False: "[yellow]off[/yellow]", None: "-"}[key.rotation_enabled]
            row = [", ".join(key.aliases) or "-", key.key_id, rotation, str(k.streams)]
            if lst.all_keys:
                row.append("yes" if not k.problems else "[red]no[/red]")
                if k.problems:
                    why.append(f"{key.aliases[0] if key.aliases else key.key_id}: {'; '.join(k.problems)}")
            table.add_row(*row)
        parts: list[Any] = [table, *why]
        if lst.hidden:
            parts.append(
                f"{plural(lst.hidden, 'more customer managed key')} KVS cannot use "
                f"({'is' if lst.hidden == 1 else 'are'} not shown): kvsctl key list --all says why"
            )
        if not lst.keys and not lst.hidden:
            parts.append("No customer managed keys here: kvsctl key create --alias alias/NAME --admin ARN makes one.")
        return parts
