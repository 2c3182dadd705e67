"""`apply` against moto in-process: creates only what is missing, --dry-run touches nothing, an
existing stream is never changed (wrong key: left untouched, exit 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REGION, run_cli

SPEC = """\
[[stream]]
name = "lobby-cam"
kms_key = "alias/cams"
retention_hours = 24
media_type = "video/h264"
tags = { team = "video" }
producers = ["arn:aws:iam::123456789012:role/Producer"]

[[stream]]
name = "door-cam"
kms_key = "aws-managed"

[[stream]]
name = "dock-cam"
kms_key = "alias/cams"
"""


@pytest.fixture
def cams_key(boto: Any) -> str:
    key = boto.kms.create_key()["KeyMetadata"]
    boto.kms.create_alias(AliasName="alias/cams", TargetKeyId=key["KeyId"])
    return str(key["Arn"])


def state(boto: Any) -> dict[str, Any]:
    """Everything apply could touch in the account."""
    streams = boto.kvs.list_streams()["StreamInfoList"]
    return {
        "streams": sorted(
            (s["StreamName"], s.get("KmsKeyId"), s.get("DataRetentionInHours"), s["StreamARN"]) for s in streams
        ),
        "keys": sorted(k["KeyId"] for k in boto.kms.list_keys()["Keys"]),
        "aliases": sorted((a["AliasName"], a.get("TargetKeyId")) for a in boto.kms.list_aliases()["Aliases"]),
    }


def write(tmp_path: Path, text: str = SPEC) -> str:
    p = tmp_path / "streams.toml"
    p.write_text(text)
    return str(p)


def by_name(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in out["streams"]}


def test_dry_run_touches_nothing(boto: Any, cams_key: str, tmp_path: Path) -> None:
    before = state(boto)
    r = run_cli("apply", write(tmp_path), "--dry-run", "-o", "json")
    assert r.exit_code == 0, r.stderr
    out = r.json
    assert out["dry_run"] is True and out["ok"] is True
    assert {n: s["action"] for n, s in by_name(out).items()} == {
        "lobby-cam": "would-create",
        "door-cam": "would-create",
        "dock-cam": "would-create",
    }
    assert by_name(out)["lobby-cam"]["key_arn"] == cams_key
    assert state(boto) == before


def test_creates_only_what_is_missing(boto: Any, cams_key: str, tmp_path: Path) -> None:
    boto.kvs.create_stream(StreamName="dock-cam", KmsKeyId=cams_key)
    dock_before = boto.kvs.describe_stream(StreamName="dock-cam")["StreamInfo"]
    r = run_cli("apply", write(tmp_path), "-o", "json")
    assert r.exit_code == 0, r.stderr
    actions = {n: s["action"] for n, s in by_name(r.json).items()}
    assert actions == {"lobby-cam": "created", "door-cam": "created", "dock-cam": "exists"}
    lobby = boto.kvs.describe_stream(StreamName="lobby-cam")["StreamInfo"]
    assert lobby["KmsKeyId"] == cams_key  # the key ARN, never the alias
    assert lobby["DataRetentionInHours"] == 24
    assert lobby["MediaType"] == "video/h264"
    door = boto.kvs.describe_stream(StreamName="door-cam")["StreamInfo"]
    assert "KmsKeyId" not in door  # AWS managed key: no KmsKeyId sent
    assert boto.kvs.describe_stream(StreamName="dock-cam")["StreamInfo"] == dock_before
    # a second run changes nothing and says everything exists
    again = state(boto)
    r2 = run_cli("apply", write(tmp_path), "-o", "json")
    assert r2.exit_code == 0
    assert {s["action"] for s in r2.json["streams"]} == {"exists"}
    assert state(boto) == again


def test_wrong_key_left_untouched_exit_1(boto: Any, cams_key: str, tmp_path: Path) -> None:
    boto.kvs.create_stream(StreamName="dock-cam")  # AWS managed key, the spec says alias/cams
    before = boto.kvs.describe_stream(StreamName="dock-cam")["StreamInfo"]
    r = run_cli("apply", write(tmp_path), "-o", "json")
    assert r.exit_code == 1
    dock = by_name(r.json)["dock-cam"]
    assert dock["action"] == "wrong-key"
    assert dock["ok"] is False
    assert "can never change" in dock["fix"] and "create a new stream" in dock["fix"]
    assert boto.kvs.describe_stream(StreamName="dock-cam")["StreamInfo"] == before
    # the others were still created
    assert by_name(r.json)["lobby-cam"]["action"] == "created"
    assert r.json["ok"] is False


def test_drift_reported_not_changed(boto: Any, cams_key: str, tmp_path: Path) -> None:
    boto.kvs.create_stream(StreamName="lobby-cam", KmsKeyId=cams_key, DataRetentionInHours=48)
    r = run_cli("apply", write(tmp_path), "--dry-run", "-o", "json")
    assert r.exit_code == 0
    lobby = by_name(r.json)["lobby-cam"]
    assert lobby["action"] == "drift"
    assert "retention is 48 h, the spec says 24 h" in lobby["message"]
    assert "update-data-retention" in lobby["fix"] and "DECREASE_DATA_RETENTION" in lobby["fix"]
    assert boto.kvs.describe_stream(StreamName="lobby-cam")["StreamInfo"]["DataRetentionInHours"] == 48


def test_unusable_or_missing_key_blocks_that_stream(boto: Any, cams_key: str, tmp_path: Path) -> None:
    boto.kms.disable_key(KeyId=cams_key.split("/")[-1])
    text = SPEC.replace('name = "door-cam"\nkms_key = "aws-managed"', 'name = "door-cam"\nkms_key = "alias/nope"')
    r = run_cli("apply", write(tmp_path, text), "-o", "json")
    assert r.exit_code == 1
    actions = {n: s["action"] for n, s in by_name(r.json).items()}
    assert actions == {"lobby-cam": "blocked", "door-cam": "blocked", "dock-cam": "blocked"}
    assert "Disabled" in by_name(r.json)["lobby-cam"]["message"]
    assert "not found" in by_name(r.json)["door-cam"]["message"]
    assert boto.kvs.list_streams()["StreamInfoList"] == []


def test_spec_region_and_region_flag(boto: Any, tmp_path: Path) -> None:
    import boto3

    text = 'region = "eu-west-1"\n[[stream]]\nname = "x"\nkms_key = "aws-managed"\n'
    r = run_cli("apply", write(tmp_path, text), "-o", "json")
    assert r.exit_code == 0, r.stderr
    assert r.json["region"] == "eu-west-1"
    eu = boto3.client("kinesisvideo", region_name="eu-west-1")
    assert [s["StreamName"] for s in eu.list_streams()["StreamInfoList"]] == ["x"]
    r = run_cli("apply", write(tmp_path, text), "--region", REGION, "--dry-run", "-o", "json")
    assert r.json["region"] == REGION
    assert r.json["streams"][0]["action"] == "would-create"


def test_malformed_spec_is_exit_2_before_any_call(boto: Any, tmp_path: Path) -> None:
    r = run_cli("apply", write(tmp_path, SPEC + "retension_hours = 1\n"), "-o", "json")
    assert r.exit_code == 2
    err = r.error
    assert err["code"] == "invalid_spec"
    assert err["line"] == 16
    assert err["file"].endswith("streams.toml")
    assert "retention_hours" in err["hint"]
    assert boto.kvs.list_streams()["StreamInfoList"] == []


def test_table_output_shows_plan_and_fix(boto: Any, cams_key: str, tmp_path: Path) -> None:
    boto.kvs.create_stream(StreamName="dock-cam")
    r = run_cli("apply", write(tmp_path), "--dry-run", "-o", "table")
    assert r.exit_code == 1
    assert "would-create" in r.stdout and "wrong-key" in r.stdout
    assert "dock-cam: fix:" in r.stdout
    assert "not everything is as declared" in r.stdout
