"""Issue 11, items 12 and 13 (environment): every wait is bounded. A drip-fed answer (a byte before each
read timeout) ends at the request deadline; a listing that hands out fresh page tokens forever ends at the
page cap; a policy or spec that is a FIFO, a device or a huge file is refused before it is read; timeouts
that are not positive finite numbers are exit 2 before any request. Short limits come from the
environment, so nothing here waits long."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def kvsctl(faults: Any, *args: str) -> Any:
    return run_cli(*args, "--endpoint-url", faults.url, "-o", "json")


def test_drip_fed_answer_ends_at_the_request_deadline(faults: Any, monkeypatch: Any) -> None:
    faults.clients().kvs.create_stream(StreamName="cam")
    monkeypatch.setenv("KVSCTL_READ_TIMEOUT", "1")
    monkeypatch.setenv("KVSCTL_REQUEST_DEADLINE", "1.5")
    faults.drip_feed("kinesisvideo.DescribeStream", 0.2)  # ~300 bytes: a minute, never a read timeout
    started = time.monotonic()
    result = kvsctl(faults, "stream", "describe", "cam")
    took = time.monotonic() - started
    assert result.exit_code == 3 and result.error["code"] == "endpoint_timeout"
    assert "1.5 s" in result.error["message"] and "KVSCTL_REQUEST_DEADLINE" in result.error["hint"]
    assert took < 4, took
    assert faults.count("DescribeStream") == 1  # not retried: it already had the whole deadline


def test_endless_fresh_page_tokens_end_at_the_page_cap(faults: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("KVSCTL_MAX_PAGES", "40")
    faults.not_aws(
        "kinesisvideo.ListStreams",
        lambda: json.dumps({"StreamInfoList": [], "NextToken": uuid.uuid4().hex}).encode(),
        content_type="application/json",
    )
    result = kvsctl(faults, "stream", "list")
    assert result.exit_code == 3 and result.error["code"] == "paging_runaway"
    assert faults.count("ListStreams") == 40


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
@pytest.mark.parametrize("name", ["KVSCTL_READ_TIMEOUT", "KVSCTL_CONNECT_TIMEOUT", "KVSCTL_REQUEST_DEADLINE"])
def test_timeouts_that_are_not_positive_numbers_are_exit_2_before_any_call(
    faults: Any, monkeypatch: Any, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    result = kvsctl(faults, "stream", "list")
    assert result.exit_code == 2, result.stderr
    assert name in result.error["message"]
    assert faults.total == 0


@pytest.mark.parametrize(("name", "value"), [("KVSCTL_MAX_ATTEMPTS", "0"), ("KVSCTL_RETRY_BASE_DELAY", "-1")])
def test_retry_settings_out_of_range_are_exit_2(faults: Any, monkeypatch: Any, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    assert kvsctl(faults, "stream", "list").exit_code == 2
    assert faults.total == 0


def audit_policy(path: str) -> Any:
    producer = "arn:aws:iam::123456789012:role/cam"
    return run_cli("audit", "policy", "--key-policy", path, "--key-arn", KEY_ARN, "--producer", producer, "-o", "json")


def test_policy_that_is_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "policy.json"
    os.mkfifo(fifo)
    result = audit_policy(str(fifo))
    assert result.exit_code == 2 and "not a regular file" in result.error["message"]


def test_policy_that_is_dev_zero_is_refused_before_reading() -> None:
    result = audit_policy("/dev/zero")
    assert result.exit_code == 2 and "not a regular file" in result.error["message"]


def test_huge_policy_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "policy.json"
    with big.open("wb") as fh:
        fh.truncate(3 * 1024**3)  # 3 GiB, sparse
    result = audit_policy(str(big))
    assert result.exit_code == 2 and "larger than" in result.error["message"]


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "huge"])
def test_spec_that_is_not_a_small_regular_file_is_refused(tmp_path: Path, kind: str) -> None:
    spec = tmp_path / "streams.toml"
    if kind == "fifo":
        os.mkfifo(spec)
    elif kind == "huge":
        with spec.open("wb") as fh:
            fh.truncate(3 * 1024**3)
    path = "/dev/zero" if kind == "dev-zero" else str(spec)
    result = run_cli("apply", path, "--dry-run", "-o", "json")
    assert result.exit_code == 2
    assert "regular file" in result.stderr or "larger than" in result.stderr
