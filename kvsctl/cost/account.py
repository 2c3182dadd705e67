"""Estimating from what an account holds: streams, the keys they use, the keys nobody uses. Pure.

A service reads the account (through `kvsctl/aws/`) and hands over plain facts; this module counts
and prices them with the same model as the offline estimate:

- streams: every stream; each has producers_per_stream + consumers_per_stream credentials;
- charged keys: the distinct customer managed keys of this account that at least one stream uses,
  except keys pending deletion (AWS does not bill those);
- streams on the AWS managed key count toward requests, and no key is charged for them;
- a stream whose key is in another account (or cannot be found) counts toward requests; its key is
  listed under `other_keys` and not charged here (its owner pays to hold it);
- customer managed keys no stream uses are listed under `unused_keys`: they cost money, but not
  because of KVS, so they stay out of the total.

Requests and their cost are also given per stream and per key *before* the free tier, which is
one allowance for the whole account and so belongs to no stream in particular.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from kvsctl.cost.estimate import estimate, exact_arithmetic, requests_per_pair
from kvsctl.cost.model import CostAssumptions, CostEstimate
from kvsctl.cost.prices import PRICES
from kvsctl.words import plural, verb

AWS_MANAGED = "aws-managed"
_NOT_BILLED_STATES = frozenset({"PendingDeletion", "PendingReplicaDeletion"})


@dataclass(frozen=True)
class AccountKey:
    """A customer managed key of the account, as far as cost is concerned."""

    arn: str
    aliases: tuple[str, ...] = ()
    state: str = "Enabled"
    rotation_enabled: bool | None = None

    @property
    def billed(self) -> bool:
        return self.state not in _NOT_BILLED_STATES


@dataclass(frozen=True)
class StreamKeyUse:
    """One stream and the key it uses.

    `key` is the customer managed key's ARN when it resolved, AWS_MANAGED for the AWS managed key,
    or KVS's verbatim reference when it could not be resolved (another account, missing).
    """

    name: str
    key: str


@dataclass(frozen=True)
class AccountUsage:
    streams: tuple[StreamKeyUse, ...]
    keys: tuple[AccountKey, ...]
    """Every customer managed key of the account, used or not."""


@dataclass(frozen=True)
class StreamCost:
    name: str
    key: str
    encryption: str  # "aws-managed" | "customer-managed"
    credentials: int
    requests_per_month: int
    request_cost_usd: Decimal  # before the account-wide free tier


@dataclass(frozen=True)
class KeyCost:
    key: str  # key ARN, AWS_MANAGED, or an unresolved reference
    aliases: tuple[str, ...]
    kind: str  # "customer-managed" | "aws-managed" | "other"
    streams: tuple[str, ...]
    requests_per_month: int
    request_cost_usd: Decimal  # before the account-wide free tier
    key_cost_usd: Decimal
    rotation_enabled: bool | None
    charged: bool


@dataclass(frozen=True)
class AccountEstimate:
    estimate: CostEstimate
    per_stream: tuple[StreamCost, ...]
    per_key: tuple[KeyCost, ...]
    unused_keys: tuple[AccountKey, ...]


def estimate_account(usage: AccountUsage, base: CostAssumptions) -> AccountEstimate:
    """Price what the account holds; `base` supplies everything not counted (credentials, prices)."""
    own = {k.arn: k for k in usage.keys}
    used = {s.key for s in usage.streams}
    charged = sorted(arn for arn in used if arn in own and own[arn].billed)
    rotated = sum(1 for arn in charged if own[arn].rotation_enabled)
    assumptions = replace(base, streams=len(usage.streams), customer_keys=len(charged), rotated_keys=rotated)
    total = estimate(assumptions)
    notes = list(total.notes)
    if base.rotations and any(own[arn].rotation_enabled is None for arn in charged):
        notes.append("Rotation status of some keys could not be read; they are counted as not rotated.")

    per_pair = requests_per_pair(assumptions)
    credentials = assumptions.credentials_per_stream
    per_stream_requests = credentials * per_pair
    with exact_arithmetic():
        per_request = assumptions.price_per_10k / Decimal(10_000)
        stream_cost = Decimal(per_stream_requests) * per_request
        one_key = assumptions.key_price
        one_rotated = assumptions.rotation_price * min(assumptions.rotations, PRICES.billed_rotations_per_key)

    per_stream = tuple(
        StreamCost(
            name=s.name,
            key=s.key,
            encryption=AWS_MANAGED if s.key == AWS_MANAGED else "customer-managed",
            credentials=credentials,
            requests_per_month=per_stream_requests,
            request_cost_usd=stream_cost,
        )
        for s in sorted(usage.streams, key=lambda s: s.name)
    )

    per_key: list[KeyCost] = []
    for key in sorted(used, key=lambda k: (k == AWS_MANAGED, k)):
        names = tuple(s.name for s in per_stream if s.key == key)
        info = own.get(key)
        is_charged = key in charged
        with exact_arithmetic():
            key_cost = Decimal(0)
            if is_charged:
                key_cost = one_key + (one_rotated if info and info.rotation_enabled else 0)
            requests = per_stream_requests * len(names)
            per_key.append(
                KeyCost(
                    key=key,
                    aliases=info.aliases if info else (),
                    kind=(AWS_MANAGED if key == AWS_MANAGED else "customer-managed" if info else "other"),
                    streams=names,
                    requests_per_month=requests,
                    request_cost_usd=Decimal(requests) * per_request,
                    key_cost_usd=key_cost,
                    rotation_enabled=info.rotation_enabled if info else None,
                    charged=is_charged,
                )
            )
    others = [k.key for k in per_key if k.kind == "other"]
    if others:
        notes.append(
            f"{plural(len(others), 'key')} used by streams {verb(len(others))} not "
            f"{'a customer managed key' if len(others) == 1 else 'customer managed keys'} of this account "
            "(another account's, or missing): their requests are counted, holding them is not."
        )
    pending = [arn for arn in used if arn in own and not own[arn].billed]
    if pending:
        notes.append(
            f"{plural(len(pending), 'used key')} {verb(len(pending))} pending deletion: AWS does not bill holding "
            f"{'it' if len(pending) == 1 else 'them'}."
        )

    unused = tuple(sorted((k for k in usage.keys if k.arn not in used), key=lambda k: k.arn))
    if unused:
        notes.append(
            f"{plural(len(unused), 'customer managed key')} {verb(len(unused))} used by no stream: listed under "
            "unused_keys, "
            "not counted as KVS cost."
        )
    return AccountEstimate(
        estimate=replace(total, notes=tuple(notes)),
        per_stream=per_stream,
        per_key=tuple(per_key),
        unused_keys=unused,
    )
