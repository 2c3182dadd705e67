"""`cost calibrate --lookup-events` through botocore's Stubber: moto 5.2 does not implement CloudTrail
LookupEvents (moto/cloudtrail has no lookup_events), so pages, the throttle and the pacing are stubbed."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal as D
from typing import Any

import pytest
from botocore.stub import Stubber

from kvsctl.aws.session import AwsConfig, ClientFactory, RetryPolicy
from kvsctl.cost.calibrate import Calibrator
from kvsctl.errors import AwsError
from kvsctl.services.calibrate import lookup_events
from tests.trail_fixtures import AWS_DOC_GENERATE_DATA_KEY, CAMERA_ROLE, KEY1, at, every, kvs_event

START, END = at("2026-12-01T10:00:00Z"), at("2026-12-01T12:00:00Z")


def _expected(token: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "LookupAttributes": [{"AttributeKey": "EventSource", "AttributeValue": "kms.amazonaws.com"}],
        "StartTime": START,
        "EndTime": END,
        "MaxResults": 50,
    }
    if token:
        params["NextToken"] = token
    return params


def _events(records: list[Any]) -> list[dict[str, Any]]:
    return [
        {"EventId": str(i), "EventName": "x", "CloudTrailEvent": r if isinstance(r, str) else json.dumps(r)}
        for i, r in enumerate(records)
    ]


class FakeClock:
    """Time that moves only when the code sleeps: pacing must come from sleeping, not from slow calls."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def stubbed(clock: FakeClock) -> tuple[ClientFactory, Stubber]:
    factory = ClientFactory(AwsConfig(region="us-east-1"), retry=RetryPolicy(max_attempts=4, base_delay=0.5),
                            sleep=clock.sleep)  # fmt: skip
    stub = Stubber(factory.client("cloudtrail"))
    stub.activate()
    return factory, stub


def test_every_page_is_read_paced_and_a_throttle_is_retried() -> None:
    clock = FakeClock()
    factory, stub = stubbed(clock)
    gdk = [
        kvs_event("GenerateDataKey", t, role=CAMERA_ROLE, session="cam", created="2026-12-01T10:00:00Z")
        for t in every("2026-12-01T10:00:00Z", 5, 24)
    ]
    stub.add_response("lookup_events", {"Events": _events(gdk[:12]), "NextToken": "t1"}, _expected())
    stub.add_client_error("lookup_events", "ThrottlingException", "Rate exceeded", 400, expected_params=_expected("t1"))
    stub.add_response(
        "lookup_events", {"Events": _events([*gdk[12:], AWS_DOC_GENERATE_DATA_KEY, "{not json"])}, _expected("t1")
    )
    cal = Calibrator()
    pages = lookup_events(cal, factory, START, END, clock=clock)
    stub.assert_no_pending_responses()
    assert pages == 2
    c = cal.result(hours_per_month=D(730), price_per_10k=D("0.03"), start=START, end=END)
    assert (c.kvs_requests, c.other_kms_requests, c.malformed_total) == (24, 1, 1)
    assert "CloudTrailEvent is not JSON" in c.malformed[0].reason
    assert c.rates[0].interval_minutes == 5
    # 24 requests in the 2 h asked for -> 8,760 a month on KEY1
    assert [(k.key, k.monthly_requests) for k in c.per_key] == [(KEY1, 8_760)]
    # first call unpaced; the throttled retry waited a backoff; then pacing kept >= 0.5 s between calls
    assert len(clock.sleeps) >= 2
    assert factory.stats.calls["cloudtrail.LookupEvents"] == 3


def test_pages_are_at_most_two_a_second() -> None:
    clock = FakeClock()
    factory, stub = stubbed(clock)
    for i in range(4):
        response: dict[str, Any] = {"Events": []}
        if i < 3:
            response["NextToken"] = f"t{i + 1}"
        stub.add_response("lookup_events", response, _expected(f"t{i}" if i else None))
    calls: list[float] = []
    original = factory.call

    def timed(*args: Any, **kwargs: Any) -> dict[str, Any]:
        calls.append(clock.now)
        return original(*args, **kwargs)

    factory.call = timed  # type: ignore[method-assign]
    assert lookup_events(Calibrator(), factory, START, END, clock=clock) == 4
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    assert gaps == [pytest.approx(0.5)] * 3


def test_a_repeated_page_token_stops_with_an_aws_error() -> None:
    clock = FakeClock()
    factory, stub = stubbed(clock)
    stub.add_response("lookup_events", {"Events": [], "NextToken": "same"}, _expected())
    stub.add_response("lookup_events", {"Events": [], "NextToken": "same"}, _expected("same"))
    with pytest.raises(AwsError, match="same page token"):
        lookup_events(Calibrator(), factory, START, END, clock=clock)


def test_cli_lookup_events_end_to_end_through_the_stub(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's wiring: flags -> LookupEvents pages -> calibration JSON over the asked window."""
    from kvsctl.cli.options import GlobalOptions
    from tests.helpers import run_cli

    clock = FakeClock()
    factory, stub = stubbed(clock)
    gdk = [
        kvs_event("GenerateDataKey", t, role=CAMERA_ROLE, session="cam", created="2026-12-01T10:00:00Z")
        for t in every("2026-12-01T10:00:00Z", 5, 24)
    ]
    stub.add_response("lookup_events", {"Events": _events(gdk)}, _expected())
    monkeypatch.setattr(GlobalOptions, "factory", lambda self, profile=None: factory)
    r = run_cli("cost", "calibrate", "--lookup-events", "--start", "2026-12-01T10:00:00Z",
                "--end", "2026-12-01T12:00:00Z", "-o", "json")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    stub.assert_no_pending_responses()
    data = r.json
    assert data["window"] == {"start": "2026-12-01T10:00:00Z", "end": "2026-12-01T12:00:00Z", "hours": 2,
                              "from": "request"}  # fmt: skip
    assert data["kvs_requests"] == 24 and data["per_key"][0]["monthly_requests"] == 8_760


def test_cli_lookup_events_access_denied_is_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    from kvsctl.cli.options import GlobalOptions
    from tests.helpers import run_cli

    clock = FakeClock()
    factory, stub = stubbed(clock)
    stub.add_client_error("lookup_events", "AccessDeniedException", "not allowed", 400, expected_params=_expected())
    monkeypatch.setattr(GlobalOptions, "factory", lambda self, profile=None: factory)
    r = run_cli("cost", "calibrate", "--lookup-events", "--start", "2026-12-01T10:00:00Z",
                "--end", "2026-12-01T12:00:00Z", "-o", "json")  # fmt: skip
    assert r.exit_code == 3, r.stderr
    assert "Traceback" not in r.stderr
