"""Nothing lost, nothing leaked: no command overwrites, re-keys or deletes without an explicit flag;
reads create nothing (the AWS managed key included) and send only read operations; credentials and
session tokens never reach stdout or stderr, --debug traces included.

State is read back from moto (behind tests/faults.py, whose counter lists every operation called).
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from tests.helpers import run_cli, run_subprocess

pytestmark = pytest.mark.e2e

#: Operations a read-only command may send. Anything else (Create*, Put*, Update*, Delete*, Tag*,
#: Enable*, ...) from a read would be a write. DescribeKey is read-only except on alias/aws/*, which
#: is checked separately through the key inventory.
READ_ONLY = re.compile(r"^(Describe|List|Get)[A-Za-z]+$")


def snapshot(c: Any) -> dict[str, Any]:
    """Everything a command could change: streams with their keys and settings, keys, aliases."""
    streams = {}
    for s in c.kvs.list_streams()["StreamInfoList"]:
        info = c.kvs.describe_stream(StreamName=s["StreamName"])["StreamInfo"]
        streams[s["StreamName"]] = {
            k: info.get(k) for k in ("StreamARN", "KmsKeyId", "DataRetentionInHours", "MediaType")
        }
    keys = {}
    for k in c.kms.list_keys()["Keys"]:
        meta = c.kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]
        keys[k["KeyId"]] = (meta["KeyState"], meta.get("KeyManager"))
    aliases = sorted((a["AliasName"], a.get("TargetKeyId")) for a in c.kms.list_aliases()["Aliases"])
    return {"streams": streams, "keys": keys, "aliases": aliases}


@pytest.fixture
def account(faults: Any) -> SimpleNamespace:
    c = faults.clients()
    cams = c.kms.create_key(Description="cams")["KeyMetadata"]
    c.kms.create_alias(AliasName="alias/cams", TargetKeyId=cams["KeyId"])
    other = c.kms.create_key(Description="other")["KeyMetadata"]
    c.kms.create_alias(AliasName="alias/other", TargetKeyId=other["KeyId"])
    c.kvs.create_stream(StreamName="on-cams", KmsKeyId=cams["Arn"], DataRetentionInHours=24, MediaType="video/h264")
    c.kvs.create_stream(StreamName="on-default", DataRetentionInHours=0)
    faults.clear_counts()
    return SimpleNamespace(c=c, cams=cams["Arn"], other=other["Arn"], url=faults.url)


def kvsctl(account: SimpleNamespace, *args: str) -> Any:
    return run_cli(*args, "--endpoint-url", account.url, "-o", "json")


# -- nothing overwritten, re-keyed or deleted ---------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "flags"),
    [
        ("on-cams", ["--kms-key", "alias/other"]),  # exists, other key, no flag
        ("on-cams", ["--kms-key", "alias/other", "--if-not-exists"]),  # exists, other key: never re-keyed
        ("on-cams", ["--kms-key", "alias/cams", "--retention-hours", "1"]),  # same key, other settings
        ("on-cams", ["--kms-key", "aws-managed", "--if-not-exists"]),
        ("on-default", ["--kms-key", "alias/cams", "--if-not-exists"]),  # AWS managed -> customer key: refused
        ("on-default", []),  # same (AWS managed) key but no --if-not-exists
    ],
)
def test_create_on_an_existing_stream_changes_nothing(
    account: SimpleNamespace, faults: Any, name: str, flags: list[str]
) -> None:
    before = snapshot(account.c)
    result = kvsctl(account, "stream", "create", name, *flags)
    assert result.exit_code == 1, result.stderr
    assert result.error["code"] in ("stream_exists", "stream_key_mismatch")
    assert "untouched" in result.error["message"]
    assert snapshot(account.c) == before
    assert faults.count("kinesisvideo.CreateStream") == 0  # refused before asking KVS


def test_if_not_exists_with_the_same_key_succeeds_and_changes_nothing(account: SimpleNamespace) -> None:
    before = snapshot(account.c)
    result = kvsctl(account, "stream", "create", "on-cams", "--kms-key", account.cams, "--if-not-exists")
    assert result.exit_code == 0, result.stderr
    assert result.json["action"] == "exists"
    assert snapshot(account.c) == before


def test_dry_run_creates_nothing(account: SimpleNamespace, faults: Any) -> None:
    before = snapshot(account.c)
    for key in ("alias/cams", "aws-managed"):
        result = kvsctl(account, "stream", "create", "new-cam", "--kms-key", key, "--dry-run")
        assert result.exit_code == 0, result.stderr
        assert result.json["action"] == "would-create"
    assert snapshot(account.c) == before
    assert all(READ_ONLY.match(op.split(".", 1)[1]) for op in faults.calls), dict(faults.calls)


def test_create_races_an_existing_stream_without_touching_it(account: SimpleNamespace, faults: Any) -> None:
    """KVS answers ResourceInUseException (someone created the stream between our check and our create):
    kvsctl re-reads it and refuses, as for any existing stream."""
    before = snapshot(account.c)
    faults.fail("kinesisvideo.DescribeStream", status=400, code="ResourceNotFoundException", times=1)
    faults.clear_counts()
    result = kvsctl(account, "stream", "create", "on-cams", "--kms-key", "alias/other")
    assert result.exit_code == 1, result.stderr
    assert result.error["code"] == "stream_key_mismatch" or result.error["code"] == "stream_exists"
    assert faults.count("kinesisvideo.CreateStream") == 1  # KVS refused it: ResourceInUseException
    assert snapshot(account.c) == before


def test_apply_never_rekeys_or_changes_an_existing_stream(account: SimpleNamespace, faults: Any, tmp_path: Any) -> None:
    """The spec declares both existing streams with other keys and settings, and one new stream:
    apply creates only the new one and reports the two it cannot fix (exit 1)."""
    spec = tmp_path / "streams.toml"
    spec.write_text(
        '[[stream]]\nname = "on-cams"\nkms_key = "alias/other"\nretention_hours = 1\n'
        '[[stream]]\nname = "on-default"\nkms_key = "alias/cams"\n'
        '[[stream]]\nname = "brand-new"\nkms_key = "alias/cams"\n'
    )
    before = snapshot(account.c)
    result = kvsctl(account, "apply", str(spec))
    assert result.exit_code == 1, result.stdout + result.stderr
    after = snapshot(account.c)
    assert {k: v for k, v in after["streams"].items() if k != "brand-new"} == before["streams"]
    assert after["streams"]["brand-new"]["KmsKeyId"] == account.cams
    assert (after["keys"], after["aliases"]) == (before["keys"], before["aliases"])
    assert faults.count("kinesisvideo.CreateStream") == 1
    assert not [op for op in faults.calls if op.split(".", 1)[1].startswith(("Update", "Delete", "Tag"))]


def test_dry_runs_create_nothing(account: SimpleNamespace, faults: Any, tmp_path: Any) -> None:
    spec = tmp_path / "streams.toml"
    spec.write_text('[[stream]]\nname = "brand-new"\nkms_key = "alias/cams"\n')
    before = snapshot(account.c)
    for argv in (
        ["apply", str(spec), "--dry-run"],
        ["key", "create", "--alias", "alias/new", "--admin", "arn:aws:iam::123456789012:role/admin", "--dry-run"],
    ):
        result = kvsctl(account, *argv)
        assert result.exit_code in (0, 1), result.stdout + result.stderr
    assert snapshot(account.c) == before
    assert all(READ_ONLY.match(op.split(".", 1)[1]) for op in faults.calls), dict(faults.calls)


# -- reads create nothing -------------------------------------------------------------------------------
READS = [
    ["stream", "describe", "on-default"],
    ["stream", "describe", "on-cams"],
    ["stream", "list"],
    ["stream", "list", "--kms-key", "aws-managed"],
    ["stream", "list", "--kms-key", "alias/cams"],
    ["cost", "estimate", "--from-account"],
    ["key", "describe", "alias/cams"],
    ["key", "describe", "aws-managed"],
    ["audit", "stream", "on-default", "on-cams", "--consumer", "arn:aws:iam::123456789012:role/viewer"],
    ["audit", "all", "--producer", "arn:aws:iam::123456789012:role/camera"],
    ["preflight", "SPEC"],
]


@pytest.mark.parametrize("argv", READS, ids=[" ".join(a) for a in READS])
def test_reads_create_nothing_and_send_only_reads(
    account: SimpleNamespace, faults: Any, argv: list[str], tmp_path: Any
) -> None:
    """The AWS managed key does not exist yet (no stream has been written to): a read must not make KMS
    create it, which DescribeKey on alias/aws/kinesisvideo would do (KMS API Reference, DescribeKey).
    Audits and preflight may fail their checks (exit 1); they still only read."""
    if "SPEC" in argv:
        spec = tmp_path / "streams.toml"
        spec.write_text(
            '[[stream]]\nname = "on-default"\nkms_key = "aws-managed"\n'
            '[[stream]]\nname = "on-cams"\nkms_key = "alias/other"\n'
            '[[stream]]\nname = "missing"\nkms_key = "alias/cams"\n'
        )
        argv = [str(spec) if a == "SPEC" else a for a in argv]
    keys = account.c.kms.list_keys()["Keys"]
    aliases = account.c.kms.list_aliases()["Aliases"]
    before = snapshot(account.c)
    faults.clear_counts()
    result = kvsctl(account, *argv)
    assert result.exit_code in ((0, 1) if argv[0] in ("audit", "preflight") else (0,)), result.stderr
    written = sorted(op for op in faults.calls if not READ_ONLY.match(op.split(".", 1)[1]))
    assert written == []
    assert account.c.kms.list_keys()["Keys"] == keys
    assert account.c.kms.list_aliases()["Aliases"] == aliases
    assert snapshot(account.c) == before


def test_reads_of_a_stream_on_an_existing_aws_managed_key_create_nothing(account: SimpleNamespace) -> None:
    """Once KVS has made the AWS managed key it is found through ListAliases, and still nothing is created."""
    managed = account.c.kms.describe_key(KeyId="alias/aws/kinesisvideo")["KeyMetadata"]  # moto creates it, as AWS
    before = snapshot(account.c)
    result = kvsctl(account, "stream", "describe", "on-default")
    assert result.exit_code == 0, result.stderr
    assert result.json["key"]["key_id"] == managed["KeyId"]
    assert snapshot(account.c) == before


# -- nothing leaked ----------------------------------------------------------------------------------
SECRET = "kvsctlSECRETdoNotPrint/0123456789abcdefXYZ+secret"
TOKEN = "IQoJb3JpZ2luX2VjEKvsctlTOKENdoNotPrint" + "A" * 40 + "/token+end=="
KEY_ID = "ASIAKVSCTLDONOTPRINT"


def leaks(text: str) -> list[str]:
    """Which secret (or a 12-character piece of one) appears in the text."""
    found = []
    for name, secret in (("secret", SECRET), ("token", TOKEN)):
        pieces = {secret[i : i + 12] for i in range(0, len(secret) - 12, 6)}
        if any(p in text for p in pieces):
            found.append(name)
    return found


LEAK_RUNS = [
    pytest.param(["stream", "describe", "on-cams", "--debug"], None, 0, id="describe-debug"),
    pytest.param(["stream", "list", "--debug", "-o", "table"], None, 0, id="list-debug-table"),
    pytest.param(["stream", "create", "cam-new", "--kms-key", "alias/cams", "--debug"], None, 0, id="create-debug"),
    pytest.param(["stream", "describe", "on-cams", "--debug"], "deny", 3, id="denied-debug"),
    pytest.param(["stream", "describe", "on-cams", "--debug"], "throttle", 3, id="throttled-debug"),
    pytest.param(["stream", "describe", "on-cams", "--debug"], "expired", 3, id="expired-token-debug"),
    pytest.param(["stream", "describe", "on-cams"], "expired", 3, id="expired-token"),
    pytest.param(["cost", "estimate", "--from-account", "--debug"], None, 0, id="cost-from-account-debug"),
    pytest.param(
        # exit 1: the viewer role does not exist (KVS213); what matters here is the --debug trace
        ["audit", "all", "--consumer", "arn:aws:iam::123456789012:role/viewer", "--debug"],
        None,
        1,
        id="audit-debug",
    ),
]


@pytest.mark.parametrize(
    ("argv", "fault", "exit_code", "source"),
    [
        *[pytest.param(*p.values, "environment", id=f"{p.id}-env") for p in LEAK_RUNS],
        *[pytest.param(*p.values, "credentials-file", id=f"{p.id}-file") for p in LEAK_RUNS[4:6]],
    ],
)
def test_credentials_never_appear_in_output(
    account: SimpleNamespace,
    faults: Any,
    tmp_path: Any,
    argv: list[str],
    fault: str | None,
    exit_code: int,
    source: str,
) -> None:
    if fault == "deny":
        faults.deny("kms.DescribeKey")
        faults.deny("kinesisvideo.DescribeStream")
    elif fault == "throttle":
        faults.throttle("kinesisvideo.DescribeStream")
    elif fault == "expired":
        faults.fail("kinesisvideo.DescribeStream", status=403, code="ExpiredTokenException", message="expired")
    env = {"KVSCTL_MAX_ATTEMPTS": "2"}
    if source == "environment":
        env.update(AWS_ACCESS_KEY_ID=KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET, AWS_SESSION_TOKEN=TOKEN)
    else:
        creds = tmp_path / "credentials"
        creds.write_text(
            f"[leaky]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\n"
        )
        env.update(
            AWS_SHARED_CREDENTIALS_FILE=str(creds), AWS_PROFILE="leaky", AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY=""
        )
    result = run_subprocess(*argv, endpoint=account.url, env=env)
    assert result.exit_code == exit_code, result.stderr[-2000:]
    if "--debug" in argv:
        # the trace really ran (kvsctl's request log, botocore's credential lookup), so redaction was exercised
        assert "kvsctl.aws [DEBUG] request" in result.stderr and "botocore.credentials" in result.stderr
    assert leaks(result.stdout) == []
    assert leaks(result.stderr) == []


def test_redaction_of_every_form_a_secret_takes_in_a_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    """The redactor alone, over the shapes botocore and users put secrets in."""
    from kvsctl.cli.debug import redact

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    samples = [
        f"headers={{'X-Amz-Security-Token': b'{TOKEN}', 'Authorization': b'AWS4-HMAC-SHA256 Credential={KEY_ID}/x'}}",
        f"aws_secret_access_key = {SECRET}",
        f'{{"SecretAccessKey": "{SECRET}", "SessionToken": "{TOKEN}"}}',
        f"X-Amz-Security-Token={TOKEN}&Action=GetRole",
        f"plain mention of {SECRET} and {TOKEN}",
    ]
    for sample in samples:
        assert leaks(redact(sample)) == [], sample
