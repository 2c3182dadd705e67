"""Imported key material, custom key stores and multi-Region keys, end to end through the commands.

moto does not model these: a key created with Origin EXTERNAL comes back Enabled, DescribeKey never returns
ExpirationModel / ValidTo / CustomKeyStoreId, and DescribeCustomKeyStores is not implemented. So the keys are
made in moto (in-process) and the answers for exactly those fields and that call are replaced at the gateway
boundary (`ClientFactory.call`); the gateway's own parsing is driven with botocore's Stubber below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from botocore.stub import Stubber

from kvsctl.aws.kms import KmsGateway
from kvsctl.aws.session import AwsConfig, ClientFactory, RetryPolicy
from kvsctl.checks.keys import usable_problems
from kvsctl.keyref import parse_key_ref
from tests.helpers import REGION, run_cli

ACCT = "123456789012"
K1 = "1234abcd-12ab-34cd-56ef-1234567890ab"
K2 = "2234abcd-12ab-34cd-56ef-1234567890ab"
MRK = "mrk-1234abcd12ab34cd56ef1234567890ab"
NOW = dt.datetime.now(dt.timezone.utc)


def replace_kms_answers(
    monkeypatch: pytest.MonkeyPatch, key_extra: dict[str, Any], stores: dict[str, dict[str, Any]] | None = None
) -> list[str]:
    """Add `key_extra` to every DescribeKey answer and answer DescribeCustomKeyStores from `stores`
    (what moto lacks); returns the operations seen, to check what was (not) called."""
    real: Callable[..., dict[str, Any]] = ClientFactory.call
    seen: list[str] = []

    def call(self: ClientFactory, service: str, operation: str, **kw: Any) -> dict[str, Any]:
        seen.append(operation)
        if service == "kms" and operation == "describe_custom_key_stores":
            return {"CustomKeyStores": [stores[kw["CustomKeyStoreId"]]] if stores else []}
        out = real(self, service, operation, **kw)
        if service == "kms" and operation == "describe_key":
            out = {**out, "KeyMetadata": {**out["KeyMetadata"], **key_extra}}
        return out

    monkeypatch.setattr(ClientFactory, "call", call)
    return seen


def imported_key(boto: Any, alias: str = "alias/cams") -> str:
    key_id = boto.kms.create_key(Origin="EXTERNAL", Description="imported")["KeyMetadata"]["KeyId"]
    boto.kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    return str(key_id)


def moto_key_state(key_id: str, state: str) -> None:
    from moto.kms.models import kms_backends

    kms_backends[ACCT][REGION].keys[key_id].key_state = state


# -- imported key material ------------------------------------------------------------------------------------


def test_stream_create_refuses_a_key_pending_import(boto: Any) -> None:
    key_id = imported_key(boto)
    moto_key_state(key_id, "PendingImport")  # moto leaves an EXTERNAL key Enabled; AWS says PendingImport
    result = run_cli("stream", "create", "cam", "--kms-key", "alias/cams", "-o", "json")
    assert result.exit_code == 1, result.stderr
    assert result.error["code"] == "key_unusable"
    assert "PendingImport" in result.error["message"] and "import-key-material" in result.error["message"]
    assert boto.kvs.list_streams()["StreamInfoList"] == []


def test_apply_and_preflight_refuse_a_key_pending_import(boto: Any, tmp_path: Any) -> None:
    key_id = imported_key(boto)
    moto_key_state(key_id, "PendingImport")
    spec = tmp_path / "streams.toml"
    spec.write_text('[[stream]]\nname = "cam"\nkms_key = "alias/cams"\nretention_hours = 24\n')
    applied = run_cli("apply", str(spec), "-o", "json")
    assert applied.exit_code == 1, applied.stdout + applied.stderr
    assert boto.kvs.list_streams()["StreamInfoList"] == []
    boto.kvs.create_stream(StreamName="cam", KmsKeyId=f"arn:aws:kms:{REGION}:{ACCT}:key/{key_id}")
    checked = run_cli("preflight", str(spec), "-o", "json")
    assert checked.exit_code == 1
    assert "PendingImport" in checked.stdout


def test_expiring_material_within_retention_warns_and_strict_refuses(boto: Any, monkeypatch: Any) -> None:
    imported_key(boto)
    valid_to = NOW + dt.timedelta(days=3)
    replace_kms_answers(monkeypatch, {"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": valid_to})
    strict = run_cli("stream", "create", "cam", "--kms-key", "alias/cams", "--retention-hours", "168", "--strict")
    assert strict.exit_code == 1
    assert "expires on" in strict.stderr and valid_to.isoformat() in strict.stderr
    assert boto.kvs.list_streams()["StreamInfoList"] == []
    made = run_cli("stream", "create", "cam", "--kms-key", "alias/cams", "--retention-hours", "168", "-o", "json")
    assert made.exit_code == 0, made.stderr
    assert "warning" in made.stderr and "before video written now leaves stream cam" in made.stderr
    assert made.json["key"]["valid_to"] == valid_to.isoformat()
    assert [s["StreamName"] for s in boto.kvs.list_streams()["StreamInfoList"]] == ["cam"]


def test_expiry_after_the_retention_window_does_not_refuse_under_strict(boto: Any, monkeypatch: Any) -> None:
    imported_key(boto)
    replace_kms_answers(
        monkeypatch, {"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": NOW + dt.timedelta(days=300)}
    )
    made = run_cli("stream", "create", "cam", "--kms-key", "alias/cams", "--retention-hours", "24", "--strict")
    assert made.exit_code == 0, made.stderr
    assert "days): from then every PutMedia" in made.stderr  # still said: ingestion stops at ValidTo


def test_audit_stream_errors_on_material_expiring_within_retention(boto: Any, monkeypatch: Any) -> None:
    key_id = imported_key(boto)
    boto.kvs.create_stream(
        StreamName="cam", KmsKeyId=f"arn:aws:kms:{REGION}:{ACCT}:key/{key_id}", DataRetentionInHours=720
    )
    valid_to = NOW + dt.timedelta(days=10)
    replace_kms_answers(monkeypatch, {"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": valid_to})
    result = run_cli("audit", "stream", "cam", "-o", "json")
    assert result.exit_code == 1, result.stderr
    text = result.stdout
    assert "KVS240" in text and valid_to.isoformat() in text
    # Imported material has no automatic rotation: no "enable rotation" warning, an on-demand note instead.
    assert "KVS208" not in text and "KVS245" in text and "rotate-key-on-demand" in text


# -- custom key stores ----------------------------------------------------------------------------------------

STORE = {
    "CustomKeyStoreId": "cks-1234567890abcdef0",
    "CustomKeyStoreName": "video-xks",
    "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
    "ConnectionState": "DISCONNECTED",
}


def test_audit_and_key_describe_report_a_disconnected_store(boto: Any, monkeypatch: Any) -> None:
    key_id = boto.kms.create_key(Description="xks")["KeyMetadata"]["KeyId"]
    boto.kvs.create_stream(StreamName="cam", KmsKeyId=f"arn:aws:kms:{REGION}:{ACCT}:key/{key_id}")
    seen = replace_kms_answers(
        monkeypatch,
        {"Origin": "EXTERNAL_KEY_STORE", "CustomKeyStoreId": STORE["CustomKeyStoreId"]},
        {STORE["CustomKeyStoreId"]: STORE},
    )
    audit = run_cli("audit", "stream", "cam", "-o", "json")
    assert audit.exit_code == 1
    assert "KVS241" in audit.stdout and "video-xks" in audit.stdout and "KVS242" in audit.stdout
    assert "get_key_rotation_status" not in seen  # KMS has no rotation for custom-store keys: never asked

    described = run_cli("key", "describe", key_id, "-o", "json")
    assert described.exit_code == 0, described.stderr
    data = described.json
    assert data["usable_by_kvs"] is False
    assert data["key"]["custom_key_store"]["connection_state"] == "DISCONNECTED"
    assert data["key"]["origin"] == "EXTERNAL_KEY_STORE"
    assert any("external key store" in n for n in data["notes"])


# -- the gateway's parsing (Stubber) --------------------------------------------------------------------------


def stubbed_kms() -> tuple[KmsGateway, Stubber]:
    factory = ClientFactory(AwsConfig(region="us-east-1"), retry=RetryPolicy(max_attempts=1), sleep=lambda _s: None)
    stub = Stubber(factory.client("kms"))
    stub.activate()
    return KmsGateway(factory), stub


def meta(key_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "KeyMetadata": {
            "KeyId": key_id,
            "Arn": f"arn:aws:kms:us-east-1:{ACCT}:key/{key_id}",
            "KeyState": "Enabled",
            "KeyManager": "CUSTOMER",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "KeyUsage": "ENCRYPT_DECRYPT",
            **extra,
        }
    }


def test_gateway_reads_the_store_once_and_never_asks_rotation_for_store_keys() -> None:
    kms, stub = stubbed_kms()
    failed = {
        **STORE,
        "CustomKeyStoreId": "cks-1",
        "CustomKeyStoreType": "AWS_CLOUDHSM",
        "ConnectionState": "FAILED",
        "ConnectionErrorCode": "NETWORK_ERRORS",
    }
    stub.add_response("describe_key", meta(K1, Origin="AWS_CLOUDHSM", CustomKeyStoreId="cks-1"), {"KeyId": K1})
    stub.add_response("list_aliases", {"Aliases": [], "Truncated": False})
    stub.add_response("describe_custom_key_stores", {"CustomKeyStores": [failed]}, {"CustomKeyStoreId": "cks-1"})
    # The second key of the same store reuses the first read: no second DescribeCustomKeyStores.
    stub.add_response("describe_key", meta(K2, Origin="AWS_CLOUDHSM", CustomKeyStoreId="cks-1"), {"KeyId": K2})
    a = kms.describe(parse_key_ref(K1))
    b = kms.describe(parse_key_ref(K2))
    stub.assert_no_pending_responses()
    assert a.custom_key_store == b.custom_key_store
    assert a.custom_key_store is not None and a.custom_key_store.connection_state == "FAILED"
    assert a.rotation_enabled is None
    assert usable_problems(a) and "NETWORK_ERRORS" in usable_problems(a)[0]


def test_gateway_unreadable_store_is_a_read_error_never_connected() -> None:
    kms, stub = stubbed_kms()
    stub.add_response("describe_key", meta(K1, Origin="EXTERNAL_KEY_STORE", CustomKeyStoreId="cks-9"))
    stub.add_response("list_aliases", {"Aliases": [], "Truncated": False})
    stub.add_client_error("describe_custom_key_stores", "AccessDeniedException", "no", http_status_code=400)
    key = kms.describe(parse_key_ref(K1))
    assert key.custom_key_store is not None
    assert key.custom_key_store.connection_state is None and "could not read" in (key.custom_key_store.read_error or "")


def test_gateway_reads_imported_material_and_multi_region_configuration() -> None:
    kms, stub = stubbed_kms()
    valid_to = dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)
    replica = f"arn:aws:kms:eu-west-1:{ACCT}:key/{MRK}"
    stub.add_response(
        "describe_key",
        meta(
            MRK,
            Origin="EXTERNAL",
            ExpirationModel="KEY_MATERIAL_EXPIRES",
            ValidTo=valid_to,
            MultiRegion=True,
            MultiRegionConfiguration={
                "MultiRegionKeyType": "PRIMARY",
                "PrimaryKey": {"Arn": f"arn:aws:kms:us-east-1:{ACCT}:key/{MRK}", "Region": "us-east-1"},
                "ReplicaKeys": [{"Arn": replica, "Region": "eu-west-1"}],
            },
        ),
    )
    stub.add_response("get_key_rotation_status", {"KeyRotationEnabled": False})
    stub.add_response("list_aliases", {"Aliases": [], "Truncated": False})
    key = kms.describe(parse_key_ref(MRK))
    assert (key.origin, key.expiration_model, key.valid_to) == ("EXTERNAL", "KEY_MATERIAL_EXPIRES", valid_to)
    assert key.multi_region_info is not None and key.multi_region_info.arn_in("eu-west-1") == replica
