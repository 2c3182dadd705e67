"""Paths moto cannot show, driven with botocore's Stubber (each test says what moto lacks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.stub import Stubber

from kvsctl.aws.kvs import KvsGateway
from kvsctl.aws.session import AwsConfig, ClientFactory, RetryPolicy
from kvsctl.errors import AwsError, ExitCode
from kvsctl.services.streams import StreamService
from tests.helpers import run_cli

ACCT = "123456789012"


def info(name: str, kms: str | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {
        "StreamName": name,
        "StreamARN": f"arn:aws:kinesisvideo:us-east-1:{ACCT}:stream/{name}/1700000000000",
        "Status": "ACTIVE",
        "DataRetentionInHours": 24,
        "CreationTime": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
        "Version": "v1",
    }
    if kms:
        d["KmsKeyId"] = kms
    return d


def stubbed(service: str) -> tuple[ClientFactory, Stubber, list[float]]:
    sleeps: list[float] = []
    factory = ClientFactory(
        AwsConfig(region="us-east-1"), retry=RetryPolicy(max_attempts=4, base_delay=0.5), sleep=sleeps.append
    )
    stub = Stubber(factory.client(service))
    stub.activate()
    return factory, stub, sleeps


def test_list_follows_every_page_and_sends_the_prefix() -> None:
    """moto's ListStreams ignores NextToken/MaxResults and StreamNameCondition, so paging is stubbed."""
    factory, stub, _ = stubbed("kinesisvideo")
    cond = {"ComparisonOperator": "BEGINS_WITH", "ComparisonValue": "cam"}
    stub.add_response(
        "list_streams",
        {"StreamInfoList": [info("cam1"), info("cam2")], "NextToken": "t1"},
        {"MaxResults": 10000, "StreamNameCondition": cond},
    )
    stub.add_response(
        "list_streams",
        {"StreamInfoList": [info("cam3"), info("other")]},
        {"MaxResults": 10000, "StreamNameCondition": cond, "NextToken": "t1"},
    )
    names = [s.name for s in KvsGateway(factory).list_streams("cam")]
    # "other" is dropped client-side too: a service ignoring the filter must not widen the result.
    assert names == ["cam1", "cam2", "cam3"]
    stub.assert_no_pending_responses()


def test_repeated_page_token_is_an_error_not_a_loop() -> None:
    factory, stub, _ = stubbed("kinesisvideo")
    stub.add_response("list_streams", {"StreamInfoList": [info("a")], "NextToken": "same"})
    stub.add_response("list_streams", {"StreamInfoList": [info("b")], "NextToken": "same"})
    with pytest.raises(AwsError) as err:
        list(KvsGateway(factory).list_streams())
    assert err.value.code == "paging_loop"


def test_real_aws_managed_shape_is_aws_managed_and_never_describe_key() -> None:
    """Real DescribeStream returns the AWS managed alias ARN as KmsKeyId; moto returns none at all.
    The key is found through ListAliases only (an AWS alias with no TargetKeyId is not yet created)."""
    factory, kvs_stub, _ = stubbed("kinesisvideo")
    kms_stub = Stubber(factory.client("kms"))
    kms_stub.activate()
    kvs_stub.add_response(
        "describe_stream",
        {"StreamInfo": info("cam", f"arn:aws:kms:us-east-1:{ACCT}:alias/aws/kinesisvideo")},
        {"StreamName": "cam"},
    )
    kms_stub.add_response(
        "list_aliases",
        {
            "Aliases": [
                {
                    "AliasName": "alias/aws/kinesisvideo",
                    "AliasArn": f"arn:aws:kms:us-east-1:{ACCT}:alias/aws/kinesisvideo",
                },
            ],
            "Truncated": False,
        },
    )
    view = StreamService(factory).describe("cam")
    assert view.encryption == "aws-managed"
    assert view.key is not None and view.key.state == "NotCreated" and view.key.account == ACCT
    kms_stub.assert_no_pending_responses()  # no DescribeKey was made (it would have failed the stub)


@pytest.fixture
def throttled_factory(monkeypatch: pytest.MonkeyPatch) -> tuple[ClientFactory, Stubber, list[float]]:
    factory, stub, sleeps = stubbed("kinesisvideo")
    from kvsctl.cli.options import GlobalOptions

    monkeypatch.setattr(GlobalOptions, "factory", lambda self: factory)
    return factory, stub, sleeps


def _throttle(stub: Stubber) -> None:
    stub.add_client_error(
        "list_streams",
        service_error_code="ClientLimitExceededException",
        service_message="Rate exceeded",
        http_status_code=400,
    )


def test_client_limit_exceeded_is_retried_until_success(throttled_factory: Any) -> None:
    """KVS throttles with ClientLimitExceededException, which botocore's standard mode does not retry."""
    factory, stub, sleeps = throttled_factory
    for _ in range(3):
        _throttle(stub)
    stub.add_response("list_streams", {"StreamInfoList": []})
    result = run_cli("stream", "list", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json == {"streams": []}
    assert factory.stats.calls["kinesisvideo.ListStreams"] == 4
    assert len(sleeps) == 3 and all(0 <= s <= 8 for s in sleeps)  # backed off between attempts


def test_persistent_throttle_ends_with_exit_3(throttled_factory: Any) -> None:
    factory, stub, _ = throttled_factory
    for _ in range(4):
        _throttle(stub)
    result = run_cli("stream", "list", "-o", "json")
    assert result.exit_code == ExitCode.AWS
    assert result.error["code"] == "throttled" and "throttled" in result.error["message"]
    assert result.error["hint"]
    assert factory.stats.calls["kinesisvideo.ListStreams"] == 4  # bounded: max_attempts, then stop
    assert "Traceback" not in result.stderr
