"""The cost model's inputs and outputs: frozen dataclasses, validated on construction.

Numbers are exact: counts are `int`, everything else (minutes, hours, prices, dollars) is `Decimal`.
Floats are refused, so an estimate never drifts by a binary rounding error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction

from kvsctl.cost.prices import (
    DEFAULT_CREDENTIAL_LIFETIME_MINUTES,
    DEFAULT_DATA_KEY_INTERVAL_MINUTES,
    DEFAULT_HOURS_PER_MONTH,
    DEFAULT_SESSIONS_PER_DEVICE,
    PRICES,
)
from kvsctl.errors import UsageError, shown


class CostInputError(UsageError, ValueError):
    """An assumption that makes no sense (negative count, zero interval, not a number): exit 2.

    A UsageError, so the CLI's error boundary reports it as an input error before any AWS call; also a
    ValueError, since that is what it is to a caller of the pure estimator.
    """

    default_code = "invalid_cost_input"


def parse_count(name: str, text: str) -> int:
    """Parse a non-negative whole number given for the option `name`."""
    try:
        value = int(text.strip().replace("_", ""), 10)
    except ValueError:
        raise CostInputError(f"{name}: {shown(text)} is not a whole number", hint=f"give {name} as e.g. 10") from None
    if value < 0:
        raise CostInputError(f"{name}: must be 0 or more, got {value}")
    return value


def parse_decimal(name: str, text: str) -> Decimal:
    """Parse a finite decimal number (no floats: '0.1' stays exactly one tenth)."""
    try:
        value = Decimal(text.strip().replace("_", ""))
    except InvalidOperation:
        raise CostInputError(f"{name}: {shown(text)} is not a number", hint=f"give {name} as e.g. 5 or 2.5") from None
    if not value.is_finite():
        raise CostInputError(f"{name}: {shown(text)} is not a finite number")
    return value


def _check_count(name: str, value: object) -> None:
    # bool is an int subclass; True streams is a bug, not an input.
    if isinstance(value, bool) or not isinstance(value, int):
        raise CostInputError(f"{name}: expected a whole number, got {shown(value)}")
    if value < 0:
        raise CostInputError(f"{name}: must be 0 or more, got {value}")


def _check_decimal(name: str, value: object, *, positive: bool) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise CostInputError(f"{name}: expected a finite decimal number, got {shown(value)}")
    if positive and value <= 0:
        raise CostInputError(f"{name}: must be more than 0, got {value}")
    if not positive and value < 0:
        raise CostInputError(f"{name}: must be 0 or more, got {value}")


@dataclass(frozen=True)
class CostAssumptions:
    """Every input of the model with its default; echoed verbatim under `assumptions`.

    A (credential, stream) pair makes one KMS request per data-key interval. Credentials are
    counted per stream: a producer writing to three streams is three pairs.
    """

    streams: int = 1
    producers_per_stream: int = 1
    consumers_per_stream: int = 1
    customer_keys: int = 1
    """Customer managed keys held for these streams ($1/month each). 0 = all on the AWS managed key."""
    data_key_interval_minutes: Decimal = DEFAULT_DATA_KEY_INTERVAL_MINUTES
    hours_per_month: Decimal = DEFAULT_HOURS_PER_MONTH
    free_tier: bool = True
    free_tier_requests: int = PRICES.free_tier_requests
    price_per_10k: Decimal = PRICES.symmetric_requests_per_10k
    key_price: Decimal = PRICES.customer_key_month
    rotation_price: Decimal = PRICES.rotation_month
    rotated_keys: int | None = None
    """Customer keys that have been rotated; None means all of them."""
    rotations: int = 0
    """Rotations each rotated key has had so far; only the first two are billed."""
    credential_lifetime_minutes: Decimal | None = DEFAULT_CREDENTIAL_LIFETIME_MINUTES
    """How long one credential session lives (IoT role alias default: 60); None = forever (never renewed)."""
    sessions_per_device: int = DEFAULT_SESSIONS_PER_DEVICE
    """Credential sessions each producer or consumer holds at once (1 unless a device runs several clients)."""
    calibration_file: str | None = None
    """The `cost calibrate --save` file the data-key interval was measured in, if any."""
    price_file: str | None = None
    """The --price-file the prices came from, if any."""

    def __post_init__(self) -> None:
        for name in (
            "streams",
            "producers_per_stream",
            "consumers_per_stream",
            "customer_keys",
            "free_tier_requests",
            "rotations",
            "sessions_per_device",
        ):
            _check_count(name, getattr(self, name))
        if self.sessions_per_device < 1:
            raise CostInputError(
                f"sessions_per_device: must be 1 or more, got {self.sessions_per_device}",
                hint="each producer or consumer holds at least one credential session",
            )
        _check_decimal("data_key_interval_minutes", self.data_key_interval_minutes, positive=True)
        _check_decimal("hours_per_month", self.hours_per_month, positive=True)
        for name in ("price_per_10k", "key_price", "rotation_price"):
            _check_decimal(name, getattr(self, name), positive=False)
        if not isinstance(self.free_tier, bool):
            raise CostInputError(f"free_tier: expected true or false, got {shown(self.free_tier)}")
        if self.rotated_keys is not None:
            _check_count("rotated_keys", self.rotated_keys)
            if self.rotated_keys > self.customer_keys:
                raise CostInputError(
                    f"rotated_keys: {self.rotated_keys} is more than customer_keys ({self.customer_keys})",
                    hint="a rotated key is one of the customer managed keys",
                )
        if self.credential_lifetime_minutes is not None:
            _check_decimal("credential_lifetime_minutes", self.credential_lifetime_minutes, positive=True)

    @property
    def credentials_per_stream(self) -> int:
        """Credential sessions per stream at any moment: (producers + consumers) × sessions per device."""
        return (self.producers_per_stream + self.consumers_per_stream) * self.sessions_per_device

    @property
    def pairs(self) -> int:
        """Distinct (credential, stream) pairs at any moment."""
        return self.streams * self.credentials_per_stream

    @property
    def rotated_key_count(self) -> int:
        return self.customer_keys if self.rotated_keys is None else self.rotated_keys

    @property
    def requests_per_session(self) -> int | None:
        """KMS requests one credential session makes on one stream in its lifetime: at its start and at
        the start of every data-key interval it lives into, ceil(lifetime / interval). None = never renewed."""
        lifetime = self.credential_lifetime_minutes
        if lifetime is None:
            return None
        return math.ceil(Fraction(lifetime) / Fraction(self.data_key_interval_minutes))

    @property
    def effective_interval_minutes(self) -> Decimal:
        """Average minutes between one pair's KMS requests: lifetime / requests per session (to 10 decimals
        when it does not divide), or the data-key interval for a credential that is never renewed."""
        per_session = self.requests_per_session
        lifetime = self.credential_lifetime_minutes
        if per_session is None or lifetime is None:
            return self.data_key_interval_minutes
        if per_session == 1:
            return lifetime
        with localcontext() as ctx:
            ctx.prec = 60
            try:
                return (lifetime / per_session).quantize(Decimal("1e-10")).normalize()
            except InvalidOperation:  # too many digits to show to 10 decimals: show it as computed
                return (lifetime / per_session).normalize()


@dataclass(frozen=True)
class CostLine:
    """One line of the bill; the lines' amounts add up to the estimate's total exactly."""

    code: str
    """Stable id: requests, free_tier, customer_keys, key_rotations."""
    description: str
    quantity: int
    unit: str
    unit_price_usd: Decimal
    amount_usd: Decimal


@dataclass(frozen=True)
class CostEstimate:
    """One month of KMS cost for KVS under `assumptions`. Money is exact (unrounded)."""

    assumptions: CostAssumptions
    requests_per_pair: int
    requests_per_month: int
    free_requests: int
    billable_requests: int
    request_cost_usd: Decimal
    key_cost_usd: Decimal
    total_usd: Decimal
    breakdown: tuple[CostLine, ...]
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Scenario:
    """One column of `--compare`: a named variation of today's assumptions and its estimate."""

    name: str
    """Stable id: today, key_per_stream, shared_key, aws_managed_key, longer_credentials."""
    title: str
    description: str
    estimate: CostEstimate
    delta_usd: Decimal
    """total_usd minus today's total_usd (negative = saves money)."""


@dataclass(frozen=True)
class CredentialPoint:
    """One point of the cost-against-credential-count curve."""

    streams: int
    credentials: int
    """(credential, stream) pairs: streams × (producers + consumers per stream)."""
    requests_per_month: int
    total_usd: Decimal


@dataclass(frozen=True)
class Comparison:
    """Everything `--compare` shows, as data; rendering is elsewhere."""

    scenarios: tuple[Scenario, ...]
    credential_curve: tuple[CredentialPoint, ...]


def assumption_names() -> tuple[str, ...]:
    """The assumption fields in declaration order (the JSON echo's key order)."""
    return tuple(f.name for f in fields(CostAssumptions))
