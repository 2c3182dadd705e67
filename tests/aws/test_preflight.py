"""`preflight` against moto in-process: the pass path, and each failing check pointing at its spec line;
JSON, SARIF (schema-valid) and JUnit; and that preflight changes nothing."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ACCOUNT, run_cli

ADMIN = f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"
CAM = f"arn:aws:iam::{ACCOUNT}:role/Camera"
VIEW = f"arn:aws:iam::{ACCOUNT}:role/Viewer"
NIGHT = f"arn:aws:iam::{ACCOUNT}:role/NightViewer"

SPEC = f"""\
[[stream]]
name = "lobby-cam"
kms_key = "alias/cams"
retention_hours = 24
media_type = "video/h264"
producers = ["{CAM}"]
consumers = ["{VIEW}"]

[[stream]]
name = "dock-cam"
kms_key = "alias/cams"
producers = ["{CAM}"]
consumers = [
  "{VIEW}",
]
"""


def role(boto: Any, arn: str, *actions: str) -> None:
    name = arn.rsplit("/", 1)[1]
    boto.iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")
    if actions:
        doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}
        boto.iam.put_role_policy(RoleName=name, PolicyName="kvs", PolicyDocument=json.dumps(doc))


@pytest.fixture
def account(boto: Any, tmp_path: Path) -> Path:
    """The state the spec declares: roles, the key (made by kvsctl), the streams (made by apply)."""
    role(boto, ADMIN)
    role(boto, CAM, "kinesisvideo:DescribeStream", "kinesisvideo:GetDataEndpoint", "kinesisvideo:PutMedia")
    role(boto, VIEW, "kinesisvideo:GetDataEndpoint", "kinesisvideo:GetMedia")
    role(boto, NIGHT, "kinesisvideo:GetDataEndpoint", "kinesisvideo:GetMedia")
    created = run_cli(
        "key", "create", "--alias", "alias/cams", "--admin", ADMIN, "--producer", CAM, "--consumer", VIEW, "-o", "json"
    )
    assert created.exit_code == 0, created.stderr
    spec = tmp_path / "streams.toml"
    spec.write_text(SPEC)
    applied = run_cli("apply", str(spec), "-o", "json")
    assert applied.exit_code == 0, applied.stderr
    return spec


def snapshot(boto: Any) -> Any:
    return (
        sorted(str(s) for s in boto.kvs.list_streams()["StreamInfoList"]),
        sorted(k["KeyId"] for k in boto.kms.list_keys()["Keys"]),
        sorted(str(a) for a in boto.kms.list_aliases()["Aliases"]),
    )


def checks(out: dict[str, Any], stream: str) -> dict[str, dict[str, Any]]:
    (s,) = [s for s in out["streams"] if s["name"] == stream]
    return {c["check"]: c for c in s["checks"]}


def test_pass(boto: Any, account: Path) -> None:
    before = snapshot(boto)
    r = run_cli("preflight", str(account), "-o", "json")
    assert r.exit_code == 0, r.stdout + r.stderr
    out = r.json
    assert out["ok"] is True
    lobby = checks(out, "lobby-cam")
    assert {c["status"] for c in lobby.values()} == {"pass"}
    assert lobby["Stream uses the declared KMS key"]["line"] == 3
    assert lobby["Retention as declared"]["line"] == 4
    assert lobby["producer role/Camera producer: kms:GenerateDataKey"]["line"] == 6
    assert lobby["consumer role/Viewer getmedia: kms:Decrypt"]["status"] == "pass"
    dock = checks(out, "dock-cam")
    assert dock["consumer role/Viewer getmedia: kms:Decrypt"]["line"] == 14  # the element's own line
    assert "Retention as declared" not in dock  # not declared, not checked
    assert out["summary"]["fail"] == 0
    assert snapshot(boto) == before  # preflight reads only


def test_fail_paths_each_point_at_their_line(boto: Any, account: Path) -> None:
    # lobby-cam: a consumer the key policy forgot, and a retention that differs in the spec
    text = SPEC.replace(f'consumers = ["{VIEW}"]', f'consumers = ["{VIEW}", "{NIGHT}"]').replace(
        "retention_hours = 24", "retention_hours = 48"
    )
    # a third stream that does not exist, and a fourth on the wrong key
    text += '\n[[stream]]\nname = "gate-cam"\nkms_key = "alias/cams"\n'
    text += '\n[[stream]]\nname = "old-cam"\nkms_key = "alias/cams"\n'
    boto.kvs.create_stream(StreamName="old-cam")
    account.write_text(text)
    r = run_cli("preflight", str(account), "-o", "json")
    assert r.exit_code == 1
    out = r.json
    assert out["ok"] is False
    lobby = checks(out, "lobby-cam")
    night = lobby["consumer role/NightViewer getmedia: kms:Decrypt"]
    assert (night["status"], night["line"]) == ("fail", 7)
    assert "implicit_deny" in night["message"]
    assert lobby["consumer role/NightViewer getmedia: kinesisvideo:GetMedia"]["status"] == "pass"
    retention = lobby["Retention as declared"]
    assert (retention["status"], retention["line"]) == ("fail", 4)
    assert "retention is 24 h, the spec says 48 h" in retention["message"]
    gate = checks(out, "gate-cam")  # not created yet, on a usable key: apply would create it (info KVS306)
    not_yet = gate["Declared stream does not exist yet"]
    assert (not_yet["id"], not_yet["status"], not_yet["line"]) == ("KVS306", "info", 18)
    assert gate["Stream uses the declared KMS key"]["status"] == "skip"
    assert gate["The stream's KMS key is usable by KVS"]["status"] == "pass"
    old = checks(out, "old-cam")
    wrong = old["Stream uses the declared KMS key"]
    assert (wrong["status"], wrong["line"]) == ("fail", 23)
    assert "the AWS managed key" in wrong["message"] and "create a new stream" in wrong["fix"]
    assert {s["name"]: s["ok"] for s in out["streams"]} == {
        "lobby-cam": False,
        "dock-cam": True,
        "gate-cam": True,
        "old-cam": False,
    }


def test_disabled_key_fails_key_usable(boto: Any, account: Path) -> None:
    (alias,) = [a for a in boto.kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/cams"]
    boto.kms.disable_key(KeyId=alias["TargetKeyId"])
    r = run_cli("preflight", str(account), "-o", "json")
    assert r.exit_code == 1
    usable = checks(r.json, "lobby-cam")["The stream's KMS key is usable by KVS"]
    assert usable["status"] == "fail"
    assert "Disabled" in usable["message"]
    assert checks(r.json, "lobby-cam")["Stream uses the declared KMS key"]["status"] == "pass"


def test_declared_key_missing(boto: Any, account: Path) -> None:
    account.write_text(SPEC.replace('kms_key = "alias/cams"', 'kms_key = "alias/nope"', 1))
    r = run_cli("preflight", str(account), "-o", "json")
    assert r.exit_code == 1
    c = checks(r.json, "lobby-cam")["Stream uses the declared KMS key"]
    assert c["status"] == "fail" and "alias/nope does not exist" in c["message"]


def test_sarif_is_schema_valid_and_points_at_the_spec(boto: Any, account: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import jsonschema

    monkeypatch.chdir(tmp_path)
    account.write_text(SPEC.replace("retention_hours = 24", "retention_hours = 48"))
    r = run_cli("preflight", "streams.toml", "-o", "sarif")
    assert r.exit_code == 1
    log = json.loads(r.stdout)
    schema_path = next(Path(__file__).resolve().parents[1].rglob("sarif-schema-2.1.0.json"))
    jsonschema.validate(log, json.loads(schema_path.read_text()))
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "KVS304"
    loc = result["locations"][0]["physicalLocation"]
    assert loc == {"artifactLocation": {"uri": "streams.toml"}, "region": {"startLine": 4}}
    assert [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]] == ["KVS304"]


def test_junit_report_file_and_table_on_terminal(boto: Any, account: Path, tmp_path: Path) -> None:
    account.write_text(SPEC.replace("retention_hours = 24", "retention_hours = 48"))
    report = tmp_path / "preflight.xml"
    r = run_cli("preflight", str(account), "-o", "junit", "--report", str(report))
    assert r.exit_code == 1
    assert "FAIL (fail on error)" in r.stdout  # the table went to the terminal
    root = ET.fromstring(report.read_text())
    assert root.get("failures") == "1"
    failures = root.findall(".//failure")
    assert [f.get("type") for f in failures] == ["KVS304"]
    case = root.find(".//testcase[failure]")
    assert case is not None and case.get("line") == "4"
    # a re-run replaces the file (atomically); --overwrite stays accepted
    report.write_text("old")
    assert run_cli("preflight", str(account), "-o", "junit", "--report", str(report)).exit_code == 1
    assert ET.fromstring(report.read_text()).tag == "testsuites"
    assert run_cli("preflight", str(account), "-o", "junit", "--report", str(report), "--overwrite").exit_code == 1


def test_bad_spec_is_exit_2(boto: Any, tmp_path: Path) -> None:
    spec = tmp_path / "bad.toml"
    spec.write_text('[[stream]]\nname = "a"\nkms_key = "aws-managed"\nproducer = ["x"]\n')
    r = run_cli("preflight", str(spec), "-o", "json")
    assert r.exit_code == 2
    assert r.error["line"] == 4
    assert "producers" in r.error["hint"]


def test_spec_reads_checks_each_declared_read_path_at_its_line(boto: Any, account: Path) -> None:
    # Viewer may GetMedia but not HLS: `reads` makes preflight check the HLS path too, and fail there
    account.write_text(
        account.read_text().replace(f'consumers = ["{VIEW}"]', f'consumers = ["{VIEW}"]\nreads = ["getmedia", "hls"]')
    )
    r = run_cli("preflight", str(account), "-o", "json")
    assert r.exit_code == 1, r.stdout
    lobby = checks(r.json, "lobby-cam")
    hls = lobby["consumer role/Viewer hls: kinesisvideo:GetHLSStreamingSessionURL"]
    assert hls["status"] == "fail" and hls["line"] == 7
    assert "identity policy of role/Viewer" in (hls["fix"] or hls.get("remediation") or "")
    assert lobby["consumer role/Viewer getmedia: kinesisvideo:GetMedia"]["status"] == "pass"
    assert not any(" hls:" in name for name in checks(r.json, "dock-cam"))  # reads are per stream


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('reads = ["webrtc"]', "not a read path"),
        ('reads = "hls"', "must be an array"),
        ("producer_creates = 1", "true or false"),
    ],
)
def test_spec_reads_bad_values_are_exit_2_with_the_line(tmp_path: Path, line: str, message: str) -> None:
    spec = tmp_path / "s.toml"
    spec.write_text(f'[[stream]]\nname = "cam"\nkms_key = "alias/cams"\n{line}\n')
    r = run_cli("preflight", str(spec), "-o", "json")
    assert r.exit_code == 2 and message in r.stderr and "s.toml:4" in r.stderr


# -- streams a pull request adds: checked the way apply --dry-run plans them (issue #12) --------------


def _new_stream(account: Path, kms_key: str, *, consumers: str = "") -> None:
    extra = f"consumers = [{consumers}]\n" if consumers else ""
    account.write_text(SPEC + f'\n[[stream]]\nname = "new-cam"\nkms_key = "{kms_key}"\n{extra}')


def test_new_stream_on_a_missing_key_fails_before_it_exists(boto: Any, account: Path) -> None:
    _new_stream(account, "alias/typo")
    r = run_cli("preflight", str(account), "-o", "json")
    assert r.exit_code == 1, r.stdout
    new = checks(r.json, "new-cam")
    usable = new["The stream's KMS key is usable by KVS"]
    assert (usable["status"], usable["line"]) == ("fail", 19)  # the kms_key line of new-cam
    assert "alias/typo does not exist" in usable["message"]
    assert {s["name"]: s["ok"] for s in r.json["streams"]}["new-cam"] is False


def test_new_stream_on_a_disabled_key_fails(boto: Any, account: Path) -> None:
    made = boto.kms.create_key(Description="spare")["KeyMetadata"]
    boto.kms.disable_key(KeyId=made["KeyId"])
    _new_stream(account, made["Arn"])
    r = run_cli("preflight", str(account), "-o", "json")
    assert r.exit_code == 1
    usable = checks(r.json, "new-cam")["The stream's KMS key is usable by KVS"]
    assert usable["status"] == "fail" and "Disabled" in usable["message"] and "apply would refuse" in usable["message"]
    # apply --dry-run plans the same verdict
    plan = run_cli("apply", str(account), "--dry-run", "-o", "json")
    assert plan.exit_code == 1
    assert {p["name"]: p["action"] for p in plan.json["streams"]}["new-cam"] == "blocked"


def test_new_stream_checks_its_consumers_on_the_declared_key(boto: Any, account: Path) -> None:
    """NightViewer is not in the key policy: its kms:Decrypt is denied on the key the new stream declares.
    The kinesisvideo: checks are skipped, not guessed: the stream's ARN does not exist yet."""
    _new_stream(account, "alias/cams", consumers=f'"{VIEW}", "{NIGHT}"')
    r = run_cli("preflight", str(account), "-o", "json")
    assert r.exit_code == 1
    new = checks(r.json, "new-cam")
    assert new["consumer role/NightViewer getmedia: kms:Decrypt"]["status"] == "fail"
    assert new["consumer role/Viewer getmedia: kms:Decrypt"]["status"] == "pass"
    assert new["consumer role/Viewer getmedia: kinesisvideo:GetMedia"]["status"] == "skip"
    assert new["Declared stream does not exist yet"]["status"] == "info"
    assert {s["name"]: s["ok"] for s in r.json["streams"]}["new-cam"] is False


def test_new_stream_on_a_good_key_passes(boto: Any, account: Path) -> None:
    _new_stream(account, "alias/cams", consumers=f'"{VIEW}"')
    before = snapshot(boto)
    r = run_cli("preflight", str(account), "-o", "json")
    assert r.exit_code == 0, r.stdout
    assert snapshot(boto) == before  # preflight creates nothing
