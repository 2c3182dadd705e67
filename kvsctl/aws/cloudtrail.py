"""CloudTrail gateway: LookupEvents for KMS events, paged and paced under CloudTrail's quota.

LookupEvents allows 2 requests per second per account per region (CloudTrail API reference,
"LookupEvents"; AWS CloudTrail quotas). Each page is fetched at least 0.5 s after the previous one, and
a throttled page is retried with backoff by ClientFactory.call.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from kvsctl.aws.session import ClientFactory
from kvsctl.cost.calibrate import KMS_SOURCE, MalformedRecord
from kvsctl.errors import AwsError

SERVICE = "cloudtrail"
REQUESTS_PER_SECOND = 2
PAGE_SIZE = 50  # LookupEvents MaxResults is at most 50


class CloudTrailGateway:
    def __init__(
        self,
        factory: ClientFactory,
        region: str | None = None,
        *,
        clock: Callable[[], float] | None = None,
        max_pages: int = 100_000,
    ) -> None:
        self.factory = factory
        self.region = region
        self.clock = clock or time.monotonic
        self.max_pages = max_pages
        self._last_call: float | None = None

    def _pace(self) -> None:
        spacing = 1 / REQUESTS_PER_SECOND
        now = self.clock()
        if self._last_call is not None and now - self._last_call < spacing:
            self.factory.sleep(spacing - (now - self._last_call))
            now = self.clock()
        self._last_call = now

    def kms_event_pages(self, start: datetime, end: datetime) -> Iterator[list[object]]:
        """Each page of KMS events in [start, end] as decoded CloudTrail records (a record whose
        CloudTrailEvent is not JSON comes as a MalformedRecord in its place)."""
        params: dict[str, Any] = {
            "LookupAttributes": [{"AttributeKey": "EventSource", "AttributeValue": KMS_SOURCE}],
            "StartTime": start,
            "EndTime": end,
            "MaxResults": PAGE_SIZE,
        }
        token: str | None = None
        seen: set[str] = set()
        for _ in range(self.max_pages):
            self._pace()
            page = self.factory.call(SERVICE, "lookup_events", region=self.region, **params)
            yield [_decode(e) for e in page.get("Events") or []]
            token = page.get("NextToken")
            if not token:
                return
            if token in seen:
                raise AwsError(
                    "LookupEvents returned the same page token twice",
                    hint="This is a service fault; retry later.",
                    code="paging_loop",
                )
            seen.add(token)
            params["NextToken"] = token
        raise AwsError(
            f"LookupEvents still had more pages after {self.max_pages:,}",
            hint="Narrow --start/--end, or read the trail's log files from S3 instead.",
            code="paging_limit",
        )


def _decode(event: dict[str, Any]) -> object:
    text = event.get("CloudTrailEvent")
    if not isinstance(text, str):
        return MalformedRecord("the event has no CloudTrailEvent")
    try:
        return json.loads(text)
    except ValueError as exc:
        return MalformedRecord(f"CloudTrailEvent is not JSON: {exc}")
