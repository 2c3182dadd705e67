"""The one dated price table kvsctl's cost estimates rest on, with where each figure comes from.

Prices change rarely but they do change: every figure here carries the date it was checked and its
source, both of which are echoed in the estimate's output. Override them with `--price-per-10k` and
`--key-price` rather than editing this file for a single estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kvsctl.errors import shown
from kvsctl.longnum import NumberTooLong, read_int
from kvsctl.words import noun

KMS_PRICING_URL = "https://aws.amazon.com/kms/pricing/"
KDS_CADENCE_URL = "https://docs.aws.amazon.com/streams/latest/dev/costs-performance.html"
KVS_SSE_URL = "https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/how-kms.html"


@dataclass(frozen=True)
class PriceTable:
    """KMS list prices in USD (https://aws.amazon.com/kms/pricing/ lists no regional differences)."""

    as_of: date
    currency: str
    symmetric_requests_per_10k: Decimal
    """Symmetric requests (GenerateDataKey, Decrypt, ...), per 10,000."""
    customer_key_month: Decimal
    """Holding one customer managed key for a month (prorated hourly by AWS)."""
    rotation_month: Decimal
    """Added per month by each of a key's first rotations (automatic or on demand)."""
    billed_rotations_per_key: int
    """Rotations after this many add nothing (AWS pricing change of May 2024)."""
    aws_managed_key_month: Decimal
    """AWS managed keys (alias/aws/kinesisvideo) cost nothing to hold; their requests are billed."""
    free_tier_requests: int
    """Free requests per month per account, across all regions."""
    sources: tuple[str, ...]


PRICES = PriceTable(
    as_of=date(2026, 11, 28),
    currency="USD",
    symmetric_requests_per_10k=Decimal("0.03"),
    customer_key_month=Decimal("1.00"),
    rotation_month=Decimal("1.00"),
    billed_rotations_per_key=2,
    aws_managed_key_month=Decimal(0),
    free_tier_requests=20_000,
    sources=(KMS_PRICING_URL,),
)

DEFAULT_DATA_KEY_INTERVAL_MINUTES = Decimal(5)
"""KVS does not document how often it asks KMS for a data key; Kinesis Data Streams documents
"approximately every five minutes" per credential (KDS_CADENCE_URL). We borrow that figure."""

DEFAULT_HOURS_PER_MONTH = Decimal(730)
"""AWS's billing convention for a month (8,760 hours a year / 12)."""

IOT_ROLE_ALIAS_URL = "https://docs.aws.amazon.com/iot/latest/apireference/API_CreateRoleAlias.html"

DEFAULT_CREDENTIAL_LIFETIME_MINUTES = Decimal(60)
"""AWS IoT role aliases (how KVS cameras usually get credentials) issue credentials valid for 3,600 s
unless `credentialDurationSeconds` says otherwise (IOT_ROLE_ALIAS_URL); the producer SDK refreshes them
shortly before they expire, and each new credential makes its own first KMS request."""

ROLE_ALIAS_MIN_MINUTES = Decimal(15)
ROLE_ALIAS_MAX_MINUTES = Decimal(720)
"""credentialDurationSeconds ranges from 900 to 43,200 s (IOT_ROLE_ALIAS_URL): the --compare bounds."""

DEFAULT_SESSIONS_PER_DEVICE = 1
"""One credential session per device (producer or consumer) at a time: a KVS producer or consumer client
holds one credential provider and so one credential (inferred; AWS documents no figure). More when a
device runs several processes or clients, each with its own credentials."""

PRICE_FILE_FIELDS = {
    "symmetric_requests_per_10k": "price_per_10k",
    "customer_key_month": "key_price",
    "rotation_month": "rotation_price",
    "free_tier_requests": "free_tier_requests",
}
PRICE_FILE_INFO = ("as_of", "currency", "source", "sources", "region", "comment")


@dataclass(frozen=True)
class PriceOverride:
    """Prices read from a --price-file: any subset of the table's figures, with where they come from."""

    path: str
    values: dict[str, Decimal | int]
    """Keyed by the CostAssumptions field they replace (price_per_10k, key_price, rotation_price,
    free_tier_requests)."""
    as_of: str | None
    source: str | None

    def describe(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.values.items()) or "nothing"
        origin = f" as of {self.as_of}" if self.as_of else ""
        where = f" from {self.source}" if self.source else ""
        return f"Prices from {self.path}{origin}{where}: {shown}; the rest from the dated table."


def load_price_file(path: str, text: str) -> PriceOverride:
    """Parse a price file (JSON object). Unknown names are refused, so a typo cannot silently keep a price.

    {"as_of": "2027-01-01", "source": "...", "symmetric_requests_per_10k": 0.03, "customer_key_month": 1,
     "rotation_month": 1, "free_tier_requests": 20000}
    """
    import json

    from kvsctl.errors import UsageError

    hint = 'e.g. {"as_of": "2027-01-01", "symmetric_requests_per_10k": 0.03, "customer_key_month": 1}'
    try:
        data = json.loads(text, parse_float=Decimal, parse_int=read_int)
    except ValueError as exc:
        what = str(exc) if isinstance(exc, NumberTooLong) else f"not JSON ({exc})"
        raise UsageError(f"{path}: {what}", hint=hint) from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: a price file is a JSON object", hint=hint)
    unknown = sorted(set(data) - set(PRICE_FILE_FIELDS) - set(PRICE_FILE_INFO))
    if unknown:
        raise UsageError(
            f"{path}: unknown price {noun(len(unknown), 'name')}: {', '.join(unknown)}",
            hint=f"known: {', '.join([*PRICE_FILE_FIELDS, *PRICE_FILE_INFO])}",
        )
    values: dict[str, Decimal | int] = {}
    for name, field_name in PRICE_FILE_FIELDS.items():
        if name not in data:
            continue
        raw = data[name]
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal | str):
            raise UsageError(f"{path}: {name} must be a number, got {shown(raw)}", hint=hint)
        try:
            number = Decimal(raw) if not isinstance(raw, int) else raw
        except ArithmeticError:
            raise UsageError(f"{path}: {name} must be a number, got {shown(raw)}", hint=hint) from None
        if (isinstance(number, Decimal) and not number.is_finite()) or number < 0:
            raise UsageError(f"{path}: {name} must be a finite number, 0 or more, got {shown(raw)}", hint=hint)
        if name == "free_tier_requests":
            if number != int(number):
                raise UsageError(f"{path}: free_tier_requests must be a whole number, got {shown(raw)}", hint=hint)
            number = int(number)
        values[field_name] = number
    as_of = data.get("as_of")
    source = data.get("source") or data.get("sources")
    return PriceOverride(
        path=path,
        values=values,
        as_of=str(as_of) if as_of is not None else None,
        source=", ".join(map(str, source)) if isinstance(source, list) else (str(source) if source else None),
    )
