"""The shipped JSON Schemas: fresh, valid draft 2020-12, printed by `kvsctl schema`, and strict enough to
catch the names and types the contract settles (numbers as numbers, absent values as null)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from kvsctl import schemas
from kvsctl.schemas.build import build_all
from tests.helpers import check_json_output, json_command, run_cli

HERE = Path(schemas.__file__).resolve().parent


def test_schema_files_are_fresh() -> None:
    built = build_all()
    on_disk = {p.name for p in HERE.glob("*.json")}
    assert on_disk == set(built), "run python -m kvsctl.schemas"
    for name, schema in built.items():
        assert json.loads((HERE / name).read_text()) == schema, f"{name} is stale: run python -m kvsctl.schemas"


@pytest.mark.parametrize("name", sorted(build_all()))
def test_each_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = json.loads((HERE / name).read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_command_prints_the_shipped_schema() -> None:
    r = run_cli("schema", "stream", "list", "-o", "json")
    assert r.exit_code == 0, r.stderr
    assert r.json == schemas.load("stream list")
    assert run_cli("schema", "key-recommend-policy", "-o", "json").json == schemas.load("key recommend-policy")
    listed = run_cli("schema", "-o", "json").json["schemas"]
    assert [s["command"] for s in listed] == schemas.commands()


def test_schema_of_an_unknown_command_is_exit_2() -> None:
    r = run_cli("schema", "stream", "delete", "-o", "json")
    assert r.exit_code == 2
    assert r.error["code"] == "unknown_command" and "stream list" in r.error["hint"]


def test_the_schemas_refuse_what_the_contract_ruled_out() -> None:
    """A number as a string, an empty string for an absent value, a missing new name: all refused."""
    stream = {
        "name": "cam",
        "stream_arn": "arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam/1",
        "arn": "arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam/1",
        "status": "ACTIVE",
        "retention_hours": 24,
        "media_type": None,
        "kms_key_id": None,
        "encryption": "aws-managed",
        "key": None,
        "device_name": None,
        "creation_time": None,
    }
    check_json_output(["stream", "describe", "cam"], stream)
    for broken in (
        {**stream, "retention_hours": "24"},
        {k: v for k, v in stream.items() if k != "stream_arn"},
        {**stream, "encryption": "none"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            check_json_output(["stream", "describe", "cam"], broken)
    key = {
        "key_arn": "alias/aws/kinesisvideo",
        "arn": "alias/aws/kinesisvideo",
        "key_id": "",
        "aliases": [],
        "manager": "AWS",
        "state": "NotCreated",
        "spec": "SYMMETRIC_DEFAULT",
        "usage": "ENCRYPT_DECRYPT",
        "region": "us-east-1",
        "account": None,
        "rotation_enabled": True,
    }
    check_json_output(["stream", "describe", "cam"], {**stream, "key": {**key, "key_id": None}})
    with pytest.raises(jsonschema.ValidationError):
        check_json_output(["stream", "describe", "cam"], {**stream, "key": key})  # key_id "" for "none"
    cost = run_cli("cost", "estimate", "-o", "json").json
    cost["assumptions"]["hours_per_month"] = "730"
    with pytest.raises(jsonschema.ValidationError):
        check_json_output(["cost", "estimate"], cost)


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["stream", "list", "-o", "json"], "stream list"),
        (["stream", "list"], "stream list"),
        (["key", "recommend-policy", "--admin", "x"], "key recommend-policy"),
        (["audit", "stream", "cam", "-o", "sarif"], None),
        (["stream", "list", "--query", "streams[].name"], None),
        (["audit", "all", "--output=json"], "audit all"),
    ],
)
def test_the_test_helper_finds_the_command(args: list[str], command: str | None) -> None:
    assert json_command(args) == command
