"""CreateStream inputs checked locally against KVS's documented patterns and limits (FACTS.md)."""

import pytest

from kvsctl import validate
from kvsctl.errors import UsageError


@pytest.mark.parametrize("name", ["a", "lobby-cam", "cam_01.front", "x" * 256])
def test_good_stream_names(name: str) -> None:
    assert validate.stream_name(name) == name


@pytest.mark.parametrize("name", ["", "has space", "slash/name", "ünïcode", "x" * 257, "semi;colon"])
def test_bad_stream_names(name: str) -> None:
    with pytest.raises(UsageError):
        validate.stream_name(name)


@pytest.mark.parametrize("value", ["video/h264", "video/h264,audio/aac", "video/x-matroska", "a+b/c.d"])
def test_good_media_types(value: str) -> None:
    assert validate.media_type(value) == value


@pytest.mark.parametrize("value", ["h264", "video/", "video/h264,", "video h264", "v/" + "x" * 127])
def test_bad_media_types(value: str) -> None:
    with pytest.raises(UsageError):
        validate.media_type(value)


@pytest.mark.parametrize(("hours", "ok"), [(0, True), (1, True), (87_600, True), (-1, False), (87_601, False)])
def test_retention_bounds(hours: int, ok: bool) -> None:
    if ok:
        assert validate.retention_hours(hours) == hours
    else:
        with pytest.raises(UsageError):
            validate.retention_hours(hours)


def test_tags_parse_and_keep_equals_in_value() -> None:
    assert validate.tags(["team=video", "expr=a=b", "empty="]) == {"team": "video", "expr": "a=b", "empty": ""}


@pytest.mark.parametrize(
    "pairs",
    [
        ["novalue"],
        ["=x"],
        ["k" * 129 + "=v"],
        ["k=" + "v" * 257],
        ["aws:reserved=x"],
        ["dup=1", "dup=2"],
        ["bad*key=v"],
        [f"k{i}=v" for i in range(51)],
    ],
)
def test_bad_tags(pairs: list[str]) -> None:
    with pytest.raises(UsageError):
        validate.tags(pairs)


def test_device_name() -> None:
    assert validate.device_name("cam-1") == "cam-1"
    with pytest.raises(UsageError):
        validate.device_name("x" * 129)
