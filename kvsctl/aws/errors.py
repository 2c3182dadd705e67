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

    from kvsctl.errors import redact_url_credentials

    parts = urlsplit(endpoint)
    # the host and port only: a password in the URL's user-info is never printed
    netloc = parts.netloc.rpartition("@")[2]
    return f" {parts.scheme}://{netloc}" if netloc else f" {redact_url_credentials(endpoint)}"


#: botocore's non-HTTP failures, in order (subclasses before their bases): exception class names,
#: kvsctl code, message template, hint. Templates may use {op}, {where}, {profile} and {name}.
_BOTOCORE_TABLE: tuple[tuple[tuple[str, ...], str, str, str], ...] = (
    (
        ("NoCredentialsError", "PartialCredentialsError"),
        "no_credentials",
        "no AWS credentials found{op}",
        "Set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
    ),
    (
        ("ProfileNotFound",),
        "unknown_profile",
        "unknown AWS profile: {profile}",
        "List profiles with 'aws configure list-profiles', or fix --profile / AWS_PROFILE.",
    ),
    (
        ("NoRegionError",),
        "no_region",
        "no AWS region is set",
        "Pass --region, set AWS_REGION, or set a region in the profile.",
    ),
    (
        ("TokenRetrievalError", "SSOTokenLoadError", "UnauthorizedSSOTokenError"),
        "expired_token",
        "could not load SSO credentials{op}",
        "Run 'aws sso login' for the profile and retry.",
    ),
    (
        ("ReadTimeoutError",),
        "endpoint_timeout",
        "no answer in time from the AWS endpoint{where}{op}",
        "The service or a proxy did not answer; retry later, or raise KVSCTL_READ_TIMEOUT (seconds).",
    ),
    (
        ("ConnectionClosedError",),
        "endpoint_unreachable",
        "the AWS endpoint{where} closed the connection without answering{op}",
        "Usually a proxy or network fault; check the network and --endpoint-url, then retry.",
    ),
    (
        (
            "EndpointConnectionError",
            "ConnectTimeoutError",
            "ProxyConnectionError",
            "HTTPClientError",
            "ConnectionError",
        ),
        "endpoint_unreachable",
        "could not reach the AWS endpoint{where}{op}: {name}",
        "Check the network, --endpoint-url and --region.",
    ),
    (
        ("ParamValidationError",),
        "invalid_request",
        "request rejected before sending{op}: {exc}",
        "This is likely a kvsctl bug; rerun with --debug and report it.",
    ),
)


_CONFIG_FILES = "the AWS config file (AWS_CONFIG_FILE, default ~/.aws/config)"


def _one_line(text: object) -> str:
    from kvsctl.errors import clip

    return clip(" ".join(str(text).split()))


def _modules_of(exc: BaseException) -> set[str]:
    """The modules `exc`'s traceback passes through."""
    seen: set[str] = set()
    tb = exc.__traceback__
    while tb is not None:
        seen.add(str(tb.tb_frame.f_globals.get("__name__", "")))
        tb = tb.tb_next
    return seen


def translate_credential_failure(exc: BaseException) -> AwsError | None:
    """A profile that cannot give credentials: source_profile missing or looping, a credential_process
    that fails, cannot start or prints something other than JSON, a web identity token file that cannot
    be read. The environment is at fault, not kvsctl: exit 3 with a hint, never an internal error."""
    import json

    from botocore import exceptions as bce

    if isinstance(exc, bce.InfiniteLoopConfigError):
        visited = [*getattr(exc, "kwargs", {}).get("visited_profiles", []), exc.kwargs.get("source_profile", "?")]
        return AwsError(
            f"the AWS profiles' source_profile settings go round in a loop: {' -> '.join(map(str, visited))}",
            hint=f"Make one profile in the chain take credentials of its own, in {_CONFIG_FILES}.",
            code="invalid_profile",
        )
    if isinstance(exc, bce.InvalidConfigError):
        return AwsError(
            f"the AWS profile cannot be used: {_one_line(exc)}",
            hint=f"Fix the profile in {_CONFIG_FILES} or the credentials file (AWS_SHARED_CREDENTIALS_FILE).",
            code="invalid_profile",
        )
    if isinstance(exc, bce.CredentialRetrievalError):
        provider = str(getattr(exc, "kwargs", {}).get("provider", ""))
        detail = _one_line(getattr(exc, "kwargs", {}).get("error_msg", exc)) or "no reason given"
        if provider == "custom-process":
            return AwsError(
                f"the profile's credential_process failed: {detail}",
                hint="Run the credential_process command of the profile yourself to see why, fix it, then retry.",
                code="no_credentials",
            )
        return AwsError(
            f"could not get credentials ({provider or 'credential provider'}): {detail}",
            hint="Check the profile's credential settings, then retry.",
            code="no_credentials",
        )
    modules = set() if isinstance(exc, bce.BotoCoreError) else _modules_of(exc)
    if "botocore.credentials" not in modules:  # not raised while botocore loaded credentials
        return None
    if isinstance(exc, json.JSONDecodeError):
        return AwsError(
            "the profile's credential_process printed something that is not JSON",
            hint="A credential_process must print a JSON object with Version 1, AccessKeyId, SecretAccessKey "
            "(and SessionToken, Expiration); run it yourself to see what it prints.",
            code="no_credentials",
        )
    if isinstance(exc, OSError):
        name = exc.filename if isinstance(exc.filename, str) else ""
        what = _one_line(f"{name}: {exc.strerror}" if name and exc.strerror else exc)
        if "botocore.utils" in modules:  # botocore's FileWebIdentityTokenLoader reads the token file
            return AwsError(
                f"could not read the web identity token file {what}",
                hint="Check web_identity_token_file in the profile, or AWS_WEB_IDENTITY_TOKEN_FILE: the file "
                "must exist and be readable (in EKS and CI it is mounted by the platform).",
                code="no_credentials",
            )
        return AwsError(
            f"the profile's credential_process could not be started: {what}",
            hint="Check the credential_process command in the profile: the program must exist and be executable.",
            code="no_credentials",
        )
    return AwsError(
        f"could not load credentials: {type(exc).__name__}: {_one_line(exc)}",
        hint="Check the profile's credential settings in the AWS config and credentials files.",
        code="no_credentials",
    )


def translate_botocore_error(exc: BaseException, operation: str | None = None) -> AwsError | None:
    """Translate botocore's non-HTTP failures (credentials, region, endpoint). None when not one of them."""
    from botocore import exceptions as bce

    credential = translate_credential_failure(exc)
    if credential is not None:
        return credential

    for names, code, message, hint in _BOTOCORE_TABLE:
        classes = tuple(getattr(bce, n) for n in names if hasattr(bce, n))
        if classes and isinstance(exc, classes):
            text = message.format(
                op=f" ({operation})" if operation else "",
                where=_where(exc),
                profile=getattr(exc, "kwargs", {}).get("profile", "?"),
                name=type(exc).__name__,
                exc=exc,
            )
            return AwsError(text, hint=hint, code=code)
    return None


#: Failures that say nothing about one resource but about the whole session (credentials, region,
#: network): a read that fails so must stop the command (exit 3), never become a per-item finding.
SESSION_ERROR_CODES = frozenset(
    {
        "no_credentials",
        "invalid_credentials",
        "expired_token",
        "unknown_profile",
        "invalid_profile",
        "no_region",
        "endpoint_unreachable",
        "invalid_request",
        "not_aws",
    }
)


def is_session_error(exc: AwsError) -> bool:
    return exc.code in SESSION_ERROR_CODES
