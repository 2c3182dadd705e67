"""`kvsctl audit template` on the workloads' client paths: --read and --producer-creates as on `audit
policy`, consumers inferred per read path from what their identity policies grant, and failing checks
with a fix that, applied to the template, makes the audit pass (kvsctl/workloads/paths.py, fixes.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli
from tests.unit.iac.templates import ACCOUNT, role, stack, write

HLS = "kinesisvideo:GetHLSStreamingSessionURL"


def audit(*args: str) -> Any:
    return run_cli("audit", "template", *args, "--parameter", f"AWS::AccountId={ACCOUNT}", "-o", "json")


def checked(data: dict[str, Any]) -> dict[tuple[str, str, str], tuple[str, str | None]]:
    """(principal id, path, action) -> (decision, basis)."""
    return {(r["principal_id"], r["path"], r["action"]): (r["decision"], r["basis"]) for r in data["results"]}


def paths_of(data: dict[str, Any], principal_id: str) -> set[str]:
    return {r["path"] for r in data["results"] if r["principal_id"] == principal_id}


def inferred_note(data: dict[str, Any]) -> str:
    (note,) = [f["message"] for f in data["findings"] if f["rule"] == "KVS407"]
    return str(note)


def player_stack() -> dict[str, Any]:
    """The stack plus an HLS player role (GetDataEndpoint + GetHLSStreamingSessionURL) named in the key
    policy's Viewers statement next to the viewer."""
    t = stack()
    t["Resources"]["PlayerRole"] = role("player", ["kinesisvideo:GetDataEndpoint", HLS])
    viewers = t["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"][2]
    viewers["Principal"]["AWS"] = [viewers["Principal"]["AWS"], {"Fn::GetAtt": ["PlayerRole", "Arn"]}]
    return t


def test_a_role_granting_a_read_path_is_a_consumer_on_that_path_only(tmp_path: Path) -> None:
    path = write(tmp_path, player_stack())
    default = audit(str(path))
    assert default.exit_code == 0, default.json["findings"]
    # default --read getmedia: the player is not checked, and the output says so
    assert paths_of(default.json, "ViewerRole") == {"getmedia"}
    assert paths_of(default.json, "PlayerRole") == set()
    assert "PlayerRole (hls)" in inferred_note(default.json)
    assert "not checked" in inferred_note(default.json)

    every = audit(str(path), "--read", "all")
    assert every.exit_code == 0, every.json["findings"]
    # each consumer on the paths its policies grant, not on all six
    assert paths_of(every.json, "ViewerRole") == {"getmedia"}
    assert paths_of(every.json, "PlayerRole") == {"hls"}
    c = checked(every.json)
    assert c[("PlayerRole", "hls", HLS)] == ("allow", "documented")
    assert c[("PlayerRole", "hls", "kinesisvideo:GetDataEndpoint")] == ("allow", "documented")
    # AWS documents kms:Decrypt for GetMedia only
    assert c[("PlayerRole", "hls", "kms:Decrypt")] == ("allow", "inferred")
    assert c[("ViewerRole", "getmedia", "kms:Decrypt")] == ("allow", "documented")
    assert "not checked" not in inferred_note(every.json)


def test_read_paths_combine_and_repeat_as_on_audit_policy(tmp_path: Path) -> None:
    path = write(tmp_path, player_stack())
    r = audit(str(path), "--read", "hls", "--read", "getmedia,dash")
    assert paths_of(r.json, "PlayerRole") == {"hls"}
    assert paths_of(r.json, "ViewerRole") == {"getmedia"}


def test_a_consumer_given_on_the_command_line_is_checked_on_every_selected_path(tmp_path: Path) -> None:
    path = write(tmp_path, player_stack())
    r = audit(str(path), "--consumer", "PlayerRole", "--producer", "CameraRole", "--read", "getmedia,hls")
    assert r.exit_code == 1
    c = checked(r.json)
    assert c[("PlayerRole", "hls", HLS)][0] == "allow"
    assert c[("PlayerRole", "getmedia", "kinesisvideo:GetMedia")][0] == "implicit_deny"
    assert "KVS407" not in {f["rule"] for f in r.json["findings"]}


def test_a_half_granted_read_path_is_checked_and_fails(tmp_path: Path) -> None:
    """A role granting ListFragments but not GetMediaForFragmentList is meant as an archive reader: it is
    a consumer on the fragments path, and the missing call fails there."""
    t = stack()
    t["Resources"]["ViewerRole"] = role(
        "viewer", ["kinesisvideo:GetDataEndpoint", "kinesisvideo:ListFragments", "kinesisvideo:GetMedia"]
    )
    r = audit(str(write(tmp_path, t)), "--read", "getmedia,fragments")
    assert r.exit_code == 1
    c = checked(r.json)
    assert c[("ViewerRole", "fragments", "kinesisvideo:ListFragments")][0] == "allow"
    assert c[("ViewerRole", "fragments", "kinesisvideo:GetMediaForFragmentList")][0] == "implicit_deny"
    assert c[("ViewerRole", "getmedia", "kinesisvideo:GetMedia")][0] == "allow"


def test_an_unknown_read_path_exits_2_before_reading_anything(tmp_path: Path) -> None:
    r = run_cli("audit", "template", str(tmp_path / "missing.yaml"), "--read", "getmedia,nope", "-o", "json")
    assert r.exit_code == 2
    assert "--read 'nope': not a read path" in r.error["message"]
    assert "getmedia, fragments, hls, dash, clip, images" in r.error["hint"]


def test_producer_creates_adds_create_and_tag_stream(tmp_path: Path) -> None:
    path = write(tmp_path, stack())
    plain = audit(str(path))
    assert {r["action"] for r in plain.json["results"] if r["role"] == "producer"} == {
        "kinesisvideo:DescribeStream",
        "kinesisvideo:GetDataEndpoint",
        "kinesisvideo:PutMedia",
        "kms:GenerateDataKey",
    }
    creates = audit(str(path), "--producer-creates")
    assert creates.exit_code == 1
    c = checked(creates.json)
    assert c[("CameraRole", "producer", "kinesisvideo:CreateStream")][0] == "implicit_deny"
    assert c[("CameraRole", "producer", "kinesisvideo:TagStream")][0] == "implicit_deny"


def test_a_producer_allowed_create_stream_is_warned_about_the_aws_managed_key(tmp_path: Path) -> None:
    t = stack()
    t["Resources"]["CameraRole"] = role(
        "camera",
        [
            "kinesisvideo:DescribeStream",
            "kinesisvideo:GetDataEndpoint",
            "kinesisvideo:PutMedia",
            "kinesisvideo:CreateStream",
            "kinesisvideo:TagStream",
        ],
    )
    path = write(tmp_path, t)
    r = audit(str(path), "--producer-creates")
    assert r.exit_code == 0, r.json["results"]
    f = next(x for x in r.json["findings"] if x["rule"] == "KVS120")
    assert f["severity"] == "warning"
    assert path.read_text().splitlines()[f["location"]["line"] - 1].strip() == "CameraRole:"
    assert audit(str(path), "--producer-creates", "--fail-on", "warning").exit_code == 1


# -- fixes -------------------------------------------------------------------------------------------


def _apply_identity_fix(t: dict[str, Any], logical_id: str, statement: dict[str, Any]) -> None:
    t["Resources"][logical_id]["Properties"]["Policies"].append(
        {"PolicyName": "kvsctl-fix", "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}
    )


@pytest.mark.parametrize("read", ["hls", "clip", "images", "dash"])
def test_the_fix_of_a_denied_read_applied_to_the_template_makes_it_pass(tmp_path: Path, read: str) -> None:
    t = stack()
    path = write(tmp_path, t)
    r = audit(str(path), "--consumer", "ViewerRole", "--producer", "CameraRole", "--read", f"getmedia,{read}")
    assert r.exit_code == 1
    (denied,) = [x for x in r.json["results"] if x["decision"] != "allow"]
    assert denied["path"] == read
    fix = denied["fix"]
    assert fix["verified"] is True
    (change,) = fix["changes"]
    assert change["target"] == "identity"
    assert change["principal"] == f"arn:aws:iam::{ACCOUNT}:role/viewer"
    # written for the template: the stream by its reference (its deployed ARN is not the one assumed),
    # placed at the role's declaration
    assert change["statement"]["Resource"] == {"Fn::GetAtt": ["Stream", "Arn"]}
    assert change["where"].startswith(f"a policy of ViewerRole ({path}:")
    line = int(change["where"].split(f"{path}:")[1].split(")")[0])
    assert path.read_text().splitlines()[line - 1].strip() == "ViewerRole:"
    _apply_identity_fix(t, "ViewerRole", change["statement"])
    again = audit(str(write(tmp_path, t)), "--consumer", "ViewerRole", "--producer", "CameraRole",
                  "--read", f"getmedia,{read}")  # fmt: skip
    assert again.exit_code == 0, [x for x in again.json["results"] if x["decision"] != "allow"]


def test_a_key_policy_fix_applied_to_the_template_makes_it_pass(tmp_path: Path) -> None:
    t = stack()
    t["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"].pop(1)  # Cameras
    r = audit(str(write(tmp_path, t)))
    assert r.exit_code == 1
    gdk = next(x for x in r.json["results"] if x["action"] == "kms:GenerateDataKey")
    assert gdk["decision"] == "implicit_deny"
    assert gdk["fix"]["verified"] is True
    (change,) = gdk["fix"]["changes"]
    assert change["target"] == "key_policy"
    st = change["statement"]
    assert st["Principal"] == {"AWS": {"Fn::GetAtt": ["CameraRole", "Arn"]}}
    assert st["Condition"] == {
        "StringEquals": {"kms:ViaService": {"Fn::Sub": "kinesisvideo.${AWS::Region}.amazonaws.com"}}
    }
    assert change["where"].startswith("the key policy of Key (")
    t["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"].append(change["statement"])
    again = audit(str(write(tmp_path, t)))
    assert again.exit_code == 0, [x for x in again.json["results"] if x["decision"] != "allow"]


def test_allowed_and_conditional_checks_carry_no_fix(tmp_path: Path) -> None:
    t = stack()
    t["Parameters"]["KeyArn"] = {"Type": "String", "Default": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/abc"}
    t["Resources"]["Stream"]["Properties"]["KmsKeyId"] = {"Ref": "KeyArn"}
    r = audit(str(write(tmp_path, t)))
    assert {x["decision"] for x in r.json["results"]} == {"allow", "conditional"}
    assert all(x["fix"] is None for x in r.json["results"])


def test_results_name_their_stream_so_streams_sharing_roles_stay_apart(tmp_path: Path) -> None:
    t = stack()
    t["Resources"]["Other"] = {
        "Type": "AWS::KinesisVideo::Stream",
        "Properties": {"Name": "dock-cam", "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}},
    }
    t["Resources"]["ViewerRole"] = role("viewer", ["kinesisvideo:GetDataEndpoint", "kinesisvideo:GetMedia"], "*")
    r = audit(str(write(tmp_path, t)), "--read", "getmedia")
    by_stream = {(x["stream"], x["action"]) for x in r.json["results"] if x["principal_id"] == "ViewerRole"}
    assert ("lobby-cam", "kinesisvideo:GetMedia") in by_stream
    assert ("dock-cam", "kinesisvideo:GetMedia") in by_stream


def test_the_kvs_read_only_managed_policy_makes_a_consumer_on_every_path() -> None:
    """The CDK example's viewer has AmazonKinesisVideoStreamsReadOnlyAccess (Get*, List*, Describe*):
    with --read all it is a consumer on all six read paths, and every call is allowed."""
    cdk = Path(__file__).resolve().parents[3] / "examples" / "iac" / "cdk.out"
    r = run_cli("audit", "template", str(cdk), "--read", "all", "-o", "json")
    assert r.exit_code == 0, r.stderr
    assert paths_of(r.json, "ViewerRole6E1B8D2A") == {"getmedia", "fragments", "hls", "dash", "clip", "images"}
    assert paths_of(r.json, "CameraRole4A6BD2C5") == {"producer"}
    assert {x["decision"] for x in r.json["results"]} == {"allow"}


def test_an_explicit_deny_fix_narrows_the_statement_in_the_template(tmp_path: Path) -> None:
    t = stack()
    t["Resources"]["NoVideo"] = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {
            "Roles": [{"Ref": "CameraRole"}],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*"}],
            },
        },
    }
    r = audit(str(write(tmp_path, t)))
    assert r.exit_code == 1
    gdk = next(x for x in r.json["results"] if x["action"] == "kms:GenerateDataKey")
    assert gdk["decision"] == "explicit_deny" and gdk["fix"]["verified"] is True
    (change,) = gdk["fix"]["changes"]
    assert (change["op"], change["index"]) == ("replace", 0)
    assert change["statement"] == {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}
    t["Resources"]["NoVideo"]["Properties"]["PolicyDocument"]["Statement"][0] = change["statement"]
    again = audit(str(write(tmp_path, t)))
    assert again.exit_code == 0, [x for x in again.json["results"] if x["decision"] != "allow"]
