"""Shared test helpers: run kvsctl in-process or as a subprocess, and parse what it printed."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def error(self) -> dict[str, Any]:
        """The JSON error object written to stderr under -o json."""
        lines = [ln for ln in self.stderr.splitlines() if ln.startswith("{")]
        assert lines, f"no JSON error on stderr: {self.stderr!r}"
        return dict(json.loads(lines[-1])["error"])


def run_cli(*args: str, stdin: str = "") -> CliResult:
    """Run kvsctl in this process through the real entry point (the error boundary included)."""
    from kvsctl.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        sys.stdin = old_stdin
    return CliResult(code, out.getvalue(), err.getvalue())


def run_subprocess(
    *args: str, endpoint: str | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> CliResult:
    """Run `python -m kvsctl` as a separate process (end-to-end tests)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    full_env.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "NO_COLOR": "1",
        }
    )
    if endpoint:
        full_env["AWS_ENDPOINT_URL"] = endpoint
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "kvsctl", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def make_key(
    kms: Any,
    *,
    alias: str | None = None,
    state: str = "Enabled",
    spec: str = "SYMMETRIC_DEFAULT",
    usage: str = "ENCRYPT_DECRYPT",
    description: str = "test key",
) -> dict[str, Any]:
    """Create a KMS key in moto in a given state; returns its KeyMetadata."""
    meta: dict[str, Any] = kms.create_key(Description=description, KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
    if alias:
        kms.create_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
    if state == "Disabled":
        kms.disable_key(KeyId=meta["KeyId"])
    elif state == "PendingDeletion":
        kms.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=7)
    return meta


def stream_names(kvs: Any) -> list[str]:
    return sorted(s["StreamName"] for s in kvs.list_streams()["StreamInfoList"])


def server_client(endpoint: str, service: str) -> Any:
    """A plain boto3 client pointed at a moto server, for arranging and checking state in e2e tests."""
    import boto3

    return boto3.client(
        service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
