"""`kvsctl audit template` on Terraform plans (`terraform show -json`). The example plans were made by
real `terraform plan` runs of examples/iac/terraform/*.tf (AWS provider 5.100) against a local moto
server; each test changes one thing in a copy."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli

EX = Path(__file__).resolve().parents[3] / "examples" / "iac" / "terraform"
PLAN = json.loads((EX / "plan.json").read_text())
STREAM = "aws_kinesis_video_stream.lobby"


def resource(plan: dict[str, Any], address: str) -> dict[str, Any]:
    return next(r for r in plan["planned_values"]["root_module"]["resources"] if r["address"] == address)


def config(plan: dict[str, Any], address: str) -> dict[str, Any]:
    return next(r for r in plan["configuration"]["root_module"]["resources"] if r["address"] == address)


def change(plan: dict[str, Any], address: str) -> dict[str, Any]:
    return next(r for r in plan["resource_changes"] if r["address"] == address)


def audit(plan: dict[str, Any], tmp_path: Path, *args: str, with_tf: bool = True) -> Any:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=2))
    if with_tf:
        shutil.copy(EX / "main.tf", tmp_path / "main.tf")
    return run_cli("audit", "template", str(path), *args, "-o", "json")


def decisions(data: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(r["principal_id"], r["action"]): r["decision"] for r in data["results"]}


def codes(data: dict[str, Any]) -> list[str]:
    return [f["code"] for f in data["findings"]]


def test_the_example_plan_passes_with_keys_and_roles_followed_through_the_configuration() -> None:
    r = run_cli("audit", "template", str(EX / "plan.json"), "-o", "json")
    assert r.exit_code == 0, r.stderr
    data = r.json
    assert decisions(data) == {
        ("aws_iam_role.camera", "kinesisvideo:DescribeStream"): "allow",  # the producer SDK's calls
        ("aws_iam_role.camera", "kinesisvideo:GetDataEndpoint"): "allow",
        ("aws_iam_role.camera", "kms:GenerateDataKey"): "allow",
        ("aws_iam_role.camera", "kinesisvideo:PutMedia"): "allow",
        ("aws_iam_role.viewer", "kinesisvideo:GetDataEndpoint"): "allow",
        ("aws_iam_role.viewer", "kms:Decrypt"): "allow",
        ("aws_iam_role.viewer", "kinesisvideo:GetMedia"): "allow",
    }
    # kms_key_id = aws_kms_key.video.arn is known only after apply: followed to the key
    assert data["streams"][0]["key_arn"].endswith(":key/aws_kms_key.video")
    # the key policy came from the aws_iam_policy_document data source, rendered from its configuration
    gdk = next(x for x in data["results"] if x["action"] == "kms:GenerateDataKey")
    assert gdk["statements"] == ['aws_kms_key.video key policy #1 "CamerasWriteThroughKvs"']
    # locations are the resource blocks of main.tf beside the plan
    tf = (EX / "main.tf").read_text().splitlines()
    assert gdk["location"]["file"] == str(EX / "main.tf")
    assert tf[gdk["location"]["line"] - 1] == 'resource "aws_kms_key" "video" {'
    assert tf[data["streams"][0]["location"]["line"] - 1] == 'resource "aws_kinesis_video_stream" "lobby" {'


def test_without_tf_files_locations_are_lines_of_the_plan(tmp_path: Path) -> None:
    r = audit(PLAN, tmp_path, with_tf=False)
    assert r.exit_code == 0
    lines = (tmp_path / "plan.json").read_text().splitlines()
    line = r.json["streams"][0]["location"]["line"]
    assert STREAM in "\n".join(lines[line - 1 : line + 1])


def test_a_replacement_of_the_stream_is_an_error_naming_what_forces_it() -> None:
    r = run_cli("audit", "template", str(EX / "replace" / "plan.json"), "-o", "json")
    assert r.exit_code == 1
    f = next(x for x in r.json["findings"] if x["code"] == "KVS404")
    assert f["severity"] == "error"
    assert "kms_key_id" in f["message"] and "data_retention_in_hours" in f["message"]
    assert "stored video are destroyed" in f["message"]
    tf = (EX / "replace" / "main.tf").read_text().splitlines()
    assert tf[f["location"]["line"] - 1] == 'resource "aws_kinesis_video_stream" "lobby" {'
    # the new key is followed too, and the roles keep working with it
    assert r.json["streams"][0]["key_arn"].endswith(":key/aws_kms_key.video_v2")
    assert set(decisions(r.json).values()) == {"allow"}


def test_a_deleted_stream_is_a_warning(tmp_path: Path) -> None:
    plan = copy.deepcopy(PLAN)
    c = change(plan, STREAM)
    c["change"]["actions"] = ["delete"]
    c["change"]["before"] = {"name": "lobby-cam"}
    r = audit(plan, tmp_path, "--fail-on", "warning")
    assert "KVS405" in codes(r.json)
    assert r.exit_code == 1


@pytest.mark.parametrize(
    "kms_key_id", [None, "alias/aws/kinesisvideo", "arn:aws:kms:us-east-1:123456789012:alias/aws/kinesis-video"]
)
def test_the_aws_managed_key_fails_with_require_customer_key(tmp_path: Path, kms_key_id: str | None) -> None:
    plan = copy.deepcopy(PLAN)
    resource(plan, STREAM)["values"]["kms_key_id"] = kms_key_id
    change(plan, STREAM)["change"]["after_unknown"].pop("kms_key_id", None)
    exprs = config(plan, STREAM)["expressions"]
    if kms_key_id is None:
        exprs.pop("kms_key_id")
    else:
        exprs["kms_key_id"] = {"constant_value": kms_key_id}
    assert audit(plan, tmp_path).exit_code == 0
    r = audit(plan, tmp_path, "--require-customer-key")
    assert r.exit_code == 1
    assert "KVS209" in codes(r.json)
    assert r.json["streams"][0]["encryption"] == "aws-managed"


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"customer_master_key_spec": "RSA_2048"}, "KVS205"),
        ({"key_usage": "SIGN_VERIFY"}, "KVS205"),
        ({"is_enabled": False}, "KVS203"),
        ({"enable_key_rotation": False}, "KVS208"),
    ],
)
def test_a_planned_key_kvs_cannot_use(tmp_path: Path, values: dict[str, Any], code: str) -> None:
    plan = copy.deepcopy(PLAN)
    resource(plan, "aws_kms_key.video")["values"].update(values)
    r = audit(plan, tmp_path)
    assert code in codes(r.json)
    assert r.exit_code == (0 if code == "KVS208" else 1)


def test_an_alias_as_kms_key_id_warns(tmp_path: Path) -> None:
    plan = copy.deepcopy(PLAN)
    config(plan, STREAM)["expressions"]["kms_key_id"] = {
        "references": ["aws_kms_alias.video.arn", "aws_kms_alias.video"]
    }
    r = audit(plan, tmp_path)
    assert "KVS403" in codes(r.json)
    assert r.json["streams"][0]["key_arn"].endswith(":key/aws_kms_key.video")  # the alias's target
    assert r.exit_code == 0


def test_an_unresolvable_reference_is_conditional_and_named(tmp_path: Path) -> None:
    plan = copy.deepcopy(PLAN)
    config(plan, STREAM)["expressions"]["kms_key_id"] = {"references": ["local.shared_key_arn"]}
    r = audit(plan, tmp_path)
    gdk = next(x for x in r.json["results"] if x["action"] == "kms:GenerateDataKey")
    assert gdk["decision"] == "conditional"
    assert "iac:Unresolved/local.shared_key_arn" in gdk["unknown_keys"]
    assert "KVS401" in codes(r.json)


def test_a_key_policy_without_the_camera_denies_it(tmp_path: Path) -> None:
    plan = copy.deepcopy(PLAN)
    statements = config(plan, "data.aws_iam_policy_document.video_key")["expressions"]["statement"]
    statements.pop(1)
    r = audit(plan, tmp_path)
    assert decisions(r.json)[("aws_iam_role.camera", "kms:GenerateDataKey")] == "implicit_deny"
    assert r.exit_code == 1


def test_principals_by_terraform_address(tmp_path: Path) -> None:
    r = audit(PLAN, tmp_path, "--producer", "aws_iam_role.camera", "--consumer", "aws_iam_role.camera")
    d = decisions(r.json)
    assert d[("aws_iam_role.camera", "kms:Decrypt")] == "implicit_deny"
    assert d[("aws_iam_role.camera", "kinesisvideo:GetMedia")] == "implicit_deny"
    assert r.exit_code == 1
    bad = audit(PLAN, tmp_path, "--producer", "aws_iam_role.nope")
    assert bad.exit_code == 2


def test_a_malformed_plan_exits_2_with_file_and_line(tmp_path: Path) -> None:
    plan = copy.deepcopy(PLAN)
    plan["resource_changes"] = {"oops": 1}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=2))
    r = run_cli("audit", "template", str(path), "-o", "json")
    assert r.exit_code == 2
    line = r.error["message"].split(":")[1]
    assert '"resource_changes"' in path.read_text().splitlines()[int(line) - 1]


def test_the_template_audit_imports_no_aws_library() -> None:
    from tests.docs.test_startup import HEAVY_AWS, imported

    mods = imported("-m", "kvsctl", "audit", "template", "examples/iac/terraform/plan.json", "-o", "json")
    assert not HEAVY_AWS & mods
    assert "yaml" not in mods  # a JSON plan does not need the YAML reader either


def test_a_fix_names_the_plans_resources_by_their_terraform_addresses(tmp_path: Path) -> None:
    """A denied check's fix in a plan: the statement names the stream by `${ADDRESS.arn}` (what a .tf file
    writes), and says which resource and line of main.tf to change."""
    plan = copy.deepcopy(PLAN)
    r = audit(plan, tmp_path, "--consumer", "aws_iam_role.viewer", "--read", "getmedia,clip")
    assert r.exit_code == 1
    (denied,) = [x for x in r.json["results"] if x["decision"] != "allow"]
    assert (denied["path"], denied["action"]) == ("clip", "kinesisvideo:GetClip")
    (change,) = denied["fix"]["changes"]
    assert denied["fix"]["verified"] is True
    assert change["statement"]["Resource"] == "${" + STREAM + ".arn}"
    where = change["where"]
    assert where.startswith(f"a policy of aws_iam_role.viewer ({tmp_path / 'main.tf'}:")
    line = int(where.split("main.tf:")[1].split(")")[0])
    assert (tmp_path / "main.tf").read_text().splitlines()[line - 1].startswith('resource "aws_iam_role" "viewer"')
