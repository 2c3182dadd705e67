"""`audit all --accounts/--organization`: a three-account organization in moto (in-process), an account that
cannot be entered (AssumeRole refused by the fault layer), and the rate limits as the server sees them."""

from __future__ import annotations

from typing import Any

import pytest

from kvsctl.aws.ratelimit import LimiterRegistry
from kvsctl.aws.session import AwsConfig, ClientFactory
from kvsctl.services.audit_live import AuditScope
from kvsctl.services.fleet import FleetAudit, FleetScope
from tests import audit_world as w
from tests.helpers import REGION, run_cli

MANAGEMENT = "123456789012"


def clients_in(account: str, region: str = REGION, endpoint: str | None = None) -> Any:
    import boto3

    kw: dict[str, Any] = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "x"}
    if endpoint:
        kw["endpoint_url"] = endpoint
    c = boto3.client("sts", **kw).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/KvsctlAudit", RoleSessionName="arrange"
    )["Credentials"]
    creds = {
        "aws_access_key_id": c["AccessKeyId"],
        "aws_secret_access_key": c["SecretAccessKey"],
        "aws_session_token": c["SessionToken"],
    }
    extra = {"endpoint_url": endpoint} if endpoint else {}

    class Clients:
        kms = boto3.client("kms", region_name=region, **creds, **extra)
        kvs = boto3.client("kinesisvideo", region_name=region, **creds, **extra)
        iam = boto3.client("iam", region_name=region, **creds, **extra)

    return Clients()


def three_accounts(endpoint: str | None = None) -> tuple[str, str]:
    """Management (no streams) + two members. Member A: a stream on its own key with rotation off (a warning)
    and a key shared with member B; member B: a stream on A's key (cross-account) and one on a disabled key."""
    import boto3

    kw: dict[str, Any] = {"region_name": "us-east-1"}
    if endpoint:
        kw["endpoint_url"] = endpoint
    org = boto3.client("organizations", **kw)
    org.create_organization(FeatureSet="ALL")
    a, b = (
        org.create_account(AccountName=n, Email=f"{n}@example.com")["CreateAccountStatus"]["AccountId"]
        for n in ("cams-a", "cams-b")
    )
    ca, cb = clients_in(a, endpoint=endpoint), clients_in(b, endpoint=endpoint)
    own = w.make_key(ca.kms, rotation=False, policy=w.delegating_key_policy(a))
    shared_policy = w.doc(
        {"Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{a}:root", f"arn:aws:iam::{b}:root"]},
         "Action": "kms:*", "Resource": "*"}
    )  # fmt: skip
    shared = w.make_key(ca.kms, policy=shared_policy)
    w.make_stream(ca.kvs, "lobby", own)
    w.make_stream(cb.kvs, "dock", shared)
    disabled = w.make_key(cb.kms, policy=w.delegating_key_policy(b))
    cb.kms.disable_key(KeyId=disabled.rsplit("/", 1)[1])  # moto takes the key id only
    w.make_stream(cb.kvs, "gate", disabled)
    return a, b


def test_organization_audit_covers_every_account_and_tags_account_and_region(moto: None) -> None:
    a, b = three_accounts()
    result = run_cli("audit", "all", "--organization", "--assume-role", "KvsctlAudit", "-o", "json")
    assert result.exit_code == 1, result.stderr  # gate's disabled key is an error
    data = result.json
    streams = {(s["account"], s["name"]): s for s in data["streams"]}
    assert set(streams) == {(a, "lobby"), (b, "dock"), (b, "gate")}
    assert all(s["region"] == REGION for s in data["streams"])
    assert streams[(a, "lobby")]["ok"] and streams[(b, "dock")]["ok"] and not streams[(b, "gate")]["ok"]
    by_code = {(f["code"], f.get("account"), f.get("stream")) for f in data["findings"]}
    assert ("KVS203", b, "gate") in by_code  # disabled key, in member B
    assert ("KVS208", a, "lobby") in by_code  # rotation off, in member A
    # dock's key belongs to A: read through A's own session, so its policy is read (no cross-account finding)
    dock = [f for f in data["findings"] if f.get("stream") == "dock"]
    assert not any(f["code"] in ("KVS207", "KVS202") for f in dock), dock
    assert all(f.get("account") and f.get("region") for f in data["findings"] if f.get("stream"))


def test_explicit_accounts_from_a_file_and_no_stream_anywhere_fails(moto: None, tmp_path: Any) -> None:
    three_accounts()
    listing = tmp_path / "accounts.txt"
    listing.write_text(f"{MANAGEMENT}  # management: no cameras\n")
    result = run_cli("audit", "all", "--accounts", f"@{listing}", "--assume-role", "KvsctlAudit", "-o", "json")
    assert result.exit_code == 1
    assert [f["code"] for f in result.json["findings"]] == ["KVS218"]
    allowed = run_cli(
        "audit", "all", "--accounts", MANAGEMENT, "--assume-role", "KvsctlAudit", "--allow-empty", "-o", "json"
    )
    assert allowed.exit_code == 0, allowed.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["--accounts", "12345"],
        ["--accounts", "111122223333", "--organization", "--assume-role", "R"],
        ["--organization"],  # needs --assume-role
        ["--assume-role", "R"],  # without --accounts/--organization
        ["--accounts", "111122223333", "--assume-role", "bad role!"],
        ["--accounts", "111122223333", "--assume-role", "R", "--max-concurrency", "0"],
    ],
)
def test_bad_fleet_flags_are_exit_2_before_any_call(argv: list[str], monkeypatch: Any) -> None:
    def no_call(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("an AWS call was made")

    monkeypatch.setattr(ClientFactory, "call", no_call)
    result = run_cli("audit", "all", *argv, "-o", "json")
    assert result.exit_code == 2, result.stdout + result.stderr


# -- through the fault layer ----------------------------------------------------------------------------------


def test_an_account_that_cannot_be_entered_is_an_error_and_the_others_complete(fault_server: Any) -> None:
    fault_server.reset()
    a, b = three_accounts(fault_server.url)
    fault_server.deny("sts.AssumeRole", times=1)  # the first account entered: a
    base = ClientFactory(AwsConfig(region=REGION, endpoint_url=fault_server.url))
    fleet = FleetAudit(base, FleetScope(accounts=(a, b), role_name="KvsctlAudit"))
    report = fleet.run(AuditScope(all_streams=True), context={}, strict=False, fail_on="error")
    failed = [f for f in report.findings if f.rule == "KVS250"]
    assert len(failed) == 1 and failed[0].subject.account == a
    assert "could not assume" in failed[0].message and failed[0].fix
    assert {s.name for s in report.streams} == {"dock", "gate"}  # b completed
    assert report.exit_code == 1


def test_requests_never_exceed_the_per_account_rate_at_the_server(fault_server: Any) -> None:
    """The limiter is on the wire: with DescribeKey and GetKeyPolicy held to 4/s per account, the server
    never sees more in any second, however many accounts run at once."""
    fault_server.reset()
    a, b = three_accounts(fault_server.url)
    for account in (a, b):
        c = clients_in(account, endpoint=fault_server.url)
        for i in range(6):
            w.make_stream(c.kvs, f"extra-{i}", w.make_key(c.kms, policy=w.delegating_key_policy(account)))
    fault_server.clear_counts()
    rates = {("kms", "DescribeKey"): 4.0, ("kms", "GetKeyPolicy"): 4.0, ("kms", "GetKeyRotationStatus"): 4.0}
    base = ClientFactory(AwsConfig(region=REGION, endpoint_url=fault_server.url))
    fleet = FleetAudit(base, FleetScope(accounts=(a, b), role_name="KvsctlAudit", max_concurrency=2),
                       limiters=LimiterRegistry(rates))  # fmt: skip
    report = fleet.run(AuditScope(all_streams=True), context={}, strict=False, fail_on="error")
    assert len(report.streams) == 15
    assert fault_server.calls["kms.DescribeKey"] >= 14
    # two accounts at 4/s each: at most 8 in any second, +1 each for arrival jitter at the server; without
    # the limiter the same run sends all 15 DescribeKeys within one second
    assert fault_server.peak_rate("kms.DescribeKey") <= 10
    assert fault_server.peak_rate("kms.GetKeyPolicy") <= 10
    # and per account (the session that signed): 4/s, +1 for arrival jitter
    assert 2 <= fault_server.peak_rate_per_caller("kms.DescribeKey") <= 5
    assert fault_server.peak_rate_per_caller("kms.GetKeyPolicy") <= 5


def test_fleet_table_groups_streams_by_account_with_failures_first_shown(moto: None) -> None:
    """Issue #15: the table groups by account (each with its count), shows failing streams, and --verbose
    shows every stream."""
    a, b = three_accounts()
    table = run_cli("audit", "all", "--organization", "--assume-role", "KvsctlAudit", "--no-pager", "-o", "table")
    assert table.exit_code == 1, table.stderr
    out = table.stdout
    head_a, head_b = (
        out.index(f"Account {a} ok: 1 stream, 0 failing"),
        out.index(f"Account {b} FAIL: 2 streams, 1 failing"),
    )
    assert head_a < head_b if a < b else head_b < head_a  # accounts in order
    assert "Stream gate" in out and "Stream lobby" not in out and "Stream dock" not in out  # passing ones folded
    assert out.index("Stream gate") > head_b
    verbose = run_cli(
        "audit", "all", "--organization", "--assume-role", "KvsctlAudit", "--verbose", "--no-pager", "-o", "table"
    )
    assert verbose.exit_code == 1
    assert verbose.stdout.index("Stream lobby") > verbose.stdout.index(f"Account {a}")
    assert verbose.stdout.index("Stream dock") > verbose.stdout.index(f"Account {b}")
