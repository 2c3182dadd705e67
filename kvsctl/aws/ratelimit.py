"""Client-side rate limits: a fleet audit never sends an API faster than AWS's documented quota for it.

One token bucket per (account, API) — AWS applies these quotas per account and Region, and the cameras
of the same account draw on them too — and, for DescribeStream, one per stream: KVS allows 5 TPS per
stream for DescribeStream and GetDataEndpoint, and kvsctl keeps to 2 so the producers' own calls are not
starved. Every ClientFactory of one account (one per Region, or per assumed role) shares the account's
limiter, so concurrency never multiplies the rate.

Sources (requests per second):
- KVS: "Kinesis Video Streams service quotas" — ListStreams 50 TPS per account; DescribeStream 300 TPS per
  account, 5 TPS per stream.
- KMS: "Request quotas" — DescribeKey 2000, GetKeyPolicy 1000, GetKeyRotationStatus 1000, ListAliases 500,
  ListKeys 500, ListGrants 100, DescribeCustomKeyStores 5 (the custom key store request quota).
- IAM, STS, Organizations publish no per-API rates for these read calls; kvsctl stays well below what they
  tolerate (IAM 20, STS AssumeRole 50, Organizations 2: the Organizations API is throttled per account at
  low rates).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

#: (service, API) -> requests per second, per account and region.
ACCOUNT_RATES: dict[tuple[str, str], float] = {
    ("kinesisvideo", "ListStreams"): 50.0,
    ("kinesisvideo", "DescribeStream"): 300.0,
    ("kms", "DescribeKey"): 2000.0,
    ("kms", "GetKeyPolicy"): 1000.0,
    ("kms", "GetKeyRotationStatus"): 1000.0,
    ("kms", "ListAliases"): 500.0,
    ("kms", "ListKeys"): 500.0,
    ("kms", "ListGrants"): 100.0,
    ("kms", "DescribeCustomKeyStores"): 5.0,
    ("sts", "AssumeRole"): 50.0,
    ("sts", "GetCallerIdentity"): 50.0,
    ("organizations", "ListAccounts"): 2.0,
    ("organizations", "ListPoliciesForTarget"): 2.0,
    ("organizations", "DescribePolicy"): 2.0,
    ("organizations", "ListParents"): 2.0,
}
#: Services whose every API gets a conservative rate when not listed above.
SERVICE_DEFAULTS: dict[str, float] = {"iam": 20.0, "organizations": 2.0, "sts": 50.0}
#: Per stream (DescribeStream, GetDataEndpoint): AWS allows 5; kvsctl leaves 3 to the cameras.
PER_STREAM_RATE = 2.0
PER_STREAM_APIS = frozenset({("kinesisvideo", "DescribeStream"), ("kinesisvideo", "GetDataEndpoint")})


class TokenBucket:
    """`rate` tokens a second, holding at most `burst` (default 1: requests are paced evenly, so no window of
    one second ever sees more than the quota); `acquire` waits for a token."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.burst = burst if burst is not None else 1.0
        self._tokens = self.burst
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self, cancelled: threading.Event | None = None) -> float:
        """Take one token, waiting as long as needed; returns the seconds waited. With `cancelled`, the
        wait ends as soon as it is set (Ctrl-C), without a token: the caller sends nothing then."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= 1.0 - 1e-9:  # tolerance: refilled floats land a hair short of 1
                    self._tokens = max(0.0, self._tokens - 1.0)
                    return waited
                wait = (1.0 - self._tokens) / self.rate
            if cancelled is not None and self._sleep is time.sleep:  # an injected sleep is a test's clock
                if cancelled.wait(wait):
                    return waited
            else:
                self._sleep(wait)
            waited += wait


class RateLimiter:
    """Buckets for one account: one per API (and per stream where AWS sets a per-stream quota)."""

    def __init__(
        self,
        rates: Mapping[tuple[str, str], float] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rates = dict(ACCOUNT_RATES if rates is None else rates)
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[tuple[str, ...], TokenBucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, key: tuple[str, ...], rate: float, burst: float | None = None) -> TokenBucket:
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(rate, burst, clock=self._clock, sleep=self._sleep)
            return bucket

    def rate_for(self, service: str, api: str) -> float | None:
        return self.rates.get((service, api), SERVICE_DEFAULTS.get(service))

    def acquire(
        self,
        service: str,
        api: str,
        region: str,
        params: Mapping[str, Any],
        *,
        cancelled: threading.Event | None = None,
    ) -> float:
        """Wait for the request's tokens; returns the seconds waited. A set `cancelled` ends the wait."""
        waited = 0.0
        rate = self.rate_for(service, api)
        if rate is not None:
            waited += self._bucket((region, service, api), rate).acquire(cancelled)
        if cancelled is not None and cancelled.is_set():
            return waited
        if (service, api) in PER_STREAM_APIS:
            stream = str(params.get("StreamARN") or params.get("StreamName") or "")
            if stream:
                # burst 1: at most PER_STREAM_RATE in any second, never a burst of 2 at once
                waited += self._bucket((region, service, api, stream), PER_STREAM_RATE, 1.0).acquire(cancelled)
        return waited


class LimiterRegistry:
    """One RateLimiter per account, shared by every factory that calls into that account."""

    def __init__(self, rates: Mapping[tuple[str, str], float] | None = None) -> None:
        self._rates = rates
        self._limiters: dict[str, RateLimiter] = {}
        self._lock = threading.Lock()

    def for_account(self, account: str) -> RateLimiter:
        with self._lock:
            if account not in self._limiters:
                self._limiters[account] = RateLimiter(self._rates)
            return self._limiters[account]
