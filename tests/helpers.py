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
    args: tuple[str, ...] = ()

    @property
    def json(self) -> Any:
        """stdout parsed, and checked against the command's shipped JSON Schema (kvsctl schema COMMAND)."""
        data = json.loads(self.stdout)
        check_json_output(self.args, data)
        return data

    @property
    def error(self) -> dict[str, Any]:
        """The JSON error object written to stderr under -o json (checked against its schema)."""
        lines = [ln for ln in self.stderr.splitlines() if ln.startswith("{")]
        assert lines, f"no JSON error on stderr: {self.stderr!r}"
        document = json.loads(lines[-1])
        _validator("error").validate(document)
        return dict(document["error"])


_VALIDATORS: dict[str, Any] = {}


def _validator(command: str) -> Any:
    if command not in _VALIDATORS:
        import jsonschema

        from kvsctl import schemas

        schema = schemas.load_error() if command == "error" else schemas.load(command)
        _VALIDATORS[command] = jsonschema.Draft202012Validator(schema)
    return _VALIDATORS[command]


def json_command(args: tuple[str, ...] | list[str]) -> str | None:
    """The command whose `-o json` document `args` print, or None (another format, --query reshaping it,
    or no command that has a schema)."""
    from kvsctl import schemas

    args = list(args)
    if "--query" in args or any(a.startswith("--query=") for a in args):
        return None
    for i, arg in enumerate(args):
        if arg in ("-o", "--output") and i + 1 < len(args) and args[i + 1] != "json":
            return None
        if arg.startswith(("--output=", "-o")) and arg not in ("-o", "--output") and not arg.endswith("json"):
            return None
    words = [a for a in args if not a.startswith("-")]
    for command in sorted(schemas.commands(), key=lambda c: -len(c.split())):
        if words[: len(command.split())] == command.split():
            return command
    return None


#: deprecated name -> the names that replace it (the first one present); where both are printed they agree
DEPRECATED_ALIASES = {
    "arn": ("stream_arn", "key_arn"),  # a stream's arn is its stream_arn, a key's its key_arn
    "kms_key_id_sent": ("kms_key_id",),
    "kms_key_id_held": ("kms_key_id",),
    "code": ("rule",),
}


def check_deprecated_aliases(data: Any) -> None:
    """Every deprecated alias holds the same value as the name that replaces it, at every depth."""
    if isinstance(data, dict):
        for old, news in DEPRECATED_ALIASES.items():
            new = next((n for n in news if n in data), None)
            if old in data and new is not None:
                assert data[old] == data[new], f"deprecated {old!r} differs from {new!r}: {data}"
        for value in data.values():
            check_deprecated_aliases(value)
    elif isinstance(data, list):
        for value in data:
            check_deprecated_aliases(value)


def check_json_output(args: tuple[str, ...] | list[str], data: Any) -> None:
    """Fail the test when a command's JSON output does not match its schema."""
    command = json_command(args)
    if command is not None:
        _validator(command).validate(data)
        if command != "schema":  # a JSON Schema's own "properties" are not output fields
            check_deprecated_aliases(data)


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
    return CliResult(code, out.getvalue(), err.getvalue(), tuple(args))


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
            # never the developer's profiles, never the instance metadata service
            "AWS_CONFIG_FILE": "/nonexistent/kvsctl-test-config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/kvsctl-test-credentials",
            "AWS_EC2_METADATA_DISABLED": "true",
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
    return CliResult(proc.returncode, proc.stdout, proc.stderr, tuple(args))


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
