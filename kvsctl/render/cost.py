"""Views of cost estimates for the table and JSON renderers (JSON shapes live in cost.serialize)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from kvsctl.cost.account import AccountEstimate
from kvsctl.cost.calibrate import Calibration, rounded
from kvsctl.cost.calibration_json import MATCH_RULE, calibration_to_dict
from kvsctl.cost.model import Comparison, CostEstimate
from kvsctl.cost.serialize import (
    account_estimate_to_dict,
    assumptions_to_dict,
    comparison_to_dict,
    decimal_text,
    estimate_to_dict,
    usd_display,
)
from kvsctl.words import noun

_BAR_WIDTH = 40


def _summary_table(e: CostEstimate, title: str) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("line")
    table.add_column("quantity", justify="right")
    table.add_column("unit price", justify="right")
    table.add_column("USD / month", justify="right")
    for line in e.breakdown:
        table.add_row(
            line.description,
            f"{line.quantity:,}",
            f"${decimal_text(line.unit_price_usd)} / {line.unit}",
            usd_display(line.amount_usd),
        )
    table.add_section()
    table.add_row("[bold]requests[/bold]", f"{e.billable_requests:,} billable", "", usd_display(e.request_cost_usd))
    table.add_row("[bold]keys[/bold]", "", "", usd_display(e.key_cost_usd))
    table.add_row("[bold]total[/bold]", "", "", f"[bold]{usd_display(e.total_usd)}[/bold]")
    return table


def _assumptions_table(e: CostEstimate) -> Any:
    from rich.table import Table

    table = Table(title="Assumptions", show_header=False, title_justify="left")
    table.add_column("assumption", style="bold")
    table.add_column("value")
    for name, value in assumptions_to_dict(e.assumptions).items():
        shown = "-" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
        if name == "rotated_keys" and value is None:
            shown = f"all customer keys ({e.assumptions.rotated_key_count})"
        table.add_row(name, shown)
    return table


def _notes(notes: Sequence[str]) -> list[str]:
    return [f"[yellow]note:[/yellow] {n}" for n in notes]


def _bar_chart(title: str, rows: Sequence[tuple[str, Decimal]]) -> Any:
    """Horizontal bars of dollars per row, scaled to the largest."""
    from rich.bar import Bar
    from rich.table import Table

    top = max((v for _, v in rows), default=Decimal(0))
    table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 1))
    table.add_column("label", style="bold")
    table.add_column("bar", width=_BAR_WIDTH, no_wrap=True)
    table.add_column("USD / month", justify="right")
    for label, value in rows:
        end = float(value / top * _BAR_WIDTH) if top > 0 else 0.0
        table.add_row(label, Bar(size=_BAR_WIDTH, begin=0, end=end, width=_BAR_WIDTH), usd_display(value))
    return table


def _comparison_parts(c: Comparison) -> list[Any]:
    from rich.table import Table

    table = Table(title="Scenarios", title_justify="left")
    table.add_column("scenario", no_wrap=True)
    for col in ("requests / month", "keys", "total USD", "vs today"):
        table.add_column(col, justify="right")
    for s in c.scenarios:
        e = s.estimate
        delta = "" if s.name == "today" else ("+" if s.delta_usd > 0 else "") + usd_display(s.delta_usd)
        table.add_row(
            s.title,
            f"{e.requests_per_month:,}",
            str(e.assumptions.customer_keys),
            usd_display(e.total_usd),
            delta,
        )
    scenario_chart = _bar_chart("Monthly cost per scenario", [(s.title, s.estimate.total_usd) for s in c.scenarios])
    curve_chart = _bar_chart(
        "Monthly cost against credential count (credential-stream pairs)",
        [(f"{p.credentials:,} ({p.streams:,} {noun(p.streams, 'stream')})", p.total_usd) for p in c.credential_curve],
    )
    return [table, scenario_chart, curve_chart]


@dataclass(frozen=True)
class EstimateView:
    """`kvsctl cost estimate` (offline), optionally with `--compare`."""

    estimate: CostEstimate
    comparison: Comparison | None = None

    def to_json(self) -> dict[str, Any]:
        if self.comparison is not None:
            return comparison_to_dict(self.comparison)
        return estimate_to_dict(self.estimate)

    def render_table(self) -> list[Any]:
        parts: list[Any] = [_summary_table(self.estimate, "KMS cost for Kinesis Video Streams, per month")]
        if self.comparison is not None:
            parts += _comparison_parts(self.comparison)
        parts.append(_assumptions_table(self.estimate))
        parts += _notes(self.estimate.notes)
        return parts


@dataclass(frozen=True)
class AccountEstimateView:
    """`kvsctl cost estimate --from-account`, optionally with `--compare`."""

    account: AccountEstimate
    comparison: Comparison | None = None
    #: every stream in the table; else the costliest SHOWN_STREAMS (JSON always has every stream)
    verbose: bool = False

    def to_json(self) -> dict[str, Any]:
        data = account_estimate_to_dict(self.account)
        if self.comparison is not None:
            extra = comparison_to_dict(self.comparison)
            data["scenarios"] = extra["scenarios"]
            data["credential_curve"] = extra["credential_curve"]
        return data

    def render_table(self) -> list[Any]:
        from rich.table import Table

        a = self.account
        parts: list[Any] = [_summary_table(a.estimate, "KMS cost of this account's video streams, per month")]
        keys = Table(title="Per key (request cost before the free tier)", title_justify="left")
        for col in ("key", "kind", "streams", "requests / month", "requests USD", "key USD"):
            keys.add_column(col, overflow="fold")
        for k in a.per_key:
            label = k.aliases[0] if k.aliases else k.key
            keys.add_row(
                label,
                k.kind,
                str(len(k.streams)),
                f"{k.requests_per_month:,}",
                usd_display(k.request_cost_usd),
                usd_display(k.key_cost_usd) + ("" if k.charged else " (not charged)"),
            )
        parts.append(keys)
        shown = list(a.per_stream)
        title = f"Per stream ({len(shown)})"
        if not self.verbose and len(shown) > SHOWN_STREAMS:
            shown = sorted(shown, key=lambda s: (-s.request_cost_usd, s.name))[:SHOWN_STREAMS]
            title = f"Per stream: the {SHOWN_STREAMS} costliest of {len(a.per_stream):,}"
        streams = Table(title=title, title_justify="left")
        for col in ("stream", "key", "credentials", "requests / month", "requests USD"):
            streams.add_column(col, overflow="fold")
        labels = {k.key: (k.aliases[0] if k.aliases else _short(k.key)) for k in a.per_key}
        for s in shown:
            streams.add_row(
                s.name,
                labels.get(s.key, _short(s.key)),  # the per-key table above names it the same way
                str(s.credentials),
                f"{s.requests_per_month:,}",
                usd_display(s.request_cost_usd),
            )
        parts.append(streams)
        if len(shown) < len(a.per_stream):
            parts.append(
                f"{len(a.per_stream) - len(shown):,} more: --verbose shows every stream (-o json has them all)."
            )
        if a.unused_keys:
            unused = Table(
                title="Customer managed keys no stream uses (not counted as KVS cost)",
                title_justify="left",
            )
            for col in ("key", "aliases", "state"):
                unused.add_column(col, overflow="fold")
            for u in a.unused_keys:
                unused.add_row(u.arn, ", ".join(u.aliases) or "-", u.state)
            parts.append(unused)
        if self.comparison is not None:
            parts += _comparison_parts(self.comparison)
        parts.append(_assumptions_table(a.estimate))
        parts += _notes(a.estimate.notes)
        return parts


#: streams in the per-stream table without --verbose
SHOWN_STREAMS = 10


def _short(arn: str) -> str:
    """The resource part of an ARN for narrow tables (JSON keeps the whole ARN)."""
    return arn.split(":", 5)[-1] if arn.startswith("arn:") else arn


@dataclass(frozen=True)
class CalibrationView:
    """`kvsctl cost calibrate`: what KVS asked of KMS, per key, principal, operation and hour."""

    calibration: Calibration
    saved_to: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = calibration_to_dict(self.calibration)
        data["saved_to"] = self.saved_to
        return data

    def render_table(self) -> list[Any]:
        from rich.table import Table

        c = self.calibration
        data = calibration_to_dict(c)
        window = data["window"]
        summary = Table(title="CloudTrail evidence", show_header=False, title_justify="left")
        summary.add_column("what", style="bold")
        summary.add_column("value")
        summary.add_row("window", f"{window['start']} to {window['end']} ({window['hours']} h, from {window['from']})")
        summary.add_row("sources read", f"{c.sources:,}")
        summary.add_row("records", f"{c.records:,} ({c.kms_records:,} KMS)")
        summary.add_row("KMS requests made through KVS", f"{c.kvs_requests:,}")
        summary.add_row("other KMS requests", f"{c.other_kms_requests:,} (≈{c.other_monthly_requests:,} / month)")
        summary.add_row("malformed, skipped", f"{c.malformed_total:,}")
        parts: list[Any] = [summary]

        rates = Table(title="Measured cadence per credential (session)", title_justify="left")
        for col in ("who", "requests", "sessions", "asked twice+", "interval (min)", "req / credential-hour"):
            rates.add_column(col, justify="left" if col == "who" else "right")
        for r in (*c.rates, c.combined):
            d = data["rates"][r.role]
            rates.add_row(
                f"{r.role} ({r.operation})",
                f"{r.requests:,}",
                f"{r.sessions:,}",
                f"{r.sessions_with_repeats:,}",
                "-" if d["data_key_interval_minutes"] is None else str(d["data_key_interval_minutes"]),
                "-" if d["requests_per_credential_hour"] is None else str(d["requests_per_credential_hour"]),
            )
        parts.append(rates)

        keys = Table(
            title=f"Per key, extrapolated to {decimal_text(c.hours_per_month)} h (before the free tier)",
            title_justify="left",
        )
        for col in ("key", "requests", "GenerateDataKey", "Decrypt", "requests / month", "USD / month"):
            keys.add_column(col, overflow="fold", justify="left" if col == "key" else "right")
        for k in c.per_key:
            ops = dict(k.by_operation)
            keys.add_row(
                _short(k.key),
                f"{k.kvs_requests:,}",
                f"{ops.get('GenerateDataKey', 0):,}",
                f"{ops.get('Decrypt', 0):,}",
                f"{k.monthly_requests:,}",
                usd_display(k.monthly_request_cost_usd),
            )
        parts.append(keys)

        totals: dict[tuple[str, str, str], tuple[int, int]] = {}
        for row in c.rows:
            n, hours = totals.get((row.key, row.principal, row.operation), (0, 0))
            totals[(row.key, row.principal, row.operation)] = (n + row.requests, hours + 1)
        counts = Table(title="Requests per key × principal × operation (per hour in -o json)", title_justify="left")
        for col in ("key", "principal", "operation", "hours", "requests"):
            counts.add_column(col, overflow="fold", justify="right" if col in ("hours", "requests") else "left")
        for (key, principal, op), (n, hours) in sorted(totals.items()):
            counts.add_row(_short(key), _short(principal), op, str(hours), f"{n:,}")
        parts.append(counts)

        per_principal: dict[str, list[int]] = {}
        for s in c.sessions:
            per_principal.setdefault(s.principal, []).append(s.sessions)
        sessions = Table(title="Distinct sessions per principal per hour", title_justify="left")
        for col in ("principal", "hours", "mean", "max"):
            sessions.add_column(col, overflow="fold", justify="left" if col == "principal" else "right")
        for principal, values in sorted(per_principal.items()):
            mean = rounded(Fraction(sum(values), len(values)), 2)
            sessions.add_row(_short(principal), str(len(values)), decimal_text(mean), str(max(values)))
        parts.append(sessions)

        for m in c.malformed[:10]:
            parts.append(f"[red]malformed:[/red] {m.source}: {m.reason}")
        if c.malformed_total > 10:
            parts.append(f"[red]malformed:[/red] ... {c.malformed_total - 10} more (all in -o json, up to 100)")
        parts += [f"[yellow]warning:[/yellow] {w}" for w in c.warnings]
        parts.append(f"[dim]matched: {MATCH_RULE}[/dim]")
        if self.saved_to:
            parts.append(
                f"calibration saved to {self.saved_to} (use: kvsctl cost estimate --calibration {self.saved_to})"
            )
        return parts
