"""`kvsctl audit policy` on the example policies: exit codes, parsed JSON, no traceback for any input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from tests.helpers import run_cli

EX = Path(__file__).resolve().parents[2] / "examples" / "policies"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
STREAM = "arn:aws:kinesisvideo:us-east-1:111122223333:stream/lobby-cam/1700000000000"
P = "arn:aws:iam::111122223333:role/CameraProducer"
C = "arn:aws:iam::111122223333:role/ViewerConsumer"


def audit(key_policy: str | Path, *extra: str) -> Any:
    return run_cli("audit", "policy", "--key-policy", str(key_policy), "--key-arn", KEY, *extra)


def decisions(data: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(r["principal"].rsplit("/", 1)[-1], r["action"]): r["decision"] for r in data["results"]}


FULL_IAM = (
    "--identity-policy", f"{P}={EX / 'identity-producer.json'}",
    "--identity-policy", f"{C}={EX / 'identity-consumer.json'}",
)  # fmt: skip


def test_good_key_policy_with_iam_all_allow() -> None:
    r = audit(
        EX / "key-policy-good.json", "--stream-arn", STREAM, "--producer", P, "--consumer", C, *FULL_IAM, "-o", "json"
    )
    assert r.exit_code == 0, r.stderr
    data = r.json
    assert data["ok"] is True
    assert decisions(data) == {
        ("CameraProducer", "kinesisvideo:DescribeStream"): "allow",
        ("CameraProducer", "kinesisvideo:GetDataEndpoint"): "allow",
        ("CameraProducer", "kms:GenerateDataKey"): "allow",
        ("CameraProducer", "kinesisvideo:PutMedia"): "allow",
        ("ViewerConsumer", "kinesisvideo:GetDataEndpoint"): "allow",
        ("ViewerConsumer", "kms:Decrypt"): "allow",
        ("ViewerConsumer", "kinesisvideo:GetMedia"): "allow",
    }
    assert {(r["path"], r["basis"]) for r in data["results"]} == {
        ("producer", "documented"),
        ("getmedia", "documented"),
    }
    assert all(f["severity"] == "info" for f in data["findings"])


def test_broken_key_policy_denies_the_consumer() -> None:
    r = audit(EX / "key-policy-broken.json", "--producer", P, "--consumer", C, "-o", "json")
    assert r.exit_code == 1
    data = r.json
    assert data["ok"] is False
    assert decisions(data)[("ViewerConsumer", "kms:Decrypt")] == "implicit_deny"
    assert decisions(data)[("CameraProducer", "kms:GenerateDataKey")] == "allow"
    assert "KVS110" in {f["code"] for f in data["findings"]}


def test_a_grant_fixes_the_broken_policy() -> None:
    r = audit(
        EX / "key-policy-broken.json",
        "--producer",
        P,
        "--consumer",
        C,
        "--grants",
        str(EX / "grants.json"),
        "-o",
        "json",
    )
    assert r.exit_code == 0, r.stdout
    assert decisions(r.json)[("ViewerConsumer", "kms:Decrypt")] == "allow"


def test_aws_managed_style_policy() -> None:
    r = audit(EX / "key-policy-aws-managed-style.json", "--producer", P, "--consumer", C, "-o", "json")
    assert r.exit_code == 0
    data = r.json
    assert set(decisions(data).values()) == {"allow"}
    codes = {f["code"] for f in data["findings"]}
    assert "KVS101" not in codes  # pinned by kms:CallerAccount: not public
    assert {"KVS109", "KVS110"} <= codes  # everyone in the account may do both


def test_stream_checks_without_iam_are_conditional_and_strict_fails() -> None:
    args = ("--stream-arn", STREAM, "--producer", P, "-o", "json")
    r = audit(EX / "key-policy-good.json", *args)
    assert r.exit_code == 0
    assert decisions(r.json)[("CameraProducer", "kinesisvideo:PutMedia")] == "conditional"
    strict = audit(EX / "key-policy-good.json", *args, "--strict")
    assert strict.exit_code == 1 and strict.json["ok"] is False


def test_kvs_guide_example_identity_policy_allows_nothing() -> None:
    r = audit(
        EX / "key-policy-aws-managed-style.json", "--stream-arn", STREAM, "--producer", P,
        "--identity-policy", f"{P}={EX / 'identity-kvs-guide-example.json'}", "-o", "json",
    )  # fmt: skip
    assert r.exit_code == 1
    data = r.json
    assert decisions(data)[("CameraProducer", "kinesisvideo:PutMedia")] == "implicit_deny"
    codes = {f["code"] for f in data["findings"]}
    assert {"KVS102", "KVS105"} <= codes


def test_context_override_and_explain() -> None:
    r = audit(
        EX / "key-policy-good.json", "--producer", P, "--context", "aws:SourceIp=10.0.0.1", "--explain", P, "-o", "json"
    )
    assert r.exit_code == 0
    result = r.json["results"][0]
    assert any("ProducersGenerateDataKeysThroughKVS" in line for line in result["trace"])


def test_table_output_has_matrix_findings_and_summary() -> None:
    r = audit(EX / "key-policy-broken.json", "--producer", P, "--consumer", C, "-o", "table", "--explain", C)
    assert r.exit_code == 1
    out = r.stdout
    assert "implicit_deny" in out and "VideoPipeline" in out
    assert "KVS110" in out
    assert "Explanation for" in out
    assert out.strip().splitlines()[-1].startswith("FAIL: 2 checks: 1 allow, 0 conditional, 1 deny")


def test_identity_policy_split_when_name_has_equals(tmp_path: Path) -> None:
    role = "arn:aws:iam::111122223333:role/a=b"
    pol = tmp_path / "x=y.json"
    pol.write_text((EX / "identity-producer.json").read_text())
    r = audit(
        EX / "key-policy-good.json",
        "--stream-arn",
        STREAM,
        "--producer",
        role,
        "--identity-policy",
        f"{role}={pol}",
        "-o",
        "json",
    )
    assert r.exit_code in (0, 1), r.stderr
    assert decisions(r.json)[("a=b", "kinesisvideo:PutMedia")] == "allow"


BAD_TEXT = [
    pytest.param(
        '{"Version": "2012-10-17",\n "Statement": [\n  {"Effect": "Allow",}\n]}',
        ":3:",
        id="trailing comma names line 3",
    ),
    pytest.param("", ":1:", id="empty file"),
    pytest.param("[]", "must be a JSON object", id="a list"),
    pytest.param(
        '{"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}', "needs Principal", id="no principal"
    ),
    pytest.param(
        '{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*",'
        ' "Condition": {"IpAddress": {"aws:SourceIp": "x"}}}}',
        "IpAddress",
        id="bad CIDR",
    ),
]


@pytest.mark.parametrize(("text", "needle"), BAD_TEXT)
def test_malformed_key_policy_exit_2_with_file_and_line(tmp_path: Path, text: str, needle: str) -> None:
    f = tmp_path / "kp.json"
    f.write_text(text)
    r = audit(f, "--producer", P, "-o", "json")
    assert r.exit_code == 2
    err = r.error
    assert err["code"] == "invalid_input" and str(f) in err["message"] and needle in err["message"]
    assert "Traceback" not in r.stderr and r.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("--key-arn", "arn:aws:kms:us-east-1:111122223333:alias/x"), id="alias ARN as key ARN"),
        pytest.param(("--producer", "arn:aws:iam::111122223333:role/*"), id="wildcard principal"),
        pytest.param(("--stream-arn", "arn:aws:kinesis-video:*:111122223333:MyStream"), id="KVS guide stream ARN"),
        pytest.param(("--context", "nokey"), id="context without ="),
        pytest.param(("--grants", "/nonexistent/grants.json"), id="missing grants file"),
        pytest.param(("--identity-policy", "nofile"), id="identity policy without ="),
        pytest.param(("--scp", str(EX / "key-policy-good.json")), id="key policy given as SCP"),
    ],
)
def test_bad_arguments_exit_2(args: tuple[str, ...]) -> None:
    base = ["audit", "policy", "--key-policy", str(EX / "key-policy-good.json"), "--key-arn", KEY]
    if "--producer" not in args:
        base += ["--producer", P]
    if "--key-arn" in args:
        base = ["audit", "policy", "--key-policy", str(EX / "key-policy-good.json"), "--producer", P]
    r = run_cli(*base, *args, "-o", "json")
    assert r.exit_code == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr


def test_nothing_to_check_is_a_usage_error() -> None:
    r = audit(EX / "key-policy-good.json", "-o", "json")
    assert r.exit_code == 2


json_values = hs.recursive(
    hs.none() | hs.booleans() | hs.integers() | hs.floats(allow_nan=False) | hs.text(max_size=8),
    lambda inner: (
        hs.lists(inner, max_size=3)
        | hs.dictionaries(
            hs.sampled_from(
                ["Version", "Statement", "Effect", "Action", "Resource", "Principal", "Condition", "AWS", "Sid", "x"]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hs.one_of(json_values.map(json.dumps), hs.text(max_size=40)))
def test_no_input_file_ever_causes_a_traceback(tmp_path: Path, text: str) -> None:
    f = tmp_path / "fuzz.json"
    f.write_text(text)
    r = audit(f, "--producer", P, "--identity-policy", f"{P}={f}", "--scp", str(f), "-o", "json")
    assert r.exit_code in (0, 1, 2), r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr


def test_offline_audit_imports_no_boto3() -> None:
    code = (
        "import sys; from kvsctl.cli.app import main; "
        f"rc = main(['audit', 'policy', '--key-policy', {str(EX / 'key-policy-good.json')!r}, '--key-arn', {KEY!r}, "
        f"'--producer', {P!r}, '-o', 'json']); "
        "print(rc, any(m.split('.')[0] in ('boto3', 'botocore') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "0 False", out.stdout + out.stderr


def _write(tmp_path: Path, name: str, *stmts: dict[str, Any]) -> str:
    f = tmp_path / name
    f.write_text(json.dumps({"Version": "2012-10-17", "Statement": list(stmts)}))
    return str(f)


def test_scp_levels_every_level_must_allow(tmp_path: Path) -> None:
    """Organizations UG SCP evaluation: an OU whose SCPs allow only s3 denies kms, even with FullAWSAccess
    at the root and the account (issue #10 class 4)."""
    full = _write(tmp_path, "full.json", {"Effect": "Allow", "Action": "*", "Resource": "*"})
    s3 = _write(tmp_path, "s3.json", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    kms = _write(tmp_path, "kms.json", {"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
    base = (EX / "key-policy-good.json", "--producer", P, *FULL_IAM, "-o", "json")
    r = audit(*base, "--scp-level", full, "--scp-level", s3, "--scp-level", full)
    assert r.exit_code == 1, r.stderr
    assert decisions(r.json)[("CameraProducer", "kms:GenerateDataKey")] == "implicit_deny"
    r = audit(*base, "--scp-level", full, "--scp-level", f"{s3},{kms}", "--scp-level", full)
    assert r.exit_code == 0, r.stderr
    assert decisions(r.json)[("CameraProducer", "kms:GenerateDataKey")] == "allow"


def test_rcp_deny_wins_over_the_key_policy(tmp_path: Path) -> None:
    """Organizations UG RCP evaluation: a Deny in an RCP denies use of a customer managed key (issue #10
    class 5); an RCP without Principal is refused like AWS refuses it (exit 2)."""
    deny = _write(
        tmp_path,
        "rcp.json",
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "kms:*",
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:SecureTransport": "true"}},
        },
    )
    r = audit(EX / "key-policy-good.json", "--producer", P, *FULL_IAM, "--rcp-level", deny, "-o", "json")
    assert r.exit_code == 1, r.stderr
    assert decisions(r.json)[("CameraProducer", "kms:GenerateDataKey")] == "explicit_deny"
    bad = _write(tmp_path, "bad.json", {"Effect": "Deny", "Action": "kms:*", "Resource": "*"})
    r = audit(EX / "key-policy-good.json", "--producer", P, "--rcp", bad)
    assert r.exit_code == 2
    assert "RCP statement needs Principal" in r.stderr
