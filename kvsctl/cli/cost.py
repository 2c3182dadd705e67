"""`kvsctl cost`: estimate the monthly KMS cost of Kinesis video streams, offline or from the account."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import typer

from kvsctl.cli.fleet_options import (
    AccountsOpt,
    AssumeRoleOpt,
    ExternalIdOpt,
    MaxConcurrencyOpt,
    OrganizationOpt,
    RoleSessionNameOpt,
    fleet_scope,
)
from kvsctl.cli.options import GlobalOptions, with_global_options
from kvsctl.cost.prices import (
    DEFAULT_CREDENTIAL_LIFETIME_MINUTES,
    DEFAULT_DATA_KEY_INTERVAL_MINUTES,
    DEFAULT_HOURS_PER_MONTH,
    DEFAULT_SESSIONS_PER_DEVICE,
    PRICES,
)
from kvsctl.errors import shown

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
@with_global_options(multi_region=True)
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
        Decimal | None,
        typer.Option(
            "--data-key-interval",
            parser=positive,
            metavar="MINUTES",
            help="Minutes between a credential's data-key requests per stream. KVS does not document this; "
            "the default 5 is Kinesis Data Streams' documented cadence. Measure it with `cost calibrate`. "
            "[default: 5, or the calibration's]",
            rich_help_panel=ASSUMPTIONS,
            show_default=False,
        ),
    ] = None,
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
            "--credential-lifetime-minutes",
            parser=positive,
            metavar="MINUTES",
            help="How long one credential session lives before it is renewed; each new one makes its own "
            "first request. Default: AWS IoT role aliases' 3,600 s (credentialDurationSeconds, IoT API "
            "reference CreateRoleAlias). [default: 60]",
            rich_help_panel=ASSUMPTIONS,
            show_default=False,
        ),
    ] = None,
    credential_lifetime_old: Annotated[
        Decimal | None,
        typer.Option(
            "--credential-lifetime",
            parser=positive,
            metavar="MINUTES",
            hidden=True,
            help="Deprecated name of --credential-lifetime-minutes.",
        ),
    ] = None,
    sessions_per_device: Annotated[
        int,
        typer.Option(
            "--sessions-per-device",
            min=1,
            help="Credential sessions each producer or consumer holds at once (inferred default: one "
            "credential provider per KVS client).",
            rich_help_panel=ASSUMPTIONS,
        ),
    ] = DEFAULT_SESSIONS_PER_DEVICE,
    calibration: Annotated[
        str | None,
        typer.Option(
            "--calibration",
            metavar="FILE",
            help="Use the data-key interval measured by `kvsctl cost calibrate --save FILE`.",
            rich_help_panel=ASSUMPTIONS,
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
        int | None,
        _count(
            "--free-tier-requests",
            f"Free KMS requests per month. [default: {PRICES.free_tier_requests:,}]",
            PRICE_PANEL,
            show_default=False,
        ),
    ] = None,
    price_per_10k: Annotated[
        Decimal | None,
        typer.Option(
            "--price-per-10k",
            parser=non_negative,
            metavar="USD",
            help="Price of 10,000 symmetric KMS requests. "
            f"[default: the price file's, else {PRICES.symmetric_requests_per_10k}]",
            rich_help_panel=PRICE_PANEL,
            show_default=False,
        ),
    ] = None,
    key_price: Annotated[
        Decimal | None,
        typer.Option(
            "--key-price",
            parser=non_negative,
            metavar="USD",
            help="Price of one customer managed key per month. "
            f"[default: the price file's, else {PRICES.customer_key_month}]",
            rich_help_panel=PRICE_PANEL,
            show_default=False,
        ),
    ] = None,
    rotation_price: Annotated[
        Decimal | None,
        typer.Option(
            "--rotation-price",
            parser=non_negative,
            metavar="USD",
            help="Added per month by each of a key's first two rotations. "
            f"[default: the price file's, else {PRICES.rotation_month}]",
            rich_help_panel=PRICE_PANEL,
            show_default=False,
        ),
    ] = None,
    price_file: Annotated[
        str | None,
        typer.Option(
            "--price-file",
            metavar="FILE",
            help="A JSON object of prices for other regions or later dates, with any of: as_of, source, "
            "symmetric_requests_per_10k, customer_key_month, rotation_month, free_tier_requests (flags win).",
            rich_help_panel=PRICE_PANEL,
        ),
    ] = None,
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
    infracost_usage: Annotated[
        str | None,
        typer.Option(
            "--infracost-usage",
            metavar="FILE",
            help="Also write an infracost usage file (YAML) for aws_kms_key; infracost has no KMS request "
            "fields, so the counts go in as comments (the file says what it cannot express).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="With --infracost-usage: replace FILE if it exists.")] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            help="With --from-account: a table row for every stream (default: the 10 costliest; JSON has all).",
        ),
    ] = False,
    accounts: AccountsOpt = None,
    organization: OrganizationOpt = False,
    assume_role: AssumeRoleOpt = None,
    external_id: ExternalIdOpt = None,
    role_session_name: RoleSessionNameOpt = "kvsctl-cost",
    max_concurrency: MaxConcurrencyOpt = 8,
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

      kvsctl cost estimate --streams 200 --credential-lifetime-minutes 15 --compare

      kvsctl cost estimate --streams 1000 --calibration calibration.json --infracost-usage usage.yml

      kvsctl cost estimate --from-account --consumers-per-stream 3 -o json | jq -r .total_usd

      kvsctl cost estimate --from-account --organization --assume-role KvsctlAudit --region us-east-1 --region eu-west-1
    """
    from kvsctl.cost.estimate import compare as compare_scenarios
    from kvsctl.cost.estimate import comparison_with_notes, with_notes
    from kvsctl.cost.estimate import estimate as estimate_cost
    from kvsctl.cost.model import CostAssumptions

    _check_account_flags(
        from_account, name_prefix, verbose, streams=streams, customer_keys=customer_keys, rotated_keys=rotated_keys
    )
    fleet = fleet_scope(
        accounts,
        organization,
        assume_role,
        external_id,
        role_session_name,
        max_concurrency,
        session_default="kvsctl-cost",
    )
    _check_fleet_flags(fleet, from_account, g.regions, compare=compare, infracost_usage=infracost_usage)
    if infracost_usage and os.path.exists(infracost_usage) and not force:
        _refuse_overwrite(infracost_usage)
    sources = _input_files(calibration, data_key_interval, price_file)
    prices = sources.prices
    base = CostAssumptions(  # validated here: exit 2 before any AWS call
        streams=1 if streams is None else streams,
        producers_per_stream=producers_per_stream,
        consumers_per_stream=consumers_per_stream,
        customer_keys=1 if customer_keys is None else customer_keys,
        data_key_interval_minutes=_first(data_key_interval, sources.interval, DEFAULT_DATA_KEY_INTERVAL_MINUTES),
        hours_per_month=hours_per_month,
        free_tier=free_tier,
        free_tier_requests=_first(free_tier_requests, prices.get("free_tier_requests"), PRICES.free_tier_requests),
        price_per_10k=_first(price_per_10k, prices.get("price_per_10k"), PRICES.symmetric_requests_per_10k),
        key_price=_first(key_price, prices.get("key_price"), PRICES.customer_key_month),
        rotation_price=_first(rotation_price, prices.get("rotation_price"), PRICES.rotation_month),
        rotated_keys=rotated_keys,
        rotations=rotations,
        credential_lifetime_minutes=_first(
            credential_lifetime, credential_lifetime_old, DEFAULT_CREDENTIAL_LIFETIME_MINUTES
        ),
        sessions_per_device=sessions_per_device,
        calibration_file=calibration,
        price_file=price_file,
    )
    if fleet is not None:
        return _fleet_estimate(g, fleet, base, name_prefix, sources.notes)
    if from_account:
        from kvsctl.render.cost import AccountEstimateView
        from kvsctl.services.cost import CostService

        account = CostService(g.factory()).estimate(base, name_prefix, warn=g.warn)
        account = replace(account, estimate=with_notes(account.estimate, sources.notes))
        comparison = compare_scenarios(account.estimate.assumptions) if compare else None
        if comparison is not None:
            comparison = comparison_with_notes(comparison, sources.notes)
        _write_infracost(infracost_usage, account.estimate, force, per_key=account.per_key)
        g.emit(AccountEstimateView(account, comparison, verbose=verbose))
        return 0
    from kvsctl.render.cost import EstimateView

    result = with_notes(estimate_cost(base), sources.notes)
    _write_infracost(infracost_usage, result, force)
    g.emit(EstimateView(result, comparison_with_notes(compare_scenarios(base), sources.notes) if compare else None))
    return 0


T = TypeVar("T")


def _first(*values: T | None) -> T:
    """The first value given: a flag, then a file (calibration or prices), then the documented default."""
    for value in values:
        if value is not None:
            return value
    raise AssertionError("no default")  # the last value is always a default


@dataclass(frozen=True)
class _Sources:
    interval: Decimal | None
    prices: dict[str, Any]
    notes: tuple[str, ...]


def _read_text(flag: str, path: str) -> str:
    from kvsctl.errors import UsageError

    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as exc:
        raise UsageError(f"{flag}: cannot read {path}: {exc.strerror or exc}", hint="Check the path.") from None
    except UnicodeDecodeError:
        raise UsageError(f"{flag}: {path} is not UTF-8 text", hint="Give a JSON file.") from None


def _input_files(calibration: str | None, interval: Decimal | None, price_file: str | None) -> _Sources:
    """Read --calibration and --price-file (exit 2 on a bad file, before any AWS call)."""
    from kvsctl.errors import UsageError

    notes: list[str] = []
    measured: Decimal | None = None
    if calibration is not None:
        if interval is not None:
            raise UsageError(
                "--data-key-interval and --calibration both set the data-key interval",
                hint="Drop one: --calibration uses the measured interval.",
            )
        from kvsctl.cost.calibration_json import load_calibration

        cal = load_calibration(calibration, _read_text("--calibration", calibration))
        measured = cal.interval
        notes.append(cal.describe())
    prices: dict[str, Any] = {}
    if price_file is not None:
        from kvsctl.cost.prices import load_price_file

        override = load_price_file(price_file, _read_text("--price-file", price_file))
        prices = dict(override.values)
        notes.append(override.describe())
    return _Sources(measured, prices, tuple(notes))


def _refuse_overwrite(path: str) -> None:
    from kvsctl.errors import UsageError

    raise UsageError(f"{path} exists; not overwritten", hint="Add --force to replace it, or choose another file.")


def _write_infracost(path: str | None, estimate: Any, force: bool, per_key: Any = ()) -> None:
    if not path:
        return
    from kvsctl.cost.infracost import usage_file

    _write_new(path, usage_file(estimate, per_key), force)


def _check_fleet_flags(
    fleet: Any, from_account: bool, regions: tuple[str, ...], *, compare: bool, infracost_usage: str | None
) -> None:
    """Fleet counts need --from-account; --compare and --infracost-usage describe one account; a repeated
    --region is for fleet counts only. Exit 2 before any AWS call."""
    from kvsctl.errors import UsageError

    if fleet is None:
        if len(regions) > 1:
            raise UsageError(
                "--region is repeatable only with --accounts or --organization",
                hint="Count one region, or add --accounts/--organization with --assume-role.",
            )
        return
    if not from_account:
        raise UsageError(
            "--accounts/--organization count what the accounts hold: add --from-account",
            hint="kvsctl cost estimate --from-account --organization --assume-role NAME",
        )
    for flag, given in (("--compare", compare), ("--infracost-usage", infracost_usage)):
        if given:
            raise UsageError(f"{flag} describes one account; it cannot be combined with --accounts/--organization")
    fleet.validated()


def _fleet_estimate(g: GlobalOptions, fleet: Any, base: Any, name_prefix: str | None, notes: tuple[str, ...]) -> int:
    """Count every account of the fleet (exit 3 after the report when an account could not be counted)."""
    from kvsctl.cli.progress import progress_bar
    from kvsctl.render.cost import FleetEstimateView
    from kvsctl.services.cost import fleet_estimate

    with progress_bar(enabled=True, no_color=g.no_color) as on_progress:
        result = fleet_estimate(g.factory(), fleet, base, g.regions, name_prefix, warn=g.warn, progress=on_progress)
    g.emit(FleetEstimateView(result, base, notes))
    if result.not_counted:
        from kvsctl.errors import AwsError
        from kvsctl.words import plural

        missed = ", ".join(a for a, _ in result.not_counted)
        raise AwsError(
            f"{plural(len(result.not_counted), 'account')} could not be counted: {missed}; the totals leave them out",
            hint="Deploy the role in those accounts (examples/org-audit/audit-role-stackset.yaml) and rerun.",
            code="accounts_not_counted",
        )
    return 0


def _check_account_flags(
    from_account: bool, name_prefix: str | None, verbose: bool = False, **counted: int | None
) -> None:
    from kvsctl.errors import UsageError

    if not from_account:
        if name_prefix is not None:
            raise UsageError("--name-prefix applies only with --from-account", hint="Add --from-account.")
        if verbose:
            raise UsageError("--verbose applies only with --from-account", hint="Add --from-account.")
        return
    given = ["--" + name.replace("_", "-") for name, value in counted.items() if value is not None]
    if given:
        raise UsageError(
            f"{', '.join(given)} cannot be combined with --from-account, which counts them in the account",
            hint="Drop them, or drop --from-account to estimate offline.",
        )


def _parse_time(flag: str, text: str | None) -> Any:
    from kvsctl.cost.calibrate import MalformedRecord, parse_time
    from kvsctl.errors import UsageError

    if text is None:
        return None
    try:
        return parse_time(text)
    except MalformedRecord:
        raise UsageError(
            f"{flag}: {shown(text)} is not an ISO 8601 time", hint=f"give {flag} as e.g. 2026-12-01T00:00:00Z"
        ) from None


@group.command("calibrate")
@with_global_options()
def calibrate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PATH]...",
            help="CloudTrail log files (.json, .json.gz) or directories (recursive).",
            show_default=False,
        ),
    ] = None,
    cloudtrail: Annotated[
        list[str] | None,
        typer.Option(
            "--cloudtrail",
            metavar="PATH",
            help="A CloudTrail log file or directory (repeatable); same as giving PATH.",
            show_default=False,
        ),
    ] = None,
    lookup: Annotated[
        bool,
        typer.Option(
            "--lookup-events",
            help="Read KMS events with CloudTrail LookupEvents (last 90 days, paced at "
            "2 requests/s) instead of log files. Needs --start and --end.",
        ),
    ] = False,
    start: Annotated[
        str | None, typer.Option("--start", metavar="TIME", help="With --lookup-events: window start (ISO 8601, UTC).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", metavar="TIME", help="With --lookup-events: window end (ISO 8601, UTC).")
    ] = None,
    hours_per_month: Annotated[
        Decimal,
        typer.Option(
            "--hours-per-month",
            parser=positive,
            metavar="HOURS",
            help="Hours in a month for the extrapolation (AWS bills with 730).",
        ),
    ] = DEFAULT_HOURS_PER_MONTH,
    price_per_10k: Annotated[
        Decimal,
        typer.Option(
            "--price-per-10k", parser=non_negative, metavar="USD", help="Price of 10,000 symmetric KMS requests."
        ),
    ] = PRICES.symmetric_requests_per_10k,
    save: Annotated[
        str | None,
        typer.Option("--save", metavar="FILE", help="Write a calibration file for `cost estimate --calibration FILE`."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="With --save: replace FILE if it exists.")] = False,
    *,
    g: GlobalOptions,
) -> int:
    """Measure how often KVS asks KMS for data keys, from CloudTrail.

    Selects KMS GenerateDataKey (producers) and Decrypt (consumers) made through Kinesis Video Streams:
    the event's userIdentity.invokedBy, sourceIPAddress or userAgent names kinesisvideo.amazonaws.com
    (KVS calls KMS with the caller's credentials). Other KMS requests are counted apart: they share the
    free tier. Counts per key ARN x principal (the role behind an assumed-role session) x operation x
    hour, the measured data-key interval per credential, and a monthly extrapolation per key.

    Examples:

      kvsctl cost calibrate ./AWSLogs/123456789012/CloudTrail/us-east-1/2026/12/ --save cal.json

      kvsctl cost calibrate --lookup-events --start 2026-12-01T00:00Z --end 2026-12-03T00:00Z -o json

      kvsctl cost estimate --streams 500 --calibration cal.json
    """
    from kvsctl.cost.calibrate import Calibrator
    from kvsctl.errors import UsageError
    from kvsctl.render.cost import CalibrationView

    files = [*(paths or []), *(cloudtrail or [])]
    window = _check_calibrate_flags(files, lookup, start, end, save, force)
    calibrator = Calibrator()
    if lookup:
        from kvsctl.services.calibrate import lookup_events

        lookup_events(calibrator, g.factory(), window[0], window[1], progress=g.progress)
    else:
        from kvsctl.services.calibrate import read_files

        read_files(calibrator, files, progress=g.progress)
    result = calibrator.result(
        hours_per_month=hours_per_month,
        price_per_10k=price_per_10k,
        start=window[0] if lookup else None,
        end=window[1] if lookup else None,
    )
    if save:
        from kvsctl.cost.calibration_json import calibration_file
        from kvsctl.render import dumps

        if result.combined.interval_minutes is None:
            raise UsageError(
                "nothing to save: no credential asked KMS through KVS twice, so no data-key interval was measured",
                hint="Calibrate over a longer window with KVS traffic.",
            )
        _write_new(save, dumps(calibration_file(result)) + "\n", force)
    g.emit(CalibrationView(result, saved_to=save))
    return 0


def _check_calibrate_flags(
    files: list[str], lookup: bool, start: str | None, end: str | None, save: str | None, force: bool
) -> tuple[Any, Any]:
    import os

    from kvsctl.errors import UsageError

    if lookup and files:
        raise UsageError("give CloudTrail files or --lookup-events, not both", hint="Drop one of them.")
    if not lookup and not files:
        raise UsageError(
            "nothing to read: give CloudTrail log files or directories, or --lookup-events --start T --end T",
            hint="e.g. kvsctl cost calibrate ./AWSLogs/ or --lookup-events --start 2026-12-01T00:00Z --end ...",
        )
    if not lookup and (start or end):
        raise UsageError("--start and --end apply only with --lookup-events", hint="Add --lookup-events.")
    begin, finish = _parse_time("--start", start), _parse_time("--end", end)
    if lookup and (begin is None or finish is None):
        raise UsageError(
            "--lookup-events needs --start and --end", hint="e.g. --start 2026-12-01T00:00Z --end 2026-12-02T00:00Z"
        )
    if begin is not None and finish is not None and finish <= begin:
        raise UsageError(f"--end ({end}) must be after --start ({start})")
    if save and os.path.exists(save) and not force:
        raise UsageError(f"{save} exists; not overwritten", hint="Add --force to replace it, or choose another file.")
    return begin, finish


def _write_new(path: str, text: str, force: bool) -> None:
    """Write `path` atomically (a temporary file renamed over it); an existing file only with --force."""
    import os
    import tempfile

    from kvsctl.errors import UsageError

    if os.path.exists(path) and not force:
        raise UsageError(f"{path} exists; not overwritten", hint="Add --force to replace it, or choose another file.")
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".kvsctl-", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(
            f"cannot write {path}: {exc.strerror or exc}", hint="Check the directory exists and is writable."
        ) from None
