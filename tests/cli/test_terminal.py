"""At home in the terminal: help without type placeholders and with every option name whole at 80 and
200 columns, `whoami`, `key list`, `sandbox serve` refusing a taken port at once, completion scripts
driven in bash, and real terminals (a pty at 80 and 200 columns) showing audit tables without a split
identifier or a cut reason."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REGION, run_cli

ROOT = Path(__file__).resolve().parents[2]


def all_command_paths() -> list[list[str]]:
    import typer

    from kvsctl.cli.app import app

    paths: list[list[str]] = []

    def visit(cmd: Any, path: list[str]) -> None:
        paths.append(path)
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            visit(sub, [*path, name])

    visit(typer.main.get_command(app), [])
    return paths


@pytest.mark.parametrize("columns", ["80", "200"])
def test_help_has_no_placeholders_and_no_cut_option_names(monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    import typer

    from kvsctl.cli.app import app

    monkeypatch.setenv("COLUMNS", columns)
    root = typer.main.get_command(app)
    for path in all_command_paths():
        page = run_cli(*path, "--help").stdout
        assert page.startswith("Usage: kvsctl"), path
        for placeholder in ("<bool>", "<str>", "<int", "<list", "{", "…", "TEXT", "INTEGER"):
            assert placeholder not in page, (path, placeholder)
        prose = [ln for ln in page.splitlines() if not ln.startswith("    ")]  # examples stay whole
        assert max(len(line) for line in prose) <= int(columns), path
        names = re.findall(r"^\s+((?:-\w, )?--[\w-]+)", page, re.M)
        cmd = root
        for word in path:
            cmd = cmd.commands[word]
        # hidden options are deprecated aliases kept for one release: not shown by design
        declared = {
            o
            for p in cmd.params
            if not getattr(p, "hidden", False)
            for o in (*p.opts, *p.secondary_opts)
            if o.startswith("--")
        }
        shown = {n.split(", ")[-1] for n in names}
        assert declared - {"--help"} <= shown | {"--no-free-tier"}, (path, declared - shown)


def test_help_metavars_say_what_to_give() -> None:
    page = run_cli("audit", "policy", "--help").stdout
    assert "--key-policy FILE" in page and "--producer ARN" in page and "--context KEY=VALUE" in page
    assert "--strict " in page and "--strict BOOL" not in page  # a flag takes no value
    page = run_cli("stream", "create", "--help").stdout
    assert "Usage: kvsctl stream create [OPTIONS] [NAME]" in page and "--stream-name NAME" in page
    assert "--tag KEY=VALUE" in page and "-o, --output table|json" in page


def test_help_prints_examples_unwrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    page = run_cli("stream", "create", "--help").stdout
    assert "    kvsctl stream create lobby-cam --kms-key alias/cams --retention-hours 24 --tag team=video" in page


def test_help_does_not_load_rich() -> None:
    code = "import sys; from kvsctl.cli.app import run; sys.argv[1:] = ['stream', 'create', '--help']; run()"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = {ln.split("|")[-1].strip() for ln in proc.stderr.splitlines() if ln.startswith("import time:")}
    assert not {n for n in names if n.split(".")[0] == "rich"}


# -- whoami ------------------------------------------------------------------------------------------


def test_whoami_shows_the_caller_and_checks_the_endpoints(moto: None) -> None:
    result = run_cli("whoami", "-o", "json")
    assert result.exit_code == 0, result.stderr
    me = result.json
    assert me["account"] == "123456789012" and me["arn"].startswith("arn:aws:sts::123456789012:")
    assert me["region"] == REGION and me["credential_source"].startswith("environment variables")
    assert [c["service"] for c in me["checks"]] == ["kinesisvideo", "kms"] and me["ok"] is True


def test_whoami_query() -> None:
    from moto import mock_aws

    with mock_aws():
        result = run_cli("--region", "eu-west-1", "whoami", "--query", "region")
    assert result.exit_code == 0 and result.json == "eu-west-1"


def test_whoami_with_nothing_answering_is_exit_3_with_a_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KVSCTL_MAX_ATTEMPTS", "1")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    result = run_cli("whoami", "--endpoint-url", f"http://127.0.0.1:{port}", "-o", "json")
    assert result.exit_code == 3, result.stderr
    assert result.error["hint"]


def test_whoami_without_credentials_is_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = run_cli("whoami", "-o", "json")
    assert result.exit_code == 3
    assert result.error["code"] == "no_credentials"


# -- key list ----------------------------------------------------------------------------------------


@pytest.fixture
def keys(boto: Any) -> dict[str, Any]:
    cams = boto.kms.create_key()["KeyMetadata"]
    boto.kms.create_alias(AliasName="alias/cams", TargetKeyId=cams["KeyId"])
    boto.kms.enable_key_rotation(KeyId=cams["KeyId"])
    spare = boto.kms.create_key()["KeyMetadata"]
    signing = boto.kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    off = boto.kms.create_key()["KeyMetadata"]
    boto.kms.disable_key(KeyId=off["KeyId"])
    boto.kvs.create_stream(StreamName="a", KmsKeyId="alias/cams")
    boto.kvs.create_stream(StreamName="b", KmsKeyId=cams["Arn"])
    boto.kvs.create_stream(StreamName="c", KmsKeyId=spare["KeyId"])
    boto.kvs.create_stream(StreamName="d")
    return {"cams": cams, "spare": spare, "signing": signing, "off": off}


def test_key_list_shows_usable_customer_keys_with_aliases_rotation_and_streams(keys: dict[str, Any]) -> None:
    result = run_cli("key", "list", "-o", "json")
    assert result.exit_code == 0, result.stderr
    listed = {k["key_id"]: k for k in result.json["keys"]}
    assert set(listed) == {keys["cams"]["KeyId"], keys["spare"]["KeyId"]}
    cams = listed[keys["cams"]["KeyId"]]
    assert cams["aliases"] == ["alias/cams"] and cams["rotation_enabled"] is True and cams["streams"] == 2
    assert listed[keys["spare"]["KeyId"]]["streams"] == 1
    assert result.json["unusable_not_shown"] == 2


def test_key_list_all_says_why_kvs_cannot_use_the_rest(keys: dict[str, Any]) -> None:
    result = run_cli("key", "list", "--all", "-o", "json")
    assert result.exit_code == 0, result.stderr
    listed = {k["key_id"]: k for k in result.json["keys"]}
    assert len(listed) == 4
    assert listed[keys["signing"]["KeyId"]]["usable_by_kvs"] is False
    assert any("SYMMETRIC_DEFAULT" in w for w in listed[keys["signing"]["KeyId"]]["why_not"])
    assert any("Disabled" in w for w in listed[keys["off"]["KeyId"]]["why_not"])


def test_key_list_table_counts_in_words(keys: dict[str, Any]) -> None:
    result = run_cli("key", "list", "-o", "table")
    assert result.exit_code == 0
    assert "2 customer managed keys KVS can use" in result.stdout
    assert "2 more customer managed keys KVS cannot use" in " ".join(result.stdout.split())


# -- sandbox serve -----------------------------------------------------------------------------------


def test_sandbox_serve_exits_2_at_once_when_the_port_is_taken() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        result = run_cli("sandbox", "serve", "--port", str(port), "-o", "json")
    assert result.exit_code == 2
    assert result.error["code"] == "port_in_use" and "--port 0" in result.error["hint"]


def test_sandbox_default_port_is_not_localstacks() -> None:
    page = run_cli("sandbox", "serve", "--help").stdout
    assert "default: 4566" not in page and "default: 7566" in page


def test_sandbox_port_0_serves_on_a_free_port_and_says_which() -> None:
    from kvsctl.sandbox.server import running_sandbox

    with running_sandbox(0) as endpoint:
        port = int(endpoint.rsplit(":", 1)[1])
        assert port > 0
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass


# -- real terminals ----------------------------------------------------------------------------------

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PRODUCER = "arn:aws:iam::111122223333:role/CameraProducer"
CONSUMER = "arn:aws:iam::111122223333:role/ViewerConsumer"


def run_in_pty(
    argv: list[str], columns: int, *, raw: bool = False, env_extra: dict[str, str] | None = None, rows: int = 50
) -> str:
    """Run kvsctl in a pseudo-terminal of the given size; what it drew (ANSI codes removed)."""
    import fcntl
    import pty
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:  # the child: a real terminal on stdout
        env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
        # no pager unless a test asks for one: nobody presses q here
        env.update(TERM="xterm-256color", PYTHONPATH=str(ROOT), KVSCTL_PAGER="")
        env.update(env_extra or {})
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "kvsctl", *argv], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    if raw:
        return text
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


@pytest.mark.parametrize("columns", [80, 200])
def test_audit_table_in_a_real_terminal_splits_no_identifier(columns: int) -> None:
    from tests.unit.render.test_fit import only_split_at_boundaries

    argv = ["audit", "policy", "--key-policy", "examples/policies/key-policy-good.json", "--key-arn", KEY]
    argv += ["--producer", PRODUCER, "--consumer", CONSUMER]
    out = run_in_pty(argv, columns)
    assert "┃" in out, out  # a table: the terminal was detected
    assert max(len(line) for line in out.splitlines()) <= columns
    words = out.split()
    for whole in ("kms:GenerateDataKey", "kms:Decrypt", "role/CameraProducer", "KVS116", "severity"):
        assert whole in words, (whole, out)
    assert only_split_at_boundaries(KEY, out)
    assert "1234abcd-12ab-34cd-56ef-1234567890ab" in " ".join(words)
    assert "…" not in out


def test_overwrite_without_report_is_a_usage_error() -> None:
    result = run_cli("audit", "stream", "cam", "--overwrite", "-o", "json")
    assert result.exit_code == 2
    assert "--report" in result.error["message"]


def test_version_reads_like_aws_version() -> None:
    result = run_cli("--version")
    assert result.exit_code == 0
    assert re.fullmatch(r"kvsctl \S+ Python/\S+ \S+/\S+ boto3/\S+ botocore/\S+\n", result.stdout), result.stdout


# -- completion --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("shell", "name"), [("bash", "kvsctl.bash"), ("zsh", "_kvsctl"), ("fish", "kvsctl.fish")])
def test_completion_prints_the_script_the_repository_ships(shell: str, name: str) -> None:
    result = run_cli("completion", shell)
    assert result.exit_code == 0
    assert result.stdout == (ROOT / "completions" / name).read_text()


def test_completion_install_puts_the_script_where_the_shell_looks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    for shell, path in [
        ("bash", ".local/share/bash-completion/completions/kvsctl"),
        ("zsh", ".zfunc/_kvsctl"),
        ("fish", ".config/fish/completions/kvsctl.fish"),
    ]:
        result = run_cli("completion", shell, "--install")
        assert result.exit_code == 0, result.stderr
        assert (tmp_path / path).read_text() == run_cli("completion", shell).stdout


def test_bash_completes_files_of_the_right_kind_and_keys_not_files(tmp_path: Path) -> None:
    import shutil

    if shutil.which("bash") is None:
        pytest.skip("bash not installed")
    for name in ("policy.json", "spec.toml", "notes.txt"):
        (tmp_path / name).write_text("")
    (tmp_path / "dir").mkdir()
    probe = f"""
cd {tmp_path}
source <({sys.executable} -m kvsctl completion bash)
complete -p kvsctl
COMP_WORDS=(kvsctl audit policy --key-policy ""); COMP_CWORD=4; _kvsctl; echo "1:${{COMPREPLY[*]}}"
COMP_WORDS=(kvsctl stream create cam --kms-key ""); COMP_CWORD=5; _kvsctl; echo "2:${{COMPREPLY[*]}}"
COMP_WORDS=(kvsctl --region us-west-2 who); COMP_CWORD=3; _kvsctl; echo "3:${{COMPREPLY[*]}}"
"""
    # --kms-key asks kvsctl for the aliases; with nothing answering (a closed local port) it offers
    # what every account has
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    proc = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=60, env=env)
    out = proc.stdout.splitlines()
    assert out[0] == "complete -o default -F _kvsctl kvsctl", proc.stderr
    assert sorted(out[1][2:].split()) == ["dir", "policy.json"]
    assert out[2] == "2:aws-managed alias/"
    assert out[3] == "3:whoami"


# -- AWS CLI habits and messages ---------------------------------------------------------------------


def test_stream_describe_takes_a_stream_arn(boto: Any) -> None:
    arn = boto.kvs.create_stream(StreamName="lobby-cam", DataRetentionInHours=24)["StreamARN"]
    result = run_cli("stream", "describe", arn, "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json["name"] == "lobby-cam"


def test_a_malformed_stream_arn_is_exit_2() -> None:
    result = run_cli("stream", "describe", "arn:aws:kinesisvideo:us-east-1:12:stream/x", "-o", "json")
    assert result.exit_code == 2
    assert result.error["code"] == "invalid_stream_name"


def test_a_bare_alias_name_suggests_the_alias() -> None:
    result = run_cli("stream", "create", "cam", "--kms-key", "cams", "-o", "json")
    assert result.exit_code == 2
    assert "Did you mean alias/cams?" in result.error["hint"]


def test_errors_are_coloured_only_on_a_terminal_and_without_no_color() -> None:
    argv = ["stream", "describe", "bad name!", "--region", "us-east-1", "-o", "table"]
    coloured = run_in_pty(argv, 80, raw=True, env_extra={"NO_COLOR": ""})
    assert "kvsctl: \x1b[1;31merror:\x1b[0m invalid stream name" in coloured
    plain = run_in_pty(argv, 80, raw=True, env_extra={"NO_COLOR": "1"})
    assert "kvsctl: error: invalid stream name" in plain
    result = run_cli(*argv)  # stderr captured: not a terminal
    assert result.stderr.startswith("kvsctl: error: invalid stream name")


def test_counts_are_pluralised(boto: Any) -> None:
    boto.kvs.create_stream(StreamName="only-one", DataRetentionInHours=1)
    result = run_cli("stream", "list", "-o", "table")
    assert result.exit_code == 0
    assert "1 stream" in result.stdout and "stream(s)" not in result.stdout
