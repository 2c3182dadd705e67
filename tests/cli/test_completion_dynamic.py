"""Dynamic completion (kvsctl/cli/dyncomplete.py): stream names and key aliases from the account (moto),
regions from botocore's endpoint data, profiles from the AWS config; answered from a short-lived cache,
bounded in time, silent on failure; and the generated bash script driven in a real bash."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from kvsctl.cli import dyncomplete
from kvsctl.cli.shellcomplete import DYNAMIC_ARGUMENTS, walk
from tests.helpers import make_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    # The 2 s bound is for a user's TAB; on a loaded CI machine making the first boto3 client alone can take
    # longer, and an answer cut short is empty. Tests of the bound set their own (shorter) value.
    monkeypatch.setenv("KVSCTL_COMPLETION_TIMEOUT", "30")
    return tmp_path / "cache"


def test_streams_come_from_the_account_then_from_the_cache_until_it_expires(boto: Any, cache_home: Path) -> None:
    for name in ("lobby-cam", "dock-cam"):
        boto.kvs.create_stream(StreamName=name)
    now = 1_000_000.0
    assert dyncomplete.values("streams", [], now=now) == ["dock-cam", "lobby-cam"]
    cached = list((cache_home / "kvsctl" / "completion").glob("streams-*.json"))
    assert len(cached) == 1 and oct(cached[0].stat().st_mode & 0o777) == "0o600"
    boto.kvs.delete_stream(StreamARN=boto.kvs.describe_stream(StreamName="dock-cam")["StreamInfo"]["StreamARN"])
    assert dyncomplete.values("streams", [], now=now + 59) == ["dock-cam", "lobby-cam"]  # within the TTL
    assert dyncomplete.values("streams", [], now=now + 61) == ["lobby-cam"]  # expired: asked again


def test_the_cache_is_per_region_and_profile(boto: Any) -> None:
    boto.kvs.create_stream(StreamName="east-cam")
    assert dyncomplete.values("streams", ["stream", "describe"]) == ["east-cam"]
    assert dyncomplete.values("streams", ["--region", "eu-west-1", "stream", "describe"]) == []
    assert dyncomplete.values("streams", ["--region=us-east-1"]) == ["east-cam"]


def test_keys_offer_aws_managed_and_customer_aliases_only(boto: Any) -> None:
    make_key(boto.kms, alias="alias/cams")
    make_key(boto.kms, alias="alias/doorbells")
    boto.kms.describe_key(KeyId="alias/aws/kinesisvideo")  # moto: makes an AWS alias exist
    assert dyncomplete.values("keys", []) == ["aws-managed", "alias/cams", "alias/doorbells"]


def test_a_zero_ttl_never_caches(boto: Any, monkeypatch: pytest.MonkeyPatch, cache_home: Path) -> None:
    monkeypatch.setenv("KVSCTL_COMPLETION_TTL", "0")
    boto.kvs.create_stream(StreamName="a")
    assert dyncomplete.values("streams", []) == ["a"]
    assert not cache_home.exists()


def test_regions_are_kvs_regions_from_botocore_data() -> None:
    regions = dyncomplete.regions()
    assert {"us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1"} <= set(regions)
    assert all(not r.startswith("fips") and "fips" not in r for r in regions)
    assert "us-west-1" not in regions  # KVS is not offered there (botocore's endpoint data)


def test_profiles_from_config_and_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[default]\nregion = us-east-1\n[profile prod]\nregion = us-west-2\n"
        "[sso-session corp]\nsso_region = us-east-1\n[services local]\n"
    )
    creds = tmp_path / "credentials"
    creds.write_text("[ci]\naws_access_key_id = x\n[prod]\naws_access_key_id = y\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    assert dyncomplete.values("profiles", []) == ["ci", "default", "prod"]


def test_a_broken_config_file_answers_nothing_rather_than_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.write_bytes(b"\xff\xfe not a config [")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    assert dyncomplete.values("profiles", []) == []


def test_an_endpoint_that_never_answers_costs_the_timeout_once_then_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A listening socket that never answers: the TAB is bounded by KVSCTL_COMPLETION_TIMEOUT, answers
    nothing, and the failure is cached so the next TAB is immediate."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        monkeypatch.setenv("KVSCTL_COMPLETION_TIMEOUT", "0.5")
        words = ["--endpoint-url", f"http://127.0.0.1:{silent.getsockname()[1]}"]
        started = time.monotonic()
        assert dyncomplete.values("streams", words) == []
        assert time.monotonic() - started < 2.5
        started = time.monotonic()
        assert dyncomplete.values("streams", words) == []
        assert time.monotonic() - started < 0.2  # the cached failure
    finally:
        silent.close()


def test_the_main_entry_never_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert dyncomplete.main(["no-such-kind", "--", "x"]) == 0
    assert dyncomplete.main([]) == 0
    assert capsys.readouterr() == ("", "")


def test_every_dynamic_argument_names_a_command_that_exists() -> None:
    import typer

    from kvsctl.cli.app import app

    paths = {n.path for n in walk(typer.main.get_command(app))}
    assert set(DYNAMIC_ARGUMENTS) <= paths


def _bash_probe(server: str, tmp_path: Path, lines: str) -> list[str]:
    bindir = Path(sys.executable).parent
    script = f"""
source <({bindir}/kvsctl completion bash)
{lines}
"""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "PATH": f"{bindir}:{os.environ.get('PATH', '')}",
        "AWS_ENDPOINT_URL": server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/kvsctl-test-credentials",
        "AWS_EC2_METADATA_DISABLED": "true",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_bash_completes_streams_aliases_regions_and_profiles_from_kvsctl(server: str, tmp_path: Path) -> None:
    """The generated script in a real bash, against a moto server: `kvsctl __complete` answers the TAB."""
    if shutil.which("bash") is None:
        pytest.skip("bash not installed")
    import boto3

    kvs = boto3.client("kinesisvideo", endpoint_url=server, region_name="us-east-1")
    kms = boto3.client("kms", endpoint_url=server, region_name="us-east-1")
    for name in ("lobby-cam", "loading-dock"):
        kvs.create_stream(StreamName=name)
    make_key(kms, alias="alias/cams")
    (tmp_path / "config").write_text("[profile prod]\nregion = us-west-2\n[profile dev]\n")
    out = _bash_probe(
        server,
        tmp_path,
        """
t() { COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _kvsctl; echo "${COMPREPLY[*]}"; }
t kvsctl stream describe lo
t kvsctl audit stream lobby-cam l
t kvsctl stream create cam --kms-key ""
t kvsctl stream list --region us-we
t kvsctl --profile ""
t kvsctl stream describe --
s=$(date +%s%N); t kvsctl stream describe lo >/dev/null; e=$(date +%s%N); echo "ms $(( (e - s) / 1000000 ))"
""",
    )
    assert out[0].split() == ["loading-dock", "lobby-cam"]
    assert out[1].split() == ["loading-dock", "lobby-cam"]
    assert out[2].split() == ["aws-managed", "alias/cams"]
    assert out[3].split() == ["us-west-2"]
    assert out[4].split() == ["dev", "prod"]
    assert "--help" in out[5].split() and "lobby-cam" not in out[5]  # an option, not a stream, after "-"
    assert out[6].startswith("ms ")  # from the cache; the figure is for the README, not asserted


def test_answers_from_local_files_do_not_import_boto3(tmp_path: Path) -> None:
    probe = (
        "import sys; from kvsctl.cli.dyncomplete import values; "
        "assert values('regions', []) and values('profiles', []) == []; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'typer', 'rich')))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
