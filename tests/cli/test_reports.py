"""The one SARIF and JUnit writers, through the commands: schema-valid, locations in the files given,
rules from the registry, and a report on every exit (a run that errored says so)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kvsctl.checks.rules import RULES, catalogue
from tests.helpers import run_cli

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json").read_text())
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
P = "arn:aws:iam::111122223333:role/Camera"
C = "arn:aws:iam::111122223333:role/Viewer"

KEY_POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Everyone",
      "Effect": "Allow",
      "Principal": {"AWS": "*"},
      "Action": "kms:GenerateDataKey",
      "Resource": "*"
    },
    {
      "Sid": "NoDecryptForViewer",
      "Effect": "Deny",
      "Principal": {"AWS": "arn:aws:iam::111122223333:role/Viewer"},
      "Action": "kms:Decrypt",
      "Resource": "*"
    }
  ]
}
"""


def valid(log: dict[str, Any]) -> dict[str, Any]:
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(log)
    run: dict[str, Any] = log["runs"][0]
    return run


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "key.json").write_text(KEY_POLICY)
    monkeypatch.chdir(tmp_path / "policies")  # the git root is one level up
    return tmp_path


def test_audit_policy_sarif_points_at_the_deciding_statement(repo: Path) -> None:
    r = run_cli("audit", "policy", "--key-policy", "key.json", "--key-arn", KEY, "--producer", P, "--consumer", C,
                "-o", "sarif")  # fmt: skip
    assert r.exit_code == 1, r.stderr
    run = valid(json.loads(r.stdout))
    by_rule = {x["ruleId"]: x for x in run["results"]}
    denied = by_rule["KVS-CONSUMER-DECRYPT"]
    assert denied["level"] == "error" and denied["properties"]["decision"] == "explicit_deny"
    # relative to the git root, at the line of the Deny statement
    assert denied["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "policies/key.json"},
        "region": {"startLine": 11},
    }
    public = by_rule["KVS101"]  # Principal "*" without a condition, at its statement's line
    assert public["locations"][0]["physicalLocation"]["region"] == {"startLine": 4}
    assert run["invocations"] == [{"executionSuccessful": True}]
    rules = {d["id"]: d for d in run["tool"]["driver"]["rules"]}
    assert set(rules) == {x["ruleId"] for x in run["results"]}
    d = rules["KVS101"]
    assert d["name"] == "KeyPolicyOpenToEveryone" and d["defaultConfiguration"] == {"level": "error"}
    assert d["properties"]["security-severity"] == "9.1" and "security" in d["properties"]["tags"]
    assert d["helpUri"].endswith("#kvs101") and d["fullDescription"]["text"] == RULES["KVS101"].description


def test_sarif_root_makes_locations_relative_to_it(repo: Path) -> None:
    r = run_cli("audit", "policy", "--key-policy", "key.json", "--key-arn", KEY, "--consumer", C, "-o", "sarif",
                "--sarif-root", str(repo / "policies"))  # fmt: skip
    run = valid(json.loads(r.stdout))
    uris = {x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in run["results"]}
    assert "key.json" in uris
    bad = run_cli("audit", "policy", "--key-policy", "key.json", "--key-arn", KEY, "--consumer", C, "-o", "sarif",
                  "--sarif-root", str(repo / "nowhere"))  # fmt: skip
    assert bad.exit_code == 2 and "--sarif-root" in bad.stderr


def test_audit_policy_junit_and_fail_on(repo: Path) -> None:
    base = ("audit", "policy", "--key-policy", "key.json", "--key-arn", KEY, "--producer", P)
    r = run_cli(*base, "-o", "junit")
    assert r.exit_code == 1  # KVS101 is an error
    root = ET.fromstring(r.stdout)
    assert {f.get("type") for f in root.iter("failure")} == {"KVS101"}
    assert root.get("failures") == "1"
    ok_policy = KEY_POLICY.replace('"AWS": "*"', f'"AWS": "{P}"')
    (repo / "policies" / "key.json").write_text(ok_policy)
    assert run_cli(*base, "-o", "json").exit_code == 0
    strict = run_cli(*base, "--fail-on", "warning", "-o", "json")  # only info findings remain: they never fail
    assert strict.exit_code == 0, strict.stdout


@pytest.mark.parametrize("fmt", ["sarif", "junit", "json", "table"])
def test_a_run_that_errors_still_writes_its_report(repo: Path, fmt: str) -> None:
    report = repo / f"out.{fmt}"
    r = run_cli("audit", "policy", "--key-policy", "missing.json", "--key-arn", KEY, "--consumer", C,
                "-o", fmt, "--report", str(report))  # fmt: skip
    assert r.exit_code == 2 and "missing.json" in r.stderr
    text = report.read_text()
    if fmt == "sarif":
        run = valid(json.loads(text))
        assert run["results"] == []
        (inv,) = run["invocations"]
        assert inv["executionSuccessful"] is False and inv["exitCode"] == 2
        (note,) = inv["toolExecutionNotifications"]
        assert note["level"] == "error" and "missing.json" in note["message"]["text"]
    elif fmt == "junit":
        root = ET.fromstring(text)
        assert (root.get("tests"), root.get("errors"), root.get("failures")) == ("1", "1", "0")
        (error,) = root.iter("error")
        assert "missing.json" in (error.text or "")
    elif fmt == "json":
        data = json.loads(text)
        assert data["ok"] is False and data["exit_code"] == 2 and "missing.json" in data["error"]["message"]
    else:
        assert "ERROR (exit 2" in text


def test_sarif_on_stdout_when_the_run_errors(repo: Path) -> None:
    r = run_cli("audit", "policy", "--key-policy", "missing.json", "--key-arn", KEY, "--consumer", C, "-o", "sarif")
    assert r.exit_code == 2
    assert valid(json.loads(r.stdout))["invocations"][0]["executionSuccessful"] is False


def test_every_rule_renders_into_valid_sarif() -> None:
    """Each registry entry is a valid reportingDescriptor, with a result of it at every status."""
    from kvsctl.checks.model import Location, Result, Status, Subject
    from kvsctl.checks.verdict import Verdict
    from kvsctl.render.sarif import sarif_log

    results = [
        Result(
            rule=r.id,
            message=f"{r.title} happened",
            status=Status.FAIL if i % 3 else Status.WARN,
            subject=Subject(stream="cam", stream_arn="arn:aws:kinesisvideo:us-east-1:111122223333:stream/cam/1"),
            location=Location(file=__file__, line=i + 1) if i % 2 else None,
        )
        for i, r in enumerate(catalogue())
    ]
    run = valid(json.loads(sarif_log(results, Verdict(), command="test")))
    assert [d["id"] for d in run["tool"]["driver"]["rules"]] == sorted(RULES)
    assert len(run["results"]) == len(results)


def test_an_implicit_deny_points_at_the_key_policy(repo: Path) -> None:
    """No statement decided: the place to fix is the key policy (kms:) — the file, without a line."""
    (repo / "policies" / "key.json").write_text(KEY_POLICY.replace('"kms:Decrypt"', '"kms:Encrypt"'))
    other = "arn:aws:iam::111122223333:role/Other"
    r = run_cli("audit", "policy", "--key-policy", "key.json", "--key-arn", KEY, "--consumer", other, "-o", "sarif")
    run = valid(json.loads(r.stdout))
    (denied,) = [x for x in run["results"] if x["ruleId"] == "KVS-CONSUMER-DECRYPT"]
    assert denied["properties"]["decision"] == "implicit_deny"
    assert denied["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "policies/key.json"}}
