"""`key recommend-policy --read`, `key create --read`, and what `key describe` says about the streams on a key
and its lifecycle (KMS DG "Deleting KMS keys": a deleted key's ciphertext is unrecoverable)."""

from __future__ import annotations

from typing import Any

from kvsctl.keys.policy import PolicyRequest, build_key_policy
from tests import audit_world as w
from tests.helpers import ACCOUNT, REGION, run_cli

ADMIN = f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"


def test_the_key_policy_is_the_same_for_every_read_path_and_says_which_it_serves() -> None:
    base = PolicyRequest(admins=[ADMIN], region=REGION, producers=[w.PRODUCER], consumers=[w.CONSUMER])
    one = build_key_policy(base)
    every = build_key_policy(PolicyRequest(**{**base.__dict__, "reads": ("getmedia", "hls", "clip")}))
    assert one.document == every.document  # kms:Decrypt serves every read path
    assert one.paths == ("producer", "getmedia") and every.paths == ("producer", "getmedia", "hls", "clip")
    (note,) = [n for n in every.notes if n.startswith("kms:Decrypt serves")]
    assert "inferred for hls, clip" in note
    none = build_key_policy(PolicyRequest(admins=[ADMIN], region=REGION, producers=[w.PRODUCER], reads=("hls",)))
    assert none.paths == ("producer",)  # no consumer: no read path served


def test_key_create_dry_run_reports_the_paths(boto: Any) -> None:
    r = run_cli(
        "key", "create", "--alias", "alias/cams", "--admin", ADMIN, "--consumer", w.CONSUMER,
        "--read", "hls,dash", "--dry-run", "-o", "json",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert r.json["paths"] == ["hls", "dash"] and r.json["action"] == "would-create"
    assert run_cli("key", "create", "--alias", "alias/x", "--admin", ADMIN, "--read", "x", "-o", "json").exit_code == 2


def test_key_describe_lists_streams_with_retention_and_the_cost_of_deleting(boto: Any) -> None:
    key = w.make_key(boto.kms, alias="alias/cams")
    lonely = w.make_key(boto.kms, alias="alias/lonely")
    w.make_stream(boto.kvs, "lobby", key)
    r = run_cli("key", "describe", "alias/cams", "-o", "json")
    assert r.exit_code == 0, r.stderr
    assert [(s["name"], s["retention_hours"]) for s in r.json["streams"]] == [("lobby", 24)]
    unused = run_cli("key", "describe", "alias/lonely", "-o", "json")
    assert unused.json["streams"] == [] and "no stream in this region uses this key" in unused.json["notes"]
    assert lonely
    boto.kms.schedule_key_deletion(KeyId=key.split("/")[-1], PendingWindowInDays=7)
    pending = run_cli("key", "describe", key, "-o", "json")
    assert pending.exit_code == 0, pending.stderr
    (note,) = [n for n in pending.json["notes"] if "pending deletion" in n]
    assert "stream lobby" in note and "crypto-shredding" in note and "cancel-key-deletion" in note
