"""AWS CLI habits for streams: a stream ARN wherever a stream name is taken, `--stream-name` (and
`--stream-arn`) as the AWS CLI spells them, all through one validator (validate.stream_given)."""

from __future__ import annotations

from typing import Any

import pytest

from kvsctl import validate
from kvsctl.errors import UsageError
from tests.helpers import ACCOUNT, REGION, run_cli

ARN = f"arn:aws:kinesisvideo:{REGION}:{ACCOUNT}:stream/lobby-cam/1700000000000"


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        (("lobby-cam",), {}, ["lobby-cam"]),
        ((None, ["lobby-cam"]), {}, ["lobby-cam"]),
        ((None, None, [ARN]), {}, [ARN]),
        ((None, [ARN]), {}, [ARN]),  # an ARN given to --stream-name is still a stream reference
        ((["a", "b"], ["c"], [ARN]), {"many": True}, ["a", "b", "c", ARN]),
        ((ARN,), {"region": REGION}, [ARN]),
    ],
)
def test_one_validator_accepts(args: tuple[Any, ...], kwargs: dict[str, Any], expected: list[str]) -> None:
    assert validate.stream_given(*args, **kwargs) == expected


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((None,), {}, "name a stream"),
        (("a", ["b"]), {}, "one stream, not 2"),
        ((None, None, ["lobby-cam"]), {}, "is not an ARN"),
        ((ARN,), {"new": True}, "a new stream is given by name"),
        ((ARN,), {"region": "eu-west-1"}, f"is in {REGION}, not in --region eu-west-1"),
        (("bad name!",), {}, "invalid stream name"),
        (("arn:aws:kinesisvideo:us-east-1:12:stream/x",), {}, "invalid stream ARN"),
    ],
)
def test_one_validator_refuses(args: tuple[Any, ...], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError) as err:
        validate.stream_given(*args, **kwargs)
    assert message in err.value.message


def test_arn_region_is_the_shared_region_of_the_arns() -> None:
    west = ARN.replace(REGION, "us-west-2")
    assert validate.arn_region(["cam", ARN]) == REGION
    assert validate.arn_region(["cam"]) is None
    assert validate.arn_region([ARN, west]) is None


@pytest.mark.parametrize("how", ["positional", "--stream-name", "--stream-arn"])
def test_stream_describe_takes_each_spelling(boto: Any, how: str) -> None:
    arn = boto.kvs.create_stream(StreamName="lobby-cam")["StreamARN"]
    boto.kvs.create_stream(StreamName="other-cam")
    args = {"positional": [arn], "--stream-name": ["--stream-name", "lobby-cam"], "--stream-arn": ["--stream-arn", arn]}
    result = run_cli("stream", "describe", *args[how], "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json["name"] == "lobby-cam" and result.json["arn"] == arn


def test_stream_create_takes_stream_name(boto: Any) -> None:
    result = run_cli("stream", "create", "--stream-name", "dock-cam", "-o", "json")
    assert result.exit_code == 0, result.stderr
    names = [s["StreamName"] for s in boto.kvs.list_streams()["StreamInfoList"]]
    assert names == ["dock-cam"]


@pytest.mark.parametrize(
    "argv",
    [
        ["stream", "create", ARN],
        ["stream", "create", "a", "--stream-name", "b"],
        ["stream", "create"],
        ["stream", "describe"],
        ["stream", "describe", ARN, "--region", "eu-west-1"],
    ],
)
def test_bad_stream_references_are_exit_2_before_any_call(boto: Any, argv: list[str]) -> None:
    result = run_cli(*argv, "-o", "json")
    assert result.exit_code == 2, result.stderr
    assert result.error["hint"]
    assert boto.kvs.list_streams()["StreamInfoList"] == []  # nothing created
