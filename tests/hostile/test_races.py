"""Issue 11, items 5, 8, 9: what kvsctl says when AWS acted but the answer was lost, or someone else acted
between kvsctl's check and its change. tests/faults.py arranges both: `late` lets moto do the work and
holds the answer past the read timeout; `race` runs another client's call just before kvsctl's reaches
moto."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import ACCOUNT, run_cli

ADMIN = f"arn:aws:iam::{ACCOUNT}:root"
#: A read timeout short enough that a held answer times out, long enough for moto's own work.
SHORT = {"KVSCTL_READ_TIMEOUT": "2", "KVSCTL_MAX_ATTEMPTS": "3"}


@pytest.fixture
def fast(monkeypatch: Any) -> None:
    for k, v in SHORT.items():
        monkeypatch.setenv(k, v)


@pytest.fixture
def key(faults: Any) -> dict[str, Any]:
    c = faults.clients()
    meta: dict[str, Any] = c.kms.create_key(Description="cams")["KeyMetadata"]
    c.kms.create_alias(AliasName="alias/cams", TargetKeyId=meta["KeyId"])
    faults.clear_counts()
    return meta


def kvsctl(faults: Any, *args: str) -> Any:
    return run_cli(*args, "--endpoint-url", faults.url, "-o", "json")


# -- item 5: CreateAlias answered late, retried, AlreadyExists -------------------------------------------


def test_create_alias_whose_answer_was_lost_is_a_complete_key(faults: Any, fast: None) -> None:
    faults.late("kms.CreateAlias", 6.0, times=1)  # KMS made the alias; the answer never arrived in time
    result = kvsctl(faults, "key", "create", "--alias", "alias/new", "--admin", ADMIN)
    assert result.exit_code == 0, result.stderr
    assert result.json["action"] == "created"
    assert faults.count("CreateAlias") == 2  # the retry got AlreadyExists
    c = faults.clients()
    keys = c.kms.list_keys()["Keys"]
    assert len(keys) == 1
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in c.kms.list_aliases()["Aliases"]}
    assert aliases["alias/new"] == keys[0]["KeyId"]


def test_alias_taken_by_another_key_meanwhile_is_still_a_partial_create(faults: Any) -> None:
    c = faults.clients()
    other = c.kms.create_key(Description="someone else's")["KeyMetadata"]["KeyId"]
    faults.race("kms.CreateAlias", lambda: c.kms.create_alias(AliasName="alias/new", TargetKeyId=other))
    result = kvsctl(faults, "key", "create", "--alias", "alias/new", "--admin", ADMIN)
    assert result.exit_code == 3
    assert result.error["code"] == "partial_create" and "schedule-key-deletion" in result.error["cleanup"]


# -- item 8: a stream someone else created is never "created" --------------------------------------------


def _other_creates(faults: Any, name: str, key_arn: str | None = None) -> Any:
    c = faults.clients()
    return lambda: c.kvs.create_stream(StreamName=name, **({"KmsKeyId": key_arn} if key_arn else {}))


def test_stream_created_by_a_concurrent_run_is_not_reported_as_created(faults: Any, key: dict[str, Any]) -> None:
    faults.race("kinesisvideo.CreateStream", _other_creates(faults, "cam", key["Arn"]))
    result = kvsctl(faults, "stream", "create", "cam", "--kms-key", "alias/cams")
    assert result.exit_code == 1, result.stdout
    assert result.error["code"] == "stream_exists"
    assert faults.count("CreateStream") == 2  # the other client's and kvsctl's one, not retried


def test_concurrent_create_with_the_same_key_is_exists_under_if_not_exists(faults: Any, key: dict[str, Any]) -> None:
    faults.race("kinesisvideo.CreateStream", _other_creates(faults, "cam", key["Arn"]))
    result = kvsctl(faults, "stream", "create", "cam", "--kms-key", "alias/cams", "--if-not-exists")
    assert result.exit_code == 0, result.stderr
    assert result.json["action"] == "exists"


def test_concurrent_create_with_another_key_is_a_mismatch(faults: Any, key: dict[str, Any]) -> None:
    faults.race("kinesisvideo.CreateStream", _other_creates(faults, "cam"))  # the AWS managed key
    result = kvsctl(faults, "stream", "create", "cam", "--kms-key", "alias/cams", "--if-not-exists")
    assert result.exit_code == 1
    assert result.error["code"] == "stream_key_mismatch"


def test_create_stream_whose_answer_was_lost_is_created_once(faults: Any, key: dict[str, Any], fast: None) -> None:
    faults.late("kinesisvideo.CreateStream", 6.0, times=1)
    result = kvsctl(faults, "stream", "create", "cam", "--kms-key", "alias/cams")
    assert result.exit_code == 0, result.stderr
    assert result.json["action"] == "created"
    assert faults.count("CreateStream") == 2
    assert [s["StreamName"] for s in faults.clients().kvs.list_streams()["StreamInfoList"]] == ["cam"]


def test_apply_counts_only_the_streams_it_created(faults: Any, key: dict[str, Any], tmp_path: Any) -> None:
    spec = tmp_path / "streams.toml"
    spec.write_text("".join(f'[[stream]]\nname = "cam-{i}"\nkms_key = "alias/cams"\n' for i in range(3)))
    # another apply creates cam-0 between this run's DescribeStream and its CreateStream
    faults.race("kinesisvideo.CreateStream", _other_creates(faults, "cam-0", key["Arn"]), times=1)
    result = kvsctl(faults, "apply", str(spec))
    assert result.exit_code == 0, result.stderr
    actions = {s["name"]: s["action"] for s in result.json["streams"]}
    assert actions == {"cam-0": "exists", "cam-1": "created", "cam-2": "created"}
    assert result.json["summary"].get("created") == 2


# -- item 9: the key's state after the create ----------------------------------------------------------


def test_key_disabled_between_check_and_create_is_reported_as_it_is_now(faults: Any, key: dict[str, Any]) -> None:
    c = faults.clients()
    faults.race("kinesisvideo.CreateStream", lambda: c.kms.disable_key(KeyId=key["KeyId"]))
    result = kvsctl(faults, "stream", "create", "cam", "--kms-key", "alias/cams")
    assert result.exit_code == 0, result.stderr
    assert result.json["action"] == "created"
    assert result.json["key"]["state"] == "Disabled"
    assert result.json["stream"]["key"]["state"] == "Disabled"
    assert "Disabled" in result.stderr and "changed while the stream was created" in result.stderr


def test_key_state_unchanged_gives_no_warning(faults: Any, key: dict[str, Any]) -> None:
    result = kvsctl(faults, "stream", "create", "cam", "--kms-key", "alias/cams")
    assert result.exit_code == 0 and result.json["key"]["state"] == "Enabled"
    assert "changed while" not in result.stderr
    assert json.loads(result.stdout)["stream"]["name"] == "cam"
