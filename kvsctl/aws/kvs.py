"""Kinesis Video Streams gateway: boto3 in, kvsctl.models.Stream out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kvsctl.aws.session import ClientFactory
from kvsctl.errors import AwsError
from kvsctl.models import Stream

SERVICE = "kinesisvideo"


def stream_from_api(info: dict[str, Any]) -> Stream:
    return Stream(
        name=info["StreamName"],
        arn=info["StreamARN"],
        status=info.get("Status", "UNKNOWN"),
        retention_hours=int(info.get("DataRetentionInHours", 0) or 0),
        media_type=info.get("MediaType") or None,
        kms_key_id=info.get("KmsKeyId") or None,
        device_name=info.get("DeviceName") or None,
        creation_time=info.get("CreationTime"),
        version=info.get("Version"),
    )


class KvsGateway:
    def __init__(self, factory: ClientFactory, region: str | None = None) -> None:
        self.factory = factory
        self.region = region

    def describe_stream(self, name: str | None = None, *, arn: str | None = None) -> Stream | None:
        """The stream, or None when KVS says it does not exist."""
        params = {"StreamARN": arn} if arn else {"StreamName": name}
        try:
            out = self.factory.call(SERVICE, "describe_stream", region=self.region, **params)
        except AwsError as exc:
            if exc.code == "not_found":
                return None
            raise
        return stream_from_api(out["StreamInfo"])

    def list_streams(self, name_prefix: str | None = None) -> Iterator[Stream]:
        """Every stream (all pages). The prefix is sent to KVS and applied again here, because
        a service that ignores it (moto does) must not widen the result."""
        params: dict[str, Any] = {"MaxResults": 10000}
        if name_prefix:
            params["StreamNameCondition"] = {"ComparisonOperator": "BEGINS_WITH", "ComparisonValue": name_prefix}
        for info in self.factory.paginate(
            SERVICE,
            "list_streams",
            "StreamInfoList",
            token_in="NextToken",
            token_out="NextToken",
            region=self.region,
            **params,
        ):
            stream = stream_from_api(info)
            if name_prefix and not stream.name.startswith(name_prefix):
                continue
            yield stream

    def create_stream(
        self,
        name: str,
        *,
        kms_key_id: str | None,
        retention_hours: int | None,
        media_type: str | None,
        device_name: str | None,
        tags: dict[str, str],
    ) -> str:
        params: dict[str, Any] = {"StreamName": name}
        if kms_key_id:
            params["KmsKeyId"] = kms_key_id
        if retention_hours is not None:
            params["DataRetentionInHours"] = retention_hours
        if media_type:
            params["MediaType"] = media_type
        if device_name:
            params["DeviceName"] = device_name
        if tags:
            params["Tags"] = tags
        out = self.factory.call(SERVICE, "create_stream", region=self.region, **params)
        return str(out["StreamARN"])
