"""Issue 11, item 13 (input): a 5,000-digit number is more than Python turns into an int (4,300 digits by
default), and json, tomllib and PyYAML raise a bare ValueError for it: exit 4, "internal error", advice
to call sys.set_int_max_str_digits(). In a user's file it is an input error (exit 2) naming the file and
line; in a key policy read from AWS it is reported (a finding, a note), never a crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli

HUGE = "9" * 5000
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PRODUCER = "arn:aws:iam::123456789012:role/cam"
ROOT = "arn:aws:iam::123456789012:root"


def policy(condition_value: str = "1", sid: str | None = None) -> str:
    statement = (
        '{"Effect": "Allow", "Principal": {"AWS": "' + ROOT + '"}, "Action": "kms:*", "Resource": "*", '
        '"Condition": {"NumericLessThan": {"kms:GrantCount": '
        + condition_value
        + "}}"
        + (', "Sid": ' + sid if sid else "")
        + "}"
    )
    return '{\n"Version": "2012-10-17",\n"Statement": [\n' + statement + "\n]\n}"


def says_too_long(message: str) -> bool:
    return "a number of 5,000 digits" in message and "set_int_max_str_digits" not in message


def audit_policy(tmp_path: Path, key_policy: str, *extra: str) -> Any:
    path = tmp_path / "key.json"
    path.write_text(key_policy)
    return run_cli("audit", "policy", "--key-policy", str(path), "--key-arn", KEY_ARN, "--producer", PRODUCER,
                   *extra, "-o", "json")  # fmt: skip


@pytest.mark.parametrize("where", ["condition", "sid"])
def test_key_policy_with_a_huge_number_is_exit_2_naming_the_line(tmp_path: Path, where: str) -> None:
    doc = policy(HUGE) if where == "condition" else policy(sid=HUGE)
    result = audit_policy(tmp_path, doc)
    assert result.exit_code == 2, result.stderr
    assert says_too_long(result.error["message"]) and "key.json:4:" in result.error["message"]


@pytest.mark.parametrize("flag", ["--identity-policy", "--scp", "--grants"])
def test_other_policy_files_with_a_huge_number_are_exit_2(tmp_path: Path, flag: str) -> None:
    other = tmp_path / "other.json"
    if flag == "--grants":
        other.write_text('{"Grants": [{"GrantId": "g", "Operations": ["Decrypt"], "CreationDate": ' + HUGE + "}]}")
    else:
        other.write_text(policy(HUGE))
    value = f"{PRODUCER}={other}" if flag == "--identity-policy" else str(other)
    result = audit_policy(tmp_path, policy(), flag, value)
    assert result.exit_code == 2, result.stderr
    assert says_too_long(result.error["message"])


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("template.json", '{"Resources": {"S": {"Type": "AWS::KinesisVideo::Stream",\n'
         '"Properties": {"Name": "x", "DataRetentionInHours": ' + HUGE + "}}}}"),
        ("template.yaml", "Resources:\n  S:\n    Type: AWS::KinesisVideo::Stream\n    Properties:\n"
         f"      Name: x\n      DataRetentionInHours: {HUGE}\n"),
        ("plan.json", '{"format_version": "1.2", "planned_values": {"root_module": {"resources": [\n'
         '{"address": "aws_kinesis_video_stream.s", "type": "aws_kinesis_video_stream", '
         '"values": {"name": "s", "data_retention_in_hours": ' + HUGE + "}}]}}}"),
    ],
)  # fmt: skip
def test_templates_with_a_huge_number_are_exit_2_naming_the_line(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    result = run_cli("audit", "template", str(path), "-o", "json")
    assert result.exit_code == 2, result.stderr
    assert says_too_long(result.error["message"])
    assert f"{name}:{2 if name.endswith('json') else 6}:" in result.error["message"]


def test_spec_with_a_huge_number_is_exit_2_naming_the_line(tmp_path: Path) -> None:
    spec = tmp_path / "streams.toml"
    spec.write_text(f'[[stream]]\nname = "cam"\nretention_hours = {HUGE}\n')
    result = run_cli("apply", str(spec), "--dry-run", "-o", "json")
    assert result.exit_code == 2
    assert says_too_long(result.error["message"]) and result.error["line"] == 3


def test_price_and_calibration_files_with_a_huge_number_are_exit_2(tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text('{"as_of": "2027-01-01", "customer_key_month": ' + HUGE + "}")
    calibration = tmp_path / "calibration.json"
    calibration.write_text('{"format": "kvsctl-calibration/1", "kvs_requests": ' + HUGE + "}")
    for flag, path in (("--price-file", prices), ("--calibration", calibration)):
        result = run_cli("cost", "estimate", flag, str(path), "-o", "json")
        assert result.exit_code == 2, result.stderr
        assert says_too_long(result.error["message"])


def test_cloudtrail_file_with_a_huge_number_is_counted_as_malformed(tmp_path: Path) -> None:
    trail = tmp_path / "trail.json"
    trail.write_text('{"Records": [{"eventSource": "kms.amazonaws.com", "eventName": "Decrypt", "x": ' + HUGE + "}]}")
    result = run_cli("cost", "calibrate", "--cloudtrail", str(trail), "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json["malformed_total"] == 1
    assert says_too_long(json.dumps(result.json["malformed"]))


def test_live_key_policy_with_a_huge_number_is_reported_not_a_crash(boto: Any) -> None:
    key = boto.kms.create_key()["KeyMetadata"]
    boto.kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=policy(HUGE))
    boto.kvs.create_stream(StreamName="cam", KmsKeyId=key["Arn"])
    described = run_cli("key", "describe", key["Arn"], "-o", "json")
    assert described.exit_code == 0, described.stderr
    assert any(says_too_long(n) for n in described.json["notes"])
    audited = run_cli("audit", "stream", "cam", "--producer", PRODUCER, "-o", "json")
    assert audited.exit_code == 1, audited.stderr
    assert any(says_too_long(f["message"]) for f in audited.json["findings"])
