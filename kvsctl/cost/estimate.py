"""The estimator: assumptions in, one month of KMS cost out. Pure and exact.

The model (issues 5 and 17):

    pairs              = streams × (producers_per_stream + consumers_per_stream) × sessions_per_device
    per_session        = ceil(lifetime / interval)       a session asks at its start and each interval
    requests_per_pair  = ceil(hours × 60 × per_session / lifetime)
                         (ceil(hours × 60 / interval) for a credential that is never renewed)
    requests_per_month = pairs × requests_per_pair
    billable_requests  = max(0, requests_per_month − free tier)           (free tier optional)
    request_cost       = billable_requests × price_per_10k / 10,000
    key_cost           = customer_keys × key_price
                         + rotated keys × min(rotations, 2) × rotation_price

Requests follow credential sessions, not devices: each new credential (a renewed IoT role-alias credential,
a new assumed-role session) makes its own first request, then one per data-key interval while it lives.
With the defaults (730 h, 60-minute credentials, 5-minute interval) a session asks 12 times an hour and
a pair 8,760 times a month. A lifetime shorter than the interval means one request per lifetime; one
that is not a multiple of the interval costs a request for its last, partial interval.

Rounding: the month's requests per pair are rounded up once (a partial session at the end of the month
still starts with a request), then multiplied by the pairs.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from kvsctl.cost.model import (
    Comparison,
    CostAssumptions,
    CostEstimate,
    CostInputError,
    CostLine,
    CredentialPoint,
    Scenario,
)
from kvsctl.cost.prices import (
    DEFAULT_CREDENTIAL_LIFETIME_MINUTES,
    DEFAULT_DATA_KEY_INTERVAL_MINUTES,
    DEFAULT_SESSIONS_PER_DEVICE,
    IOT_ROLE_ALIAS_URL,
    KDS_CADENCE_URL,
    PRICES,
    ROLE_ALIAS_MAX_MINUTES,
    ROLE_ALIAS_MIN_MINUTES,
)
from kvsctl.words import plural

_TEN_THOUSAND = Decimal(10_000)
_CADENCE_NOTE = (
    "KVS does not document how often it asks KMS for a data key; the default data-key interval of "
    "5 minutes per credential comes from Kinesis Data Streams' documentation "
    f"({KDS_CADENCE_URL})."
)
_LIFETIME_NOTE = (
    "Credential lifetime defaults to 60 minutes: AWS IoT role aliases issue credentials for 3,600 s unless "
    f"credentialDurationSeconds says otherwise ({IOT_ROLE_ALIAS_URL}); the producer SDK renews them shortly "
    "before expiry, and each new credential makes its own first KMS request."
)
_SESSIONS_NOTE = (
    "One credential session per producer or consumer (inferred: a KVS client holds one credential provider; "
    "AWS documents no figure). Use --sessions-per-device when devices run several clients."
)
#: KMS pricing page: the $1/month is "the same for ... multi-Region keys (each primary and each replica
#: multi-Region key), keys with imported key material, and KMS keys with a key origin of either AWS
#: CloudHSM or an external key store (XKS)"; a CloudHSM key store adds CloudHSM's own charges.
_KEY_KINDS_NOTE = (
    "Keys with imported key material, keys in custom key stores and each multi-Region primary and replica "
    "are priced like any customer managed key; a CloudHSM key store's cluster (at least two HSMs) is billed "
    "by CloudHSM and is not in this estimate."
)

_FREE_TIER_NOTE = (
    "The KMS free tier (20,000 requests a month) is per account across all regions: any other KMS "
    "use in the account draws on it too."
)


@contextmanager
def exact_arithmetic() -> Iterator[None]:
    """Decimal arithmetic that raises instead of rounding, so every dollar figure is exact."""
    with decimal.localcontext() as ctx:
        ctx.prec = 80
        ctx.traps[decimal.Inexact] = True
        ctx.traps[decimal.Rounded] = True
        try:
            yield
        except (decimal.Inexact, decimal.Rounded):
            raise CostInputError(
                "the assumptions are too large or too precise to compute exactly",
                hint="use fewer digits",
            ) from None


def requests_per_pair(a: CostAssumptions) -> int:
    """KMS requests one (credential session, stream) pair makes in a month.

    Sessions of `lifetime` minutes follow one another; each asks ceil(lifetime / interval) times.
    """
    minutes = Fraction(a.hours_per_month) * 60
    per_session = a.requests_per_session
    if per_session is None or a.credential_lifetime_minutes is None:
        return math.ceil(minutes / Fraction(a.data_key_interval_minutes))
    return math.ceil(minutes * per_session / Fraction(a.credential_lifetime_minutes))


def estimate(a: CostAssumptions) -> CostEstimate:
    """One month of KMS cost for KVS under the assumptions `a`."""
    per_pair = requests_per_pair(a)
    requests = a.pairs * per_pair
    free = min(requests, a.free_tier_requests) if a.free_tier else 0
    billable = requests - free
    rotations_billed = min(a.rotations, PRICES.billed_rotations_per_key)
    rotation_months = a.rotated_key_count * rotations_billed

    with exact_arithmetic():
        per_request = a.price_per_10k / _TEN_THOUSAND
        gross_requests = Decimal(requests) * per_request
        free_credit = Decimal(0) - Decimal(free) * per_request  # never -0
        request_cost = gross_requests + free_credit
        keys = Decimal(a.customer_keys) * a.key_price
        rotation = Decimal(rotation_months) * a.rotation_price
        key_cost = keys + rotation
        total = request_cost + key_cost

    lines = (
        CostLine(
            code="requests",
            description=f"KMS requests ({a.pairs:,} credential-stream pairs × {per_pair:,})",
            quantity=requests,
            unit="request",
            unit_price_usd=per_request,
            amount_usd=gross_requests,
        ),
        CostLine(
            code="free_tier",
            description="free tier (per account)" if a.free_tier else "free tier (off)",
            quantity=free,
            unit="request",
            unit_price_usd=per_request,
            amount_usd=free_credit,
        ),
        CostLine(
            code="customer_keys",
            description="customer managed keys (AWS managed keys are free)",
            quantity=a.customer_keys,
            unit="key-month",
            unit_price_usd=a.key_price,
            amount_usd=keys,
        ),
        CostLine(
            code="key_rotations",
            description=f"key rotations ({plural(a.rotated_key_count, 'key')} × "
            f"{plural(rotations_billed, 'billed rotation')})",
            quantity=rotation_months,
            unit="rotation-month",
            unit_price_usd=a.rotation_price,
            amount_usd=rotation,
        ),
    )
    return CostEstimate(
        assumptions=a,
        requests_per_pair=per_pair,
        requests_per_month=requests,
        free_requests=free,
        billable_requests=billable,
        request_cost_usd=request_cost,
        key_cost_usd=key_cost,
        total_usd=total,
        breakdown=lines,
        notes=_notes(a),
    )


def _notes(a: CostAssumptions) -> tuple[str, ...]:
    notes: list[str] = []
    if a.calibration_file is not None:
        pass  # the caller puts where the measured interval comes from first
    elif a.data_key_interval_minutes == DEFAULT_DATA_KEY_INTERVAL_MINUTES:
        notes.append(_CADENCE_NOTE)
    else:
        notes.append(
            f"Data-key interval {a.data_key_interval_minutes} min as given: KVS documents no cadence "
            "(Kinesis Data Streams documents 5 minutes); `kvsctl cost calibrate` measures it."
        )
    if a.free_tier:
        notes.append(_FREE_TIER_NOTE)
    lifetime = a.credential_lifetime_minutes
    if lifetime is None:
        notes.append("Credentials are modelled as never renewed: each pair asks once per data-key interval.")
    else:
        if lifetime == DEFAULT_CREDENTIAL_LIFETIME_MINUTES:
            notes.append(_LIFETIME_NOTE)
        if lifetime < a.data_key_interval_minutes:
            notes.append(
                f"Credentials live {lifetime} min, less than the {a.data_key_interval_minutes}-minute "
                "data-key interval: each new credential makes its own first request, so each pair asks "
                f"KMS every {lifetime} min."
            )
        elif Fraction(lifetime) % Fraction(a.data_key_interval_minutes):
            notes.append(
                f"Credentials live {lifetime} min, not a multiple of the {a.data_key_interval_minutes}-minute "
                f"data-key interval: each session asks {a.requests_per_session} times (at its start and each "
                "interval it lives into), the last interval cut short by the renewal."
            )
    if a.sessions_per_device == DEFAULT_SESSIONS_PER_DEVICE:
        notes.append(_SESSIONS_NOTE)
    else:
        notes.append(
            f"Each producer and consumer holds {a.sessions_per_device} credential sessions at once; each "
            "session asks KMS on its own."
        )
    notes.append(
        "Customer managed keys are billed per hour held; the estimate assumes every key is held the whole month."
    )
    notes.append(_KEY_KINDS_NOTE)
    if a.price_file is None:
        notes.append(
            f"Prices as of {PRICES.as_of.isoformat()} from {', '.join(PRICES.sources)}; "
            "override with --price-file, --price-per-10k and --key-price."
        )
    return tuple(notes)


# --- --compare ------------------------------------------------------------------------------------


def _with_keys(a: CostAssumptions, customer_keys: int) -> CostAssumptions:
    """`a` holding `customer_keys` keys, rotated in the same proportion as today."""
    if a.rotated_keys is None:  # "all keys rotated" stays all keys
        return replace(a, customer_keys=customer_keys)
    if a.rotated_keys == a.customer_keys:
        return replace(a, customer_keys=customer_keys, rotated_keys=customer_keys)
    return replace(a, customer_keys=customer_keys, rotated_keys=min(a.rotated_keys, customer_keys))


def scenarios(a: CostAssumptions) -> tuple[Scenario, ...]:
    """Today and the levers that change it, each a full estimate.

    - today: the assumptions as given;
    - key_per_stream: one customer managed key per stream;
    - shared_key: one customer managed key shared by every stream;
    - aws_managed_key: every stream on alias/aws/kinesisvideo (no key cost, requests still billed);
    - longer_credentials: credentials cached at least as long as the data-key interval (never renewed);
    - credentials_15_min / credentials_12_h: credentials renewed at the IoT role alias's shortest and
      longest durations (900 s and 43,200 s), the rest as given;
    - one_session_per_device: one credential session per producer and consumer.
    """
    variants: list[tuple[str, str, str, CostAssumptions]] = [
        ("today", "Today", "the assumptions as given", a),
        (
            "key_per_stream",
            "Key per stream",
            f"one customer managed key per stream ({a.streams})",
            _with_keys(a, a.streams),
        ),
        (
            "shared_key",
            "One shared key",
            "one customer managed key for every stream",
            _with_keys(a, 1),
        ),
        (
            "aws_managed_key",
            "AWS managed key",
            "every stream on alias/aws/kinesisvideo: free to hold, requests still billed",
            replace(a, customer_keys=0, rotated_keys=None),
        ),
        (
            "longer_credentials",
            "Cache credentials",
            (
                "credentials never renewed (cached at least as long as the month): one request per "
                f"data-key interval ({a.data_key_interval_minutes} min)"
            ),
            replace(a, credential_lifetime_minutes=None),
        ),
        (
            "credentials_15_min",
            "15-min credentials",
            "credentials renewed every 15 minutes (the shortest IoT role-alias duration, 900 s)",
            replace(a, credential_lifetime_minutes=ROLE_ALIAS_MIN_MINUTES),
        ),
        (
            "credentials_12_h",
            "12-h credentials",
            "credentials renewed every 12 hours (the longest IoT role-alias duration, 43,200 s)",
            replace(a, credential_lifetime_minutes=ROLE_ALIAS_MAX_MINUTES),
        ),
        (
            "one_session_per_device",
            "1 session/device",
            "one credential session per producer and consumer",
            replace(a, sessions_per_device=1),
        ),
    ]
    estimates = [(n, t, d, estimate(v)) for n, t, d, v in variants]
    today_total = estimates[0][3].total_usd
    with exact_arithmetic():
        return tuple(
            Scenario(name=n, title=t, description=d, estimate=e, delta_usd=e.total_usd - today_total)
            for n, t, d, e in estimates
        )


_CURVE_FACTORS = (
    Fraction(1, 10),
    Fraction(1, 2),
    Fraction(1),
    Fraction(2),
    Fraction(5),
    Fraction(10),
)


def credential_curve(a: CostAssumptions, stream_counts: Sequence[int] | None = None) -> tuple[CredentialPoint, ...]:
    """Monthly cost as the number of credential-stream pairs grows.

    The fleet grows by streams, each with today's producers and consumers per stream and today's
    keys. Without `stream_counts` the points are 1/10, 1/2, 1, 2, 5 and 10 times today's streams
    (rounded up, at least 1, without repeats).
    """
    if stream_counts is None:
        base = max(a.streams, 1)
        counts = sorted({max(1, math.ceil(base * f)) for f in _CURVE_FACTORS})
    else:
        counts = sorted(set(stream_counts))
    points = []
    for n in counts:
        e = estimate(_scaled_streams(a, n))
        points.append(
            CredentialPoint(
                streams=n,
                credentials=e.assumptions.pairs,
                requests_per_month=e.requests_per_month,
                total_usd=e.total_usd,
            )
        )
    return tuple(points)


def _scaled_streams(a: CostAssumptions, streams: int) -> CostAssumptions:
    return replace(a, streams=streams)


def compare(a: CostAssumptions) -> Comparison:
    """The data behind `kvsctl cost estimate --compare`."""
    return Comparison(scenarios=scenarios(a), credential_curve=credential_curve(a))


def with_notes(e: CostEstimate, extra: Sequence[str]) -> CostEstimate:
    """`e` with `extra` notes first (where the inputs came from: a calibration, a price file)."""
    return replace(e, notes=(*extra, *e.notes)) if extra else e


def comparison_with_notes(c: Comparison, extra: Sequence[str]) -> Comparison:
    if not extra:
        return c
    scenarios = tuple(replace(s, estimate=with_notes(s.estimate, extra)) for s in c.scenarios)
    return replace(c, scenarios=scenarios)
