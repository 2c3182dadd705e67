"""Every command renders in every output format it offers (as pip-audit proves every format has a renderer).

The commands and the formats each offers are read from the CLI itself, so a new command, or a new format
on an old one, fails `test_every_command_has_an_invocation` until it is given a row in INVOCATIONS; then
each (command, format) pair is run in-process against moto and its output is checked for what the format
promises: JSON that parses, SARIF 2.1.0 valid against the published schema, JUnit XML, a table that is
not JSON.
"""

from __future__ import annotations

import inspect
import json
import typing
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from tests.audit_world import CONSUMER, PRODUCER, make_principals
from tests.helpers import ACCOUNT, REGION, CliResult, run_cli
from tests.trail_fixtures import write_scenario

SARIF_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"


def _leaf_commands() -> Iterator[tuple[str, Any]]:
    import typer

    from kvsctl.cli.app import app

    def walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                yield from walk(sub, (*path, name))
        else:
            yield " ".join(path), command

    yield from walk(typer.main.get_command(app), ())


def offered_formats(command: Any) -> tuple[str, ...]:
    """The `-o` choices of one command, read from its signature (the choice enum the CLI builds)."""
    parameter = inspect.signature(command.callback).parameters.get("output")
    if parameter is None:
        return ()
    choice = next(a for a in typing.get_args(typing.get_args(parameter.annotation)[0]) if a is not type(None))
    assert issubclass(choice, Enum)
    return tuple(str(member.value) for member in choice)


def commands_and_formats() -> dict[str, tuple[str, ...]]:
    return {path: formats for path, command in _leaf_commands() if (formats := offered_formats(command))}


# -- a small account every command can work on ------------------------------------------------------


@dataclass
class World:
    tmp: Path
    key_arn: str
    stream_arn: str
    policy_file: Path
    spec_file: Path


def _world(tmp: Path) -> World:
    import boto3

    kms = boto3.client("kms", region_name=REGION)
    kvs = boto3.client("kinesisvideo", region_name=REGION)
    iam = boto3.client("iam", region_name=REGION)
    make_principals(iam)
    from kvsctl.keys.policy import PolicyRequest, build_key_policy

    policy = build_key_policy(
        PolicyRequest(admins=(ADMIN,), producers=(PRODUCER,), consumers=(CONSUMER,), region=REGION)
    ).document
    meta = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]
    kms.create_alias(AliasName="alias/cams", TargetKeyId=meta["KeyId"])
    kms.enable_key_rotation(KeyId=meta["KeyId"])
    stream_arn = kvs.create_stream(StreamName="lobby-cam", KmsKeyId=meta["Arn"], DataRetentionInHours=24)["StreamARN"]
    policy_file = tmp / "key-policy.json"
    policy_file.write_text(json.dumps(policy))
    spec_file = tmp / "streams.toml"
    spec_file.write_text(
        "[[stream]]\n"
        'name = "lobby-cam"\nkms_key = "alias/cams"\nretention_hours = 24\n'
        f'producers = ["{PRODUCER}"]\nconsumers = ["{CONSUMER}"]\n'
        "[[stream]]\n"
        'name = "dock-cam"\nkms_key = "alias/cams"\n'
    )
    return World(tmp, meta["Arn"], stream_arn, policy_file, spec_file)


def _shard(w: World) -> str:
    """An `audit all -o json` report of the world's account, as `report merge` reads it."""
    path = w.tmp / "shard.json"
    if not path.exists():
        assert run_cli("audit", "all", "-o", "json", "--report", str(path)).exit_code in (0, 1)
    return str(path)


@dataclass(frozen=True)
class Invocation:
    argv: Callable[[World], list[str]]
    exits: tuple[int, ...] = (0,)


INVOCATIONS: dict[str, Invocation] = {
    "stream create": Invocation(lambda w: ["stream", "create", "new-cam", "--kms-key", "alias/cams"]),
    "stream describe": Invocation(lambda w: ["stream", "describe", "lobby-cam"]),
    "stream list": Invocation(lambda w: ["stream", "list"]),
    "key recommend-policy": Invocation(
        lambda w: ["key", "recommend-policy", "--region", REGION, "--admin", ADMIN, "--producer", PRODUCER]
    ),
    "key create": Invocation(lambda w: ["key", "create", "--alias", "alias/new", "--admin", ADMIN, "--dry-run"]),
    "key describe": Invocation(lambda w: ["key", "describe", "alias/cams"]),
    "iam recommend-policy": Invocation(
        lambda w: [
            "iam",
            "recommend-policy",
            "--consumer",
            "--read",
            "all",
            "--key-arn",
            w.key_arn,
            "--stream-arn",
            w.stream_arn,
        ]
    ),
    "apply": Invocation(lambda w: ["apply", str(w.spec_file), "--dry-run"]),
    "preflight": Invocation(lambda w: ["preflight", str(w.spec_file)], exits=(0, 1)),
    "audit policy": Invocation(
        lambda w: [
            "audit",
            "policy",
            "--key-policy",
            str(w.policy_file),
            "--key-arn",
            w.key_arn,
            "--stream-arn",
            w.stream_arn,
            "--producer",
            PRODUCER,
            "--consumer",
            CONSUMER,
        ],
        exits=(0, 1),
    ),
    "audit stream": Invocation(
        lambda w: ["audit", "stream", "lobby-cam", "--producer", PRODUCER, "--consumer", CONSUMER], exits=(0, 1)
    ),
    "audit all": Invocation(lambda w: ["audit", "all"], exits=(0, 1)),
    "audit template": Invocation(
        # every read path and the producer's create calls: denied checks with fixes, located in the template
        lambda w: [
            "audit",
            "template",
            str(Path(__file__).resolve().parents[2] / "examples" / "iac" / "cloudformation" / "kvs-stack.yaml"),
            "--consumer",
            "ViewerRole",
            "--read",
            "all",
            "--producer-creates",
        ],
        exits=(1,),
    ),
    "report merge": Invocation(lambda w: ["report", "merge", _shard(w)], exits=(0, 1)),
    "cost estimate": Invocation(lambda w: ["cost", "estimate", "--streams", "3"]),
    "rules": Invocation(lambda w: ["rules"]),
    "cost calibrate": Invocation(lambda w: ["cost", "calibrate", str(write_scenario(w.tmp / "trail"))]),
    "sandbox serve": Invocation(lambda w: ["sandbox", "serve", "--port", "0"]),
    "key list": Invocation(lambda w: ["key", "list", "--all"]),
    "whoami": Invocation(lambda w: ["whoami"]),
    "schema": Invocation(lambda w: ["schema", "stream", "list"]),
}

# Options that change what a command prints, each run in every format its command offers
# ("command path --option": the command path is what comes before the first option).
VARIANTS: dict[str, Invocation] = {
    "audit all --verbose": Invocation(lambda w: ["audit", "all", "--verbose"], exits=(0, 1)),
    "audit stream --stream-name": Invocation(
        lambda w: ["audit", "stream", "--stream-name", "lobby-cam", "--producer", PRODUCER], exits=(0, 1)
    ),
    "cost estimate --from-account --verbose": Invocation(lambda w: ["cost", "estimate", "--from-account", "--verbose"]),
    "stream describe --stream-arn": Invocation(lambda w: ["stream", "describe", "--stream-arn", w.stream_arn]),
    "stream create --stream-name": Invocation(lambda w: ["stream", "create", "--stream-name", "new-cam"]),
}

# Commands that offer a format but are proven elsewhere, with where.
COVERED_ELSEWHERE: dict[str, str] = {
    "sandbox demo": "tests/e2e/test_demo.py runs the whole tour (a narrated table, its only format)",
}


def test_every_command_has_an_invocation() -> None:
    offered = commands_and_formats()
    assert "audit stream" in offered and offered["audit stream"] == ("table", "json", "sarif", "junit")
    missing = sorted(set(offered) - set(INVOCATIONS) - set(COVERED_ELSEWHERE))
    assert missing == [], f"give these commands a row in INVOCATIONS: {missing}"
    assert sorted(set(INVOCATIONS) - set(offered)) == [], "rows for commands that do not exist (or offer no -o)"
    root = Path(__file__).resolve().parents[2]
    for path, reason in COVERED_ELSEWHERE.items():
        assert (root / reason.split()[0]).is_file(), (path, reason)


def test_every_command_with_json_output_has_a_schema() -> None:
    from kvsctl import schemas

    offered = commands_and_formats()
    missing = sorted(path for path, formats in offered.items() if "json" in formats and schemas.find([path]) is None)
    assert missing == [], f"add a schema in kvsctl/schemas/build.py for: {missing}"
    assert sorted(set(schemas.commands()) - set(offered)) == [], "schemas for commands that do not exist"


def _check_output(fmt: str, result: CliResult) -> None:
    stdout = result.stdout
    assert stdout.strip(), "nothing printed"
    if fmt == "json":
        assert result.json is not None  # parsed and validated against the command's schema
    elif fmt == "sarif":
        import jsonschema

        log = json.loads(stdout)
        assert log["version"] == "2.1.0"
        jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))
    elif fmt == "junit":
        root = ET.fromstring(stdout)
        assert root.tag in ("testsuites", "testsuite")
        assert root.iter("testcase"), "no test case"
    else:
        with pytest.raises(ValueError):
            json.loads(stdout)


PAIRS = [(path, fmt) for path, formats in sorted(commands_and_formats().items()) for fmt in formats]


@pytest.mark.parametrize(("path", "fmt"), [p for p in PAIRS if p[0] not in COVERED_ELSEWHERE])
def test_command_renders_in_format(path: str, fmt: str, moto: None, tmp_path: Path, monkeypatch: Any) -> None:
    if path == "sandbox serve":
        import kvsctl.sandbox.server as server

        def stop(_seconds: float) -> None:
            raise KeyboardInterrupt  # what Ctrl-C does to the running sandbox

        monkeypatch.setattr(server.time, "sleep", stop)
    world = _world(tmp_path)
    invocation = INVOCATIONS[path]
    result = run_cli(*invocation.argv(world), "-o", fmt)
    assert result.exit_code in invocation.exits, (result.exit_code, result.stderr[-2000:])
    _check_output(fmt, result)


VARIANT_PAIRS = [
    (variant, fmt) for variant in sorted(VARIANTS) for fmt in commands_and_formats()[variant.split(" --")[0]]
]


@pytest.mark.parametrize(("variant", "fmt"), VARIANT_PAIRS)
def test_option_variant_renders_in_format(variant: str, fmt: str, moto: None, tmp_path: Path) -> None:
    world = _world(tmp_path)
    invocation = VARIANTS[variant]
    result = run_cli(*invocation.argv(world), "-o", fmt)
    assert result.exit_code in invocation.exits, (result.exit_code, result.stderr[-2000:])
    _check_output(fmt, result)
