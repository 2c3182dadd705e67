"""Client factory: one place that builds boto3 clients (profile, region, endpoint, retries, user agent),
and one place every call goes through (retries for what botocore does not retry, error translation).
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kvsctl import __version__
from kvsctl.aws.errors import translate_botocore_error, translate_client_error
from kvsctl.errors import AwsError

#: Throttling codes that botocore's standard retry mode does not retry but that mean "slow down".
#: KVS answers ClientLimitExceededException (FACTS.md).
EXTRA_RETRYABLE = frozenset({"ClientLimitExceededException", "TooManyRequestsException"})


def _env_int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


def _env_float(name: str, default: float) -> float:
    try:
        return max(0.0, float(os.environ.get(name, default)))
    except ValueError:
        return default


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Defaults suit real AWS; tests shrink them through the environment."""

    max_attempts: int = field(default_factory=lambda: _env_int("KVSCTL_MAX_ATTEMPTS", 6))
    base_delay: float = field(default_factory=lambda: _env_float("KVSCTL_RETRY_BASE_DELAY", 0.25))
    max_delay: float = field(default_factory=lambda: _env_float("KVSCTL_RETRY_MAX_DELAY", 8.0))
    connect_timeout: float = field(default_factory=lambda: _env_float("KVSCTL_CONNECT_TIMEOUT", 5.0))
    read_timeout: float = field(default_factory=lambda: _env_float("KVSCTL_READ_TIMEOUT", 30.0))

    def delay(self, attempt: int) -> float:
        """Full-jitter exponential backoff (attempt counts from 1)."""
        return random.uniform(0, min(self.max_delay, self.base_delay * (2 ** (attempt - 1))))


@dataclass(frozen=True)
class AwsConfig:
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None


class CallStats:
    """Counts the API calls made, per service and operation (benchmarks and --debug read it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: dict[str, int] = {}

    def add(self, key: str) -> None:
        with self._lock:
            self.calls[key] = self.calls.get(key, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.calls.values())


class ClientFactory:
    """Builds clients lazily; every call goes through `call` for retries and error translation."""

    def __init__(
        self,
        config: AwsConfig | None = None,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config or AwsConfig()
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.stats = CallStats()
        self._session: Any = None
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    # -- session and clients -------------------------------------------------------------------
    def _boto_session(self) -> Any:
        if self._session is None:
            import boto3
            from botocore import exceptions as bce

            try:
                self._session = boto3.session.Session(profile_name=self.config.profile)
            except bce.BotoCoreError as exc:
                raise (translate_botocore_error(exc) or AwsError(str(exc))) from exc
        return self._session

    @property
    def region(self) -> str:
        region = (
            self.config.region
            or os.environ.get("AWS_REGION")
            or os.environ.get("AWS_DEFAULT_REGION")
            or self._boto_session().region_name
        )
        if not region:
            raise AwsError(
                "no AWS region is set",
                hint="Pass --region, set AWS_REGION, or set a region in the profile.",
                code="no_region",
            )
        return str(region)

    @property
    def endpoint_url(self) -> str | None:
        return self.config.endpoint_url or None

    def client(self, service: str, region: str | None = None) -> Any:
        region = region or self.region
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                from botocore.config import Config

                cfg = Config(
                    region_name=region,
                    retries={"mode": "standard", "max_attempts": self.retry.max_attempts},
                    user_agent_extra=f"kvsctl/{__version__}",
                    connect_timeout=self.retry.connect_timeout,
                    read_timeout=self.retry.read_timeout,
                    max_pool_connections=32,
                )
                kwargs: dict[str, Any] = {"config": cfg}
                if self.endpoint_url:
                    kwargs["endpoint_url"] = self.endpoint_url
                try:
                    self._clients[key] = self._boto_session().client(service, **kwargs)
                except Exception as exc:  # botocore raises plain BotoCoreError subclasses here
                    translated = translate_botocore_error(exc)
                    if translated is None:
                        raise
                    raise translated from exc
            return self._clients[key]

    # -- calls ------------------------------------------------------------------------------------
    def call(self, service: str, operation: str, *, region: str | None = None, **params: Any) -> dict[str, Any]:
        """Call one operation with retries on extra throttling codes, translating every failure."""
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.client(service, region)
        method = getattr(client, operation)
        api_name = client.meta.method_to_api_mapping.get(operation, operation)
        attempt = 0
        while True:
            attempt += 1
            self.stats.add(f"{service}.{api_name}")
            try:
                result: dict[str, Any] = method(**params)
                return result
            except ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code", ""))
                if code in EXTRA_RETRYABLE and attempt < self.retry.max_attempts:
                    self.sleep(self.retry.delay(attempt))
                    continue
                raise translate_client_error(exc, api_name) from exc
            except BotoCoreError as exc:
                translated = translate_botocore_error(exc, api_name)
                if translated is None:
                    raise
                raise translated from exc

    def paginate(
        self,
        service: str,
        operation: str,
        items_key: str,
        *,
        token_in: str,
        token_out: str,
        truncated_key: str | None = None,
        region: str | None = None,
        **params: Any,
    ) -> Iterator[Any]:
        """Yield every item of every page, each page fetched through `call` (so each is retried)."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            page_params = dict(params)
            if token:
                page_params[token_in] = token
            page = self.call(service, operation, region=region, **page_params)
            yield from page.get(items_key) or []
            token = page.get(token_out)
            if truncated_key is not None and not page.get(truncated_key):
                return
            if not token:
                return
            if token in seen:  # a service that repeats a token would loop forever
                raise AwsError(
                    f"{operation} returned the same page token twice",
                    hint="This is a service fault; retry later.",
                    code="paging_loop",
                )
            seen.add(token)
