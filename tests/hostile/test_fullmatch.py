"""Issue 11, item 11: Python's `$` matches before a final newline and `\\w`/`\\d` accept non-ASCII letters
and digits. Every identifier check is a full match over ASCII classes where AWS means ASCII."""

from __future__ import annotations

from pathlib import Path

import pytest

from kvsctl import validate
from kvsctl.errors import UsageError
from kvsctl.keyref import parse_key_ref
from tests.helpers import run_cli

CYRILLIC_I = "\u0456"  # looks like i
ARABIC_ONE = "\u0661"  # a digit to \d, not to AWS


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (validate.stream_name, "nl-cam\n"),
        (validate.name_prefix, "cam\n"),
        (validate.device_name, "dev\n"),
        (validate.media_type, "video/h264\n"),
        (validate.media_type, f"v{CYRILLIC_I}deo/h264"),
        (validate.media_type, "video/h\u00e9vc"),
    ],
)
def test_validators_refuse_a_trailing_newline_and_non_ascii(check: object, value: str) -> None:
    with pytest.raises(UsageError):
        check(value)  # type: ignore[operator]


@pytest.mark.parametrize(
    "text",
    [
        f"arn:aws:kms:us-east-1:12345678901{ARABIC_ONE}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        f"arn:aws:kms:us-east-1:123456789012:alias/cams/{ARABIC_ONE}",
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab/\nx",
    ],
)
def test_key_references_refuse_non_ascii_digits_and_inner_newlines(text: str) -> None:
    with pytest.raises(UsageError):
        parse_key_ref(text)


@pytest.mark.parametrize(
    "text",
    [
        "1234abcd-12ab-34cd-56ef-1234567890ab\n",
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\n",
    ],
)
def test_a_key_reference_is_trimmed_so_no_newline_reaches_aws(text: str) -> None:
    assert "\n" not in parse_key_ref(text).text


def test_stream_name_with_a_newline_is_exit_2_before_any_call() -> None:
    result = run_cli("stream", "create", "nl-cam\n", "--dry-run", "-o", "json")
    assert result.exit_code == 2 and result.error["code"] == "invalid_stream_name"


def test_spec_with_cam_and_cam_newline_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "s.toml"
    spec.write_text(
        '[[stream]]\nname = "cam"\nkms_key = "aws-managed"\n[[stream]]\nname = "cam\\n"\nkms_key = "aws-managed"\n'
    )
    result = run_cli("apply", str(spec), "--dry-run", "-o", "json")
    assert result.exit_code == 2, result.stdout


@pytest.mark.parametrize(
    "arn",
    [
        f"arn:aws:iam::12345678901{ARABIC_ONE}:role/cam",
        f"arn:aws:iam::123456789012:role/c{CYRILLIC_I}m",
        "arn:aws:iam::123456789012:role/cam\nx",
    ],
)
def test_principal_arns_with_inner_newlines_or_non_ascii_are_exit_2(arn: str, tmp_path: Path) -> None:
    policy = tmp_path / "p.json"
    policy.write_text('{"Version": "2012-10-17", "Statement": []}')
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    result = run_cli("audit", "policy", "--key-policy", str(policy), "--key-arn", key, "--producer", arn, "-o", "json")
    assert result.exit_code == 2, result.stdout
