"""The one place for each decision about keys and streams (kvsctl/checks/keys.py), used by stream create,
key describe, key list, audit, preflight and apply. KVS DG "Data protection": KVS needs an enabled
SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT key in the stream's own region; a stream's key never changes."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from kvsctl.checks.keys import drift, holds_key, is_kvs_aws_managed, key_findings, other_region, usable_problems
from kvsctl.models import KeyInfo, Stream

ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def key(**kw: object) -> KeyInfo:
    base: dict[str, object] = dict(
        arn=ARN,
        key_id="1234abcd-12ab-34cd-56ef-1234567890ab",
        aliases=(),
        manager="CUSTOMER",
        state="Enabled",
        spec="SYMMETRIC_DEFAULT",
        usage="ENCRYPT_DECRYPT",
        region="us-east-1",
        account="111122223333",
        rotation_enabled=True,
    )
    base.update(kw)
    return KeyInfo(**base)  # type: ignore[arg-type]


MANAGED = key(arn="arn:aws:kms:us-east-1:111122223333:key/m", manager="AWS", aliases=("alias/aws/kinesisvideo",))


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"state": "Disabled"}, "KVS203"),
        ({"state": "PendingDeletion", "deletion_date": datetime(2027, 1, 2, tzinfo=timezone.utc)}, "KVS204"),
        ({"spec": "RSA_2048"}, "KVS205"),
        ({"usage": "GENERATE_VERIFY_MAC"}, "KVS205"),
        ({"manager": "AWS", "aliases": ("alias/aws/s3",)}, "KVS212"),  # another service's AWS managed key
        ({"state": "PendingImport", "origin": "EXTERNAL"}, "KVS243"),
    ],
)
def test_unusable_keys_each_name_their_rule(changes: dict[str, object], rule: str) -> None:
    found = [r.rule for r in key_findings(key(**changes))]
    assert rule in found
    assert usable_problems(key(**changes))


def test_an_enabled_symmetric_key_in_the_stream_region_is_usable() -> None:
    assert usable_problems(key(), stream_region="us-east-1") == []
    assert key_findings(key()) == []


def test_another_region_is_unusable_only_for_a_stream_there() -> None:
    assert usable_problems(key()) == []  # no stream: the region is not a problem
    (problem,) = usable_problems(key(), stream_region="eu-west-1")
    assert "is in us-east-1" in problem and "eu-west-1" in problem
    assert other_region(ARN, "us-east-1", "us-east-1") is None
    found = other_region(ARN, "us-east-1", "eu-west-1", stream="cam")
    assert found is not None and found.rule == "KVS206" and "stream cam in eu-west-1" in found.message


def test_rotation_is_a_warning_not_a_usability_problem() -> None:
    k = key(rotation_enabled=False)
    assert [r.rule for r in key_findings(k)] == ["KVS208"]
    assert usable_problems(k) == []


def test_the_kvs_aws_managed_key_not_created_yet_is_usable() -> None:
    """KVS creates aws/kinesisvideo on first use (KMS DG, AWS managed keys)."""
    k = key(manager="AWS", state="NotCreated", aliases=("alias/aws/kinesisvideo",))
    assert is_kvs_aws_managed(k) and usable_problems(k) == []


def test_holds_key() -> None:
    assert holds_key(key(), key())
    assert not holds_key(None, key())
    assert not holds_key(key(arn=ARN.replace("1234abcd", "9999abcd")), key())
    not_created = key(arn="arn:aws:kms:us-east-1:111122223333:alias/aws/kinesisvideo", manager="AWS",
                      state="NotCreated", aliases=("alias/aws/kinesisvideo",))  # fmt: skip
    assert holds_key(MANAGED, not_created)  # both the KVS AWS managed key, however it reads
    assert not holds_key(MANAGED, key())


def stream(**kw: object) -> Stream:
    base: dict[str, object] = dict(
        name="cam",
        arn="arn:aws:kinesisvideo:us-east-1:111122223333:stream/cam/1",
        status="ACTIVE",
        retention_hours=24,
        media_type="video/h264",
        kms_key_id=ARN,
        version="v7",
    )
    base.update(kw)
    return Stream(**base)  # type: ignore[arg-type]


def test_drift_names_each_field_with_its_fix() -> None:
    assert drift("cam", stream(), 24, "video/h264") == []
    assert drift("cam", stream(), None, None) == []  # not declared: not drift
    found = {d.field: d for d in drift("cam", stream(), 48, "video/h265")}
    assert set(found) == {"retention_hours", "media_type"}
    assert found["retention_hours"].message == "retention is 24 h, the spec says 48 h"
    assert "--operation INCREASE_DATA_RETENTION --data-retention-change-in-hours 24" in found["retention_hours"].fix
    assert "--current-version v7" in found["retention_hours"].fix
    assert "--media-type video/h265" in found["media_type"].fix
    (down,) = drift("cam", stream(), 12, None)
    assert "DECREASE_DATA_RETENTION --data-retention-change-in-hours 12" in down.fix
