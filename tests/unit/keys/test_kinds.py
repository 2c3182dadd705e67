"""What each kind of KMS key means for a stream: one row per documented KMS fact (docs/key-kinds.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from kvsctl.checks.keys import usable_problems
from kvsctl.keys.kinds import (
    external_store_note,
    material_expiry,
    region_hint,
    rotation_advice,
    rotation_support,
    state_problem,
    store_problem,
)
from kvsctl.models import CustomKeyStore, KeyInfo, MultiRegionInfo

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)
ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
MRK = "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"


def key(**kw: object) -> KeyInfo:
    base = KeyInfo(
        arn=ARN,
        key_id=ARN.rsplit("/", 1)[1],
        aliases=(),
        manager="CUSTOMER",
        state="Enabled",
        spec="SYMMETRIC_DEFAULT",
        usage="ENCRYPT_DECRYPT",
        region="us-east-1",
        account="123456789012",
        rotation_enabled=True,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def imported(valid_to: datetime | None, model: str = "KEY_MATERIAL_EXPIRES", **kw: object) -> KeyInfo:
    return key(origin="EXTERNAL", expiration_model=model, valid_to=valid_to, rotation_enabled=None, **kw)


# -- imported key material ------------------------------------------------------------------------------------


def test_pending_import_is_unusable_and_names_the_import_commands() -> None:
    """KMS "Key states of KMS keys": an EXTERNAL-origin key is PendingImport until its material is imported,
    and again after the material expires or is deleted; it cannot be used in cryptographic operations."""
    k = imported(None, model="", state="PendingImport")
    problems = usable_problems(k)
    assert len(problems) == 1
    assert "PendingImport" in problems[0]
    assert "get-parameters-for-import" in problems[0] and "import-key-material" in problems[0]
    assert "reimport the same material" in problems[0]


@pytest.mark.parametrize(
    ("valid_in", "retention_hours", "expired", "within"),
    [
        # ImportKeyMaterial: "When the key material expires, KMS deletes the key material and the KMS key
        # becomes unusable." Video written now stays for `retention_hours`: expiry inside it loses access.
        (timedelta(days=2), 24 * 7, False, True),
        (timedelta(days=30), 24 * 7, False, False),
        (timedelta(hours=1), 0, False, False),  # no retention: nothing stored to lose (still warned)
        (timedelta(days=400), 87600, False, True),  # ValidTo is at most 365 days out; 10 y retention
        (-timedelta(minutes=1), 24, True, False),
    ],
)
def test_material_expiry_against_the_retention_window(
    valid_in: timedelta, retention_hours: int, expired: bool, within: bool
) -> None:
    expiry = material_expiry(imported(NOW + valid_in), retention_hours, NOW)
    assert expiry is not None
    assert (expiry.expired, expiry.within_retention) == (expired, within)
    assert expiry.valid_to.isoformat() in expiry.message(ARN, "cam")


@pytest.mark.parametrize(
    "k",
    [
        # KeyMetadata.ValidTo: "present only for KMS keys whose Origin is EXTERNAL and the ExpirationModel is
        # KEY_MATERIAL_EXPIRES, otherwise this value is omitted."
        imported(None, model="KEY_MATERIAL_DOES_NOT_EXPIRE"),
        key(),
        key(origin="AWS_CLOUDHSM"),
    ],
)
def test_material_that_does_not_expire_has_no_expiry(k: KeyInfo) -> None:
    assert material_expiry(k, 24, NOW) is None


def test_naive_valid_to_is_taken_as_utc() -> None:
    expiry = material_expiry(imported((NOW + timedelta(days=1)).replace(tzinfo=None)), 48, NOW)
    assert expiry is not None and expiry.within_retention and expiry.days_left == 1


# -- rotation per kind ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "support"),
    [
        # EnableKeyRotation: automatic rotation only for symmetric encryption keys; not for "KMS keys with
        # imported key material, or KMS keys in a custom key store".
        (key(), "automatic"),
        # RotateKeyOnDemand (current API reference): symmetric keys with imported material rotate on demand once
        # new material is imported (PENDING_ROTATION); not "multi-Region KMS keys with imported key material,
        # or KMS keys in a custom key store".
        (imported(None, model="KEY_MATERIAL_DOES_NOT_EXPIRE"), "on-demand"),
        (imported(None, model="KEY_MATERIAL_DOES_NOT_EXPIRE", multi_region=True), "none"),
        (key(origin="AWS_CLOUDHSM"), "none"),
        (key(origin="EXTERNAL_KEY_STORE"), "none"),
        (key(spec="RSA_2048"), "none"),
    ],
)
def test_rotation_support_per_kind(k: KeyInfo, support: str) -> None:
    assert rotation_support(k) == support


def test_rotation_advice_never_recommends_automatic_rotation_where_kms_has_none() -> None:
    for k in (imported(None), key(origin="AWS_CLOUDHSM"), key(origin="EXTERNAL_KEY_STORE")):
        advice = rotation_advice(k)
        assert advice is not None and "enable-key-rotation" not in advice
    on_demand = rotation_advice(imported(None))
    assert on_demand is not None and "rotate-key-on-demand" in on_demand
    assert rotation_advice(key()) is None


def test_replica_rotation_is_set_on_the_primary() -> None:
    """EnableKeyRotation: "To enable or disable automatic rotation of a set of related multi-Region keys,
    set the property on the primary key." """
    primary = MRK.replace("us-east-1", "eu-west-1")
    k = key(arn=MRK, multi_region=True, multi_region_info=MultiRegionInfo("REPLICA", primary, "eu-west-1"))
    advice = rotation_advice(k)
    assert advice is not None and primary in advice


# -- custom key stores ----------------------------------------------------------------------------------------

STORE = CustomKeyStore("cks-1234567890abcdef0", "video-hsm", "AWS_CLOUDHSM", "DISCONNECTED")


def test_unavailable_key_names_its_store_and_the_connect_command() -> None:
    """ "Key states of KMS keys": Unavailable = the key's custom key store is disconnected; the key cannot be
    used in cryptographic operations until the store is reconnected."""
    k = key(origin="AWS_CLOUDHSM", state="Unavailable", custom_key_store=STORE)
    problem = state_problem(k)
    assert "video-hsm (cks-1234567890abcdef0)" in problem and "DISCONNECTED" in problem
    assert "aws kms connect-custom-key-store --custom-key-store-id cks-1234567890abcdef0" in problem
    (only,) = usable_problems(k)  # the one problem, said as the audit says it (kvsctl/checks/keys.py)
    assert problem in only


@pytest.mark.parametrize("state", ["DISCONNECTED", "FAILED", "CONNECTING", "DISCONNECTING"])
def test_enabled_key_in_a_store_that_is_not_connected_is_unusable(state: str) -> None:
    """CustomKeyStoresListEntry.ConnectionState: "You can create and use KMS keys in your custom key stores only
    when its ConnectionState is CONNECTED." """
    k = key(origin="EXTERNAL_KEY_STORE", custom_key_store=replace(STORE, connection_state=state))
    assert store_problem(k) is not None and usable_problems(k)


def test_connected_or_unread_store_adds_no_problem() -> None:
    assert store_problem(key(custom_key_store=replace(STORE, connection_state="CONNECTED"))) is None
    # An unreadable store is a could-not-check (the audit says so), not a made-up state.
    assert store_problem(key(custom_key_store=CustomKeyStore("cks-1", read_error="denied"))) is None


def test_external_key_store_is_a_dependency_of_every_put_and_get() -> None:
    """ "External key stores": every cryptographic operation with an XKS key goes to the external key store
    proxy and external key manager."""
    note = external_store_note(key(origin="EXTERNAL_KEY_STORE"))
    assert note is not None and "PutMedia" in note and "latency" in note
    assert external_store_note(key(origin="AWS_CLOUDHSM")) is None


# -- multi-Region keys ----------------------------------------------------------------------------------------


def test_region_hint_points_at_the_replica_in_the_streams_region() -> None:
    """Multi-Region keys: related keys share key material but each is a KMS key in its own Region with its
    own ARN; KVS needs the key in the stream's Region, so the replica's ARN is what to use."""
    replica = MRK.replace("us-east-1", "eu-west-1")
    info = MultiRegionInfo("PRIMARY", MRK, "us-east-1", (("eu-west-1", replica),))
    k = key(arn=MRK, multi_region=True, multi_region_info=info)
    assert region_hint(k, "eu-west-1") == f"its multi-Region key set has a key in eu-west-1: use {replica}"
    hint = region_hint(k, "ap-south-1")
    assert hint is not None and "replicate-key" in hint
    assert region_hint(k, "us-east-1") is None
    assert region_hint(key(region="eu-west-1"), "us-east-1") is None  # not multi-Region: the usual mismatch


def test_key_json_carries_the_kind() -> None:
    info = MultiRegionInfo("PRIMARY", MRK, "us-east-1", (("eu-west-1", MRK.replace("us-east-1", "eu-west-1")),))
    data = imported(NOW, multi_region=True, multi_region_info=info, custom_key_store=None).to_json()
    assert data["origin"] == "EXTERNAL"
    assert data["expiration_model"] == "KEY_MATERIAL_EXPIRES" and data["valid_to"] == NOW.isoformat()
    assert data["multi_region"]["type"] == "PRIMARY"
    replica = MRK.replace("us-east-1", "eu-west-1")
    assert data["multi_region"]["replicas"] == [{"key_arn": replica, "region": "eu-west-1"}]
    plain = key().to_json()
    assert plain["origin"] == "AWS_KMS" and plain["multi_region"] is None and "valid_to" not in plain
    store = key(custom_key_store=STORE).to_json()["custom_key_store"]
    assert store["connection_state"] == "DISCONNECTED" and store["type"] == "AWS_CLOUDHSM"
