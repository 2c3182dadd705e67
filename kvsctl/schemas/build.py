"""The JSON Schemas (draft 2020-12) of what each command prints with `-o json`, written once here.

`python -m kvsctl.schemas` writes them to kvsctl/schemas/*.json (shipped with the package, printed by
`kvsctl schema COMMAND`); a test keeps the files fresh and validates every JSON output the tests produce.

The names are the same in every command (README, "JSON output and its schemas"): `stream_arn`,
`key_arn` (the resolved key), `kms_key_id` (what KVS holds), snake_case summaries, numbers as numbers,
absent values as null. Older
names that the contract promised stay for one release as properties marked `"deprecated": true`.
Objects stay open (`additionalProperties` is not false): the contract lets commands add fields.
"""

from __future__ import annotations

from typing import Any

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "urn:kvsctl:schema:"  # a name, not a place: the schemas ship with kvsctl

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOL: Schema = {"type": "boolean"}
STRINGS: Schema = {"type": "array", "items": STRING}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def deprecated(schema: Schema, instead: str) -> Schema:
    return {**schema, "deprecated": True, "description": f"Deprecated: use {instead}. Removed in the next release."}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None, **extra: Any) -> Schema:
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
        **extra,
    }


def ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


STREAM_ARN: Schema = {"type": "string", "pattern": "^arn:aws[a-z-]*:kinesisvideo:"}
KEY_ARN: Schema = {"type": "string", "pattern": "^(arn:aws[a-z-]*:kms:|alias/)"}
EXIT_DECISION = {"enum": ["allow", "implicit_deny", "explicit_deny", "conditional"]}
SEVERITY = {"enum": ["error", "warning", "info"]}

KEY: Schema = obj(
    {
        "key_arn": KEY_ARN,
        "arn": deprecated(KEY_ARN, "key_arn"),
        "key_id": nullable({"type": "string", "minLength": 1}),
        "aliases": STRINGS,
        "manager": {"enum": ["AWS", "CUSTOMER"]},
        "state": STRING,
        "spec": STRING,
        "usage": STRING,
        "region": STRING,
        "account": nullable({"type": "string", "pattern": "^[0-9]{12}$"}),
        "rotation_enabled": nullable(BOOL),
    },
    {
        "deletion_date": STRING,
        "description": STRING,
        "origin": STRING,
        "expiration_model": nullable(STRING),
        "valid_to": nullable(STRING),
        "custom_key_store": obj({"id": STRING, "connection_state": nullable(STRING)}),
        "multi_region": nullable(
            obj(
                {
                    "type": {"enum": ["PRIMARY", "REPLICA"]},
                    "primary": obj({"key_arn": KEY_ARN, "region": STRING}),
                    "replicas": {"type": "array", "items": obj({"key_arn": KEY_ARN, "region": STRING})},
                }
            )
        ),
    },
    description="A KMS key; key_id is null for the AWS managed key before KMS creates it.",
)

STREAM: Schema = obj(
    {
        "name": STRING,
        "stream_arn": STREAM_ARN,
        "arn": deprecated(STREAM_ARN, "stream_arn"),
        "status": STRING,
        "retention_hours": INT,
        "media_type": nullable(STRING),
        "kms_key_id": {**nullable(STRING), "description": "The KmsKeyId as KVS holds it (null: none)."},
        "encryption": {"enum": ["aws-managed", "customer-managed"]},
        "key": nullable(ref("key")),
        "device_name": nullable(STRING),
        "creation_time": nullable(STRING),
    },
    {"notes": STRINGS},
)

POLICY_DOCUMENT: Schema = obj(
    {"Version": STRING, "Statement": {"type": "array", "items": {"type": "object"}}},
    {"Id": STRING},
    description="An IAM/KMS policy document, as AWS takes it.",
)

LOCATION: Schema = obj({}, {"file": nullable(STRING), "line": nullable(INT), "label": nullable(STRING)})
FINDING: Schema = obj(
    {"severity": SEVERITY, "message": STRING},
    {
        "rule": STRING,
        "code": deprecated(STRING, "rule"),
        "status": {"enum": ["pass", "fail", "warn", "skip"]},
        "title": STRING,
        "fix": nullable(STRING),
        "remediation": deprecated(STRING, "fix"),
        "subject": nullable({"type": "object"}),
        "location": {
            "anyOf": [
                ref("location"),
                {"type": "string", "deprecated": True, "description": "Older form: the place as text."},
                {"type": "null"},
            ]
        },
    },
    description="A rule that fired: {rule, severity, title, message, fix, subject, location}.",
)
FIX: Schema = obj(
    {"summary": STRING, "where": STRING, "verified": BOOL, "changes": {"type": "array", "items": {"type": "object"}}},
    description="The smallest policy change that makes a failing check pass (kvsctl/workloads/fixes.py): each "
    "change {op, target, where, principal, policy, index, statement}; verified = re-evaluated and passing.",
)
ACCESS_RESULT: Schema = obj(
    {
        "principal": STRING,
        "role": {"enum": ["producer", "consumer"]},
        "action": STRING,
        "resource": STRING,
        "decision": EXIT_DECISION,
        "reasons": STRINGS,
    },
    {
        "rule": STRING,
        "path": nullable({"enum": ["producer", "getmedia", "fragments", "hls", "dash", "clip", "images"]}),
        "basis": nullable({"enum": ["documented", "inferred"]}),
        "fix": {"anyOf": [FIX, STRING, {"type": "null"}]},
        "stream": STRING,
        "statements": STRINGS,
        "trace": STRINGS,
    },
)
COUNTS: Schema = {
    "type": "object",
    "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
    "additionalProperties": {"type": "integer"},
    "description": "Counts with snake_case keys.",
}

COMMON_DEFS: dict[str, Schema] = {
    "key": KEY,
    "stream": STREAM,
    "policy_document": POLICY_DOCUMENT,
    "location": LOCATION,
    "finding": FINDING,
    "access_result": ACCESS_RESULT,
    "counts": COUNTS,
}

DIAGNOSIS: Schema = obj(
    {
        "ack_code": INT,
        "meaning": STRING,
        "principal": STRING,
        "layers": STRINGS,
        "explained": BOOL,
        "explanation": STRINGS,
    },
    {"stream": STRING, "role": nullable({"enum": ["producer", "consumer"]}), "fix": nullable(FIX)},
    description="--ack-code: which layer produces a KMS fragment ack / GetMedia error code (4500-4506).",
)
AUDIT: Schema = obj(
    {
        "ok": BOOL,
        "results": {"type": "array", "items": ref("access_result")},
        "findings": {"type": "array", "items": ref("finding")},
    },
    {
        "strict": BOOL,
        "fail_on": SEVERITY,
        "streams": {
            "type": "array",
            "items": obj(
                {"name": STRING, "ok": BOOL, "stream_arn": nullable(STREAM_ARN)},
                {
                    "arn": deprecated(nullable(STREAM_ARN), "stream_arn"),
                    "key_arn": nullable(STRING),
                    "region": nullable(STRING),
                    "encryption": nullable({"enum": ["aws-managed", "customer-managed"]}),
                },
            ),
        },
        "summary": ref("counts"),
    },
)

AUDIT_TEMPLATE: Schema = {
    **AUDIT,
    "required": [*AUDIT["required"], "files"],
    "properties": {
        **AUDIT["properties"],
        "results": {"type": "array", "items": {**ref("access_result"), "required": ["location"]}},
        "files": {**STRINGS, "description": "The templates and plans read."},
    },
    "description": "Results and findings carry location {file, line, label} in the template or plan; results "
    "of a template's principals carry principal_id (its logical id or Terraform address).",
}

MONEY: Schema = {**NUMBER, "description": "US dollars."}
COST: Schema = obj(
    {
        "requests_per_month": INT,
        "billable_requests": INT,
        "request_cost_usd": MONEY,
        "key_cost_usd": MONEY,
        "total_usd": MONEY,
        "assumptions": {
            "type": "object",
            "properties": {"calibration_file": nullable(STRING), "price_file": nullable(STRING)},
            "additionalProperties": {"type": ["number", "boolean", "null"]},
            "description": "Every assumption, a number (or true/false, or null when not set); calibration_file "
            "and price_file are the paths the interval and prices came from.",
        },
    },
    {
        "derived": {"type": "object", "additionalProperties": {"type": ["number", "null"]}},
        "breakdown": {
            "type": "array",
            "items": obj(
                {
                    "code": STRING,
                    "description": STRING,
                    "quantity": NUMBER,
                    "unit": STRING,
                    "unit_price_usd": MONEY,
                    "amount_usd": MONEY,
                }
            ),
        },
        "notes": STRINGS,
        "prices": {"type": "object"},
        "per_stream": {
            "type": "array",
            "items": obj({"name": STRING, "requests_per_month": INT, "request_cost_usd": MONEY}),
        },
        "per_key": {
            "type": "array",
            "items": obj({"requests_per_month": INT, "request_cost_usd": MONEY, "key_cost_usd": MONEY}),
        },
    },
)

CALIBRATION_RATE: Schema = obj(
    {
        "operation": STRING,
        "requests": INT,
        "sessions": INT,
        "sessions_with_repeats": INT,
        "data_key_interval_minutes": nullable(NUMBER),
        "requests_per_credential_hour": nullable(NUMBER),
        "requests_per_session": nullable(NUMBER),
    }
)
HOUR: Schema = {"type": "string", "description": "UTC, ISO 8601 (2026-12-01T10:00:00Z)."}
CALIBRATION: Schema = obj(
    {
        "window": obj(
            {"start": nullable(HOUR), "end": nullable(HOUR), "hours": NUMBER, "from": {"enum": ["records", "request"]}}
        ),
        "sources": INT,
        "records": INT,
        "kms_records": INT,
        "kvs_requests": INT,
        "failed_kvs_requests": INT,
        "other_kms_requests": INT,
        "other_kms_monthly_requests": INT,
        "rates": obj({"producer": CALIBRATION_RATE, "consumer": CALIBRATION_RATE, "all": CALIBRATION_RATE}),
        "sessions_per_principal_hour": obj({"principal_hours": INT, "mean": nullable(NUMBER), "max": nullable(INT)}),
        "per_key": {
            "type": "array",
            "items": obj(
                {
                    "key_arn": nullable(STRING),
                    "requests": INT,
                    "requests_by_operation": {"type": "object", "additionalProperties": INT},
                    "monthly_requests": INT,
                    "monthly_request_cost_usd": MONEY,
                }
            ),
        },
        "counts": {
            "type": "array",
            "items": obj(
                {
                    "key_arn": nullable(STRING),
                    "principal": STRING,
                    "operation": STRING,
                    "hour": HOUR,
                    "requests": INT,
                    "sessions": INT,
                }
            ),
        },
        "sessions": {"type": "array", "items": obj({"principal": STRING, "hour": HOUR, "sessions": INT})},
        "other_kms": {
            "type": "array",
            "items": obj({"key_arn": nullable(STRING), "operation": STRING, "requests": INT}),
        },
        "gaps": {"type": "array", "items": obj({"start": HOUR, "end": HOUR})},
        "malformed_total": INT,
        "malformed": {"type": "array", "items": obj({"source": STRING, "reason": STRING})},
        "warnings": STRINGS,
        "matched_on": STRING,
        "assumptions": obj({"hours_per_month": NUMBER, "price_per_10k": NUMBER}),
        "saved_to": nullable(STRING),
    }
)

APPLY_ITEM: Schema = obj(
    {
        "name": STRING,
        "action": {"enum": ["would-create", "created", "exists", "drift", "wrong-key", "blocked", "failed"]},
        "ok": BOOL,
        "kms_key_declared": STRING,
        "key_arn": nullable(STRING),
        "stream_arn": nullable(STREAM_ARN),
        "kms_key_id": nullable(STRING),
        "kms_key_id_held": deprecated(nullable(STRING), "kms_key_id"),
        "message": STRING,
        "fix": nullable(STRING),
    }
)

PREFLIGHT_CHECK: Schema = obj(
    {"status": {"enum": ["pass", "fail", "warn", "info", "skip"]}, "message": STRING},
    {"rule": STRING, "id": STRING, "title": STRING, "check": STRING, "line": nullable(INT), "fix": nullable(STRING)},
)

SCHEMAS: dict[str, tuple[str, Schema]] = {
    "stream create": (
        "What `stream create` did (or would do) and with which key.",
        obj(
            {
                "action": {"enum": ["created", "exists", "would-create"]},
                "dry_run": BOOL,
                "stream": nullable(ref("stream")),
                "kms_key_id": {
                    **nullable(STRING),
                    "description": "The KmsKeyId sent to CreateStream, which KVS holds (null: the AWS managed key).",
                },
                "kms_key_id_sent": deprecated(nullable(STRING), "kms_key_id"),
                "key": ref("key"),
            },
            {"planned": {"type": "object"}},
        ),
    ),
    "stream describe": ("One stream with its key.", ref("stream")),
    "stream list": ("Every stream with its key.", obj({"streams": {"type": "array", "items": ref("stream")}})),
    "key recommend-policy": ("The key policy document alone, ready for put-key-policy.", ref("policy_document")),
    "iam recommend-policy": (
        "The IAM identity policy document alone, ready for put-role-policy.",
        ref("policy_document"),
    ),
    "key create": (
        "The key created (or planned) with its policy.",
        obj(
            {
                "action": {"enum": ["created", "would-create"]},
                "dry_run": BOOL,
                "alias": STRING,
                "key": nullable(ref("key")),
                "policy": ref("policy_document"),
                "tags": {"type": "object", "additionalProperties": STRING},
            },
            {"description": STRING, "paths": STRINGS},
        ),
    ),
    "key describe": (
        "A key, whether KVS can use it, its policy, its streams and who can use it through KVS.",
        obj(
            {
                "key": ref("key"),
                "usable_by_kvs": BOOL,
                "problems": STRINGS,
                "streams": {
                    "type": "array",
                    "items": obj(
                        {
                            "name": STRING,
                            "stream_arn": STREAM_ARN,
                            "arn": deprecated(STREAM_ARN, "stream_arn"),
                            "status": STRING,
                        },
                        {"retention_hours": INT},
                    ),
                },
                "policy": nullable(ref("policy_document")),
            },
            {
                "access": obj(
                    {
                        "principals": {
                            "type": "array",
                            "items": obj(
                                {
                                    "principal": STRING,
                                    "kms:GenerateDataKey": EXIT_DECISION,
                                    "kms:Decrypt": EXIT_DECISION,
                                    "reasons": {"type": "object", "additionalProperties": STRINGS},
                                }
                            ),
                        },
                        "notes": STRINGS,
                    }
                ),
                "notes": STRINGS,
            },
        ),
    ),
    "apply": (
        "What `apply` did (or would do) for each declared stream.",
        obj(
            {
                "ok": BOOL,
                "dry_run": BOOL,
                "spec": STRING,
                "region": STRING,
                "summary": ref("counts"),
                "streams": {"type": "array", "items": APPLY_ITEM},
            }
        ),
    ),
    "preflight": (
        "Each declared stream checked against the account.",
        obj(
            {
                "ok": BOOL,
                "spec": STRING,
                "region": nullable(STRING),
                "summary": ref("counts"),
                "streams": {
                    "type": "array",
                    "items": obj(
                        {
                            "name": STRING,
                            "ok": BOOL,
                            "stream_arn": nullable(STREAM_ARN),
                            "checks": {"type": "array", "items": PREFLIGHT_CHECK},
                        },
                        {
                            "arn": deprecated(nullable(STREAM_ARN), "stream_arn"),
                            "key_arn": nullable(STRING),
                            "line": nullable(INT),
                        },
                    ),
                },
            },
            {"strict": BOOL, "fail_on": SEVERITY},
        ),
    ),
    "audit policy": ("Offline audit of a key policy (and IAM policies, grants, SCPs).", AUDIT),
    "audit stream": (
        "Live audit of named streams (with --ack-code, a diagnosis of that code).",
        {**AUDIT, "properties": {**AUDIT["properties"], "diagnosis": DIAGNOSIS}},
    ),
    "audit all": ("Live audit of every stream in one or more regions.", AUDIT),
    "audit template": (
        "Offline audit of CloudFormation templates, CDK output and Terraform plans, located at file:line.",
        AUDIT_TEMPLATE,
    ),
    "cost estimate": ("The KMS cost estimate; every figure a number.", COST),
    "rules": (
        "Every rule kvsctl checks (the registry: kvsctl/checks/rules.py).",
        obj(
            {
                "rules": {
                    "type": "array",
                    "items": obj(
                        {
                            "id": STRING,
                            "name": {"type": "string", "pattern": "^[A-Z][A-Za-z0-9]*$"},
                            "severity": SEVERITY,
                            "title": STRING,
                            "description": STRING,
                            "remediation": STRING,
                            "help_uri": STRING,
                            "security_severity": nullable(NUMBER),
                            "tags": STRINGS,
                        }
                    ),
                }
            }
        ),
    ),
    "cost calibrate": ("KMS requests KVS made, measured from CloudTrail; every figure a number.", CALIBRATION),
    "sandbox serve": (
        "Where the sandbox listens and the environment that points a shell at it.",
        obj({"endpoint_url": STRING, "environment": {"type": "object", "additionalProperties": STRING}}),
    ),
    "key list": (
        "The customer managed keys KVS can use in the region (with --all, the rest too, with why not).",
        obj(
            {
                "region": STRING,
                "keys": {
                    "type": "array",
                    "items": obj(
                        {
                            "key_arn": KEY_ARN,
                            "key_id": STRING,
                            "aliases": STRINGS,
                            "state": STRING,
                            "spec": STRING,
                            "usage": STRING,
                            "rotation_enabled": nullable(BOOL),
                            "streams": INT,
                            "usable_by_kvs": BOOL,
                            "why_not": STRINGS,
                        }
                    ),
                },
                "unusable_not_shown": INT,
            }
        ),
    ),
    "whoami": (
        "The caller (STS GetCallerIdentity), where its credentials came from, and the endpoint checks.",
        obj(
            {
                "arn": STRING,
                "account": STRING,
                "user_id": STRING,
                "region": STRING,
                "profile": nullable(STRING),
                "endpoint_url": nullable(STRING),
                "credential_source": STRING,
                "checks": {
                    "type": "array",
                    "items": obj({"service": STRING, "endpoint": STRING, "ok": BOOL, "detail": STRING}),
                },
                "ok": BOOL,
            }
        ),
    ),
    "schema": (
        "`kvsctl schema` alone: the commands that have a schema. With a COMMAND: that JSON Schema itself.",
        {
            "anyOf": [
                obj({"schemas": {"type": "array", "items": obj({"command": STRING, "id": STRING, "title": STRING})}}),
                obj({"$schema": {"const": DRAFT}, "$id": STRING}),
            ]
        },
    ),
}

ERROR: Schema = obj(
    {"error": obj({"code": STRING, "message": STRING}, {"hint": nullable(STRING)})},
    description="What every command writes to stderr under -o json when it fails (exit 2, 3 or 4).",
)


def file_name(command: str) -> str:
    return command.replace(" ", "-") + ".json"


def build(command: str) -> Schema:
    """The self-contained schema of one command (only the shared definitions it uses)."""
    description, body = SCHEMAS[command]
    import json

    text = json.dumps(body)
    defs: dict[str, Schema] = {}
    pending = [name for name in COMMON_DEFS if f'"#/$defs/{name}"' in text]
    while pending:
        name = pending.pop()
        if name in defs:
            continue
        defs[name] = COMMON_DEFS[name]
        inner = json.dumps(COMMON_DEFS[name])
        pending += [n for n in COMMON_DEFS if f'"#/$defs/{n}"' in inner and n not in defs]
    schema: Schema = {
        "$schema": DRAFT,
        "$id": BASE_ID + command.replace(" ", "-"),
        "title": f"kvsctl {command} -o json",
        "description": description,
    }
    if "$ref" in body and len(body) == 1:
        schema["$ref"] = body["$ref"]
    else:
        schema.update(body)
    if defs:
        schema["$defs"] = dict(sorted(defs.items()))
    return schema


def build_all() -> dict[str, Schema]:
    """File name -> schema, for every command and for the error object."""
    files = {file_name(command): build(command) for command in SCHEMAS}
    files["error.json"] = {
        "$schema": DRAFT,
        "$id": BASE_ID + "error",
        "title": "kvsctl error -o json (stderr)",
        **ERROR,
    }
    return files
