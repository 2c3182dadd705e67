"""CreateStream inputs checked locally against KVS's documented patterns and limits (KVS API Reference,
CreateStream), and one validator per identifier."""

import json

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


# -- one validator per identifier: the same value gets the same answer everywhere ------------------

GOOD_PRINCIPALS = [
    "arn:aws:iam::123456789012:role/CameraProducer",
    "arn:aws:iam::123456789012:role/path/to/Viewer",
    "arn:aws:iam::123456789012:user/alice",
    "arn:aws:iam::123456789012:root",
    "123456789012",
    "arn:aws:sts::123456789012:assumed-role/Camera/session-1",
    "arn:aws:sts::123456789012:federated-user/bob",
    "arn:aws-cn:iam::123456789012:role/Cam",
]
BAD_PRINCIPALS = [
    "not-an-arn",
    "12345678901",
    "arn:aws:iam::123456789012:role/*",
    "*",
    "arn:aws:iam::123456789012:group/Viewers",
    "kinesisvideo.amazonaws.com",
    "arn:aws:iam::12345:role/Cam",
    "arn:aws:iam::123456789012:role/has space",
    "arn:aws:s3:::bucket",
    "arn:mars:iam::123456789012:role/Cam",
]


@pytest.mark.parametrize("value", GOOD_PRINCIPALS)
def test_good_principals(value: str) -> None:
    assert validate.principal_arn(value, "--producer").account == "123456789012"


@pytest.mark.parametrize("value", BAD_PRINCIPALS)
def test_bad_principals(value: str) -> None:
    with pytest.raises(UsageError) as err:
        validate.principal_arn(value, "--producer")
    assert err.value.code == "invalid_principal"
    assert "--producer" in err.value.message


def _spec_with_producer(value: str) -> str:
    return f'[[stream]]\nname = "cam"\nkms_key = "aws-managed"\nproducers = ["{value}"]\n'


def _accepts(func: object) -> bool:
    from kvsctl.errors import KvsctlError

    try:
        func()  # type: ignore[operator]
    except KvsctlError as exc:
        assert exc.exit_code == 2
        return False
    return True


@pytest.mark.parametrize("value", GOOD_PRINCIPALS + BAD_PRINCIPALS)
def test_a_principal_gets_the_same_answer_on_the_command_line_and_in_a_spec_file(value: str) -> None:
    """`--producer 123456789012` used to work in `audit stream` and be exit 2 in a spec file."""
    from kvsctl.keys.policy import parse_principal
    from kvsctl.services import audit as offline
    from kvsctl.services.audit_live import AuditScope
    from kvsctl.streamspec.model import parse_spec

    answers = {
        "spec file": _accepts(lambda: parse_spec(_spec_with_producer(value))),
        "audit stream --producer": _accepts(lambda: AuditScope(names=("cam",), producers=(value,)).validated()),
        "audit policy --producer": _accepts(lambda: offline._principal(value, "--producer")),
        "key recommend-policy --producer": _accepts(lambda: parse_principal(value, "--producer")),
    }
    assert set(answers.values()) == {value in GOOD_PRINCIPALS}, answers


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("us-west-2", True),
        ("eu-central-1", True),
        ("cn-north-1", True),
        ("us-gov-west-1", True),
        ("ap-southeast-5", True),
        ("Mars", False),
        ("us-west-2 ", False),
        ("us-west-2\n", False),
        ("us-west-100", False),
        ("", False),
        ("us_west_2", False),
    ],
)
def test_a_region_gets_the_same_answer_everywhere(value: str, ok: bool) -> None:
    from kvsctl.keys.policy import check_region
    from kvsctl.services.audit_live import AuditScope
    from kvsctl.streamspec.model import parse_spec

    answers = {
        "validate": _accepts(lambda: validate.region(value)),
        "spec file": _accepts(lambda: parse_spec(f"region = {json.dumps(value)}\n" + _spec_with_producer("1" * 12))),
        "audit all --region": _accepts(lambda: AuditScope(all_streams=True, regions=(value,)).validated()),
        "key recommend-policy --region": _accepts(lambda: check_region(value)),
    }
    assert set(answers.values()) == {ok}, answers


@pytest.mark.parametrize(
    ("value", "ok"), [("123456789012", True), ("12345678901", False), ("1234567890123", False), ("12345678901a", False)]
)
def test_account_ids(value: str, ok: bool) -> None:
    assert _accepts(lambda: validate.account_id(value)) is ok


@pytest.mark.parametrize(
    ("value", "ok", "creating"),
    [
        ("alias/cams", True, True),
        ("alias/team/cams_1-a", True, True),
        ("alias/aws/kinesisvideo", True, False),
        ("alias/aws/mine", False, True),
        ("cams", False, False),
        ("alias/", False, False),
        ("alias/has space", False, False),
        ("alias/" + "x" * 251, False, False),
    ],
)
def test_alias_names(value: str, ok: bool, creating: bool) -> None:
    assert _accepts(lambda: validate.alias_name(value, creating=creating)) is ok
