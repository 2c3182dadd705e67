"""`kvsctl audit template` on CloudFormation: each finding, each decision, unresolved references,
locations. Decisions come from the same evaluator as `audit policy` (see tests/unit/policy)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli
from tests.unit.iac.templates import ACCOUNT, key_policy, role, stack, write

EX = Path(__file__).resolve().parents[3] / "examples" / "iac"


def audit(*args: str) -> Any:
    return run_cli("audit", "template", *args, "--parameter", f"AWS::AccountId={ACCOUNT}", "-o", "json")


def decisions(data: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(r.get("principal_id") or r["principal"], r["action"]): r["decision"] for r in data["results"]}


def codes(data: dict[str, Any]) -> list[str]:
    return [f["code"] for f in data["findings"]]


def finding(data: dict[str, Any], code: str) -> dict[str, Any]:
    found = [f for f in data["findings"] if f["code"] == code]
    assert found, f"no {code} in {codes(data)}"
    return found[0]


@pytest.mark.parametrize("name", ["stack.yaml", "stack.json"])
def test_a_good_stack_passes_in_yaml_and_json(tmp_path: Path, name: str) -> None:
    r = audit(str(write(tmp_path, stack(), name)))
    assert r.exit_code == 0, r.stderr
    data = r.json
    assert data["ok"] is True
    assert decisions(data) == {
        ("CameraRole", "kinesisvideo:DescribeStream"): "allow",  # the producer SDK's calls
        ("CameraRole", "kinesisvideo:GetDataEndpoint"): "allow",
        ("CameraRole", "kms:GenerateDataKey"): "allow",
        ("CameraRole", "kinesisvideo:PutMedia"): "allow",
        ("ViewerRole", "kinesisvideo:GetDataEndpoint"): "allow",
        ("ViewerRole", "kms:Decrypt"): "allow",
        ("ViewerRole", "kinesisvideo:GetMedia"): "allow",
    }
    assert data["streams"][0]["name"] == "lobby-cam"
    assert data["streams"][0]["key_arn"] == f"arn:aws:kms:us-east-1:{ACCOUNT}:key/Key"
    assert "KVS407" in codes(data)  # said that producers and consumers were inferred


def test_the_example_stack_passes_with_every_location_in_the_file() -> None:
    path = EX / "cloudformation" / "kvs-stack.yaml"
    r = audit(str(path))
    assert r.exit_code == 0, r.stderr
    data = r.json
    lines = path.read_text().splitlines()
    for item in [*data["results"], *data["findings"]]:
        assert item["location"]["file"] == str(path)
        assert 1 <= item["location"]["line"] <= len(lines)
    # a decision points at the statement that decided it
    gdk = next(x for x in data["results"] if x["action"] == "kms:GenerateDataKey")
    assert "CamerasWriteThroughKvs" in lines[gdk["location"]["line"] - 1]
    put = next(x for x in data["results"] if x["action"] == "kinesisvideo:PutMedia")
    assert lines[put["location"]["line"] - 1].strip().startswith("- Effect: Allow")


def test_parameters_override_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, stack())
    data = audit(str(path), "--parameter", "StreamName=dock-cam").json
    assert data["streams"][0]["name"] == "dock-cam"
    assert data["streams"][0]["arn"].startswith(f"arn:aws:kinesisvideo:us-east-1:{ACCOUNT}:stream/dock-cam/")


# -- the stream's key -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kms_key_id",
    [
        None,
        "alias/aws/kinesisvideo",
        "alias/aws/kinesis-video",
        f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/aws/kinesisvideo",
        {"Fn::Sub": "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/kinesis-video"},
    ],
)
def test_the_aws_managed_key_in_any_spelling_fails_with_require_customer_key(tmp_path: Path, kms_key_id: Any) -> None:
    t = stack()
    props = t["Resources"]["Stream"]["Properties"]
    if kms_key_id is None:
        del props["KmsKeyId"]
    else:
        props["KmsKeyId"] = kms_key_id
    path = write(tmp_path, t)
    plain = audit(str(path))
    assert plain.exit_code == 0, plain.json["findings"]
    assert plain.json["streams"][0]["encryption"] == "aws-managed"
    # the AWS managed key's documented policy lets the account's principals use it through KVS
    assert decisions(plain.json)[("CameraRole", "kms:GenerateDataKey")] == "allow"
    strict = audit(str(path), "--require-customer-key")
    assert strict.exit_code == 1
    f = finding(strict.json, "KVS209")
    assert f["severity"] == "error"
    assert path.read_text().splitlines()[f["location"]["line"] - 1].strip() == "Stream:"


def test_another_services_aws_managed_key_cannot_work(tmp_path: Path) -> None:
    t = stack()
    t["Resources"]["Stream"]["Properties"]["KmsKeyId"] = "alias/aws/s3"
    r = audit(str(write(tmp_path, t)))
    assert r.exit_code == 1
    assert finding(r.json, "KVS212")["severity"] == "error"


@pytest.mark.parametrize(
    ("props", "code"),
    [
        ({"KeySpec": "RSA_2048"}, "KVS205"),
        ({"KeyUsage": "SIGN_VERIFY"}, "KVS205"),
        ({"Enabled": False}, "KVS203"),
        ({"Enabled": "false"}, "KVS203"),
        ({"EnableKeyRotation": False}, "KVS208"),
    ],
)
def test_a_template_key_kvs_cannot_use(tmp_path: Path, props: dict[str, Any], code: str) -> None:
    t = stack()
    t["Resources"]["Key"]["Properties"].update(props)
    path = write(tmp_path, t)
    r = audit(str(path))
    f = finding(r.json, code)
    assert r.exit_code == (0 if code == "KVS208" else 1)
    # the finding points at the key's declaration
    assert path.read_text().splitlines()[f["location"]["line"] - 1].strip() == "Key:"


def test_rotation_is_off_unless_the_template_turns_it_on(tmp_path: Path) -> None:
    t = stack()
    del t["Resources"]["Key"]["Properties"]["EnableKeyRotation"]
    r = audit(str(write(tmp_path, t)), "--fail-on", "warning")
    assert r.exit_code == 1
    assert "KVS208" in codes(r.json)


@pytest.mark.parametrize("how", ["ref", "literal-name", "literal-arn"])
def test_an_alias_as_kms_key_id_warns_and_still_evaluates_the_key(tmp_path: Path, how: str) -> None:
    t = stack()
    t["Resources"]["Alias"] = {
        "Type": "AWS::KMS::Alias",
        "Properties": {"AliasName": "alias/lobby", "TargetKeyId": {"Ref": "Key"}},
    }
    value: Any = {
        "ref": {"Ref": "Alias"},
        "literal-name": "alias/lobby",
        "literal-arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/lobby",
    }[how]
    t["Resources"]["Stream"]["Properties"]["KmsKeyId"] = value
    r = audit(str(write(tmp_path, t)))
    assert r.exit_code == 0
    assert finding(r.json, "KVS403")["severity"] == "warning"
    # the alias points at the template's key: its policy decides
    assert decisions(r.json)[("CameraRole", "kms:GenerateDataKey")] == "allow"
    assert r.json["streams"][0]["key_arn"].endswith(":key/Key")


def test_a_key_outside_the_template_makes_key_decisions_conditional(tmp_path: Path) -> None:
    t = stack()
    t["Parameters"]["KeyArn"] = {"Type": "String", "Default": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/abc"}
    t["Resources"]["Stream"]["Properties"]["KmsKeyId"] = {"Ref": "KeyArn"}
    r = audit(str(write(tmp_path, t)))
    d = decisions(r.json)
    assert d[("CameraRole", "kms:GenerateDataKey")] == "conditional"
    assert d[("CameraRole", "kinesisvideo:PutMedia")] == "allow"
    assert "KVS409" in codes(r.json)
    assert r.exit_code == 0
    assert audit(str(write(tmp_path, t)), "--strict").exit_code == 1


def test_a_key_in_another_region_fails(tmp_path: Path) -> None:
    t = stack()
    t["Resources"]["Stream"]["Properties"]["KmsKeyId"] = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/abc"
    r = audit(str(write(tmp_path, t)))
    assert r.exit_code == 1
    assert "KVS206" in codes(r.json)


# -- policies -------------------------------------------------------------------------------------------


def test_a_key_policy_without_the_producer_denies_it_at_the_key(tmp_path: Path) -> None:
    t = stack()
    t["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"].pop(1)  # Cameras
    path = write(tmp_path, t)
    r = audit(str(path))
    assert r.exit_code == 1
    gdk = next(x for x in r.json["results"] if x["action"] == "kms:GenerateDataKey")
    assert gdk["decision"] == "implicit_deny"
    assert path.read_text().splitlines()[gdk["location"]["line"] - 1].strip() == "Key:"


def test_an_identity_policy_without_put_media_is_denied_at_the_role(tmp_path: Path) -> None:
    t = stack()
    t["Resources"]["CameraRole"] = role("camera", ["kinesisvideo:GetDataEndpoint"])
    path = write(tmp_path, t)
    r = audit(str(path), "--producer", "CameraRole")
    assert r.exit_code == 1
    put = next(x for x in r.json["results"] if x["action"] == "kinesisvideo:PutMedia")
    assert put["decision"] == "implicit_deny"
    assert path.read_text().splitlines()[put["location"]["line"] - 1].strip() == "CameraRole:"


def test_an_explicit_deny_in_a_managed_policy_attached_by_roles(tmp_path: Path) -> None:
    t = stack()
    t["Resources"]["NoVideo"] = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {
            "Roles": [{"Ref": "CameraRole"}],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "kms:GenerateDataKey", "Resource": "*"}],
            },
        },
    }
    r = audit(str(write(tmp_path, t)))
    assert decisions(r.json)[("CameraRole", "kms:GenerateDataKey")] == "explicit_deny"
    assert r.exit_code == 1


def test_a_producer_named_by_arn_outside_the_template_has_unknown_iam(tmp_path: Path) -> None:
    outside = f"arn:aws:iam::{ACCOUNT}:role/elsewhere"
    t = stack()
    t["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"][1]["Principal"]["AWS"] = outside
    r = audit(str(write(tmp_path, t)), "--producer", outside)
    d = decisions(r.json)
    assert d[(outside, "kms:GenerateDataKey")] == "allow"  # the key policy names it
    assert d[(outside, "kinesisvideo:PutMedia")] == "conditional"  # IAM not in the template
    assert "KVS116" in codes(r.json)


# -- unresolved references ------------------------------------------------------------------------------


def test_an_unresolved_principal_in_the_key_policy_is_conditional_and_named(tmp_path: Path) -> None:
    t = stack()
    t["Parameters"]["CameraArn"] = {"Type": "String"}  # no default, not given
    t["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"][1]["Principal"]["AWS"] = {"Ref": "CameraArn"}
    r = audit(str(write(tmp_path, t)))
    gdk = next(x for x in r.json["results"] if x["action"] == "kms:GenerateDataKey")
    assert gdk["decision"] == "conditional"
    assert gdk["unknown_keys"] == ["iac:Unresolved/parameter-CameraArn"]
    # no "open to everyone" finding for the stand-in principal
    assert "KVS101" not in codes(r.json)
    assert r.exit_code == 0
    given = audit(str(write(tmp_path, t)), "--parameter", f"CameraArn=arn:aws:iam::{ACCOUNT}:role/camera")
    assert decisions(given.json)[("CameraRole", "kms:GenerateDataKey")] == "allow"


def test_an_imported_stream_arn_in_an_identity_policy_is_conditional(tmp_path: Path) -> None:
    t = stack()
    t["Resources"]["CameraRole"] = role("camera", ["kinesisvideo:PutMedia"], {"Fn::ImportValue": "CamStreamArn"})
    r = audit(str(write(tmp_path, t)), "--producer", "CameraRole")
    put = next(x for x in r.json["results"] if x["action"] == "kinesisvideo:PutMedia")
    assert put["decision"] == "conditional"
    assert put["unknown_keys"] == ["iac:Unresolved/Fn::ImportValue-CamStreamArn"]


def test_an_unresolved_kms_key_id_makes_key_checks_conditional(tmp_path: Path) -> None:
    t = stack()
    t["Resources"]["Stream"]["Properties"]["KmsKeyId"] = {"Fn::ImportValue": "SharedKey"}
    r = audit(str(write(tmp_path, t)))
    gdk = next(x for x in r.json["results"] if x["action"] == "kms:GenerateDataKey")
    assert gdk["decision"] == "conditional"
    assert any("Fn::ImportValue SharedKey" in reason for reason in gdk["reasons"])
    assert "KVS401" in codes(r.json)


def test_a_denying_statement_with_an_unresolved_condition_makes_the_allow_conditional(tmp_path: Path) -> None:
    t = stack()
    t["Parameters"]["Vpce"] = {"Type": "String"}
    deny = {
        "Sid": "OnlyFromVpce",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "kms:*",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:SourceVpce": {"Ref": "Vpce"}}},
    }
    t["Resources"]["Key"]["Properties"]["KeyPolicy"] = key_policy(deny)
    r = audit(str(write(tmp_path, t)))
    assert decisions(r.json)[("CameraRole", "kms:GenerateDataKey")] == "conditional"


def test_conditions_and_if_choose_what_exists(tmp_path: Path) -> None:
    t = stack()
    t["Parameters"]["Env"] = {"Type": "String", "Default": "dev"}
    t["Conditions"] = {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}}
    t["Resources"]["Stream"]["Properties"]["KmsKeyId"] = {
        "Fn::If": ["IsProd", {"Fn::GetAtt": ["Key", "Arn"]}, {"Ref": "AWS::NoValue"}]
    }
    t["Resources"]["ProdOnly"] = dict(t["Resources"]["Stream"], Condition="IsProd")
    path = write(tmp_path, t)
    dev = audit(str(path), "--require-customer-key")
    assert [s["name"] for s in dev.json["streams"]] == ["lobby-cam"]
    assert dev.exit_code == 1  # no key in dev: the AWS managed key
    prod = audit(str(path), "--require-customer-key", "--parameter", "Env=prod")
    assert prod.exit_code == 0, prod.json["findings"]
    assert len(prod.json["streams"]) == 2


# -- principals -----------------------------------------------------------------------------------------


def test_principals_by_logical_id_or_arn(tmp_path: Path) -> None:
    path = write(tmp_path, stack())
    by_id = audit(str(path), "--producer", "CameraRole", "--consumer", "ViewerRole")
    by_arn = audit(
        str(path),
        "--producer",
        f"arn:aws:iam::{ACCOUNT}:role/camera",
        "--consumer",
        f"arn:aws:iam::{ACCOUNT}:role/viewer",
    )
    assert decisions(by_id.json) == decisions(by_arn.json)
    assert "KVS407" not in codes(by_id.json)  # nothing inferred when given


def test_no_principal_is_a_warning(tmp_path: Path) -> None:
    t = stack()
    del t["Resources"]["CameraRole"], t["Resources"]["ViewerRole"]
    for st in t["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"][1:]:
        st["Principal"]["AWS"] = f"arn:aws:iam::{ACCOUNT}:role/x"
    r = audit(str(write(tmp_path, t)), "--fail-on", "warning")
    assert r.exit_code == 1
    assert "KVS408" in codes(r.json)


def test_a_wildcard_role_is_both_producer_and_consumer(tmp_path: Path) -> None:
    t = stack()
    t["Resources"]["ViewerRole"] = role("viewer", ["kinesisvideo:*"], "*")
    r = audit(str(write(tmp_path, t)))
    roles = {(x["principal_id"], x["role"]) for x in r.json["results"]}
    assert ("ViewerRole", "producer") in roles and ("ViewerRole", "consumer") in roles


# -- input errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Resources:\n  S:\n    Type: AWS::KinesisVideo::Stream\n    Properties:\n      KmsKeyId: !Ref Nope\n", 5,
         "Ref Nope: no parameter or resource"),
        ("Resources:\n  S:\n    Properties: {}\n", 2, "resource S has no Type"),
        ("Resources:\n  S:\n    Type: AWS::KinesisVideo::Stream\n    Properties:\n      Name: !Join [a]\n", 5,
         "Fn::Join takes"),
        ("Resources:\n  S:\n    Type: AWS::KinesisVideo::Stream\n  S:\n    Type: x\n", 4, "duplicate key 'S'"),
        ("Resources:\n  S: [\n", 3, "invalid YAML"),
        ("Resources:\n  S:\n    Type: AWS::KinesisVideo::Stream\n    Properties:\n      Name: !GetAtt Gone.Arn\n", 5,
         "no resource Gone"),
    ],
)  # fmt: skip
def test_malformed_templates_exit_2_with_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    r = run_cli("audit", "template", str(path), "-o", "json")
    assert r.exit_code == 2
    message = r.error["message"]
    assert message.startswith(f"{path}:{line}: "), message
    assert words in message
    assert "Traceback" not in r.stderr


def test_other_input_errors_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path, stack())
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    cases = [
        (["audit", "template", str(other)], "neither a CloudFormation template"),
        (["audit", "template", str(tmp_path / "nope.yaml")], "no such file"),
        (["audit", "template", str(path), "--parameter", "Nope=1"], "no template declares this parameter"),
        (["audit", "template", str(path), "--parameter", "novalue"], "expected NAME=VALUE"),
        (["audit", "template", str(path), "--producer", "NoSuchRole"], "no role or user"),
        (["audit", "template", str(path), "--producer", "arn:aws:iam::1:role/x"], "--producer"),
    ]
    for args, words in cases:
        r = run_cli(*args, "-o", "json")
        assert r.exit_code == 2, (args, r.stdout)
        assert words in r.error["message"], (args, r.error)


def test_folders_are_searched_and_unrelated_files_skipped(tmp_path: Path) -> None:
    write(tmp_path, stack(), "a.yaml")
    t = stack()
    t["Parameters"]["StreamName"]["Default"] = "dock-cam"
    write(tmp_path, t, "b.json")
    (tmp_path / "package.json").write_text('{"name": "x"}')
    (tmp_path / "notes.txt").write_text("not read")
    r = audit(str(tmp_path))
    assert r.exit_code == 0, r.stderr
    assert sorted(s["name"] for s in r.json["streams"]) == ["dock-cam", "lobby-cam"]
    assert len(r.json["files"]) == 2


def test_a_cdk_out_folder_reads_only_its_templates(tmp_path: Path) -> None:
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "manifest.json").write_text('{"version": "36.0.0", "artifacts": {}}')
    (out / "tree.json").write_text('{"version": "tree-0.1"}')
    write(out, stack(), "CamStack.template.json")
    (out / "asset.abc.json").write_text("{ broken")
    r = audit(str(out))
    assert r.exit_code == 0, r.stderr
    assert r.json["files"] == [str(out / "CamStack.template.json")]


def test_dozens_of_streams_are_audited_quickly(tmp_path: Path) -> None:
    import time

    t = stack()
    for i in range(60):
        t["Resources"][f"Stream{i}"] = {
            "Type": "AWS::KinesisVideo::Stream",
            "Properties": {"Name": f"cam-{i:02d}", "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}},
        }
    t["Resources"]["CameraRole"] = role(
        "camera", ["kinesisvideo:DescribeStream", "kinesisvideo:GetDataEndpoint", "kinesisvideo:PutMedia"], "*"
    )
    t["Resources"]["ViewerRole"] = role("viewer", ["kinesisvideo:GetDataEndpoint", "kinesisvideo:GetMedia"], "*")
    path = write(tmp_path, t)
    start = time.perf_counter()
    r = audit(str(path))
    elapsed = time.perf_counter() - start
    assert r.exit_code == 0, r.stderr
    assert len(r.json["streams"]) == 61
    assert len(r.json["results"]) == 61 * 7  # producer 4 + getmedia reader 3, per stream
    assert all(x["decision"] == "allow" for x in r.json["results"])
    assert elapsed < 20


def test_sarif_points_at_file_and_line(tmp_path: Path) -> None:
    import json

    import jsonschema

    t = stack()
    t["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"].pop(1)
    path = write(tmp_path, t)
    r = run_cli("audit", "template", str(path), "-o", "sarif")
    assert r.exit_code == 1
    log = json.loads(r.stdout)
    schema = json.loads((Path(__file__).resolve().parents[2] / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(log, schema)
    results = log["runs"][0]["results"]
    assert results
    for res in results:
        physical = res["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == path.as_uri()  # outside the working folder
        assert physical["region"]["startLine"] >= 1
    denied = next(x for x in results if x["ruleId"] == "KVS-PRODUCER-GENERATEDATAKEY")
    assert (
        path.read_text().splitlines()[denied["locations"][0]["physicalLocation"]["region"]["startLine"] - 1].strip()
        == "Key:"
    )


def test_sarif_uris_are_relative_to_the_git_root() -> None:
    import json

    r = run_cli("audit", "template", "examples/iac/cloudformation/kvs-stack.yaml", "-o", "sarif")
    log = json.loads(r.stdout)
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for res in log["runs"][0]["results"]
        for loc in res["locations"]
    }
    assert uris == {"examples/iac/cloudformation/kvs-stack.yaml"}


def test_the_cdk_example_passes_through_iam_delegation() -> None:
    r = run_cli("audit", "template", str(EX / "cdk.out"), "-o", "json")
    assert r.exit_code == 0, r.stderr
    data = r.json
    assert data["files"] == [str(EX / "cdk.out" / "LobbyVideoStack.template.json")]
    d = decisions(data)
    assert d[("CameraRole4A6BD2C5", "kms:GenerateDataKey")] == "allow"
    assert d[("ViewerRole6E1B8D2A", "kinesisvideo:GetMedia")] == "allow"  # the KVS read-only managed policy
    gdk = next(x for x in data["results"] if x["action"] == "kms:GenerateDataKey")
    assert "the key policy delegates to IAM by naming the account" in gdk["reasons"]


# -- change sets ----------------------------------------------------------------------------------------


def change_set(lid: str, action: str, replacement: str, names: list[str]) -> dict[str, Any]:
    return {
        "ChangeSetName": "cs",
        "Changes": [
            {
                "Type": "Resource",
                "ResourceChange": {
                    "Action": action,
                    "LogicalResourceId": lid,
                    "ResourceType": "AWS::KinesisVideo::Stream",
                    "Replacement": replacement,
                    "Details": [{"Target": {"Attribute": "Properties", "Name": n}} for n in names],
                },
            },
            {
                "Type": "Resource",
                "ResourceChange": {"Action": "Add", "LogicalResourceId": "K", "ResourceType": "AWS::KMS::Key"},
            },
        ],
    }


@pytest.mark.parametrize(
    ("action", "replacement", "names", "code", "exit_code"),
    [
        ("Modify", "False", ["KmsKeyId"], "KVS406", 1),
        ("Modify", "True", ["Name"], "KVS404", 1),
        ("Modify", "Conditional", ["Name"], "KVS404", 1),
        ("Remove", "False", [], "KVS405", 0),
        ("Modify", "False", ["DataRetentionInHours"], None, 0),
    ],
)
def test_change_sets_that_lose_video_or_cannot_change_the_key(
    tmp_path: Path, action: str, replacement: str, names: list[str], code: str | None, exit_code: int
) -> None:
    import json

    path = write(tmp_path, stack())
    cs = tmp_path / "cs.json"
    cs.write_text(json.dumps(change_set("Stream", action, replacement, names)))
    r = audit(str(path), "--change-set", str(cs))
    assert r.exit_code == exit_code, r.json["findings"]
    iac_changes = [f for f in r.json["findings"] if f["code"] in ("KVS404", "KVS405", "KVS406")]
    if code is None:
        assert iac_changes == []
        return
    assert [f["code"] for f in iac_changes] == [code]
    # located at the stream in the template, which the pull request changes
    assert path.read_text().splitlines()[iac_changes[0]["location"]["line"] - 1].strip() == "Stream:"


def test_a_change_set_for_a_stream_not_in_the_templates_points_into_the_change_set(tmp_path: Path) -> None:
    import json

    path = write(tmp_path, stack())
    cs = tmp_path / "cs.json"
    cs.write_text(json.dumps(change_set("Elsewhere", "Modify", "True", ["KmsKeyId"]), indent=2))
    r = audit(str(path), "--change-set", str(cs))
    f = next(x for x in r.json["findings"] if x["code"] == "KVS404")
    assert f["location"]["file"] == str(cs)
    assert '"ResourceChange"' in cs.read_text().splitlines()[f["location"]["line"] - 1]


def test_the_example_change_set_fails_on_the_key_change() -> None:
    r = audit(
        str(EX / "cloudformation" / "kvs-stack.yaml"),
        "--change-set",
        str(EX / "cloudformation" / "change-set-new-key.json"),
    )
    assert r.exit_code == 1
    assert "KVS406" in codes(r.json)


def test_a_file_that_is_no_change_set_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path, stack())
    r = audit(str(path), "--change-set", str(path))
    assert r.exit_code == 2
    assert "not a change set" in r.error["message"]
