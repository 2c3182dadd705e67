"""`kvsctl audit stream` / `audit all` in-process against moto: decisions, findings, formats, exit codes."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests import audit_world as w
from tests.helpers import ACCOUNT, REGION, run_cli

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"
EVERYONE = (
    "--producer",
    w.PRODUCER,
    "--consumer",
    w.CONSUMER,
    "--consumer",
    w.GROUP_CONSUMER,
    "--consumer",
    w.FENCED_CONSUMER,
    "--consumer",
    w.BROKEN_CONSUMER,
)


@pytest.fixture
def world(boto: Any) -> dict[str, str]:
    good = w.make_key(boto.kms, alias="alias/cams")
    disabled = w.make_key(boto.kms)
    boto.kms.disable_key(KeyId=disabled.split("/")[-1])
    ghost = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/99999999-8888-7777-6666-555555555555"
    w.make_principals(boto.iam)
    return {
        "good": good,
        "disabled": disabled,
        "lobby": w.make_stream(boto.kvs, "lobby", good),
        "dead": w.make_stream(boto.kvs, "dead", disabled),
        "ghost": w.make_stream(boto.kvs, "ghost", ghost),
        "plain": w.make_stream(boto.kvs, "plain", None),
    }


def decisions(data: dict[str, Any], stream: str) -> dict[tuple[str, str], str]:
    return {(r["principal"], r["action"]): r["decision"] for r in data["results"] if r["stream"] == stream}


def codes(data: dict[str, Any], stream: str | None) -> list[str]:
    return sorted(f["code"] for f in data["findings"] if f.get("stream") == stream)


def test_decisions_for_every_kind_of_iam_policy(world: dict[str, str]) -> None:
    r = run_cli("audit", "stream", "lobby", *EVERYONE, "-o", "json")
    assert r.exit_code == 1, r.stderr  # the fenced and the broken consumer cannot decrypt
    data = r.json
    got = decisions(data, "lobby")
    assert got == {
        (w.PRODUCER, "kinesisvideo:DescribeStream"): "allow",  # inline policy on a role
        (w.PRODUCER, "kinesisvideo:GetDataEndpoint"): "allow",
        (w.PRODUCER, "kms:GenerateDataKey"): "allow",
        (w.PRODUCER, "kinesisvideo:PutMedia"): "allow",
        (w.CONSUMER, "kms:Decrypt"): "allow",  # attached managed policy
        (w.CONSUMER, "kinesisvideo:GetMedia"): "allow",
        (w.CONSUMER, "kinesisvideo:GetDataEndpoint"): "allow",
        (w.GROUP_CONSUMER, "kms:Decrypt"): "allow",  # a user's group policy
        (w.GROUP_CONSUMER, "kinesisvideo:GetMedia"): "allow",
        (w.GROUP_CONSUMER, "kinesisvideo:GetDataEndpoint"): "allow",
        (w.FENCED_CONSUMER, "kms:Decrypt"): "implicit_deny",  # the boundary removes it
        (w.FENCED_CONSUMER, "kinesisvideo:GetMedia"): "allow",
        (w.FENCED_CONSUMER, "kinesisvideo:GetDataEndpoint"): "allow",
        (w.BROKEN_CONSUMER, "kms:Decrypt"): "implicit_deny",  # never granted
        (w.BROKEN_CONSUMER, "kinesisvideo:GetMedia"): "allow",
        (w.BROKEN_CONSUMER, "kinesisvideo:GetDataEndpoint"): "allow",
    }
    # each denial carries its fix: the boundary for the fenced consumer, the identity policy for the other
    fixes = {x["principal"]: x["fix"] for x in data["results"] if x["decision"] == "implicit_deny"}
    assert [c["target"] for c in fixes[w.FENCED_CONSUMER]["changes"]] == ["boundary"]
    assert [c["target"] for c in fixes[w.BROKEN_CONSUMER]["changes"]] == ["identity"]
    assert fixes[w.BROKEN_CONSUMER]["changes"][0]["statement"]["Action"] == "kms:Decrypt"
    assert data["ok"] is False and data["streams"][0]["key_arn"] == world["good"]
    assert data["streams"][0]["encryption"] == "customer-managed"
    # the viewers group also allows kms:GenerateDataKey: least-privilege warning, not a failure
    (extra,) = [f for f in data["findings"] if f.get("stream") == "lobby"]
    assert (extra["code"], extra["severity"], extra["principal"]) == ("KVS110", "warning", w.GROUP_CONSUMER)
    fenced = next(x for x in data["results"] if x["principal"] == w.FENCED_CONSUMER and x["action"] == "kms:Decrypt")
    assert any("boundary" in reason for reason in fenced["reasons"])


def test_all_pass_is_exit_0(world: dict[str, str]) -> None:
    r = run_cli("audit", "stream", "lobby", "--producer", w.PRODUCER, "--consumer", w.CONSUMER, "-o", "json")
    assert r.exit_code == 0, r.stdout
    assert r.json["ok"] is True and r.json["summary"]["deny"] == 0


def test_key_findings_disabled_missing_and_aws_managed(world: dict[str, str], boto: Any) -> None:
    before = boto.kms.list_keys()["Keys"]
    r = run_cli("audit", "all", "--consumer", w.CONSUMER, "-o", "json")
    assert r.exit_code == 1
    data = r.json
    assert [s["name"] for s in data["streams"]] == ["dead", "ghost", "lobby", "plain"]
    assert codes(data, "dead") == ["KVS203"]
    assert codes(data, "ghost") == ["KVS202"]
    assert set(decisions(data, "ghost").values()) == {"conditional", "allow"}  # key unknown: not a pass
    # documented AWS managed policy (info); it lets every principal of the account use the key through
    # KVS, so the consumer could also generate data keys (least-privilege warning)
    assert codes(data, "plain") == ["KVS110", "KVS211"]
    assert decisions(data, "plain")[(w.CONSUMER, "kms:Decrypt")] == "allow"
    assert boto.kms.list_keys()["Keys"] == before  # auditing created no key (no AWS managed key either)

    strict = run_cli("audit", "stream", "plain", "--require-customer-key", "-o", "json")
    assert strict.exit_code == 1 and codes(strict.json, "plain") == ["KVS209", "KVS211"]  # no principals given


def test_fail_on_warning_and_strict(world: dict[str, str], boto: Any) -> None:
    boto.kms.disable_key_rotation(KeyId=world["good"].split("/")[-1])
    base = ("audit", "stream", "lobby", "--consumer", w.CONSUMER, "-o", "json")
    assert run_cli(*base).exit_code == 0  # rotation off is a warning
    warned = run_cli(*base, "--fail-on", "warning")
    assert warned.exit_code == 1 and codes(warned.json, "lobby") == ["KVS208"]
    # a producer or consumer that does not exist is an error (a typo in the ARN), not a quiet conditional
    ghost = f"arn:aws:iam::{ACCOUNT}:role/not-there"
    missing = run_cli("audit", "stream", "lobby", "--consumer", ghost, "-o", "json")
    assert missing.exit_code == 1, missing.json
    assert codes(missing.json, None) == ["KVS213"]
    assert decisions(missing.json, "lobby")[(ghost, "kinesisvideo:GetMedia")] == "conditional"
    # a decision that depends on request context (here aws:SourceIp) is conditional: passes, unless --strict
    import json as _json

    boto.iam.create_role(RoleName="office-viewer", AssumeRolePolicyDocument="{}")
    boto.iam.put_role_policy(
        RoleName="office-viewer",
        PolicyName="from-the-office",
        PolicyDocument=_json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["kms:Decrypt", "kinesisvideo:GetMedia", "kinesisvideo:GetDataEndpoint"],
                        "Resource": "*",
                        "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
                    }
                ],
            }
        ),
    )
    office = f"arn:aws:iam::{ACCOUNT}:role/office-viewer"
    cond = run_cli("audit", "stream", "lobby", "--consumer", office, "-o", "json")
    assert cond.exit_code == 0, cond.json
    assert decisions(cond.json, "lobby")[(office, "kinesisvideo:GetMedia")] == "conditional"
    assert run_cli("audit", "stream", "lobby", "--consumer", office, "--strict", "-o", "json").exit_code == 1
    # supplying the context decides it
    inside = run_cli(
        "audit",
        "stream",
        "lobby",
        "--consumer",
        office,
        "--context",
        "aws:SourceIp=203.0.113.7",
        "--strict",
        "-o",
        "json",
    )
    assert inside.exit_code == 0, inside.json


@pytest.mark.parametrize(
    "args",
    [
        ("audit", "stream", "bad name"),
        ("audit", "stream", "lobby", "--producer", "not-an-arn"),
        ("audit", "stream", "lobby", "--consumer", "kinesisvideo.amazonaws.com"),
        ("audit", "stream", "lobby", "--context", "novalue"),
        ("audit", "stream", "lobby", "--fail-on", "sometimes"),
        ("audit", "all", "--name-prefix", "bad prefix"),
        ("audit", "all", "--region", "Mars"),
        ("audit", "stream", "lobby", "--report", "/nonexistent/dir/out.sarif"),
    ],
    ids=["name", "producer", "service-principal", "context", "fail-on", "prefix", "region", "report-dir"],
)
def test_bad_input_is_exit_2_before_any_call(args: tuple[str, ...], monkeypatch: Any) -> None:
    from kvsctl.aws.session import ClientFactory

    def no_call(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("an AWS call was made")

    monkeypatch.setattr(ClientFactory, "call", no_call)
    r = run_cli(*args, "-o", "json")
    assert r.exit_code == 2, r.stderr
    assert r.error["code"] in ("invalid_input", "invalid_stream_name", "usage", "invalid_principal", "invalid_region")


def test_aws_errors_that_stop_the_audit_are_exit_3(monkeypatch: Any) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    r = run_cli("audit", "all", "-o", "json")
    assert r.exit_code == 3 and r.error["code"] == "no_credentials"


def test_stream_list_denied_is_exit_3(world: dict[str, str], factory: Any, monkeypatch: Any) -> None:
    """moto enforces no IAM, so ListStreams is denied through botocore's Stubber on the KVS client."""
    from botocore.stub import Stubber

    from kvsctl.aws.session import ClientFactory

    real_client = ClientFactory.client

    def stubbed(self: Any, service: str, region: str | None = None) -> Any:
        client = real_client(self, service, region)
        if service == "kinesisvideo" and not getattr(client, "_denied", False):
            stub = Stubber(client)
            stub.add_client_error("list_streams", "AccessDeniedException", "not authorized", 403)
            stub.activate()
            client._denied = True
        return client

    monkeypatch.setattr(ClientFactory, "client", stubbed)
    r = run_cli("audit", "all", "-o", "json")
    assert r.exit_code == 3 and r.error["code"] == "access_denied"


def test_sarif_is_valid_against_the_2_1_0_schema(world: dict[str, str]) -> None:
    import jsonschema

    r = run_cli("audit", "all", *EVERYONE, "-o", "sarif")
    assert r.exit_code == 1
    log = json.loads(r.stdout)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(log)
    run = log["runs"][0]
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {"KVS202", "KVS203", "KVS211", "KVS-CONSUMER-DECRYPT"} <= rule_ids
    assert "KVS-PRODUCER-PUTMEDIA" not in rule_ids  # only failing requirements become rules
    denied = [x for x in run["results"] if x["ruleId"] == "KVS-CONSUMER-DECRYPT" and x["level"] == "error"]
    assert {x["properties"]["principal"] for x in denied} == {w.FENCED_CONSUMER, w.BROKEN_CONSUMER}
    assert all(x["properties"]["decision"] == "implicit_deny" for x in denied)
    uri = denied[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith(f"aws/{ACCOUNT}/{REGION}/kinesisvideo/stream/") and ":" not in uri
    assert all(x["ruleId"] in rule_ids for x in run["results"])


def test_junit_one_testcase_per_principal_and_requirement(world: dict[str, str]) -> None:
    """One test case per result: a principal x requirement, or a finding (named by its rule)."""
    r = run_cli("audit", "stream", "lobby", "dead", *EVERYONE, "-o", "junit")
    assert r.exit_code == 1
    root = ET.fromstring(r.stdout)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"stream lobby", "stream dead"}
    lobby = suites["stream lobby"]
    cases = [c for c in lobby.iter("testcase") if not (c.get("name") or "").startswith("KVS")]
    assert len(cases) == 16  # 1 producer x 4 + 4 consumers x 3 (getmedia path)
    failed = {c.get("name"): c.find("failure") for c in cases if c.find("failure") is not None}
    assert set(failed) == {f"{w.FENCED_CONSUMER} getmedia kms:Decrypt", f"{w.BROKEN_CONSUMER} getmedia kms:Decrypt"}
    fenced = failed[f"{w.FENCED_CONSUMER} getmedia kms:Decrypt"]
    assert fenced is not None and fenced.get("type") == "KVS-CONSUMER-DECRYPT"
    assert (fenced.get("message") or "").startswith("implicit_deny") and "boundary" in (fenced.text or "")
    dead_failures = [c.find("failure") for c in suites["stream dead"].iter("testcase") if c.find("failure") is not None]
    assert "KVS203" in {f.get("type") for f in dead_failures if f is not None}
    assert all(int(s.get("tests", "0")) == len(list(s.iter("testcase"))) for s in suites.values())
    assert root.get("failures") == str(sum(int(s.get("failures", "0")) for s in suites.values()))


def test_report_file_keeps_the_table_on_the_terminal(world: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "audit.sarif"
    r = run_cli("audit", "stream", "lobby", "--consumer", w.CONSUMER, "-o", "sarif", "--report", str(out))
    assert r.exit_code == 0
    assert json.loads(out.read_text())["version"] == "2.1.0"
    assert "Stream lobby" in r.stdout and "PASS" in r.stdout  # the table, not SARIF
    again = run_cli("audit", "stream", "lobby", "-o", "junit", "--report", str(out))  # a re-run replaces it
    assert again.exit_code == 0 and ET.fromstring(out.read_text()).tag == "testsuites"
    assert run_cli("audit", "stream", "lobby", "-o", "junit", "--report", str(out), "--overwrite").exit_code == 0
    assert ET.fromstring(out.read_text()).tag == "testsuites"


def test_table_has_a_matrix_per_stream_findings_and_one_summary_line(world: dict[str, str]) -> None:
    r = run_cli("audit", "all", "--consumer", w.BROKEN_CONSUMER, "-o", "table", "--verbose")
    assert r.exit_code == 1
    for name in ("lobby", "dead", "ghost", "plain"):
        assert f"Stream {name}" in r.stdout
    assert "Findings for dead" in r.stdout and "KVS203" in r.stdout
    summary = [ln for ln in r.stdout.splitlines() if ln.startswith(("PASS", "FAIL"))]
    assert len(summary) == 1 and summary[0].startswith("FAIL") and "4 streams" in summary[0]
    assert summary[0].endswith("info")  # the whole summary on one line, even past 80 columns


def test_progress_bar_only_on_a_terminal(world: dict[str, str], monkeypatch: Any) -> None:
    quiet = run_cli("audit", "all", "-o", "json")
    assert quiet.stderr == ""  # stderr is not a terminal: silent

    from kvsctl.cli import progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    calls: list[tuple[str, int, int]] = []
    with progress.progress_bar() as update:
        pass
    assert update is None  # pytest's stderr is not a terminal
    monkeypatch.setattr(progress.sys, "stderr", tty)
    with progress.progress_bar(no_color=True) as update:
        assert update is not None
        update("keys", 0, 2)
        update("keys", 2, 2)
        calls.append(("keys", 2, 2))
    with progress.progress_bar(enabled=False) as off:
        assert off is None
    assert calls and "reading keys" in tty.getvalue()


def test_audit_all_spans_every_region_given(boto: Any) -> None:
    import boto3

    w.make_stream(boto.kvs, "east-cam", None)
    w.make_stream(boto3.client("kinesisvideo", region_name="us-west-2"), "west-cam", None)
    r = run_cli("audit", "all", "--region", "us-east-1", "--region", "us-west-2", "-o", "json")
    assert r.exit_code == 0, r.stderr
    assert [(s["name"], s["region"]) for s in r.json["streams"]] == [("east-cam", REGION), ("west-cam", "us-west-2")]
    assert r.json["streams"][1]["key_arn"].startswith("arn:aws:kms:us-west-2:")  # each region's AWS managed key


def test_audit_all_matching_no_stream_fails_unless_allowed(world: dict[str, str], tmp_path: Path) -> None:
    """A job pointed at the wrong region or prefix must not stay green having checked nothing."""
    r = run_cli("audit", "all", "--name-prefix", "nothing-", "-o", "json")
    assert r.exit_code == 1
    data = r.json
    assert data["ok"] is False and data["streams"] == []
    (finding,) = data["findings"]
    assert finding["code"] == "KVS218" and "nothing-*" in finding["message"] and REGION in finding["message"]
    allowed = run_cli("audit", "all", "--name-prefix", "nothing-", "--allow-empty", "-o", "json")
    assert allowed.exit_code == 0 and allowed.json["findings"] == []
    assert run_cli("audit", "all", "--name-prefix", "lob", "-o", "json").json["streams"][0]["name"] == "lobby"
