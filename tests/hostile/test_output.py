"""Issue 11, items 13 and 14 (output): a reader that stops early (`| head -1`, `| true`) is exit 0 with
nothing on stderr; stdout closed (`>&-`) or full (`/dev/full`) is exit 1 with one line on stderr; and a
command that created something says what on stderr whenever the output that would have said so is lost.

A real closed pipe, a real closed descriptor and /dev/full need a real process: those tests run kvsctl as
a subprocess (a few; the in-process tests cover the rest with a stdout that fails like them)."""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REGION, CliResult, server_client

ADMIN = "arn:aws:iam::123456789012:role/admin"


def _env(endpoint: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": REGION,
            "AWS_CONFIG_FILE": "/nonexistent/kvsctl-test-config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/kvsctl-test-credentials",
            "AWS_EC2_METADATA_DISABLED": "true",
            "NO_COLOR": "1",
        }
    )
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    return env


def run_with_stdout(args: list[str], stdout: str, endpoint: str | None = None) -> tuple[int, str]:
    """Run kvsctl with stdout "closed-pipe" (the reader already gone), "closed" (>&-) or "full"
    (/dev/full); return the exit code and stderr."""
    cmd = [sys.executable, "-m", "kvsctl", *args]
    env = _env(endpoint)
    if stdout == "closed-pipe":
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            proc = subprocess.run(cmd, stdout=write_end, stderr=subprocess.PIPE, env=env, timeout=60, text=True)
        finally:
            os.close(write_end)
    elif stdout == "full":
        with open("/dev/full", "w") as full:
            proc = subprocess.run(cmd, stdout=full, stderr=subprocess.PIPE, env=env, timeout=60, text=True)
    else:
        proc = subprocess.run(
            cmd, stderr=subprocess.PIPE, env=env, timeout=60, text=True, preexec_fn=lambda: os.close(1)
        )
    return proc.returncode, proc.stderr


def test_reader_gone_is_exit_0_without_a_word() -> None:
    code, err = run_with_stdout(["cost", "estimate", "-o", "table"], "closed-pipe")
    assert (code, err) == (0, "")


def test_reader_gone_after_a_create_still_names_what_was_created(server: str) -> None:
    code, err = run_with_stdout(["stream", "create", "cam", "-o", "json"], "closed-pipe", server)
    arn = server_client(server, "kinesisvideo").describe_stream(StreamName="cam")["StreamInfo"]["StreamARN"]
    assert code == 0
    assert err.splitlines()[-1] == f"kvsctl: the output's reader closed early; this run created: stream {arn}"
    assert "Traceback" not in err and "BrokenPipe" not in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_dev_full_after_a_create_is_exit_1_naming_the_stream(server: str) -> None:
    code, err = run_with_stdout(["stream", "create", "cam", "-o", "json"], "full", server)
    arn = server_client(server, "kinesisvideo").describe_stream(StreamName="cam")["StreamInfo"]["StreamARN"]
    assert code == 1, err
    error = json.loads(err.strip().splitlines()[-1])["error"]
    assert error["code"] == "output_failed" and error["created"] == [f"stream {arn}"]
    assert "No space left on device" in error["message"] and arn in error["message"]
    assert "Traceback" not in err and "Exception ignored" not in err


def test_closed_stdout_is_exit_1_and_nothing_is_created(server: str) -> None:
    code, err = run_with_stdout(["stream", "create", "cam"], "closed", server)
    assert code == 1
    assert "stdout is closed; nothing was done" in err and "Traceback" not in err
    assert server_client(server, "kinesisvideo").list_streams()["StreamInfoList"] == []


# -- in-process: a stdout that fails the way a full disk, a closed descriptor or a gone reader does ------


class FailingStdout(io.StringIO):
    def __init__(self, error: int) -> None:
        super().__init__()
        self.error = error

    def write(self, text: str) -> int:
        raise OSError(self.error, os.strerror(self.error))

    def isatty(self) -> bool:
        return False


def run_failing(error: int, *args: str) -> CliResult:
    from kvsctl.cli.app import main

    err = io.StringIO()
    with contextlib.redirect_stdout(FailingStdout(error)), contextlib.redirect_stderr(err):
        code = main(list(args))
    return CliResult(code, "", err.getvalue(), tuple(args))


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EBADF, errno.EIO])
@pytest.mark.parametrize("output", ["table", "json"])
def test_output_that_cannot_be_written_is_exit_1(error: int, output: str) -> None:
    result = run_failing(error, "cost", "estimate", "-o", output)
    assert result.exit_code == 1
    assert os.strerror(error) in result.stderr and "Traceback" not in result.stderr
    assert len([ln for ln in result.stderr.splitlines() if ln.strip()]) <= 2  # the error and its hint


def test_reader_gone_in_process_is_exit_0() -> None:
    result = run_failing(errno.EPIPE, "cost", "estimate", "-o", "table")
    assert (result.exit_code, result.stderr) == (0, "")
    assert type(sys.stdout).__name__ != "PacifyFlushWrapper"


def test_help_into_a_gone_reader_is_exit_0_and_leaves_stdout_unwrapped() -> None:
    result = run_failing(errno.EPIPE, "--help")
    assert (result.exit_code, result.stderr) == (0, "")
    assert type(sys.stdout).__name__ != "PacifyFlushWrapper"
    assert type(sys.stderr).__name__ != "PacifyFlushWrapper"


def test_apply_that_cannot_write_names_every_stream_it_created(boto: Any, tmp_path: Path) -> None:
    spec = tmp_path / "streams.toml"
    streams = "".join(f'[[stream]]\nname = "cam-{i}"\nkms_key = "aws-managed"\n' for i in range(3))
    spec.write_text('region = "us-east-1"\n' + streams)
    result = run_failing(errno.ENOSPC, "apply", str(spec), "-o", "json")
    arns = sorted(s["StreamARN"] for s in boto.kvs.list_streams()["StreamInfoList"])
    assert result.exit_code == 1 and len(arns) == 3
    error = result.error
    assert error["code"] == "output_failed"
    assert sorted(c.removeprefix("stream ") for c in error["created"]) == arns


def test_key_create_that_cannot_write_names_the_key_and_alias(boto: Any) -> None:
    result = run_failing(errno.ENOSPC, "key", "create", "--alias", "alias/cams", "--admin", ADMIN, "-o", "json")
    aliases = {a["AliasName"]: a["TargetKeyId"] for a in boto.kms.list_aliases()["Aliases"]}
    key_arn = boto.kms.describe_key(KeyId=aliases["alias/cams"])["KeyMetadata"]["Arn"]
    assert result.exit_code == 1
    assert result.error["created"] == [f"key {key_arn} with alias alias/cams"]


def test_a_stream_that_existed_is_not_reported_as_created(boto: Any) -> None:
    boto.kvs.create_stream(StreamName="cam")
    result = run_failing(errno.ENOSPC, "stream", "create", "cam", "--if-not-exists", "-o", "json")
    assert result.exit_code == 1 and result.error["created"] == []
