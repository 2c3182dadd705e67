"""One table translating AWS and botocore failures into kvsctl errors (exit 3), keyed on the error code."""

from __future__ import annotations

from typing import Any

from kvsctl.errors import AwsError

# code -> (kvsctl code, message template, hint)
_TABLE: dict[str, tuple[str, str, str]] = {}


def _add(codes: tuple[str, ...], kcode: str, message: str, hint: str) -> None:
    for c in codes:
        _TABLE[c] = (kcode, message, hint)


_add(
    (
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedException",
        "AuthorizationErrorException",
    ),
    "access_denied",
    "access denied for {op}",
    "The credentials in use lack permission for {op}; check the IAM policy of the caller (and the key policy for KMS).",
)
_add(
    ("ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"),
    "expired_token",
    "the AWS session token has expired ({op})",
    "Refresh your credentials (aws sso login, or assume the role again) and retry.",
)
_add(
    (
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
        "IncompleteSignature",
    ),
    "invalid_credentials",
    "AWS did not accept the credentials ({op})",
    "Check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the profile's keys.",
)
_add(
    ("NotFoundException", "ResourceNotFoundException", "NoSuchEntity", "NoSuchEntityException"),
    "not_found",
    "not found: {detail}",
    "Check the name or ARN, the region (--region) and the account.",
)
_add(
    (
        "ThrottlingException",
        "Throttling",
        "ClientLimitExceededException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ThrottledException",
        "SlowDown",
        "RequestThrottled",
        "RequestThrottledException",
    ),
    "throttled",
    "throttled by AWS on {op} ({tries})",
    "Retry later, lower concurrency, or raise KVSCTL_MAX_ATTEMPTS.",
)
_add(
    ("KMSInvalidStateException", "DisabledException"),
    "key_invalid_state",
    "the KMS key is not in a usable state: {detail}",
    "Enable the key (aws kms enable-key) or cancel its deletion.",
)
_add(
    (
        "InternalFailure",
        "InternalError",
        "InternalServerError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "KMSInternalException",
        "DependencyTimeoutException",
    ),
    "service_unavailable",
    "AWS answered with a server error on {op} ({tries})",
    "This is usually transient; retry in a minute.",
)


def _tries(attempts: int) -> str:
    return "1 attempt, no retries" if attempts == 1 else f"gave up after {attempts} attempts"


def translate_client_error(exc: Any, operation: str, *, attempts: int = 1) -> AwsError:
    """Translate a botocore ClientError (or an HTTP-status-only error) into an AwsError."""
    err = exc.response.get("Error", {}) if hasattr(exc, "response") else {}
    code = str(err.get("Code") or "")
    detail = str(err.get("Message") or code or "no detail")
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") if hasattr(exc, "response") else None
    entry = _TABLE.get(code)
    if entry is None and code.isdigit():
        status = int(code)
    if entry is None and status is not None and int(status) >= 500:
        entry = _TABLE["InternalFailure"]
    if entry is None:
        return AwsError(
            f"{operation} failed: {code or 'error'}: {detail}",
            hint="See the AWS error above; rerun with --debug for the full request trace.",
            code="aws_error",
            aws_code=code or None,
            operation=operation,
        )
    kcode, message, hint = entry
    return AwsError(
        message.format(op=operation, detail=detail, tries=_tries(attempts)),
        hint=hint.format(op=operation),
        code=kcode,
        aws_code=code,
        operation=operation,
    )


def _where(exc: BaseException) -> str:
    endpoint = str(getattr(exc, "kwargs", {}).get("endpoint_url") or "")
    if not endpoint:
        return ""
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint)
    return f" {parts.scheme}://{parts.netloc}" if parts.netloc else f" {endpoint}"


def translate_botocore_error(exc: BaseException, operation: str | None = None) -> AwsError | None:
    """Translate botocore's non-HTTP failures (credentials, region, endpoint). None when not one of them."""
    from botocore import exceptions as bce

    op = f" ({operation})" if operation else ""
    if isinstance(exc, bce.NoCredentialsError | bce.PartialCredentialsError):
        return AwsError(
            f"no AWS credentials found{op}",
            hint="Set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
            code="no_credentials",
        )
    if isinstance(exc, bce.ProfileNotFound):
        return AwsError(
            f"unknown AWS profile: {exc.kwargs.get('profile', '?')}",
            hint="List profiles with 'aws configure list-profiles', or fix --profile / AWS_PROFILE.",
            code="unknown_profile",
        )
    if isinstance(exc, bce.NoRegionError):
        return AwsError(
            "no AWS region is set",
            hint="Pass --region, set AWS_REGION, or set a region in the profile.",
            code="no_region",
        )
    if isinstance(exc, bce.TokenRetrievalError | bce.SSOTokenLoadError | bce.UnauthorizedSSOTokenError):
        return AwsError(
            f"could not load SSO credentials{op}",
            hint="Run 'aws sso login' for the profile and retry.",
            code="expired_token",
        )
    if isinstance(exc, bce.ReadTimeoutError):
        return AwsError(
            f"no answer in time from the AWS endpoint{_where(exc)}{op}",
            hint="The service or a proxy did not answer; retry later, or raise KVSCTL_READ_TIMEOUT (seconds).",
            code="endpoint_timeout",
        )
    if isinstance(exc, bce.ConnectionClosedError):
        return AwsError(
            f"the AWS endpoint{_where(exc)} closed the connection without answering{op}",
            hint="Usually a proxy or network fault; check the network and --endpoint-url, then retry.",
            code="endpoint_unreachable",
        )
    if isinstance(
        exc,
        bce.EndpointConnectionError
        | bce.ConnectTimeoutError
        | bce.ProxyConnectionError
        | bce.HTTPClientError
        | bce.ConnectionError,
    ):
        return AwsError(
            f"could not reach the AWS endpoint{_where(exc)}{op}: {type(exc).__name__}",
            hint="Check the network, --endpoint-url and --region.",
            code="endpoint_unreachable",
        )
    if isinstance(exc, bce.ParamValidationError):
        return AwsError(
            f"request rejected before sending{op}: {exc}",
            code="invalid_request",
            hint="This is likely a kvsctl bug; rerun with --debug and report it.",
        )
    return None


#: Failures that say nothing about one resource but about the whole session (credentials, region,
#: network): a read that fails so must stop the command (exit 3), never become a per-item finding.
SESSION_ERROR_CODES = frozenset(
    {
        "no_credentials",
        "invalid_credentials",
        "expired_token",
        "unknown_profile",
        "no_region",
        "endpoint_unreachable",
        "invalid_request",
    }
)


def is_session_error(exc: AwsError) -> bool:
    return exc.code in SESSION_ERROR_CODES
