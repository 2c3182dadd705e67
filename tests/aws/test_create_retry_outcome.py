"""CreateStream retried after a timeout or 5xx: the retry meets ResourceInUse for the stream the first attempt
made. KVS's answers are stubbed (moto cannot fail an attempt after creating); KMS is moto in-process."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.stub import Stubber

from kvsctl.errors import CheckFailed
from kvsctl.services.streams import CreateStreamRequest, StreamService
from tests.helpers import ACCOUNT, make_key


def _stub_kvs(factory: Any, key_arn: str, created: dt.datetime) -> Stubber:
    stub = Stubber(factory.client("kinesisvideo"))
    stub.add_client_error("describe_stream", service_error_code="ResourceNotFoundException", http_status_code=404)
    # the first attempt: a 5xx after KVS made the stream; the retry: ResourceInUse
    stub.add_client_error("create_stream", service_error_code="InternalFailure", http_status_code=500)
    stub.add_client_error("create_stream", service_error_code="ResourceInUseException", http_status_code=400)
    stub.add_response(
        "describe_stream",
        {
            "StreamInfo": {
                "StreamName": "cam",
                "StreamARN": f"arn:aws:kinesisvideo:us-east-1:{ACCOUNT}:stream/cam/1",
                "Status": "ACTIVE",
                "DataRetentionInHours": 0,
                "KmsKeyId": key_arn,
                "CreationTime": created,
            }
        },
    )
    stub.activate()
    return stub


def test_stream_our_first_attempt_made_counts_as_created(factory: Any, boto: Any) -> None:
    meta = make_key(boto.kms, alias="alias/cams")
    stub = _stub_kvs(factory, meta["Arn"], dt.datetime.now(dt.timezone.utc))
    out = StreamService(factory).create(CreateStreamRequest("cam", kms_key="alias/cams"))
    assert out.action == "created" and out.stream is not None and out.stream.stream.kms_key_id == meta["Arn"]
    stub.assert_no_pending_responses()


def test_an_older_stream_is_someone_elses_and_left_untouched(factory: Any, boto: Any) -> None:
    meta = make_key(boto.kms, alias="alias/cams")
    _stub_kvs(factory, meta["Arn"], dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1))
    with pytest.raises(CheckFailed) as info:
        StreamService(factory).create(CreateStreamRequest("cam", kms_key="alias/cams"))
    assert info.value.code == "stream_exists"


def test_resource_in_use_on_the_first_attempt_is_someone_elses(factory: Any, boto: Any) -> None:
    """No earlier attempt of ours could have made it: a concurrent run did, so it is never 'created'."""
    meta = make_key(boto.kms, alias="alias/cams")
    stub = Stubber(factory.client("kinesisvideo"))
    stub.add_client_error("describe_stream", service_error_code="ResourceNotFoundException", http_status_code=404)
    stub.add_client_error("create_stream", service_error_code="ResourceInUseException", http_status_code=400)
    info = {
        "StreamName": "cam",
        "StreamARN": f"arn:aws:kinesisvideo:us-east-1:{ACCOUNT}:stream/cam/1",
        "KmsKeyId": meta["Arn"],
        "CreationTime": dt.datetime.now(dt.timezone.utc),
    }
    stub.add_response("describe_stream", {"StreamInfo": info})
    stub.activate()
    with pytest.raises(CheckFailed) as err:
        StreamService(factory).create(CreateStreamRequest("cam", kms_key="alias/cams"))
    assert err.value.code == "stream_exists"


def test_a_new_stream_with_another_key_is_not_ours(factory: Any, boto: Any) -> None:
    meta = make_key(boto.kms, alias="alias/cams")
    other = make_key(boto.kms)
    _stub_kvs(factory, other["Arn"], dt.datetime.now(dt.timezone.utc))
    with pytest.raises(CheckFailed) as info:
        StreamService(factory).create(CreateStreamRequest("cam", kms_key=meta["Arn"]))
    assert info.value.code == "stream_exists"
