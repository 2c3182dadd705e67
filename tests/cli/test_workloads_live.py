"""Live audits of real workloads against moto: read paths, --explain, key lifecycle errors, ack-code
diagnosis (KVS PutMedia / GetMedia API reference: 4500-4506; KMS DG "Deleting KMS keys")."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests import audit_world as w
from tests.helpers import ACCOUNT, REGION, run_cli

HLS_VIEWER = f"arn:aws:iam::{ACCOUNT}:role/hls-less-viewer"


@pytest.fixture
def world(boto: Any) -> dict[str, str]:
    key = w.make_key(boto.kms, alias="alias/cams")
    w.make_principals(boto.iam)
    boto.iam.create_role(RoleName="hls-less-viewer", AssumeRolePolicyDocument="{}")
    boto.iam.put_role_policy(
        RoleName="hls-less-viewer",
        PolicyName="getmedia-only",
        PolicyDocument=w.doc(w.statement("Allow", [*w.GETMEDIA_STREAM_ACTIONS, "kms:Decrypt"])),
    )
    return {"key": key, "lobby": w.make_stream(boto.kvs, "lobby", key)}


def by_path(data: dict[str, Any], principal: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in data["results"]:
        if r["principal"] == principal:
            out.setdefault(r["path"], set()).add(r["decision"])
    return out


def test_viewer_can_getmedia_but_not_hls_and_the_fix_names_the_statement(world: dict[str, str]) -> None:
    r = run_cli("audit", "stream", "lobby", "--consumer", HLS_VIEWER, "--read", "getmedia,hls", "-o", "json")
    assert r.exit_code == 1, r.stderr
    paths = by_path(r.json, HLS_VIEWER)
    assert paths == {"getmedia": {"allow"}, "hls": {"allow", "implicit_deny"}}
    (bad,) = [x for x in r.json["results"] if x["decision"] != "allow"]
    assert bad["action"] == "kinesisvideo:GetHLSStreamingSessionURL" and bad["basis"] == "documented"
    decrypt_hls = next(x for x in r.json["results"] if x["path"] == "hls" and x["action"] == "kms:Decrypt")
    assert decrypt_hls["basis"] == "inferred"
    change = bad["fix"]["changes"][0]
    assert bad["fix"]["verified"] and change["target"] == "identity"
    assert change["statement"]["Resource"] == world["lobby"]
    # apply the fix in the account and audit again: it passes
    w_doc = {"Version": "2012-10-17", "Statement": [change["statement"]]}
    import boto3

    boto3.client("iam", region_name=REGION).put_role_policy(
        RoleName="hls-less-viewer", PolicyName="kvsctl-fix", PolicyDocument=json.dumps(w_doc)
    )
    again = run_cli("audit", "stream", "lobby", "--consumer", HLS_VIEWER, "--read", "getmedia,hls", "-o", "json")
    assert again.exit_code == 0, again.json
    assert by_path(again.json, HLS_VIEWER) == {"getmedia": {"allow"}, "hls": {"allow"}}


def test_table_shows_a_row_per_path_and_the_fix_whole(world: dict[str, str]) -> None:
    r = run_cli("audit", "stream", "lobby", "--consumer", HLS_VIEWER, "--read", "all", "-o", "table")
    assert r.exit_code == 1
    for name in ("getmedia", "fragments", "hls", "dash", "clip", "images"):
        assert name in r.stdout
    assert "* inferred" in r.stdout and '"kinesisvideo:GetHLSStreamingSessionURL"' in r.stdout
    assert "…" not in r.stdout  # reasons wrap, never cut


def test_explain_on_a_live_audit_adds_the_trace(world: dict[str, str]) -> None:
    r = run_cli("audit", "stream", "lobby", "--consumer", w.CONSUMER, "--explain", w.CONSUMER, "-o", "json")
    assert r.exit_code == 0, r.stderr
    assert all(x["trace"] for x in r.json["results"] if x["principal"] == w.CONSUMER)
    table = run_cli("audit", "stream", "lobby", "--consumer", w.CONSUMER, "--explain", w.CONSUMER, "-o", "table")
    assert "Explanation for" in table.stdout and "getmedia kms:Decrypt" in table.stdout


def test_bad_read_path_is_exit_2(world: dict[str, str]) -> None:
    r = run_cli("audit", "stream", "lobby", "--consumer", w.CONSUMER, "--read", "webrtc", "-o", "json")
    assert r.exit_code == 2 and "not a read path" in r.stderr


def test_producer_creates_adds_create_and_tag_and_warns_when_create_is_allowed(
    world: dict[str, str], boto: Any
) -> None:
    r = run_cli("audit", "stream", "lobby", "--producer", w.PRODUCER, "--producer-creates", "-o", "json")
    actions = {x["action"]: x["decision"] for x in r.json["results"]}
    assert actions["kinesisvideo:CreateStream"] == actions["kinesisvideo:TagStream"] == "implicit_deny"
    assert not [f for f in r.json["findings"] if f["code"] == "KVS120"]
    boto.iam.put_role_policy(
        RoleName="cam-producer",
        PolicyName="create",
        PolicyDocument=w.doc(w.statement("Allow", ["kinesisvideo:CreateStream"])),
    )
    warned = run_cli("audit", "stream", "lobby", "--producer", w.PRODUCER, "-o", "json")  # without the flag too
    (f,) = [f for f in warned.json["findings"] if f["code"] == "KVS120"]
    assert f["severity"] == "warning" and "AWS managed key" in f["message"]


def test_pending_deletion_names_the_date_the_loss_and_the_cancel_command(world: dict[str, str], boto: Any) -> None:
    boto.kms.schedule_key_deletion(KeyId=world["key"].split("/")[-1], PendingWindowInDays=7)
    when = boto.kms.describe_key(KeyId=world["key"])["KeyMetadata"]["DeletionDate"]
    r = run_cli("audit", "stream", "lobby", "-o", "json")
    assert r.exit_code == 1
    (f,) = [f for f in r.json["findings"] if f["code"] == "KVS204"]
    assert f["severity"] == "error" and f["stream"] == "lobby"
    assert when.date().isoformat() in f["message"] and "crypto-shredding" in f["message"]
    assert "up to 24 h of video" in f["message"]
    assert f"aws kms cancel-key-deletion --key-id {world['key']} --region {REGION}" in f["message"]


def test_disabled_key_says_every_putmedia_fails_with_ack_4501(world: dict[str, str], boto: Any) -> None:
    boto.kms.disable_key(KeyId=world["key"].split("/")[-1])
    r = run_cli("audit", "stream", "lobby", "-o", "json")
    (f,) = [f for f in r.json["findings"] if f["code"] == "KVS203"]
    assert "4501" in f["message"] and "aws kms enable-key" in f["message"] and "24 h" in f["message"]


def test_ack_4500_names_the_layer_that_denies(world: dict[str, str]) -> None:
    r = run_cli("audit", "stream", "lobby", "--consumer", w.FENCED_CONSUMER, "--ack-code", "4500", "-o", "json")
    d = r.json["diagnosis"]
    assert d["ack_code"] == 4500 and d["role"] == "consumer" and d["explained"] is True
    assert d["layers"] == ["permissions boundary"]
    assert d["fix"]["changes"][0]["target"] == "boundary"
    broken = run_cli("audit", "stream", "lobby", "--consumer", w.BROKEN_CONSUMER, "--ack-code", "4500", "-o", "json")
    assert broken.json["diagnosis"]["layers"] == ["IAM identity policy"]
    fine = run_cli("audit", "stream", "lobby", "--producer", w.PRODUCER, "--ack-code", "4500", "-o", "json")
    assert fine.json["diagnosis"]["explained"] is False and fine.json["diagnosis"]["layers"] == []


def test_ack_4501_and_4505_are_the_key_state(world: dict[str, str], boto: Any) -> None:
    boto.kms.disable_key(KeyId=world["key"].split("/")[-1])
    r = run_cli("audit", "stream", "lobby", "--producer", w.PRODUCER, "--ack-code", "4501", "-o", "table")
    assert "Ack 4501" in r.stdout and "key state" in r.stdout
    js = run_cli("audit", "stream", "lobby", "--producer", w.PRODUCER, "--ack-code", "4501", "-o", "json")
    assert js.json["diagnosis"]["layers"] == ["key state"]
    boto.kms.enable_key(KeyId=world["key"].split("/")[-1])
    boto.kms.schedule_key_deletion(KeyId=world["key"].split("/")[-1], PendingWindowInDays=7)
    pending = run_cli("audit", "stream", "lobby", "--producer", w.PRODUCER, "--ack-code", "4505", "-o", "json")
    assert pending.json["diagnosis"]["layers"] == ["key state"]
    assert "crypto-shredding" in pending.json["diagnosis"]["explanation"][0]


@pytest.mark.parametrize(
    "args",
    [
        ("--consumer", w.CONSUMER, "--ack-code", "4400"),
        ("--ack-code", "4500"),
        ("--consumer", w.CONSUMER, "--producer", w.PRODUCER, "--ack-code", "4500"),
    ],
    ids=["not-a-kms-code", "no-principal", "two-principals"],
)
def test_ack_code_misuse_is_exit_2_before_any_call(args: tuple[str, ...], monkeypatch: Any) -> None:
    r = run_cli("audit", "stream", "lobby", *args, "-o", "json")
    assert r.exit_code == 2, r.stderr
