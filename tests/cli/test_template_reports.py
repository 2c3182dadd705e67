"""`kvsctl audit template` through the one SARIF and JUnit writers: schema-valid, every location the
template file and line (relative to --sarif-root or the git root), --fail-on / --strict as on `audit
policy`, and a report on every exit."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_reports import valid
from tests.helpers import run_cli
from tests.unit.iac.templates import ACCOUNT, stack, write

PARAMS = ("--parameter", f"AWS::AccountId={ACCOUNT}")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with a stack in infra/ whose key policy leaves the camera out (GenerateDataKey denied);
    the working folder is infra/, the git root one level up."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "infra").mkdir()
    t = stack()
    t["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"].pop(1)
    write(tmp_path / "infra", t)
    monkeypatch.chdir(tmp_path / "infra")
    return tmp_path


def line_of(repo: Path, n: int) -> str:
    return (repo / "infra" / "stack.yaml").read_text().splitlines()[n - 1].strip()


def physical(res: dict[str, Any]) -> tuple[str, int]:
    loc = res["locations"][0]["physicalLocation"]
    return loc["artifactLocation"]["uri"], loc["region"]["startLine"]


def test_sarif_locations_are_template_lines_relative_to_the_git_root(repo: Path) -> None:
    r = run_cli("audit", "template", "stack.yaml", *PARAMS, "--read", "getmedia,hls", "-o", "sarif")
    assert r.exit_code == 1
    run = valid(json.loads(r.stdout))
    assert run["automationDetails"]["id"] == "kvsctl-audit-template/"
    assert [a["location"]["uri"] for a in run["artifacts"]] == ["infra/stack.yaml"]
    for res in run["results"]:
        uri, line = physical(res)
        assert uri == "infra/stack.yaml"
        assert line >= 1
    denied = [x for x in run["results"] if x["properties"].get("decision") == "implicit_deny"]
    # the denied GenerateDataKey, on the key's declaration, with its verified fix in the message
    (gdk,) = [x for x in denied if x["ruleId"] == "KVS-PRODUCER-GENERATEDATAKEY"]
    assert line_of(repo, physical(gdk)[1]) == "Key:"
    assert gdk["level"] == "error"
    assert gdk["properties"]["path"] == "producer" and gdk["properties"]["stream"] == "lobby-cam"
    assert "Fix: allow kms:GenerateDataKey" in gdk["message"]["text"]
    # the viewer is inferred on getmedia only: no hls result for it
    assert not [x for x in run["results"] if x["properties"].get("path") == "hls"]
    rule_ids = {d["id"] for d in run["tool"]["driver"]["rules"]}
    assert {x["ruleId"] for x in run["results"]} <= rule_ids


def test_sarif_root_makes_template_locations_relative_to_it(repo: Path) -> None:
    r = run_cli("audit", "template", "stack.yaml", *PARAMS, "-o", "sarif", "--sarif-root", str(repo / "infra"))
    run = valid(json.loads(r.stdout))
    assert {physical(x)[0] for x in run["results"]} == {"stack.yaml"}
    bad = run_cli("audit", "template", "stack.yaml", "-o", "sarif", "--sarif-root", str(repo / "nowhere"))
    assert bad.exit_code == 2 and "--sarif-root" in bad.stderr


def test_sarif_fingerprints_tell_streams_apart(repo: Path) -> None:
    t = stack()
    t["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"].pop(1)
    t["Resources"]["Dock"] = {
        "Type": "AWS::KinesisVideo::Stream",
        "Properties": {"Name": "dock-cam", "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}},
    }
    t["Resources"]["CameraRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]["Resource"] = "*"
    write(repo / "infra", t)
    run = valid(json.loads(run_cli("audit", "template", "stack.yaml", *PARAMS, "-o", "sarif").stdout))
    gdk = [x for x in run["results"] if x["ruleId"] == "KVS-PRODUCER-GENERATEDATAKEY"]
    assert {x["properties"]["stream"] for x in gdk} == {"lobby-cam", "dock-cam"}
    # both point at the same Key line, yet code scanning keeps them as two alerts
    assert len({physical(x) for x in gdk}) == 1
    assert len({x["partialFingerprints"]["kvsctl/v1"] for x in gdk}) == 2


def test_junit_cases_at_template_lines_and_fail_on(repo: Path) -> None:
    r = run_cli("audit", "template", "stack.yaml", *PARAMS, "-o", "junit")
    assert r.exit_code == 1
    root = ET.fromstring(r.stdout)
    assert root.get("name") == "kvsctl audit template"
    (suite,) = [s for s in root.iter("testsuite") if s.get("name") == "stream lobby-cam"]
    assert suite.get("file") == "stack.yaml"
    failures = [(c, f) for c in root.iter("testcase") if (f := c.find("failure")) is not None]
    assert [f.get("type") for _, f in failures] == ["KVS-PRODUCER-GENERATEDATAKEY"]
    ((case, failure),) = failures
    assert case.get("file") == "stack.yaml" and line_of(repo, int(case.get("line") or 0)) == "Key:"
    assert "fix: allow kms:GenerateDataKey" in (failure.text or "")

    # rotation off is a warning: it fails only with --fail-on warning
    t = stack()
    del t["Resources"]["Key"]["Properties"]["EnableKeyRotation"]
    write(repo / "infra", t)
    assert run_cli("audit", "template", "stack.yaml", *PARAMS, "-o", "junit").exit_code == 0
    warn = run_cli("audit", "template", "stack.yaml", *PARAMS, "-o", "junit", "--fail-on", "warning")
    assert warn.exit_code == 1
    assert {f.get("type") for f in ET.fromstring(warn.stdout).iter("failure")} == {"KVS208"}


def test_strict_fails_conditional_checks_in_sarif_and_junit(repo: Path) -> None:
    t = stack()
    t["Resources"]["Stream"]["Properties"]["KmsKeyId"] = {"Fn::ImportValue": "SharedKey"}
    write(repo / "infra", t)
    plain = run_cli("audit", "template", "stack.yaml", *PARAMS, "-o", "sarif")
    assert plain.exit_code == 0
    levels = {
        x["ruleId"]: x["level"] for x in valid(json.loads(plain.stdout))["results"] if "decision" in x["properties"]
    }
    assert levels == {"KVS-PRODUCER-GENERATEDATAKEY": "warning", "KVS-CONSUMER-DECRYPT": "warning"}
    strict = run_cli("audit", "template", "stack.yaml", *PARAMS, "-o", "sarif", "--strict")
    assert strict.exit_code == 1
    run = valid(json.loads(strict.stdout))
    assert {x["level"] for x in run["results"] if "decision" in x["properties"]} == {"error"}
    junit = run_cli("audit", "template", "stack.yaml", *PARAMS, "-o", "junit", "--strict")
    assert junit.exit_code == 1
    assert {f.get("type") for f in ET.fromstring(junit.stdout).iter("failure")} == {
        "KVS-PRODUCER-GENERATEDATAKEY",
        "KVS-CONSUMER-DECRYPT",
    }


@pytest.mark.parametrize("fmt", ["sarif", "junit", "json"])
def test_the_report_is_written_on_every_exit(repo: Path, fmt: str) -> None:
    report = repo / f"kvs.{fmt}"
    failing = run_cli("audit", "template", "stack.yaml", *PARAMS, "-o", fmt, "--report", str(report))
    assert failing.exit_code == 1
    text = report.read_text()
    if fmt == "sarif":
        assert valid(json.loads(text))["invocations"][0]["executionSuccessful"] is True
    elif fmt == "junit":
        assert ET.fromstring(text).get("failures") == "1"
    else:
        assert json.loads(text)["ok"] is False

    write(repo / "infra", stack())
    passing = run_cli("audit", "template", "stack.yaml", *PARAMS, "-o", fmt, "--report", str(report))
    assert passing.exit_code == 0
    if fmt == "json":
        assert json.loads(report.read_text())["ok"] is True

    (repo / "infra" / "bad.yaml").write_text("Resources:\n  S:\n    Properties: {}\n")
    errored = run_cli("audit", "template", "bad.yaml", "-o", fmt, "--report", str(report))
    assert errored.exit_code == 2 and "bad.yaml:2" in errored.stderr
    text = report.read_text()
    if fmt == "sarif":
        (inv,) = valid(json.loads(text))["invocations"]
        assert inv["executionSuccessful"] is False and inv["exitCode"] == 2
        assert "bad.yaml:2" in inv["toolExecutionNotifications"][0]["message"]["text"]
    elif fmt == "junit":
        root = ET.fromstring(text)
        assert (root.get("errors"), root.get("failures")) == ("1", "0")
    else:
        data = json.loads(text)
        assert data["exit_code"] == 2 and "bad.yaml:2" in data["error"]["message"]

    # a bad --read is exit 2 too, and still leaves its report
    report.unlink()
    usage = run_cli("audit", "template", "stack.yaml", "--read", "nope", "-o", fmt, "--report", str(report))
    assert usage.exit_code == 2 and report.exists()
