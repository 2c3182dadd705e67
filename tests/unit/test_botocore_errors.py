"""Every botocore failure without an HTTP answer maps to one kvsctl code (exit 3) with a hint."""

import pytest
from botocore import exceptions as bce

from kvsctl.aws.errors import translate_botocore_error
from kvsctl.errors import ExitCode


@pytest.mark.parametrize(
    ("exc", "code", "needle"),
    [
        (bce.NoCredentialsError(), "no_credentials", "no AWS credentials found (ListStreams)"),
        (bce.PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"), "no_credentials", ""),
        (bce.ProfileNotFound(profile="nope"), "unknown_profile", "unknown AWS profile: nope"),
        (bce.NoRegionError(), "no_region", "no AWS region is set"),
        (bce.TokenRetrievalError(provider="sso", error_msg="x"), "expired_token", "SSO"),
        (bce.ReadTimeoutError(endpoint_url="http://127.0.0.1:9/x"), "endpoint_timeout", "http://127.0.0.1:9"),
        (bce.ConnectionClosedError(endpoint_url="http://h:1"), "endpoint_unreachable", "closed the connection"),
        (
            bce.EndpointConnectionError(endpoint_url="http://h:1"),
            "endpoint_unreachable",
            "could not reach the AWS endpoint http://h:1 (ListStreams): EndpointConnectionError",
        ),
        (bce.ConnectTimeoutError(endpoint_url="http://h:1"), "endpoint_unreachable", "ConnectTimeoutError"),
        (bce.ParamValidationError(report="bad"), "invalid_request", "bad"),
    ],
)
def test_translation(exc: BaseException, code: str, needle: str) -> None:
    err = translate_botocore_error(exc, "ListStreams")
    assert err is not None and err.code == code and err.exit_code == ExitCode.AWS and err.hint
    assert needle in err.message


def test_other_exceptions_are_not_translated() -> None:
    assert translate_botocore_error(ValueError("x")) is None
    assert translate_botocore_error(bce.DataNotFoundError(data_path="x")) is None
