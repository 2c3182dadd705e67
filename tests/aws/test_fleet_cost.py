"""`cost estimate --from-account --accounts/--organization`: the live count over a three-account organization
in moto (in-process; AssumeRole and Organizations work there), each account priced on its own, an account
that cannot be entered, and the rate limits as the server sees them (fault layer)."""

from __future__ import annotations

from typing import Any

import pytest

from kvsctl.aws.ratelimit import LimiterRegistry
from kvsctl.aws.session import AwsConfig, ClientFactory
from kvsctl.cost.model import CostAssumptions
from kvsctl.services.cost import fleet_estimate
from kvsctl.services.fleet import FleetScope
from tests import audit_world as w
from tests.aws.test_fleet_audit import MANAGEMENT, clients_in, three_accounts
from tests.helpers import REGION, run_cli

ROLE = ("--assume-role", "KvsctlAudit")


def offline(streams: int, keys: int) -> dict[str, Any]:
    """The offline estimate of one account holding these counts (rotation as three_accounts set it)."""
    result = run_cli("cost", "estimate", "--streams", str(streams), "--customer-keys", str(keys), "-o", "json")
    assert result.exit_code == 0, result.stderr
    return result.json


def test_organization_count_prices_each_account_on_its_own(moto: None, monkeypatch: Any) -> None:
    a, b = three_accounts()
    result = run_cli("cost", "estimate", "--from-account", "--organization", *ROLE, "-o", "json")
    assert result.exit_code == 0, result.stderr
    data = result.json
    accounts = {x["account"]: x for x in data["accounts"]}
    assert set(accounts) == {MANAGEMENT, a, b}
    # A: lobby on its own key (the key it shares with B is used by no stream of A: not KVS cost of A);
    # B: dock on A's key (its owner pays to hold it) and gate on B's disabled key (still billed)
    assert (accounts[a]["streams"], accounts[a]["customer_keys"]) == (1, 1)
    assert (accounts[b]["streams"], accounts[b]["customer_keys"]) == (2, 1)
    assert (accounts[MANAGEMENT]["streams"], accounts[MANAGEMENT]["customer_keys"]) == (0, 0)
    assert data["accounts_not_counted"] == []
    for account, (streams, keys) in ((a, (1, 1)), (b, (2, 1))):
        alone = offline(streams, keys)
        # the free tier is per account: each account's figures are those of that account estimated alone
        assert accounts[account]["requests_per_month"] == alone["requests_per_month"]
        assert accounts[account]["billable_requests"] == alone["billable_requests"]
        assert accounts[account]["key_cost_usd"] == pytest.approx(alone["key_cost_usd"])
    assert data["requests_per_month"] == sum(x["requests_per_month"] for x in data["accounts"])
    assert data["total_usd"] == pytest.approx(sum(x["total_usd"] for x in data["accounts"]))
    assert data["assumptions"]["streams"] == 3 and data["assumptions"]["customer_keys"] == 2
    monkeypatch.setenv("COLUMNS", "160")
    table = run_cli("cost", "estimate", "--from-account", "--organization", *ROLE, "-o", "table")
    assert table.exit_code == 0 and "total (3 accounts)" in table.stdout and b in table.stdout


def test_an_account_that_cannot_be_entered_is_left_out_and_the_run_exits_3(moto: None) -> None:
    a, _b = three_accounts()
    # no --assume-role: only the caller's own account can be entered
    result = run_cli("cost", "estimate", "--from-account", "--accounts", f"{MANAGEMENT},{a}", "-o", "json")
    assert result.exit_code == 3
    data = result.json
    assert [x["account"] for x in data["accounts"]] == [MANAGEMENT]
    assert [x["account"] for x in data["accounts_not_counted"]] == [a]
    assert "not the caller's account" in data["accounts_not_counted"][0]["reason"]
    assert a in result.stderr  # the error line names what is missing from the totals


@pytest.mark.parametrize(
    "argv",
    [
        ["--accounts", "111122223333", *ROLE],  # without --from-account
        ["--from-account", "--accounts", "111122223333", *ROLE, "--compare"],
        ["--from-account", "--region", "us-east-1", "--region", "eu-west-1"],  # repeated --region, one account
        ["--from-account", "--organization"],  # needs --assume-role
        ["--from-account", "--accounts", "111122223333", *ROLE, "--max-concurrency", "65"],
        ["--from-account", *ROLE],
    ],
)
def test_bad_fleet_flags_are_exit_2_before_any_call(argv: list[str], monkeypatch: Any) -> None:
    def no_call(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("an AWS call was made")

    monkeypatch.setattr(ClientFactory, "call", no_call)
    result = run_cli("cost", "estimate", *argv, "-o", "json")
    assert result.exit_code == 2, result.stdout + result.stderr


def test_regions_are_counted_together_per_account(moto: None) -> None:
    a, _b = three_accounts()
    c = clients_in(a, region="eu-west-1")
    w.make_stream(c.kvs, "quay", w.make_key(c.kms, policy=w.delegating_key_policy(a)))
    result = run_cli(
        "cost", "estimate", "--from-account", "--accounts", a, *ROLE, "--region", REGION, "--region", "eu-west-1",
        "-o", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (only,) = result.json["accounts"]
    assert only["regions"] == [REGION, "eu-west-1"]
    assert (only["streams"], only["customer_keys"]) == (2, 2)  # one free tier for both regions
    assert only["billable_requests"] == offline(2, 2)["billable_requests"]


def test_the_count_keeps_to_the_per_account_rates_at_the_server(fault_server: Any) -> None:
    """kms:DescribeKey (one per key of the account) held to 4/s per account: the server never sees more."""
    fault_server.reset()
    a, b = three_accounts(fault_server.url)
    for account in (a, b):
        c = clients_in(account, endpoint=fault_server.url)
        for _ in range(6):
            w.make_key(c.kms, policy=w.delegating_key_policy(account))
    fault_server.clear_counts()
    base = ClientFactory(AwsConfig(region=REGION, endpoint_url=fault_server.url))
    result = fleet_estimate(
        base,
        FleetScope(accounts=(a, b), role_name="KvsctlAudit", max_concurrency=2),
        CostAssumptions(),
        (REGION,),
        limiters=LimiterRegistry({("kms", "DescribeKey"): 4.0}),
    )
    assert {x.account for x in result.accounts} == {a, b}
    assert fault_server.calls["kms.DescribeKey"] >= 16
    # two accounts at 4/s each: at most 8 in any second, +1 each for arrival jitter at the server
    assert fault_server.peak_rate("kms.DescribeKey") <= 10
    assert 2 <= fault_server.peak_rate_per_caller("kms.DescribeKey") <= 5  # per account session
