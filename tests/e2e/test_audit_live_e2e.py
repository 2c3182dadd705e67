"""`kvsctl audit stream` / `audit all` as a subprocess against a moto server."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests import audit_world as w
from tests.helpers import ACCOUNT, REGION, run_subprocess

pytestmark = pytest.mark.e2e
SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"


def clients(endpoint: str, account: str | None = None) -> Any:
    import boto3

    def make(service: str) -> Any:
        c = boto3.client(
            service,
            region_name=REGION,
            endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        return w.account_header(c, account) if account else c

    class Clients:
        kms = make("kms")
        kvs = make("kinesisvideo")
        iam = make("iam")

    return Clients()


def test_exit_0_and_1_with_every_kind_of_policy(server: str, tmp_path: Path) -> None:
    c = clients(server)
    key = w.make_key(c.kms, alias="alias/cams")
    w.make_stream(c.kvs, "lobby", key)
    w.make_principals(c.iam)

    ok = run_subprocess(
        "audit", "stream", "lobby", "--producer", w.PRODUCER_SESSION, "--consumer", w.CONSUMER, "-o", "json",
        endpoint=server,
    )  # fmt: skip
    assert ok.exit_code == 0, ok.stderr
    assert {r["decision"] for r in ok.json["results"]} == {"allow"}

    report = tmp_path / "audit.xml"
    bad = run_subprocess(
        "audit", "all", "--consumer", w.GROUP_CONSUMER, "--consumer", w.FENCED_CONSUMER,
        "-o", "junit", "--report", str(report), endpoint=server,
    )  # fmt: skip
    assert bad.exit_code == 1, bad.stderr
    assert "FAIL" in bad.stdout and "Stream lobby" in bad.stdout  # the table on the terminal
    failures = [c for c in ET.parse(report).iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failures] == [f"{w.FENCED_CONSUMER} getmedia kms:Decrypt"]


def test_aws_managed_key_is_not_created_and_sarif_is_valid(server: str) -> None:
    import jsonschema

    c = clients(server)
    w.make_stream(c.kvs, "plain", None)
    w.make_principals(c.iam)
    before = c.kms.list_keys()["Keys"]
    # The AWS managed key lets every principal of the account use it through KVS, so only IAM on the
    # stream can fail: the producer role has no kinesisvideo:GetMedia.
    r = run_subprocess("audit", "all", "--consumer", w.PRODUCER, "-o", "sarif", endpoint=server)
    assert r.exit_code == 1, r.stderr
    assert c.kms.list_keys()["Keys"] == before == []
    log = json.loads(r.stdout)
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(log)
    assert {x["ruleId"] for x in log["runs"][0]["results"]} >= {"KVS211", "KVS-CONSUMER-GETMEDIA"}


def test_cross_account_key_with_key_profile(server: str, tmp_path: Path) -> None:
    owner = "210987654321"
    theirs = clients(server, owner)
    key = w.make_key(theirs.kms, policy=w.delegating_key_policy(owner))
    c = clients(server)
    w.make_stream(c.kvs, "shared", key)
    access, secret = w.other_account_credentials(theirs.iam)
    env = {"AWS_CONFIG_FILE": w.write_profile(tmp_path, "owner", access, secret)}

    without = run_subprocess("audit", "stream", "shared", "-o", "json", endpoint=server, env=env)
    assert without.exit_code == 1  # moto cannot see another account's key: reported as not found
    assert [f["code"] for f in without.json["findings"]] == ["KVS202"]

    with_profile = run_subprocess(
        "audit", "stream", "shared", "--key-profile", "owner", "-o", "json", endpoint=server, env=env
    )
    assert with_profile.exit_code == 0, with_profile.stdout + with_profile.stderr
    assert with_profile.json["streams"][0]["key_arn"] == key and with_profile.json["findings"] == []


def test_exit_2_and_3(server: str) -> None:
    bad = run_subprocess("audit", "stream", "no such stream", endpoint=server)
    assert bad.exit_code == 2 and "invalid stream name" in bad.stderr
    down = run_subprocess("audit", "all", "-o", "json", endpoint="http://127.0.0.1:9", env={"KVSCTL_MAX_ATTEMPTS": "1"})
    assert down.exit_code == 3 and down.error["code"] == "endpoint_unreachable"
    missing = run_subprocess("audit", "stream", "ghost", "-o", "json", endpoint=server)
    assert missing.exit_code == 1 and missing.json["findings"][0]["code"] == "KVS201"
    assert ACCOUNT  # the default moto account is the audited one
