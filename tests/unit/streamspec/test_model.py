"""Spec files: what parses, and every mistake reported with file, line and hint (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kvsctl.streamspec.model import SpecError, load_spec, parse_spec

GOOD = """\
region = "us-west-2"            # optional; --region wins
[[stream]]
name = "lobby-cam"
kms_key = "alias/cams"          # or a key ARN/id, or "aws-managed"
retention_hours = 24            # optional
media_type = "video/h264"       # optional
tags = { team = "video" }       # optional
producers = ["arn:aws:iam::123456789012:role/Producer"]
consumers = ["arn:aws:iam::123456789012:role/Consumer"]

[[stream]]
name = "door-cam"
kms_key = "aws-managed"
"""


def test_issue_example_parses() -> None:
    spec = parse_spec(GOOD, "streams.toml")
    assert spec.region == "us-west-2"
    lobby, door = spec.streams
    assert lobby.name == "lobby-cam"
    assert lobby.key_ref.kind == "alias-name"
    assert lobby.retention_hours == 24
    assert lobby.media_type == "video/h264"
    assert lobby.tags == {"team": "video"}
    assert lobby.producers == ("arn:aws:iam::123456789012:role/Producer",)
    assert lobby.consumers == ("arn:aws:iam::123456789012:role/Consumer",)
    assert lobby.line == 2
    assert door.key_ref.is_aws_managed
    assert (door.retention_hours, door.media_type, door.tags, door.producers) == (None, None, {}, ())
    assert door.line == 11


def test_examples_spec_parses() -> None:
    spec = load_spec(Path(__file__).parents[3] / "examples" / "streams.toml")
    assert spec.streams


def _error(text: str) -> SpecError:
    with pytest.raises(SpecError) as err:
        parse_spec(text, "s.toml")
    assert err.value.exit_code == 2
    assert err.value.hint
    return err.value


# (text, line, words in the message, words in the hint)
CASES = [
    (GOOD + "retension_hours = 3\n", 14, "unknown key 'retension_hours'", "Did you mean 'retention_hours'"),
    ('regoin = "us-east-1"\n' + GOOD, 1, "unknown key 'regoin'", "'region'"),
    (
        GOOD.replace("retention_hours = 24", 'retention_hours = "24"'),
        5,
        "must be an integer, not a string",
        "no quotes",
    ),
    (GOOD.replace("retention_hours = 24", "retention_hours = true"), 5, "must be an integer, not a boolean", ""),
    (GOOD.replace("retention_hours = 24", "retention_hours = 90000"), 5, "out of range", "87600"),
    (GOOD.replace('name = "lobby-cam"', 'name = "lobby cam"'), 3, "invalid stream name", "1-256"),
    (GOOD.replace('name = "lobby-cam"', "name = 7"), 3, "name must be a string, not an integer", ""),
    (GOOD.replace('kms_key = "alias/cams"', 'kms_key = "alias/aws/s3"'), 4, "another service", ""),
    (GOOD.replace('kms_key = "alias/cams"', 'kms_key = "cams"'), 4, "not a KMS key reference", ""),
    (GOOD.replace('media_type = "video/h264"', 'media_type = "h264"'), 6, "invalid media type", "video/h264"),
    (GOOD.replace('tags = { team = "video" }', "tags = { team = 1 }"), 7, "tag 'team' must be a string", "Quote"),
    (GOOD.replace('tags = { team = "video" }', 'tags = "team=video"'), 7, "tags must be a table", ""),
    (GOOD.replace('tags = { team = "video" }', 'tags = { "aws:x" = "v" }'), 7, "reserved prefix", ""),
    (GOOD.replace('producers = ["arn', 'producers = "arn').replace('Producer"]', 'Producer"'), 8, "array of ARNs", ""),
    (GOOD.replace("role/Consumer", "group/Consumers"), 9, "IAM group", ""),
    (GOOD.replace('region = "us-west-2"', 'region = "west"'), 1, "invalid region", ""),
    (GOOD.replace('region = "us-west-2"', "region = 2"), 1, "region must be a string", ""),
    (GOOD.replace('name = "door-cam"', 'name = "lobby-cam"'), 12, "declared twice (first on line 3)", ""),
    (GOOD.replace('name = "door-cam"\n', ""), 11, "missing 'name'", "[[stream]] needs name"),
    (GOOD.replace('kms_key = "aws-managed"\n', ""), 11, "missing 'kms_key'", ""),
    ('region = "us-east-1"\n', 1, "declares no streams", "[[stream]]"),
    ('stream = "x"\n', 1, "array of tables", "[[stream]]"),
    (GOOD.replace('kms_key = "alias/cams"', 'kms_key = "alias/cams'), 4, "not valid TOML", ""),
    (GOOD + "[extra]\nx = 1\n", 14, "unknown key 'extra'", "Known keys"),
]


@pytest.mark.parametrize(("text", "line", "message", "hint"), CASES, ids=[c[2][:40] for c in CASES])
def test_errors_name_file_and_line(text: str, line: int, message: str, hint: str) -> None:
    err = _error(text)
    assert err.line == line, err.message
    assert err.message.startswith(f"s.toml:{line}: ")
    assert message in err.message
    assert hint in (err.hint or "")
    assert err.to_json()["error"]["line"] == line


def test_multiline_array_points_at_the_bad_element() -> None:
    text = GOOD.replace(
        'consumers = ["arn:aws:iam::123456789012:role/Consumer"]',
        'consumers = [\n  "arn:aws:iam::123456789012:role/Consumer",\n  "arn:aws:iam::123:role/Bad",\n]',
    )
    assert _error(text).line == 11


def test_subtable_and_dotted_keys_are_located() -> None:
    text = GOOD + '[stream.tags]\nteam = "x"\nsite = 3\n'
    # [stream.tags] re-defines door-cam's tags; the bad value is on line 16.
    assert _error(text).line == 16
    text = GOOD + "tags.site = 3\n"
    assert _error(text).line == 14


def test_multiline_strings_do_not_confuse_lines() -> None:
    text = '[[stream]]\nname = "a"\nmedia_type = """\nbogus = 1\n"""\nkms_key = "aws-managed"\nbogus = 2\n'
    err = _error(text)
    assert "unknown key 'bogus'" in err.message
    assert err.line == 7


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no such file"):
        load_spec(tmp_path / "missing.toml")
    with pytest.raises(SpecError, match="directory"):
        load_spec(tmp_path)
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'region = "us-east-1"\n# caf\xe9\n')
    with pytest.raises(SpecError) as err:
        load_spec(bad)
    assert err.value.line == 2
