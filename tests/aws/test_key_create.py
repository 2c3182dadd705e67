"""`key create` against moto in-process: what it leaves in the account, and that every refusal
leaves nothing behind."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kvsctl.errors import AwsError, CheckFailed, UsageError
from kvsctl.services.keyadmin import CreateKeyRequest, KeyAdminService, PartialCreateError
from tests.helpers import ACCOUNT, run_cli

ADMIN = f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"
CAM = f"arn:aws:iam::{ACCOUNT}:role/Camera"
VIEW = f"arn:aws:iam::{ACCOUNT}:role/Viewer"


def keys(boto: Any) -> list[str]:
    return sorted(k["KeyId"] for k in boto.kms.list_keys()["Keys"])


def customer_aliases(boto: Any) -> dict[str, str]:
    return {
        a["AliasName"]: a.get("TargetKeyId", "")
        for a in boto.kms.list_aliases()["Aliases"]
        if not a["AliasName"].startswith("alias/aws/")
    }


def test_create_leaves_key_policy_rotation_alias_tags(boto: Any) -> None:
    r = run_cli(
        "key", "create", "--alias", "alias/cams", "--admin", ADMIN, "--producer", CAM, "--consumer", VIEW,
        "--description", "camera fleet", "--tag", "team=video", "-o", "json",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    out = r.json
    assert out["action"] == "created"
    key_id = out["key"]["key_id"]
    assert keys(boto) == [key_id]
    meta = boto.kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (meta["KeySpec"], meta["KeyUsage"], meta["KeyState"]) == ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "Enabled")
    assert meta["Description"] == "camera fleet"
    assert boto.kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    assert customer_aliases(boto) == {"alias/cams": key_id}
    policy = json.loads(boto.kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert policy == out["policy"]
    sids = {s["Sid"]: s for s in policy["Statement"]}
    assert sids["KvsProducersGenerateDataKeyViaKvsOnly"]["Principal"] == {"AWS": [CAM]}
    assert sids["KvsConsumersDecryptViaKvsOnly"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "kinesisvideo.us-east-1.amazonaws.com"}
    }
    tags = boto.kms.list_resource_tags(KeyId=key_id)["Tags"]
    assert tags == [{"TagKey": "team", "TagValue": "video"}]
    assert out["key"]["rotation_enabled"] is True
    assert out["key"]["aliases"] == ["alias/cams"]


def test_dry_run_creates_nothing(boto: Any) -> None:
    r = run_cli("key", "create", "--alias", "alias/cams", "--admin", ADMIN, "--dry-run", "-o", "json")
    assert r.exit_code == 0, r.stderr
    assert r.json["action"] == "would-create"
    assert r.json["key"] is None
    assert r.json["policy"]["Statement"][0]["Principal"] == {"AWS": [ADMIN]}
    assert keys(boto) == []
    assert customer_aliases(boto) == {}


def test_alias_in_use_refused_before_any_key(boto: Any) -> None:
    existing = boto.kms.create_key()["KeyMetadata"]["KeyId"]
    boto.kms.create_alias(AliasName="alias/cams", TargetKeyId=existing)
    r = run_cli("key", "create", "--alias", "alias/cams", "--admin", ADMIN, "-o", "json")
    assert r.exit_code == 1
    assert r.error["code"] == "alias_in_use"
    assert existing in r.error["message"]
    assert keys(boto) == [existing]
    assert customer_aliases(boto) == {"alias/cams": existing}


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--alias", "alias/cams"], "no_admin"),
        (["--alias", "cams", "--admin", ADMIN], "invalid_alias"),
        (["--alias", "alias/aws/cams", "--admin", ADMIN], "invalid_alias"),
        (["--alias", "alias/cams", "--admin", "arn:aws:iam::1:role/x"], "invalid_principal"),
        (["--alias", "alias/cams", "--admin", f"arn:aws:iam::{ACCOUNT}:group/g"], "invalid_principal"),
        (["--alias", "alias/cams", "--admin", ADMIN, "--producer", "*"], "invalid_principal"),
        (["--alias", "alias/cams", "--admin", ADMIN, "--tag", "novalue"], "invalid_input"),
    ],
)
def test_bad_input_is_exit_2_and_leaves_nothing(boto: Any, args: list[str], code: str) -> None:
    r = run_cli("key", "create", *args, "-o", "json")
    assert r.exit_code == 2, r.stderr
    assert r.error["code"] == code
    assert keys(boto) == []
    assert customer_aliases(boto) == {}


def test_lockout_refused_exit_2_and_leaves_nothing(boto: Any, factory: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The builder never produces a lockout policy, so a broken builder stands in for one: the guard
    in CreateKeyRequest.plan must refuse before any AWS call."""
    import kvsctl.keys.policy as policy_mod

    real = policy_mod.build_key_policy

    def without_admin_rights(req: Any) -> Any:
        rec = real(req)
        for st in rec.document["Statement"]:
            st["Action"] = ["kms:Describe*"] if st["Sid"] == policy_mod.SID_ADMIN else st["Action"]
        return rec

    monkeypatch.setattr("kvsctl.services.keyadmin.build_key_policy", without_admin_rights)
    svc = KeyAdminService(factory)
    with pytest.raises(UsageError) as err:
        svc.create(CreateKeyRequest(alias="alias/cams", admins=(ADMIN,)))
    assert err.value.code == "policy_lockout"
    assert factory.stats.total == 0
    assert keys(boto) == []


def test_kms_lockout_safety_check_is_explained(boto: Any, factory: Any) -> None:
    """moto does not run KMS's lockout safety check (BypassPolicyLockoutSafetyCheck in the CreateKey API
    reference), so botocore's Stubber plays KMS
    refusing CreateKey with MalformedPolicyDocumentException; the error must say nothing exists."""
    from botocore.stub import Stubber

    client = factory.client("kms")
    with Stubber(client) as stub:
        stub.add_response("list_aliases", {"Aliases": [], "Truncated": False})
        stub.add_client_error(
            "create_key",
            service_error_code="MalformedPolicyDocumentException",
            service_message="The new key policy will not allow you to update the key policy in the future.",
            http_status_code=400,
        )
        with pytest.raises(AwsError) as err:
            KeyAdminService(factory).create(CreateKeyRequest(alias="alias/cams", admins=(ADMIN,)))
        stub.assert_no_pending_responses()
    assert err.value.code == "policy_refused"
    assert "--admin" in (err.value.hint or "")
    assert "Nothing was created" in (err.value.hint or "")
    assert keys(boto) == []


def _fail(client: Any, operation: str, code: str = "AccessDeniedException") -> None:
    """Make one operation of this client answer an AWS error (moto cannot be told to fail)."""

    class Http:
        status_code = 400
        headers: dict[str, str] = {}

    def handler(**_kw: Any) -> Any:
        return Http(), {"Error": {"Code": code, "Message": "not allowed"}, "ResponseMetadata": {"HTTPStatusCode": 400}}

    client.meta.events.register(f"before-call.kms.{operation}", handler)


@pytest.mark.parametrize(
    ("operation", "step", "remaining"),
    [
        ("EnableKeyRotation", "enabling rotation", ["enable-key-rotation", "create-alias"]),
        ("CreateAlias", "creating alias alias/cams", ["create-alias"]),
    ],
)
def test_partial_failure_names_the_key_and_the_way_out(
    boto: Any, factory: Any, operation: str, step: str, remaining: list[str]
) -> None:
    _fail(factory.client("kms"), operation)
    with pytest.raises(PartialCreateError) as err:
        KeyAdminService(factory).create(CreateKeyRequest(alias="alias/cams", admins=(ADMIN,)))
    e = err.value
    (key_id,) = keys(boto)  # the key really exists, and the error names it
    assert key_id in e.key_arn
    assert e.message.startswith(f"key {e.key_arn} was created, but {step} failed")
    assert [r.split()[2] for r in e.remaining] == remaining
    assert e.cleanup == f"aws kms schedule-key-deletion --key-id {e.key_arn} --pending-window-in-days 7"
    assert e.exit_code == 3
    data = e.to_json()["error"]
    assert data["code"] == "partial_create"
    assert data["key_arn"] == e.key_arn
    if operation == "CreateAlias":
        assert boto.kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    assert customer_aliases(boto) == {}


def test_alias_taken_in_a_race_is_a_partial_failure(boto: Any, factory: Any) -> None:
    """Someone creates the alias between the check and CreateAlias: the key exists, say so."""
    svc = KeyAdminService(factory)
    other = boto.kms.create_key()["KeyMetadata"]["KeyId"]
    real = svc.kms.alias_target

    def check_then_lose_the_race(name: str) -> str | None:
        found = real(name)
        if found is None:  # someone takes the alias just after kvsctl looked
            boto.kms.create_alias(AliasName=name, TargetKeyId=other)
        return found

    svc.kms.alias_target = check_then_lose_the_race  # type: ignore[method-assign]
    with pytest.raises(PartialCreateError) as err:
        svc.create(CreateKeyRequest(alias="alias/cams", admins=(ADMIN,)))
    assert err.value.aws_code == "AlreadyExistsException"
    assert len(keys(boto)) == 2
    assert customer_aliases(boto) == {"alias/cams": other}


def test_describe_key_with_streams(boto: Any) -> None:
    r = run_cli("key", "create", "--alias", "alias/cams", "--admin", ADMIN, "-o", "json")
    arn = r.json["key"]["arn"]
    assert run_cli("stream", "create", "a-cam", "--kms-key", "alias/cams", "-o", "json").exit_code == 0
    assert run_cli("stream", "create", "b-cam", "--kms-key", arn, "-o", "json").exit_code == 0
    assert run_cli("stream", "create", "other", "-o", "json").exit_code == 0
    d = run_cli("key", "describe", "alias/cams", "-o", "json")
    assert d.exit_code == 0, d.stderr
    out = d.json
    assert out["key"]["arn"] == arn
    assert out["key"]["aliases"] == ["alias/cams"]
    assert out["key"]["rotation_enabled"] is True
    assert out["usable_by_kvs"] is True
    assert [s["name"] for s in out["streams"]] == ["a-cam", "b-cam"]
    assert out["policy"]["Id"] == "kvsctl-kvs-key-policy"
    # who can use it through KVS, by the evaluator: the admin manages the key but cannot use it
    assert out["access"]["principals"] == [
        {
            "principal": ADMIN,
            "kms:GenerateDataKey": "implicit_deny",
            "kms:Decrypt": "implicit_deny",
            "reasons": out["access"]["principals"][0]["reasons"],
        }
    ]
    managed = run_cli("key", "describe", "aws-managed", "-o", "json")
    assert managed.exit_code == 0, managed.stderr
    assert [s["name"] for s in managed.json["streams"]] == ["other"]
    assert managed.json["key"]["state"] == "NotCreated"
    assert managed.json["policy"] is None
    assert "access" not in managed.json
    assert any("AWS managed key" in n for n in managed.json["notes"])
    # reading created nothing: no AWS managed key appeared
    assert len(keys(boto)) == 1


def test_describe_disabled_and_missing(boto: Any) -> None:
    key_id = boto.kms.create_key()["KeyMetadata"]["KeyId"]
    boto.kms.disable_key(KeyId=key_id)
    d = run_cli("key", "describe", key_id, "-o", "json")
    assert d.exit_code == 0
    assert d.json["usable_by_kvs"] is False
    (problem,) = d.json["problems"]  # said as audit and preflight say it: one decision (kvsctl/checks/keys.py)
    assert "is Disabled, not Enabled" in problem and "aws kms enable-key" in problem
    missing = run_cli("key", "describe", "alias/nope", "-o", "json")
    assert missing.exit_code == 3
    assert missing.error["code"] == "key_not_found"
    bad = run_cli("key", "describe", "nope", "-o", "json")
    assert bad.exit_code == 2


def test_alias_refusal_raises_check_failed(boto: Any, factory: Any) -> None:
    boto.kms.create_alias(AliasName="alias/cams", TargetKeyId=boto.kms.create_key()["KeyMetadata"]["KeyId"])
    with pytest.raises(CheckFailed):
        KeyAdminService(factory).create(CreateKeyRequest(alias="alias/cams", admins=(ADMIN,), dry_run=True))


def test_describe_access_summary_with_iam_and_grants(boto: Any) -> None:
    """Producer and consumer named in the key policy, one more role given Decrypt by a grant, and a
    role whose IAM explicitly denies kms:* (read by the live audit's IAM gateway)."""
    import json as _json

    denied = f"arn:aws:iam::{ACCOUNT}:role/Denied"
    granted = f"arn:aws:iam::{ACCOUNT}:role/Archiver"
    for arn in (CAM, VIEW, denied, granted):
        boto.iam.create_role(RoleName=arn.rsplit("/", 1)[1], AssumeRolePolicyDocument="{}")
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]}
    boto.iam.put_role_policy(RoleName="Denied", PolicyName="no-kms", PolicyDocument=_json.dumps(deny))
    r = run_cli(
        "key", "create", "--alias", "alias/cams", "--admin", ADMIN, "--producer", CAM, "--producer", denied,
        "--consumer", VIEW, "-o", "json",
    )  # fmt: skip
    key_id = r.json["key"]["key_id"]
    boto.kms.create_grant(KeyId=key_id, GranteePrincipal=granted, Operations=["Decrypt"])
    out = run_cli("key", "describe", "alias/cams", "-o", "json").json
    rows = {p["principal"]: (p["kms:GenerateDataKey"], p["kms:Decrypt"]) for p in out["access"]["principals"]}
    assert rows[CAM] == ("allow", "implicit_deny")
    assert rows[VIEW] == ("implicit_deny", "allow")
    assert rows[denied] == ("explicit_deny", "explicit_deny")
    assert rows[granted] == ("implicit_deny", "allow")
    assert rows[ADMIN] == ("implicit_deny", "implicit_deny")


def test_create_key_is_not_retried_when_kms_may_already_have_created_it(boto: Any, factory: Any) -> None:
    """A read timeout after KMS received CreateKey is ambiguous: the key may exist. Retrying it makes a
    second key and leaves the first an unnamed, billed orphan nobody is told about. moto cannot time out
    after doing the work, so the client's create_key is wrapped to do so."""
    import pytest
    from botocore.exceptions import ReadTimeoutError

    from kvsctl.errors import AwsError
    from kvsctl.services.keyadmin import CreateKeyRequest, KeyAdminService

    client = factory.client("kms")
    real = client.create_key

    def create_then_time_out(**params: Any) -> Any:
        real(**params)
        raise ReadTimeoutError(endpoint_url="https://kms.us-east-1.amazonaws.com")

    client.create_key = create_then_time_out
    admin = "arn:aws:iam::123456789012:role/KeyAdmin"
    with pytest.raises(AwsError) as err:
        KeyAdminService(factory).create(CreateKeyRequest(alias="alias/cams", admins=(admin,)))
    assert len(boto.kms.list_keys()["Keys"]) == 1  # one key, not one per attempt
    assert "list-keys" in (err.value.hint or "")
