"""The one dated price table kvsctl's cost estimates rest on, with where each figure comes from.

Prices change rarely but they do change: every figure here carries the date it was checked and its
source, both of which are echoed in the estimate's output. Override them with `--price-per-10k` and
`--key-price` rather than editing this file for a single estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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
