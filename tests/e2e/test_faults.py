"""kvsctl under the faults real AWS produces, end to end: kvsctl runs as a subprocess against a moto
server behind tests/faults.py, which throttles, fails, stalls or hangs up on chosen operations and
counts every request. Call counts are the proof of retries (and of their bound); no test here is timed.
"""

from __future__ import annotations

import json
import time
from types import SimpleNamespace
from typing import Any

import pytest

from tests.helpers import CliResult, run_cli, run_subprocess

pytestmark = pytest.mark.e2e

#: Fast, bounded retries for every subprocess here.
RETRY_ENV = {"KVSCTL_MAX_ATTEMPTS": "4", "KVSCTL_RETRY_BASE_DELAY": "0.01", "KVSCTL_RETRY_MAX_DELAY": "0.05"}


def kvsctl(faults: Any, *args: str, env: dict[str, str] | None = None) -> CliResult:
    return run_subprocess(*args, "-o", "json", endpoint=faults.url, env={**RETRY_ENV, **(env or {})}, timeout=60)


def one_error(result: CliResult) -> dict[str, Any]:
    """The single JSON error line of a failed run (anything else on stderr is a defect)."""
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one error line, got: {result.stderr!r}"
    assert "Traceback" not in result.stderr
    return dict(json.loads(lines[0])["error"])


@pytest.fixture
def account(faults: Any) -> SimpleNamespace:
    """A customer managed key (alias/cams, rotation on) with a stream on it, and a stream on the
    AWS managed key; call counts start at zero after the arranging."""
    c = faults.clients()
    key = c.kms.create_key(Description="cams")["KeyMetadata"]
    c.kms.create_alias(AliasName="alias/cams", TargetKeyId=key["KeyId"])
    c.kms.enable_key_rotation(KeyId=key["KeyId"])
    c.kvs.create_stream(StreamName="cam-cmk", KmsKeyId=key["Arn"], DataRetentionInHours=24)
    c.kvs.create_stream(StreamName="cam-default")
    faults.clear_counts()
    return SimpleNamespace(key_arn=key["Arn"], key_id=key["KeyId"], clients=c)


def no_fault_run(faults: Any, *args: str) -> tuple[Any, int]:
    """The command's JSON and request count without faults (in-process: same server, same state)."""
    result = run_cli(*args, "--endpoint-url", faults.url, "-o", "json")
    assert result.exit_code == 0, result.stderr
    calls = faults.total
    faults.clear_counts()
    return result.json, calls


TRANSIENT = [
    pytest.param(
        "kinesisvideo.DescribeStream",
        {"status": 400, "code": "ClientLimitExceededException"},
        ("stream", "describe", "cam-cmk"),
        id="kvs-ClientLimitExceededException",
    ),
    pytest.param(
        "kms.ListAliases",
        {"status": 400, "code": "ThrottlingException"},
        ("stream", "describe", "cam-default"),
        id="kms-ThrottlingException",
    ),
    pytest.param("kms.DescribeKey", {"status": 500}, ("stream", "describe", "cam-cmk"), id="http-500"),
    pytest.param("kinesisvideo.ListStreams", {"status": 503}, ("stream", "list"), id="http-503"),
    pytest.param(
        "kms.GetKeyRotationStatus",
        {"status": 500, "code": "KMSInternalException"},
        ("stream", "list"),
        id="kms-KMSInternalException",
    ),
    pytest.param(
        "kinesisvideo.DescribeStream",
        {"status": 200, "close": True},
        ("stream", "describe", "cam-default"),
        id="connection-closed",
    ),
]


@pytest.mark.parametrize(("operation", "fault", "argv"), TRANSIENT)
def test_transient_faults_are_retried_and_the_result_is_unchanged(
    faults: Any, account: SimpleNamespace, operation: str, fault: dict[str, Any], argv: tuple[str, ...]
) -> None:
    expected, calls = no_fault_run(faults, *argv)
    faults.fail(operation, times=2, **fault)
    result = kvsctl(faults, *argv)
    assert result.exit_code == 0, result.stderr
    assert result.json == expected
    assert faults.count(operation) >= 3  # two failures, then the answer
    assert faults.total == calls + 2  # exactly the two failed calls were repeated, nothing else


def test_throttled_create_creates_exactly_one_stream(faults: Any, account: SimpleNamespace) -> None:
    faults.throttle("kinesisvideo.CreateStream", times=2)
    result = kvsctl(faults, "stream", "create", "new-cam", "--kms-key", "alias/cams")
    assert result.exit_code == 0, result.stderr
    assert result.json["action"] == "created"
    assert faults.count("kinesisvideo.CreateStream") == 3
    names = [s["StreamName"] for s in account.clients.kvs.list_streams()["StreamInfoList"]]
    assert sorted(names) == ["cam-cmk", "cam-default", "new-cam"]
    info = account.clients.kvs.describe_stream(StreamName="new-cam")["StreamInfo"]
    assert info["KmsKeyId"] == account.key_arn


def test_iam_throttling_is_retried_with_backoff(faults: Any) -> None:
    """IAM answers `Throttling` in the query protocol's XML. No command on main reads IAM yet (the live
    audit will), so this goes through the ClientFactory every gateway uses, over real HTTP."""
    from kvsctl.aws.session import AwsConfig, ClientFactory, RetryPolicy

    c = faults.clients()
    arn = c.iam.create_role(RoleName="producer", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    faults.clear_counts()
    faults.throttle("iam.GetRole", times=2)
    delays: list[float] = []
    factory = ClientFactory(
        AwsConfig(endpoint_url=faults.url), retry=RetryPolicy(max_attempts=4, base_delay=0.2), sleep=delays.append
    )
    assert factory.call("iam", "get_role", RoleName="producer")["Role"]["Arn"] == arn
    assert faults.count("iam.GetRole") == 3
    assert len(delays) == 2 and all(0 <= d <= 0.4 for d in delays)  # full jitter, doubling cap


def test_backoff_follows_the_retry_policy(faults: Any) -> None:
    """Every retry waits a full-jitter delay within the policy's cap, and the attempts are bounded."""
    from kvsctl.aws.session import AwsConfig, ClientFactory, RetryPolicy
    from kvsctl.errors import AwsError

    faults.throttle("kms.ListKeys")
    delays: list[float] = []
    factory = ClientFactory(
        AwsConfig(endpoint_url=faults.url),
        retry=RetryPolicy(max_attempts=5, base_delay=0.1, max_delay=0.3),
        sleep=delays.append,
    )
    with pytest.raises(AwsError) as info:
        factory.call("kms", "list_keys")
    assert info.value.code == "throttled"
    assert faults.count("kms.ListKeys") == 5
    caps = [0.1, 0.2, 0.3, 0.3]
    assert len(delays) == 4 and all(0 <= d <= cap for d, cap in zip(delays, caps, strict=True))


PERSISTENT = [
    pytest.param("kinesisvideo.DescribeStream", "ClientLimitExceededException", id="kvs-ClientLimitExceeded"),
    pytest.param("kms.ListAliases", "ThrottlingException", id="kms-ThrottlingException"),
    # botocore retries this code too: before kvsctl owned retries, attempts multiplied (3 x 4 = 12 calls).
    pytest.param("kinesisvideo.DescribeStream", "TooManyRequestsException", id="botocore-and-kvsctl-code"),
]


@pytest.mark.parametrize(("operation", "code"), PERSISTENT)
def test_persistent_throttle_gives_up_after_max_attempts_with_exit_3(
    faults: Any, account: SimpleNamespace, operation: str, code: str
) -> None:
    faults.fail(operation, status=400, code=code, message="Rate exceeded")
    started = time.monotonic()
    result = kvsctl(faults, "stream", "describe", "cam-default", env={"KVSCTL_MAX_ATTEMPTS": "3"})
    assert result.exit_code == 3
    err = one_error(result)
    assert err["code"] == "throttled" and "throttled" in err["message"] and "3 attempts" in err["message"]
    assert err["hint"]
    assert faults.count(operation) == 3  # KVSCTL_MAX_ATTEMPTS in all: not 4 (off by one), not 12 (nested)
    assert time.monotonic() - started < 30  # bounded (the subprocess itself is killed at 60 s)


def test_persistent_server_error_gives_up_with_exit_3(faults: Any, account: SimpleNamespace) -> None:
    faults.fail("kinesisvideo.ListStreams", status=503)
    result = kvsctl(faults, "stream", "list", env={"KVSCTL_MAX_ATTEMPTS": "3"})
    assert result.exit_code == 3
    err = one_error(result)
    assert err["code"] == "service_unavailable" and err["hint"]
    assert faults.count("kinesisvideo.ListStreams") == 3


def test_access_denied_on_describe_stream_is_exit_3(faults: Any, account: SimpleNamespace) -> None:
    faults.deny("kinesisvideo.DescribeStream")
    result = kvsctl(faults, "stream", "describe", "cam-cmk")
    assert result.exit_code == 3
    err = one_error(result)
    assert err["code"] == "access_denied" and "DescribeStream" in err["message"] and err["hint"]
    assert faults.count("kinesisvideo.DescribeStream") == 1  # access denied is never retried


def test_access_denied_on_list_streams_is_exit_3(faults: Any, account: SimpleNamespace) -> None:
    faults.deny("kinesisvideo.ListStreams")
    result = kvsctl(faults, "stream", "list")
    assert result.exit_code == 3
    assert one_error(result)["code"] == "access_denied"


def test_key_that_cannot_be_read_is_reported_as_not_checked(faults: Any, account: SimpleNamespace) -> None:
    """DescribeKey denied: the stream is still shown, its key is null and a note says it could not be
    read - never a made-up key, never a silent gap."""
    faults.deny("kms.DescribeKey")
    result = kvsctl(faults, "stream", "describe", "cam-cmk")
    assert result.exit_code == 0, result.stderr
    data = result.json
    assert data["kms_key_id"] == account.key_arn
    assert data["key"] is None
    assert any("could not read key" in n and "access denied" in n for n in data["notes"])


def test_aws_managed_key_that_cannot_be_looked_up_is_reported(faults: Any, account: SimpleNamespace) -> None:
    faults.deny("kms.ListAliases")
    result = kvsctl(faults, "stream", "describe", "cam-default")
    assert result.exit_code == 0, result.stderr
    data = result.json
    assert data["encryption"] == "aws-managed" and data["key"] is None
    assert any("could not read key" in n for n in data["notes"])


def test_rotation_status_that_cannot_be_read_is_unknown_not_false(faults: Any, account: SimpleNamespace) -> None:
    faults.deny("kms.GetKeyRotationStatus")
    result = kvsctl(faults, "stream", "describe", "cam-cmk")
    assert result.exit_code == 0, result.stderr
    key = result.json["key"]
    assert key["arn"] == account.key_arn
    assert key["rotation_enabled"] is None  # rotation is really on: "unknown", not a wrong answer


@pytest.mark.parametrize(
    ("arrange", "code"),
    [
        pytest.param(lambda f: f.hang_up("kinesisvideo.DescribeStream"), "endpoint_unreachable", id="hangs-up"),
        pytest.param(lambda f: f.stall("kinesisvideo.DescribeStream", 20), "endpoint_timeout", id="never-answers"),
    ],
)
def test_server_that_hangs_up_or_never_answers_is_exit_3_with_one_message(
    faults: Any, account: SimpleNamespace, arrange: Any, code: str
) -> None:
    arrange(faults)
    env = {"KVSCTL_MAX_ATTEMPTS": "2", "KVSCTL_READ_TIMEOUT": "0.3", "KVSCTL_CONNECT_TIMEOUT": "1"}
    result = kvsctl(faults, "stream", "describe", "cam-default", env=env)
    assert result.exit_code == 3
    err = one_error(result)
    assert err["code"] == code and faults.url in err["message"] and err["hint"]
    assert faults.count("kinesisvideo.DescribeStream") == 2
    assert result.stdout == ""


def test_unreachable_endpoint_is_exit_3(faults: Any) -> None:
    from kvsctl.sandbox.server import free_port

    url = f"http://127.0.0.1:{free_port()}"
    result = run_subprocess("stream", "list", "-o", "json", endpoint=url, env={**RETRY_ENV, "KVSCTL_MAX_ATTEMPTS": "2"})
    assert result.exit_code == 3
    assert one_error(result)["code"] == "endpoint_unreachable"


NO_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}


@pytest.mark.parametrize(
    ("env", "code"),
    [
        pytest.param(NO_CREDENTIALS, "no_credentials", id="missing-credentials"),
        pytest.param({"AWS_PROFILE": "no-such-profile"}, "unknown_profile", id="unknown-profile-env"),
        pytest.param({"AWS_REGION": "", "AWS_DEFAULT_REGION": ""}, "no_region", id="no-region"),
    ],
)
def test_credential_and_region_problems_are_exit_3_with_a_hint(
    faults: Any, account: SimpleNamespace, env: dict[str, str], code: str
) -> None:
    result = kvsctl(faults, "stream", "describe", "cam-default", env=env)
    assert result.exit_code == 3
    err = one_error(result)
    assert err["code"] == code and err["hint"]
    assert faults.total == 0  # found before any request


def test_unknown_profile_flag_is_exit_3_with_a_hint(faults: Any, account: SimpleNamespace) -> None:
    result = kvsctl(faults, "stream", "list", "--profile", "nope")
    assert result.exit_code == 3
    err = one_error(result)
    assert err["code"] == "unknown_profile" and "nope" in err["message"] and err["hint"]


def test_profile_without_region_is_exit_3_with_a_hint(faults: Any, account: SimpleNamespace, tmp_path: Any) -> None:
    config = tmp_path / "config"
    config.write_text("[profile cams]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    env = {"AWS_CONFIG_FILE": str(config), "AWS_REGION": "", "AWS_DEFAULT_REGION": ""}
    result = kvsctl(faults, "stream", "list", "--profile", "cams", env=env)
    assert result.exit_code == 3
    err = one_error(result)
    assert err["code"] == "no_region" and "--region" in err["hint"]


def test_expired_token_is_exit_3_with_a_hint(faults: Any, account: SimpleNamespace) -> None:
    faults.fail("kinesisvideo.DescribeStream", status=403, code="ExpiredTokenException", message="token expired")
    result = kvsctl(faults, "stream", "describe", "cam-default", env={"AWS_SESSION_TOKEN": "expired-token"})
    assert result.exit_code == 3
    err = one_error(result)
    assert err["code"] == "expired_token" and "expired" in err["message"] and err["hint"]
    assert faults.count("kinesisvideo.DescribeStream") == 1  # not retried: retrying cannot help


def test_table_output_errors_are_one_line_and_a_hint(faults: Any, account: SimpleNamespace) -> None:
    faults.throttle("kinesisvideo.DescribeStream")
    result = run_subprocess(
        "stream",
        "describe",
        "cam-cmk",
        "-o",
        "table",
        endpoint=faults.url,
        env={**RETRY_ENV, "KVSCTL_MAX_ATTEMPTS": "2"},
    )
    assert result.exit_code == 3
    # the retry was said as it happened (one line), then the error: one line and a hint
    notice, error, hint = result.stderr.splitlines()
    assert notice == "kvsctl: DescribeStream throttled, retrying (2/2)…"
    assert error.startswith("kvsctl: error: throttled") and hint.startswith("hint: ")
