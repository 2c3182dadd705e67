"""`kvsctl cost`: estimate the monthly KMS cost of Kinesis video streams, offline or from the account."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import typer

from kvsctl.cli.options import GlobalOptions, with_global_options
from kvsctl.cost.prices import DEFAULT_DATA_KEY_INTERVAL_MINUTES, DEFAULT_HOURS_PER_MONTH, PRICES

group = typer.Typer(help="Estimate the monthly KMS cost of Kinesis video streams.", no_args_is_help=True)

ASSUMPTIONS = "Assumptions"
PRICE_PANEL = f"Prices (list prices as of {PRICES.as_of.isoformat()}, kvsctl/cost/prices.py)"


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="cost")


def _decimal(text: Any, *, positive: bool) -> Decimal:
    """An exact decimal (never a float), refused at parse time when out of range (exit 2, naming the flag)."""
    from kvsctl.cost.model import parse_decimal

    number = text if isinstance(text, Decimal) else parse_decimal("value", str(text))
    if positive and number <= 0:
        raise ValueError(f"must be more than 0, got {text}")
    if not positive and number < 0:
        raise ValueError(f"must be 0 or more, got {text}")
    return number


def positive(text: Any) -> Decimal:
    return _decimal(text, positive=True)


def non_negative(text: Any) -> Decimal:
    return _decimal(text, positive=False)


def _count(flag: str, help_: str, panel: str = ASSUMPTIONS, *, show_default: bool = True) -> Any:
    return typer.Option(flag, min=0, help=help_, rich_help_panel=panel, show_default=show_default)


@group.command("estimate")
@with_global_options()
def estimate(
    streams: Annotated[int | None, _count("--streams", "Number of streams. [default: 1]", show_default=False)] = None,
    producers_per_stream: Annotated[
        int, _count("--producers-per-stream", "Distinct producer credentials per stream.")
    ] = 1,
    consumers_per_stream: Annotated[
        int, _count("--consumers-per-stream", "Distinct consumer credentials per stream.")
    ] = 1,
    customer_keys: Annotated[
        int | None,
        _count(
            "--customer-keys",
            "Customer managed keys held (0: all on the AWS managed key). [default: 1]",
            show_default=False,
        ),
    ] = None,
    data_key_interval: Annotated[
        Decimal,
        typer.Option(
            "--data-key-interval",
            parser=positive,
            metavar="MINUTES",
            help="Minutes between a credential's data-key requests per stream. KVS does not document this; "
            "5 is Kinesis Data Streams' documented cadence.",
            rich_help_panel=ASSUMPTIONS,
        ),
    ] = DEFAULT_DATA_KEY_INTERVAL_MINUTES,
    hours_per_month: Annotated[
        Decimal,
        typer.Option(
            "--hours-per-month",
            parser=positive,
            metavar="HOURS",
            help="Hours in a month (AWS bills with 730).",
            rich_help_panel=ASSUMPTIONS,
        ),
    ] = DEFAULT_HOURS_PER_MONTH,
    credential_lifetime: Annotated[
        Decimal | None,
        typer.Option(
            "--credential-lifetime",
            parser=positive,
            metavar="MINUTES",
            help="How long one credential lives (e.g. an assumed-role session). Shorter than the data-key "
            "interval, each new credential makes its own first request. [default: outlives the interval]",
            rich_help_panel=ASSUMPTIONS,
            show_default=False,
        ),
    ] = None,
    free_tier: Annotated[
        bool,
        typer.Option(
            "--free-tier/--no-free-tier",
            help="Subtract the KMS free tier (per account, all regions).",
            rich_help_panel=ASSUMPTIONS,
        ),
    ] = True,
    free_tier_requests: Annotated[
        int, _count("--free-tier-requests", "Free KMS requests per month.", PRICE_PANEL)
    ] = PRICES.free_tier_requests,
    price_per_10k: Annotated[
        Decimal,
        typer.Option(
            "--price-per-10k",
            parser=non_negative,
            metavar="USD",
            help="Price of 10,000 symmetric KMS requests.",
            rich_help_panel=PRICE_PANEL,
        ),
    ] = PRICES.symmetric_requests_per_10k,
    key_price: Annotated[
        Decimal,
        typer.Option(
            "--key-price",
            parser=non_negative,
            metavar="USD",
            help="Price of one customer managed key per month.",
            rich_help_panel=PRICE_PANEL,
        ),
    ] = PRICES.customer_key_month,
    rotation_price: Annotated[
        Decimal,
        typer.Option(
            "--rotation-price",
            parser=non_negative,
            metavar="USD",
            help="Added per month by each of a key's first two rotations.",
            rich_help_panel=PRICE_PANEL,
        ),
    ] = PRICES.rotation_month,
    rotated_keys: Annotated[
        int | None,
        _count("--rotated-keys", "Customer keys that have rotated. [default: all customer keys]", show_default=False),
    ] = None,
    rotations: Annotated[
        int, _count("--rotations", "Rotations each rotated key has had; only the first two cost.")
    ] = 0,
    compare: Annotated[
        bool,
        typer.Option(
            "--compare",
            help="Also show today against: a key per stream, one shared key, the AWS managed key, "
            "credentials cached longer; and cost against credential count.",
        ),
    ] = False,
    from_account: Annotated[
        bool,
        typer.Option(
            "--from-account",
            help="Count streams (all pages) and the customer managed keys they use in the region, "
            "instead of --streams/--customer-keys/--rotated-keys. Reads only.",
        ),
    ] = False,
    name_prefix: Annotated[
        str | None,
        typer.Option("--name-prefix", help="With --from-account: only streams whose name begins so."),
    ] = None,
    *,
    g: GlobalOptions,
) -> int:
    """Estimate the monthly KMS cost of Kinesis video streams.

    Each (credential, stream) pair asks KMS for a data key once per data-key interval, so
    requests = streams × (producers + consumers) × hours × 60 / interval, rounded up per pair.
    Every assumption below is a flag with a default and is echoed in the output.

    JSON: every figure is a number; dollars, prices, minutes and hours carry the exact, unrounded
    digits (e.g. 0.05256); tables round to the cent.

    Examples:

      kvsctl cost estimate --streams 1000 --consumers-per-stream 2

      kvsctl cost estimate --streams 200 --credential-lifetime 1 --compare

      kvsctl cost estimate --from-account --consumers-per-stream 3 -o json | jq -r .total_usd
    """
    from kvsctl.cost.estimate import compare as compare_scenarios
    from kvsctl.cost.estimate import estimate as estimate_cost
    from kvsctl.cost.model import CostAssumptions

    _check_account_flags(
        from_account, name_prefix, streams=streams, customer_keys=customer_keys, rotated_keys=rotated_keys
    )
    base = CostAssumptions(  # validated here: exit 2 before any AWS call
        streams=1 if streams is None else streams,
        producers_per_stream=producers_per_stream,
        consumers_per_stream=consumers_per_stream,
        customer_keys=1 if customer_keys is None else customer_keys,
        data_key_interval_minutes=data_key_interval,
        hours_per_month=hours_per_month,
        free_tier=free_tier,
        free_tier_requests=free_tier_requests,
        price_per_10k=price_per_10k,
        key_price=key_price,
        rotation_price=rotation_price,
        rotated_keys=rotated_keys,
        rotations=rotations,
        credential_lifetime_minutes=credential_lifetime,
    )
    if from_account:
        from kvsctl.render.cost import AccountEstimateView
        from kvsctl.services.cost import CostService

        account = CostService(g.factory()).estimate(base, name_prefix, warn=g.warn)
        g.emit(AccountEstimateView(account, compare_scenarios(account.estimate.assumptions) if compare else None))
        return 0
    from kvsctl.render.cost import EstimateView

    g.emit(EstimateView(estimate_cost(base), compare_scenarios(base) if compare else None))
    return 0


def _check_account_flags(from_account: bool, name_prefix: str | None, **counted: int | None) -> None:
    from kvsctl.errors import UsageError

    if not from_account:
        if name_prefix is not None:
            raise UsageError("--name-prefix applies only with --from-account", hint="Add --from-account.")
        return
    given = ["--" + name.replace("_", "-") for name, value in counted.items() if value is not None]
    if given:
        raise UsageError(
            f"{', '.join(given)} cannot be combined with --from-account, which counts them in the account",
            hint="Drop them, or drop --from-account to estimate offline.",
        )
