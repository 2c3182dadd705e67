"""LiveAuditService.gather against moto in-process: what is read, what becomes a finding, what it costs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kvsctl.audit.facts import AuditFacts, StreamFacts
from kvsctl.aws.session import AwsConfig, ClientFactory
from kvsctl.errors import AwsError, UsageError
from kvsctl.services.audit_live import AuditScope, LiveAuditService
from tests import audit_world as w
from tests.helpers import ACCOUNT, REGION


def gather(factory: Any, **scope: Any) -> AuditFacts:
    return LiveAuditService(factory).gather(AuditScope(**scope))


def codes(s: StreamFacts) -> list[str]:
    return sorted(f.code for f in s.findings)


def by_name(facts: AuditFacts) -> dict[str, StreamFacts]:
    return {s.name: s for s in facts.streams}


def test_scope_is_checked_before_any_call(factory: Any) -> None:
    with pytest.raises(UsageError):
        LiveAuditService(factory).gather(AuditScope(names=("bad name!",)))
    with pytest.raises(UsageError):
        LiveAuditService(factory).gather(AuditScope())
    assert factory.stats.total == 0


def test_customer_key_facts(boto: Any, factory: Any) -> None:
    key = w.make_key(boto.kms, alias="alias/cams")
    boto.kms.create_grant(KeyId=key, GranteePrincipal=w.CONSUMER, Operations=["Decrypt"])
    w.make_stream(boto.kvs, "lobby", key)
    w.make_principals(boto.iam)

    facts = gather(factory, names=("lobby",), producers=(w.PRODUCER,), consumers=(w.CONSUMER, w.GROUP_CONSUMER))

    s = by_name(facts)["lobby"]
    assert codes(s) == []
    assert s.key is not None and s.key.arn == key and not s.key.aws_managed
    assert (
        s.key.policy_source == "key"
        and json.loads(s.key.policy)["Statement"][0]["Sid"] == "Enable IAM User Permissions"
    )
    assert s.key.grants is not None and [g.grantee_principal for g in s.key.grants] == [w.CONSUMER]
    assert s.key.key is not None and s.key.key.aliases == ("alias/cams",)
    assert all(p.complete for p in facts.principals.values())
    assert facts.findings == ()


@pytest.mark.parametrize(
    ("arrange", "code", "severity"),
    [
        (lambda kms, key: kms.disable_key(KeyId=key), "KVS203", "error"),
        (lambda kms, key: kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7), "KVS204", "error"),
        (lambda kms, key: kms.disable_key_rotation(KeyId=key), "KVS208", "warning"),
    ],
    ids=["disabled", "pending-deletion", "rotation-off"],
)
def test_key_state_findings(boto: Any, factory: Any, arrange: Any, code: str, severity: str) -> None:
    key = w.make_key(boto.kms)
    arrange(boto.kms, key.split("/")[-1])  # moto wants the key id here
    w.make_stream(boto.kvs, "cam", key)
    (finding,) = by_name(gather(factory, names=("cam",)))["cam"].findings
    assert (finding.code, finding.severity) == (code, severity)
    if code == "KVS204":
        assert "deletion on 20" in finding.message and finding.resource == key


def test_wrong_spec_other_region_missing_key_missing_stream(boto: Any, factory: Any) -> None:
    import boto3

    signing = w.make_key(boto.kms, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    west = w.make_key(boto3.client("kms", region_name="us-west-2"))
    ghost = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
    w.make_stream(boto.kvs, "signing", signing)
    w.make_stream(boto.kvs, "west", west)
    w.make_stream(boto.kvs, "ghost", ghost)

    s = by_name(gather(factory, names=("signing", "west", "ghost", "nope")))

    assert codes(s["signing"]) == ["KVS205"]
    assert codes(s["west"]) == ["KVS206"]  # the key itself was read, in its own region
    assert s["west"].key is not None and s["west"].key.policy is not None
    assert codes(s["ghost"]) == ["KVS202"]
    assert s["ghost"].key is not None and s["ghost"].key.policy is None and s["ghost"].key.grants is None
    assert codes(s["nope"]) == ["KVS201"] and s["nope"].stream is None


def test_aws_managed_key_is_never_created(boto: Any, factory: Any) -> None:
    w.make_stream(boto.kvs, "plain", None)
    w.make_stream(boto.kvs, "aliased", "alias/aws/kinesisvideo")
    before = boto.kms.list_keys()["Keys"]

    s = by_name(gather(factory, all_streams=True, require_customer_key=True))

    assert boto.kms.list_keys()["Keys"] == before == []
    for name in ("plain", "aliased"):
        key = s[name].key
        assert key is not None and key.aws_managed and key.policy_source == "documented"
        assert key.arn == f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/aws/kinesisvideo"
        stmt = key.policy["Statement"][0]
        assert stmt["Principal"] == {"AWS": "*"}
        assert stmt["Condition"]["StringEquals"] == {
            "kms:CallerAccount": ACCOUNT,
            "kms:ViaService": f"kinesisvideo.{REGION}.amazonaws.com",
        }
        assert codes(s[name]) == ["KVS209", "KVS211"]
    assert factory.stats.calls["kms.ListAliases"] == 1


def test_unreadable_key_policy(boto: Any, factory: Any) -> None:
    """moto enforces no key policy, so KMS is played by botocore's Stubber: DescribeKey answers, GetKeyPolicy
    is denied. Streams and IAM stay on moto."""
    from botocore.stub import Stubber

    key_id = "0b2f3c4d-1111-2222-3333-444455556666"
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"
    w.make_stream(boto.kvs, "locked", key)
    meta = {
        "KeyId": key_id,
        "Arn": key,
        "KeyState": "Enabled",
        "Enabled": True,
        "KeyManager": "CUSTOMER",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "KeyUsage": "ENCRYPT_DECRYPT",
    }
    kms = factory.client("kms")
    with Stubber(kms) as stub:
        stub.add_response("describe_key", {"KeyMetadata": meta}, {"KeyId": key})
        stub.add_response("get_key_rotation_status", {"KeyRotationEnabled": True}, {"KeyId": key})
        stub.add_response("list_aliases", {"Aliases": [], "Truncated": False})
        stub.add_client_error("get_key_policy", "AccessDeniedException", "not authorized: kms:GetKeyPolicy", 400)
        stub.add_response("list_grants", {"Grants": [], "Truncated": False})
        s = by_name(gather(factory, names=("locked",)))["locked"]
        stub.assert_no_pending_responses()
    assert s.key is not None and s.key.policy is None and s.key.grants == ()
    (finding,) = s.findings
    assert finding.code == "KVS207" and "access denied" in finding.message


def test_cross_account_key_needs_the_owners_profile(boto: Any, factory: Any, tmp_path: Any, monkeypatch: Any) -> None:
    import boto3

    owner_account = "210987654321"
    kms_b = w.account_header(boto3.client("kms", region_name=REGION), owner_account)
    iam_b = w.account_header(boto3.client("iam", region_name=REGION), owner_account)
    key = w.make_key(kms_b, policy=w.delegating_key_policy(owner_account))
    assert f":{owner_account}:key/" in key
    w.make_stream(boto.kvs, "shared", key)

    # Without the owner's credentials: moto cannot see another account's key at all (NotFound).
    without = by_name(gather(factory, names=("shared",)))["shared"]
    assert codes(without) == ["KVS202"] and "not shared with this account" in without.findings[0].message

    access, secret = w.other_account_credentials(iam_b)
    monkeypatch.setenv("AWS_CONFIG_FILE", w.write_profile(tmp_path, "owner", access, secret))
    owner = ClientFactory(AwsConfig(profile="owner"))
    facts = LiveAuditService(factory, key_factory=owner).gather(AuditScope(names=("shared",)))
    s = by_name(facts)["shared"]
    assert codes(s) == []
    assert s.key is not None and s.key.account == owner_account
    assert json.loads(s.key.policy)["Statement"][0]["Principal"]["AWS"] == f"arn:aws:iam::{owner_account}:root"
    assert owner.stats.calls["kms.GetKeyPolicy"] == 1 and "kms.GetKeyPolicy" not in factory.stats.calls


def test_cost_follows_keys_and_principals_not_streams(boto: Any) -> None:
    keys = [w.make_key(boto.kms) for _ in range(3)]
    w.make_principals(boto.iam)
    principals = {"producers": (w.PRODUCER, w.PRODUCER_SESSION), "consumers": (w.CONSUMER, w.GROUP_CONSUMER)}

    def cost(streams: int, **scope: Any) -> dict[str, int]:
        for i in range(streams):
            try:
                w.make_stream(boto.kvs, f"cam-{i:03d}", keys[i % 3] if i % 4 else None)
            except boto.kvs.exceptions.ResourceInUseException:
                pass
        factory = ClientFactory()
        names = tuple(f"cam-{i:03d}" for i in range(streams))
        LiveAuditService(factory).gather(AuditScope(names=() if scope else names, **scope, **principals))
        return dict(factory.stats.calls)

    small, large = cost(8), cost(40)
    assert large.pop("kinesisvideo.DescribeStream") == 40 and small.pop("kinesisvideo.DescribeStream") == 8
    assert small == large  # KMS and IAM: per distinct key and principal only
    assert large["kms.DescribeKey"] == 4  # three keys and the AWS managed key's listed target
    assert large["kms.GetKeyPolicy"] == 3 and large["kms.ListAliases"] == 1
    assert large["iam.GetRole"] == 2 and large["iam.GetUser"] == 1  # the session shares its role's read
    assert cost(40, all_streams=True) == {**large, "kinesisvideo.ListStreams": 1}


def test_session_errors_stop_the_gathering(boto: Any, monkeypatch: Any) -> None:
    w.make_stream(boto.kvs, "cam", None)
    monkeypatch.setenv("KVSCTL_MAX_ATTEMPTS", "1")  # botocore would back off for seconds otherwise
    factory = ClientFactory(AwsConfig(endpoint_url="http://127.0.0.1:9"))
    with pytest.raises(AwsError) as err:
        LiveAuditService(factory).gather(AuditScope(names=("cam",)))
    assert err.value.code == "endpoint_unreachable"


def test_the_kms_gateway_returns_grants_typed_and_refuses_a_malformed_one(boto: Any, factory: Any) -> None:
    """ListGrants items become Grant objects at the gateway (no boto3 dict goes further); an item that is
    not a grant as KMS describes one is a ValueError there, which the audit reports as could-not-check.
    moto always answers well-formed grants, so botocore's Stubber plays the malformed answer."""
    from botocore.stub import Stubber

    from kvsctl.audit.model import Grant
    from kvsctl.aws.kms import KmsGateway

    key = w.make_key(boto.kms)
    boto.kms.create_grant(KeyId=key, GranteePrincipal=w.CONSUMER, Operations=["Decrypt"])
    (grant,) = KmsGateway(factory).list_grants(key)
    assert isinstance(grant, Grant) and grant.grantee_principal == w.CONSUMER and grant.operations == ("Decrypt",)

    with Stubber(factory.client("kms")) as stub:
        stub.add_response("list_grants", {"Grants": [{"GrantId": "g1", "Operations": ["Decrypt"]}], "Truncated": False})
        with pytest.raises(ValueError, match="GranteePrincipal"):
            KmsGateway(factory).list_grants(key)
