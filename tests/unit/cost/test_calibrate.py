"""CloudTrail calibration: what counts as made through KVS, exact counts, rates and extrapolations."""

from __future__ import annotations

import copy
import io
import json
from decimal import Decimal as D
from fractions import Fraction
from pathlib import Path

import pytest

from kvsctl.cost.calibrate import Calibrator, MalformedRecord, parse_event
from kvsctl.cost.trailfile import TrailFileError, iter_records
from kvsctl.services.calibrate import read_files
from tests.trail_fixtures import (
    AWS_DOC_GENERATE_DATA_KEY,
    CAMERA_ROLE,
    KEY1,
    KEY2,
    KVS,
    VIEWER_ROLE,
    at,
    kvs_event,
    write_scenario,
)


def _calibrate(root: Path) -> object:
    cal = Calibrator()
    read_files(cal, [str(root)])
    return cal.result(hours_per_month=D(730), price_per_10k=D("0.03"))


# --- matching ---------------------------------------------------------------------------------------------


def test_the_aws_documented_entry_is_a_direct_call_not_kvs() -> None:
    """KMS guide's GenerateDataKey entry: IAM user, sourceIPAddress 192.0.2.0, no invokedBy."""
    event = parse_event(AWS_DOC_GENERATE_DATA_KEY)
    assert event is not None
    assert event.via_kvs is False
    assert event.principal == "arn:aws:iam::111122223333:user/Alice"
    assert event.key == KEY1  # from resources[].ARN, not the bare keyId


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"invokedBy": KVS, "sourceIPAddress": KVS, "userAgent": KVS},
            ("userIdentity.invokedBy", "sourceIPAddress", "userAgent"),
        ),
        ({"invokedBy": None, "sourceIPAddress": KVS, "userAgent": "AWS Internal"}, ("sourceIPAddress",)),
        ({"invokedBy": None, "sourceIPAddress": "192.0.2.0", "userAgent": KVS}, ("userAgent",)),
        # the regional endpoint name, as in kms:ViaService
        (
            {"invokedBy": "kinesisvideo.us-west-2.amazonaws.com", "sourceIPAddress": "x", "userAgent": "y"},
            ("userIdentity.invokedBy",),
        ),
        ({"invokedBy": "s3.amazonaws.com", "sourceIPAddress": "s3.amazonaws.com", "userAgent": "s3.amazonaws.com"}, ()),
        # a look-alike is not KVS
        (
            {
                "invokedBy": "kinesis.amazonaws.com",
                "sourceIPAddress": "kinesisvideo.amazonaws.com.evil",
                "userAgent": "y",
            },
            (),
        ),
    ],
)
def test_what_names_kvs(fields: dict[str, object], expected: tuple[str, ...]) -> None:
    event = kvs_event("GenerateDataKey", at("2026-12-01T10:00:00Z"), role=CAMERA_ROLE, session="s", created="c")
    if fields["invokedBy"] is None:
        del event["userIdentity"]["invokedBy"]
    else:
        event["userIdentity"]["invokedBy"] = fields["invokedBy"]
    event["sourceIPAddress"] = fields["sourceIPAddress"]
    event["userAgent"] = fields["userAgent"]
    parsed = parse_event(event)
    assert parsed is not None
    assert parsed.matched_on == expected
    assert parsed.via_kvs is bool(expected)


def test_kvs_made_calls_other_than_data_keys_are_other_kms() -> None:
    event = kvs_event("DescribeKey", at("2026-12-01T10:00:00Z"), role=CAMERA_ROLE, session="s", created="c")
    parsed = parse_event(event)
    assert parsed is not None and parsed.matched_on and not parsed.via_kvs


def test_principal_is_the_role_behind_the_session_and_session_includes_its_creation() -> None:
    a = parse_event(kvs_event("Decrypt", at("2026-12-01T10:00:00Z"), role=VIEWER_ROLE, session="v", created="T1"))
    b = parse_event(kvs_event("Decrypt", at("2026-12-01T10:00:00Z"), role=VIEWER_ROLE, session="v", created="T2"))
    assert a is not None and b is not None
    assert a.principal == b.principal == VIEWER_ROLE
    assert a.session != b.session  # a renewed credential with the same session name is a new session


def test_role_is_derived_from_the_assumed_role_arn_without_a_session_issuer() -> None:
    event = kvs_event("Decrypt", at("2026-12-01T10:00:00Z"), role=VIEWER_ROLE, session="v", created="T1")
    del event["userIdentity"]["sessionContext"]
    parsed = parse_event(event)
    assert parsed is not None and parsed.principal == VIEWER_ROLE


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("text", "not an object"),
        ({"eventSource": "kms.amazonaws.com"}, "eventName is missing"),
        ({"eventSource": "kms.amazonaws.com", "eventName": "Decrypt"}, "eventTime is missing"),
        ({"eventSource": "kms.amazonaws.com", "eventName": "Decrypt", "eventTime": "yesterday"}, "not an ISO 8601"),
    ],
)
def test_malformed_records(record: object, reason: str) -> None:
    with pytest.raises(MalformedRecord, match=reason):
        parse_event(record)


# --- the scenario, exactly ----------------------------------------------------------------------------------


def test_scenario_counts_rates_and_extrapolation(tmp_path: Path) -> None:
    c = _calibrate(write_scenario(tmp_path))
    # two log files and one digest file (.json, no Records); README.txt is not a log file
    assert c.sources == 3
    # window: whole hours from the first record (10:00) to the last (11:57) -> 2 h
    assert (c.window_start, c.window_end, c.window_hours) == (at("2026-12-01T10:00:00Z"), at("2026-12-01T12:00:00Z"), 2)
    # 12 + 24 + 3 KVS, 3 other KMS, 1 S3; 2 malformed records + the digest file
    assert (c.records, c.kms_records, c.kvs_requests, c.other_kms_requests) == (43, 42, 39, 3)
    assert c.malformed_total == 3
    reasons = sorted(m.reason for m in c.malformed)
    assert any('no "Records" array' in r for r in reasons)
    assert any("eventTime is missing" in r for r in reasons)
    assert any("not an object" in r for r in reasons)

    rows = {(r.key, r.principal, r.operation, r.hour.hour): (r.requests, r.sessions) for r in c.rows}
    assert rows == {
        (KEY1, CAMERA_ROLE, "GenerateDataKey", 10): (24, 2),
        (KEY1, CAMERA_ROLE, "GenerateDataKey", 11): (12, 1),
        (KEY2, VIEWER_ROLE, "Decrypt", 10): (3, 1),
    }
    sessions = {(s.principal, s.hour.hour): s.sessions for s in c.sessions}
    assert sessions == {(CAMERA_ROLE, 10): 2, (CAMERA_ROLE, 11): 1, (VIEWER_ROLE, 10): 1}

    producer, consumer = c.rates
    # cam1 spans 55 min in 11 steps, cam2 115 min in 23 steps: 170 / 34 = 5 min, 12 per credential-hour
    assert (producer.operation, producer.requests, producer.sessions) == ("GenerateDataKey", 36, 2)
    assert producer.interval_minutes == 5 and producer.requests_per_credential_hour == 12
    assert producer.requests_per_session == 18
    # v1: 20 min in 2 steps
    assert consumer.interval_minutes == 10 and consumer.requests_per_credential_hour == 6
    # pooled: 190 min / 36 steps
    assert c.combined.interval_minutes == Fraction(190, 36)

    per_key = {k.key: k for k in c.per_key}
    # 36 requests in 2 h -> × 730 / 2 = 13,140 a month × $0.000003 = $0.03942
    assert per_key[KEY1].kvs_requests == 36
    assert per_key[KEY1].by_operation == (("GenerateDataKey", 36),)
    assert per_key[KEY1].monthly_requests == 13_140
    assert per_key[KEY1].monthly_request_cost_usd == D("0.03942")
    assert per_key[KEY2].monthly_requests == 1_095
    assert per_key[KEY2].monthly_request_cost_usd == D("0.003285")
    assert c.other_monthly_requests == 1_095
    assert {(o.operation, o.requests) for o in c.other} == {("GenerateDataKey", 1), ("Decrypt", 1), ("DescribeKey", 1)}
    assert c.gaps == ()
    assert any("less than 24 h" in w for w in c.warnings)
    assert not any("exclude KMS events" in w for w in c.warnings)


def test_gaps_are_hours_without_any_record(tmp_path: Path) -> None:
    records = [
        kvs_event("GenerateDataKey", at(t), role=CAMERA_ROLE, session="s", created="c")
        for t in ("2026-12-01T10:00:00Z", "2026-12-01T10:05:00Z", "2026-12-01T13:00:00Z")
    ]
    cal = Calibrator()
    cal.add_all(records, "mem")
    c = cal.result(hours_per_month=D(730), price_per_10k=D("0.03"))
    assert c.window_hours == 4
    assert c.gaps == ((at("2026-12-01T11:00:00Z"), at("2026-12-01T13:00:00Z")),)
    assert any("2 hours of the window have no CloudTrail records" in w for w in c.warnings)


def test_no_kms_data_events_says_how_to_check_the_trail() -> None:
    cal = Calibrator()
    cal.add({"eventTime": "2026-12-01T10:00:00Z", "eventSource": "s3.amazonaws.com", "eventName": "GetObject"}, "mem")
    c = cal.result(hours_per_month=D(730), price_per_10k=D("0.03"))
    text = " ".join(c.warnings)
    assert "may exclude KMS events" in text
    assert "get-event-selectors" in text and "ExcludeManagementEventSources" in text


def test_only_direct_data_key_calls_say_none_went_through_kvs() -> None:
    cal = Calibrator()
    cal.add(copy.deepcopy(AWS_DOC_GENERATE_DATA_KEY), "mem")
    c = cal.result(hours_per_month=D(730), price_per_10k=D("0.03"))
    assert c.kvs_requests == 0 and c.other_kms_requests == 1
    assert any("none made through Kinesis Video Streams" in w for w in c.warnings)


def test_sessions_that_ask_once_imply_no_interval() -> None:
    cal = Calibrator()
    for i in range(3):  # three short-lived credentials, one request each
        cal.add(
            kvs_event(
                "GenerateDataKey", at(f"2026-12-01T10:0{i}:00Z"), role=CAMERA_ROLE, session=f"s{i}", created=str(i)
            ),
            "m",
        )
    c = cal.result(hours_per_month=D(730), price_per_10k=D("0.03"))
    assert c.rates[0].interval_minutes is None and c.rates[0].requests_per_session == 1
    assert any("asked KMS more than once" in w for w in c.warnings)


def test_a_lookup_window_is_the_one_asked_for() -> None:
    cal = Calibrator()
    cal.add(kvs_event("GenerateDataKey", at("2026-12-01T10:00:00Z"), role=CAMERA_ROLE, session="s", created="c"), "m")
    c = cal.result(
        hours_per_month=D(730),
        price_per_10k=D("0.03"),
        start=at("2026-12-01T00:00:00Z"),
        end=at("2026-12-03T00:00:00Z"),
    )
    assert c.window_hours == 48 and c.window_from == "request"
    # 1 request in 48 h -> 730 / 48 = 15.2 -> 15
    assert c.per_key[0].monthly_requests == 15
    assert not any("less than 24 h" in w for w in c.warnings)
    assert len(c.gaps) == 2  # 00:00-10:00 and 11:00-00:00 (day 3) have no records


# --- reading files --------------------------------------------------------------------------------------------


def test_records_stream_in_constant_memory() -> None:
    """5,000 records (~5 MB) through a 4 KiB window: the buffer never holds more than a few records."""
    record = kvs_event("GenerateDataKey", at("2026-12-01T10:00:00Z"), role=CAMERA_ROLE, session="s", created="c")
    size = len(json.dumps(record))
    text = json.dumps({"Records": [record] * 5_000})
    stats: dict[str, int] = {}
    count = sum(1 for _ in iter_records(io.StringIO(text), chunk_size=4096, stats=stats))
    assert count == 5_000
    assert stats["peak_buffer"] <= 2 * (4096 + size)
    assert len(text) > 500 * stats["peak_buffer"]


def test_a_broken_file_keeps_the_records_before_the_break() -> None:
    record = {"eventTime": "2026-12-01T10:00:00Z", "eventSource": "s3.amazonaws.com", "eventName": "GetObject"}
    # two whole records, then a third that is not JSON
    text = json.dumps({"Records": [record, record]})[:-2] + ", {oops]}"
    got = []
    with pytest.raises(TrailFileError) as err:
        for r in iter_records(io.StringIO(text), chunk_size=16):
            got.append(r)
    assert len(got) == 2
    assert "invalid JSON" in str(err.value) and err.value.offset > 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"awsAccountId": "1"}', 'no "Records" array'),
        ("[1, 2]", "expected '{'"),
        ('{"Records": [] } trailing', "unexpected text"),
        ("", "expected '{'"),
    ],
)
def test_not_a_log_file(text: str, message: str) -> None:
    with pytest.raises(TrailFileError, match=message):
        list(iter_records(io.StringIO(text)))


def test_other_members_are_skipped_and_numbers_across_chunks_survive() -> None:
    text = '{"Other": {"a": [1, 2, 3]}, "Records": [12345678901234567890, {"x": 1}], "Tail": 1}'
    assert list(iter_records(io.StringIO(text), chunk_size=3)) == [12345678901234567890, {"x": 1}]


def test_a_corrupt_gzip_is_reported_and_the_next_file_read(tmp_path: Path) -> None:
    (tmp_path / "a.json.gz").write_bytes(b"\x1f\x8bnot really gzip")
    (tmp_path / "b.json").write_text(json.dumps({"Records": [AWS_DOC_GENERATE_DATA_KEY]}))
    cal = Calibrator()
    assert read_files(cal, [str(tmp_path)]) == 2
    assert cal.malformed_total == 1 and "cannot read" in cal.malformed[0].reason
    assert cal.kms_records == 1
