"""Client factory: one place that builds boto3 clients (profile, region, endpoint, retries, user agent),
and one place every call goes through (retries for what botocore does not retry, error translation).
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kvsctl import __version__
from kvsctl.aws.errors import translate_botocore_error, translate_client_error, translate_credential_failure
from kvsctl.aws.ratelimit import RateLimiter
from kvsctl.errors import AwsError, UsageError, shown
from kvsctl.words import plural

#: kvsctl's own request log (--debug shows it, and not botocore's internals)
log = logging.getLogger("kvsctl.aws")

#: Error codes that mean "slow down": botocore's standard-mode list, plus KVS's
#: ClientLimitExceededException (https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_DescribeStream.html,
#: "Errors"), minus LimitExceededException, which KMS uses for resource
#: quotas (too many keys, aliases, grants) that no retry can fix.
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
        "ClientLimitExceededException",
    }
)
#: Transient failures worth another attempt (botocore's standard mode treats them the same way).
TRANSIENT_CODES = frozenset({"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"})
TRANSIENT_STATUS = frozenset({500, 502, 503, 504})


def is_retryable(exc: BaseException) -> bool:
    """True for throttling, 5xx and dropped or timed-out connections; False for everything else."""
    from botocore import exceptions as bce

    if isinstance(exc, bce.ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return code in THROTTLING_CODES or code in TRANSIENT_CODES or status in TRANSIENT_STATUS
    return isinstance(exc, bce.ConnectionError | bce.HTTPClientError)


def is_unsent_or_refused(exc: BaseException) -> bool:
    """True when the service surely did nothing: throttled, or the connection was never made. Only these
    are safe to retry for an operation that is not idempotent (CreateKey: a retry after a timeout or a 5xx
    could create a second key and orphan the first)."""
    from botocore import exceptions as bce

    if isinstance(exc, bce.ClientError):
        return str(exc.response.get("Error", {}).get("Code", "")) in THROTTLING_CODES
    return isinstance(exc, bce.EndpointConnectionError | bce.ConnectTimeoutError)


class NotAwsAnswer(Exception):
    """Raised from botocore's before-parse hook: an answer that cannot have come from AWS."""


#: Fields every answer of an operation has (AWS API references): "A" at the top, "A.B" inside a
#: structure, "A[].B" in each item of a list, with the Python types botocore parses them into. An answer
#: without them did not come from AWS (a captive portal, a proxy, a stand-in), and must never be read as
#: "nothing there" (an empty list that lets an audit pass, a cost of $0.00).
_STR, _DICT, _LIST, _BOOL = (str,), (dict,), (list,), (bool,)
_DOC = (str, dict)  # IAM policy documents: boto3 decodes them into dicts
PROMISED: dict[str, tuple[tuple[str, tuple[type, ...]], ...]] = {
    "DescribeStream": (("StreamInfo", _DICT), ("StreamInfo.StreamName", _STR), ("StreamInfo.StreamARN", _STR)),
    "ListStreams": (
        ("StreamInfoList", _LIST),
        ("StreamInfoList[].StreamName", _STR),
        ("StreamInfoList[].StreamARN", _STR),
    ),
    "CreateStream": (("StreamARN", _STR),),
    "DescribeKey": (("KeyMetadata", _DICT), ("KeyMetadata.KeyId", _STR), ("KeyMetadata.Arn", _STR)),
    "CreateKey": (("KeyMetadata", _DICT), ("KeyMetadata.KeyId", _STR), ("KeyMetadata.Arn", _STR)),
    "ListAliases": (("Aliases", _LIST), ("Aliases[].AliasName", _STR)),
    "ListKeys": (("Keys", _LIST), ("Keys[].KeyId", _STR)),
    "ListGrants": (("Grants", _LIST),),
    "GetKeyPolicy": (("Policy", _STR),),
    "GetKeyRotationStatus": (("KeyRotationEnabled", _BOOL),),
    "GetRole": (("Role", _DICT),),
    "GetUser": (("User", _DICT),),
    "GetRolePolicy": (("PolicyDocument", _DOC),),
    "GetUserPolicy": (("PolicyDocument", _DOC),),
    "GetGroupPolicy": (("PolicyDocument", _DOC),),
    "GetPolicy": (("Policy", _DICT), ("Policy.DefaultVersionId", _STR)),
    "GetPolicyVersion": (("PolicyVersion", _DICT), ("PolicyVersion.Document", _DOC)),
    "ListRolePolicies": (("PolicyNames", _LIST),),
    "ListUserPolicies": (("PolicyNames", _LIST),),
    "ListGroupPolicies": (("PolicyNames", _LIST),),
    "ListAttachedRolePolicies": (("AttachedPolicies", _LIST), ("AttachedPolicies[].PolicyArn", _STR)),
    "ListAttachedUserPolicies": (("AttachedPolicies", _LIST), ("AttachedPolicies[].PolicyArn", _STR)),
    "ListAttachedGroupPolicies": (("AttachedPolicies", _LIST), ("AttachedPolicies[].PolicyArn", _STR)),
    "ListGroupsForUser": (("Groups", _LIST), ("Groups[].GroupName", _STR)),
    "GetCallerIdentity": (("Account", _STR), ("Arn", _STR)),
}


def _values(doc: Any, path: str) -> list[Any] | None:
    """The values at `path` ("A", "A.B", "A[].B") in `doc`; None when a step is missing or mistyped."""
    values = [doc]
    for step in path.split("."):
        each = step.endswith("[]")
        name = step[:-2] if each else step
        found: list[Any] = []
        for v in values:
            if not isinstance(v, dict) or name not in v:
                return None
            found.extend(v[name] if each and isinstance(v[name], list) else [v[name]])
            if each and not isinstance(v[name], list):
                return None
        values = found
    return values


def _typed(value: Any, types: tuple[type, ...]) -> bool:
    # bool is an int in Python; a promised bool must be a bool, and nothing else may be one
    return isinstance(value, types) and (isinstance(value, bool) == (bool in types))


def missing_promise(operation: str, answer: Any) -> str | None:
    """The first promised field the answer lacks (or has with the wrong type), or None."""
    for path, types in PROMISED.get(operation, ()):
        values = _values(answer, path)
        if values is None or not all(_typed(v, types) for v in values):
            return path
    return None


def _check_wire(operation_model: Any = None, response_dict: Any = None, **_: Any) -> None:
    """botocore before-parse hook: refuse an answer AWS would never send, before botocore reads it as an
    empty result (its JSON parser turns a body it cannot parse into no fields at all)."""
    if operation_model is None or not isinstance(response_dict, dict):
        return
    status = int(response_dict.get("status_code") or 0)
    if 300 <= status < 400:
        raise NotAwsAnswer(f"a redirect (HTTP {status})")
    if status >= 300 or operation_model.has_streaming_output:
        return
    # (not the Content-Type: moto, the sandbox, labels its JSON text/html)
    body = response_dict.get("body") or b""
    if not isinstance(body, bytes | bytearray) or not body.strip():
        return
    head = bytes(body[:1024]).lower()
    if b"<html" in head or b"<!doctype html" in head:
        raise NotAwsAnswer("an HTML page")
    protocol = getattr(operation_model.service_model, "resolved_protocol", None) or operation_model.metadata.get(
        "protocol"
    )
    if protocol in ("json", "rest-json"):
        import json

        try:
            doc = json.loads(body)
        except ValueError:
            raise NotAwsAnswer("not JSON") from None
        if doc is not None and not isinstance(doc, dict):  # null: an empty answer (moto's for no output)
            raise NotAwsAnswer("JSON that is not an object")
    elif protocol in ("query", "rest-xml", "ec2") and not body.lstrip().startswith(b"<"):
        raise NotAwsAnswer("not XML")
    _parsing.active = True


#: Set once an answer passed the wire check: an exception while botocore parses it means a malformed answer.
_parsing = threading.local()


def _env_int(name: str, default: int) -> int:
    """A whole number >= 1 from the environment; anything else is a usage error (exit 2)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise UsageError(
            f"{name}={shown(raw)} is not a whole number of at least 1", hint=f"Unset it (default {default})."
        )
    return value


def _env_float(name: str, default: float, *, positive: bool = False) -> float:
    """Seconds from the environment: finite, >= 0 (> 0 when `positive`); anything else is exit 2."""
    import math

    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        least = "more than 0" if positive else "0 or more"
        raise UsageError(
            f"{name}={shown(raw)} is not a number of seconds {least}", hint=f"Unset it (default {default:g})."
        )
    return value


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Defaults suit real AWS; tests shrink them through the environment."""

    max_attempts: int = field(default_factory=lambda: _env_int("KVSCTL_MAX_ATTEMPTS", 6))
    base_delay: float = field(default_factory=lambda: _env_float("KVSCTL_RETRY_BASE_DELAY", 0.25))
    max_delay: float = field(default_factory=lambda: _env_float("KVSCTL_RETRY_MAX_DELAY", 8.0))
    connect_timeout: float = field(default_factory=lambda: _env_float("KVSCTL_CONNECT_TIMEOUT", 5.0, positive=True))
    read_timeout: float = field(default_factory=lambda: _env_float("KVSCTL_READ_TIMEOUT", 30.0, positive=True))
    #: the whole of one request, answer included: a drip-fed answer (a byte before each read timeout)
    #: would otherwise never end
    deadline: float = field(default_factory=lambda: _env_float("KVSCTL_REQUEST_DEADLINE", 120.0, positive=True))
    #: pages of one listing: a service handing out fresh tokens forever must not page forever
    max_pages: int = field(default_factory=lambda: _env_int("KVSCTL_MAX_PAGES", 5000))

    def delay(self, attempt: int) -> float:
        """Full-jitter exponential backoff (attempt counts from 1)."""
        return random.uniform(0, min(self.max_delay, self.base_delay * (2 ** (attempt - 1))))


@dataclass(frozen=True)
class AwsConfig:
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    #: Temporary credentials (access key, secret, session token) from STS AssumeRole: a fleet audit's
    #: session in another account. None: the standard chain (profile, environment, ...).
    credentials: tuple[str, str, str] | None = field(default=None, repr=False)


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


def check_profile_exists(name: str, flag: str) -> None:
    """A profile named on the command line must exist in the AWS config or credentials file, whether or
    not this run comes to use it: a typo is a usage error (exit 2) before any request."""
    import botocore.session
    from botocore import exceptions as bce

    try:
        known = botocore.session.Session().available_profiles
    except bce.BotoCoreError as exc:  # a config file botocore cannot parse
        raise (translate_botocore_error(exc) or AwsError(str(exc))) from exc
    if name not in known:
        raise UsageError(
            f"{flag} {shown(name)}: no such profile in the AWS config or credentials file",
            hint="List profiles with 'aws configure list-profiles' (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE).",
            code="unknown_profile",
        )


def _check_region(region: str) -> None:
    """A malformed region is a usage error (exit 2), found before any request, not a botocore crash."""
    from botocore.exceptions import InvalidRegionError
    from botocore.utils import validate_region_name

    try:
        validate_region_name(region)
    except InvalidRegionError:
        raise UsageError(
            f"invalid AWS region {shown(region)}",
            hint="Regions look like us-east-1 (--region, AWS_REGION or the profile's region).",
            code="invalid_region",
        ) from None


def _checked_endpoint(url: str) -> str:
    """An endpoint URL botocore can use: http(s)://host[:port][/path]; anything else is exit 2."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        parts = None
    from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url

    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or not (is_valid_endpoint_url(url) or is_valid_ipv6_endpoint_url(url))  # the check botocore makes
    ):
        from kvsctl.errors import redact_url_credentials

        raise UsageError(
            f"invalid endpoint URL {shown(redact_url_credentials(url))}",
            hint="Give a URL such as https://kms.us-east-1.amazonaws.com or http://127.0.0.1:4566 "
            "(--endpoint-url or AWS_ENDPOINT_URL).",
            code="invalid_endpoint",
        )
    return url


#: Seconds without an answer before the user is told a request is still waiting.
SLOW_NOTICE = 10.0


def _host(client: Any) -> str:
    """The endpoint's host (kms.us-west-2.amazonaws.com, 127.0.0.1:5000), never its credentials."""
    from urllib.parse import urlsplit

    url = str(getattr(getattr(client, "meta", None), "endpoint_url", "") or "")
    return urlsplit(url).netloc.rpartition("@")[2] or "the endpoint"


def _why(exc: BaseException) -> str:
    """A few words on why a request failed: `throttled`, `HTTP 503`, `timed out`, `connection failed`."""
    from botocore import exceptions as bce

    if isinstance(exc, bce.ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in THROTTLING_CODES:
            return "throttled"
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"failed ({code or f'HTTP {status}'})"
    if isinstance(exc, bce.ReadTimeoutError | bce.ConnectTimeoutError):
        return "timed out"
    if isinstance(exc, bce.ConnectionError):
        return "could not connect"
    return f"failed ({type(exc).__name__})"


def _params_for_log(params: dict[str, Any]) -> str:
    """The request's parameters for the --debug log, long values shortened (policies can be pages)."""
    shown = {k: (v if not isinstance(v, str) or len(v) <= 200 else v[:200] + "…") for k, v in params.items()}
    return repr(shown)


class ClientFactory:
    """Builds clients lazily; every call goes through `call` for retries and error translation."""

    def __init__(
        self,
        config: AwsConfig | None = None,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        limiter: RateLimiter | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config or AwsConfig()
        self.limiter = limiter
        #: one line for the user when a request is retried or slow to answer (None: say nothing)
        self.notify = notify
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.stats = CallStats()
        self._cancelled = threading.Event()
        self._session: Any = None
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    # -- session and clients -------------------------------------------------------------------
    def _boto_session(self) -> Any:
        if self._session is None:
            import boto3
            from botocore import exceptions as bce

            try:
                if self.config.credentials is not None:
                    key, secret, token = self.config.credentials
                    self._session = boto3.session.Session(
                        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token
                    )
                else:
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

                _check_region(region)
                cfg = Config(
                    region_name=region,
                    # kvsctl retries in `call` (one policy, one backoff, one attempt count); botocore's
                    # own retries would multiply with ours and ignore KVSCTL_RETRY_*.
                    retries={"mode": "standard", "total_max_attempts": 1},
                    user_agent_extra=f"kvsctl/{__version__}",
                    connect_timeout=self.retry.connect_timeout,
                    read_timeout=self.retry.read_timeout,
                    max_pool_connections=32,
                )
                kwargs: dict[str, Any] = {"config": cfg}
                if self.endpoint_url:
                    kwargs["endpoint_url"] = _checked_endpoint(self.endpoint_url)
                try:
                    new = self._boto_session().client(service, **kwargs)
                    new.meta.events.register("before-parse", _check_wire)
                    self._clients[key] = new
                except Exception as exc:  # botocore raises plain BotoCoreError subclasses here
                    translated = translate_botocore_error(exc)
                    if translated is None:
                        raise
                    raise translated from exc
            return self._clients[key]

    # -- calls ------------------------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop: no further request or backoff sleep starts (Ctrl-C; other threads' calls end quickly)."""
        self._cancelled.set()

    def _pause(self, seconds: float) -> None:
        if self.sleep is time.sleep:
            self._cancelled.wait(seconds)  # returns at once when cancelled
        else:
            self.sleep(seconds)

    def call(
        self, service: str, operation: str, *, region: str | None = None, idempotent: bool = True, **params: Any
    ) -> dict[str, Any]:
        """Call one operation, retrying throttling, 5xx and dropped connections with full-jitter backoff
        up to `retry.max_attempts` attempts in all, and translating every failure into an AwsError.
        With idempotent=False only failures where the service surely did nothing are retried."""
        retryable = is_retryable if idempotent else is_unsent_or_refused
        from botocore.exceptions import BotoCoreError, ClientError
        from botocore.parsers import ResponseParserError

        client = self.client(service, region)
        method = getattr(client, operation)
        api_name = client.meta.method_to_api_mapping.get(operation, operation)
        attempt = 0
        while True:
            attempt += 1
            if self._cancelled.is_set():
                raise AwsError(f"{api_name} not sent: kvsctl was interrupted", code="cancelled", operation=api_name)
            if self.limiter is not None:
                self.limiter.acquire(
                    service, api_name, region or self.region, params, cancelled=self._cancelled_event()
                )
                if self._cancelled.is_set():
                    raise AwsError(f"{api_name} not sent: kvsctl was interrupted", code="cancelled", operation=api_name)
            self.stats.add(f"{service}.{api_name}")
            where = _host(client)
            if log.isEnabledFor(logging.DEBUG):
                shown = _params_for_log(params)
                log.debug("request %s.%s to %s %s (attempt %d)", service, api_name, where, shown, attempt)
            started = time.monotonic()
            try:
                result: dict[str, Any] = self._within_deadline(method, params, api_name, where)
            except NotAwsAnswer as exc:
                raise self.not_aws(api_name, str(exc)) from exc
            except ResponseParserError as exc:
                raise self.not_aws(api_name, "an answer that could not be read") from exc
            except (ClientError, BotoCoreError) as exc:
                why = _why(exc)
                log.debug("answer %s.%s after %.2f s: %s", service, api_name, time.monotonic() - started, why)
                if attempt < self.retry.max_attempts and retryable(exc):
                    self._say(f"{api_name} {why}, retrying ({attempt + 1}/{self.retry.max_attempts})…")
                    self._pause(self.retry.delay(attempt))
                    continue
                if isinstance(exc, ClientError):
                    error = translate_client_error(exc, api_name, attempts=attempt)
                    error.attempts = attempt
                    raise error from exc
                translated = translate_botocore_error(exc, api_name)
                if translated is None:
                    raise
                raise translated from exc
            except Exception as exc:  # a credential_process or token file failing, while signing
                credential = translate_credential_failure(exc)
                if credential is None:
                    raise
                raise credential from exc
            if log.isEnabledFor(logging.DEBUG):
                meta = result.get("ResponseMetadata") or {}
                log.debug(
                    "answer %s.%s: HTTP %s in %.2f s (request id %s)",
                    service,
                    api_name,
                    meta.get("HTTPStatusCode", "?"),
                    time.monotonic() - started,
                    meta.get("RequestId") or "none",
                )
            missing = missing_promise(api_name, result)
            if missing is not None:
                raise self.not_aws(api_name, f"no valid {missing} in the answer")
            return result

    def _cancelled_event(self) -> threading.Event | None:
        """The event a rate-limit wait watches, so that Ctrl-C ends it (not with an injected test sleep)."""
        return self._cancelled if self.sleep is time.sleep else None

    def _say(self, line: str) -> None:
        log.debug("%s", line)
        if self.notify is not None:
            self.notify(line)

    def _within_deadline(
        self, method: Callable[..., Any], params: dict[str, Any], api_name: str, where: str = "the endpoint"
    ) -> Any:
        """One request, given at most `retry.deadline` seconds in all. It runs in a daemon thread, so a
        request that outlives the deadline (or a Ctrl-C, or cancel()) is abandoned, never waited for.
        A request still unanswered after `SLOW_NOTICE` seconds is said so, once."""
        box: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            _parsing.active = False
            try:
                box["result"] = method(**params)
            except (AttributeError, TypeError, ValueError, KeyError) as exc:
                # raised while botocore read an answer that passed the wire check: a malformed answer
                box["error"] = NotAwsAnswer(f"a malformed answer ({type(exc).__name__})") if _parsing.active else exc
            except BaseException as exc:
                box["error"] = exc
            finally:
                done.set()

        threading.Thread(target=run, name=f"kvsctl-{api_name}", daemon=True).start()
        start = time.monotonic()
        end = start + self.retry.deadline
        slow_at = start + SLOW_NOTICE if self.retry.deadline > SLOW_NOTICE else None
        while not done.wait(min(0.2, max(0.0, end - time.monotonic()))):
            if slow_at is not None and time.monotonic() >= slow_at:
                slow_at = None
                self._say(
                    f"no answer from {where} after {SLOW_NOTICE:g} s ({api_name}), "
                    f"waiting up to {self.retry.deadline:g} s…"
                )
            if self._cancelled.is_set():
                raise AwsError(f"{api_name} abandoned: kvsctl was interrupted", code="cancelled", operation=api_name)
            if time.monotonic() >= end:
                self._say(f"no complete answer from {where} within {self.retry.deadline:g} s ({api_name})")
                raise AwsError(
                    f"no complete answer from the AWS endpoint{self._where()} within {self.retry.deadline:g} s "
                    f"({api_name})",
                    hint="The endpoint or a proxy answers too slowly; retry later, or raise "
                    "KVSCTL_REQUEST_DEADLINE (seconds).",
                    code="endpoint_timeout",
                    operation=api_name,
                )
        if "error" in box:
            raise box["error"]
        return box["result"]

    def _where(self) -> str:
        if not self.endpoint_url:
            return ""
        from urllib.parse import urlsplit

        parts = urlsplit(self.endpoint_url)
        return f" {parts.scheme}://{parts.netloc.rpartition('@')[2]}"

    def not_aws(self, operation: str, what: str) -> AwsError:
        """The error for an answer AWS would never send (exit 3; retrying a captive portal does not help)."""
        return AwsError(
            f"the endpoint{self._where()} did not answer like AWS ({operation}: {what})",
            hint="Something other than AWS answered: check --endpoint-url / AWS_ENDPOINT_URL, a proxy "
            "(HTTPS_PROXY) or a captive portal (sign in to the network), then retry.",
            code="not_aws",
            operation=operation,
        )

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
        pages = 0
        while True:
            pages += 1
            if pages > self.retry.max_pages:
                raise AwsError(
                    f"{operation} did not end after {plural(self.retry.max_pages, 'page')}",
                    hint="The service keeps handing out page tokens; this is a service or proxy fault. "
                    "Raise KVSCTL_MAX_PAGES if the account really is that large.",
                    code="paging_runaway",
                )
            page_params = dict(params)
            if token:
                page_params[token_in] = token
            page = self.call(service, operation, region=region, **page_params)
            items = page.get(items_key)
            if not isinstance(items, list):
                raise self.not_aws(operation, f"no valid {items_key} in the answer")
            yield from items
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
