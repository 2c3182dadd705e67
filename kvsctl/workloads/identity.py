"""The least-privilege IAM identity policy for a KVS producer or consumer role (pure: no I/O, no AWS).

The correct version of the KVS guide's example policies, which use the ``kinesis-video:`` prefix (the IAM
prefix is ``kinesisvideo:``), a malformed stream ARN (``arn:aws:kinesis-video:*:ACCT:MyStream``) and a
trailing comma. The statements follow the calls real clients make (kvsctl/workloads/paths.py): the stream
actions on exact stream ARNs (or ``stream/PREFIX*``), the KMS action on the key ARN, only through KVS.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kvsctl.errors import UsageError, shown
from kvsctl.policy.match import parse_arn
from kvsctl.workloads.paths import (
    CREATE_STREAM,
    DECRYPT,
    DEFAULT_READS,
    GENERATE_DATA_KEY,
    GET_DATA_ENDPOINT,
    TAG_STREAM,
    paths_for,
    producer_path,
    read_path,
)

VERSION = "2012-10-17"
_PREFIX = re.compile(r"^[a-zA-Z0-9_.-]{1,256}$")


@dataclass(frozen=True)
class IdentityPolicyRequest:
    key_arn: str
    stream_arns: Sequence[str] = ()
    name_prefix: str | None = None
    producer: bool = False
    consumer: bool = False
    reads: Sequence[str] = DEFAULT_READS
    producer_creates: bool = False
    account: str | None = None  # for --name-prefix: the streams' account (default: the key's)


@dataclass(frozen=True)
class IdentityPolicy:
    document: dict[str, Any]
    paths: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())


def _check_key_arn(arn: str) -> tuple[str, str, str]:
    a = parse_arn(arn)
    if a is None or a.service != "kms" or a.resource_type != "key" or not a.region or not a.account or "*" in arn:
        raise UsageError(
            f"--key-arn {shown(arn)} is not a KMS key ARN",
            hint="Use arn:aws:kms:REGION:ACCOUNT:key/KEY_ID (IAM policies name keys by key ARN, not by alias; "
            "kvsctl stream describe NAME shows it).",
        )
    return a.partition, a.region, a.account


def _check_stream_arn(arn: str, region: str) -> str:
    a = parse_arn(arn)
    parts = arn.split(":", 5)
    resource = parts[5] if len(parts) == 6 else ""
    if (
        a is None
        or a.service != "kinesisvideo"
        or a.resource_type != "stream"
        or not a.region
        or not a.account
        or "*" in arn
        or not re.fullmatch(r"stream/[a-zA-Z0-9_.-]{1,256}/\d+", resource)
    ):
        raise UsageError(
            f"--stream-arn {shown(arn)} is not a Kinesis video stream ARN",
            hint="Use arn:aws:kinesisvideo:REGION:ACCOUNT:stream/NAME/CREATION_MS (kvsctl stream describe NAME), "
            "or --name-prefix for a family of streams.",
        )
    if a.region != region:
        raise UsageError(
            f"--stream-arn {arn}: in {a.region}, the key in {region}",
            hint="KVS needs the stream's key in the stream's own region.",
        )
    return arn


def _creation_arn(arn: str) -> str:
    """CreateStream / TagStream on a stream of that name, whatever its creation time."""
    return arn.rsplit("/", 1)[0] + "/*"


def build_identity_policy(req: IdentityPolicyRequest) -> IdentityPolicy:
    """Raises UsageError (exit 2) for bad input, before anything is printed."""
    if not req.producer and not req.consumer:
        raise UsageError("say whose policy: --producer or --consumer (or both)")
    partition, region, key_account = _check_key_arn(req.key_arn)
    if bool(req.stream_arns) == (req.name_prefix is not None):
        raise UsageError(
            "give the streams: --stream-arn ARN (repeatable) or --name-prefix PREFIX, not both",
            hint="Exact stream ARNs are least privilege; a prefix covers a family of streams.",
        )
    if req.account is not None and not re.fullmatch(r"\d{12}", req.account):
        raise UsageError(f"--account {shown(req.account)}: an account id is 12 digits")
    if req.name_prefix is not None:
        if not _PREFIX.match(req.name_prefix):
            raise UsageError(
                f"--name-prefix {shown(req.name_prefix)}: not a stream name prefix",
                hint="1-256 letters, digits, '_', '.' and '-'.",
            )
        account = req.account or key_account
        streams = [f"arn:{partition}:kinesisvideo:{region}:{account}:stream/{req.name_prefix}*"]
        creation = streams
    else:
        streams = list(dict.fromkeys(_check_stream_arn(a.strip(), region) for a in req.stream_arns))
        creation = list(dict.fromkeys(_creation_arn(a) for a in streams))
    via = {"StringEquals": {"kms:ViaService": f"kinesisvideo.{region}.amazonaws.com"}}
    one = _one_or_list
    statements: list[dict[str, Any]] = []
    names: list[str] = []
    if req.producer:
        p = producer_path(False)
        names.append(p.name)
        statements.append(
            {"Sid": "KvsProducerStream", "Effect": "Allow", "Action": list(p.actions[:-1]), "Resource": one(streams)}
        )
        if req.producer_creates:
            statements.append(
                {
                    "Sid": "KvsProducerCreateStream",
                    "Effect": "Allow",
                    "Action": [CREATE_STREAM, TAG_STREAM],
                    "Resource": one(creation),
                }
            )
        statements.append(
            {
                "Sid": "KvsProducerGenerateDataKeyViaKvs",
                "Effect": "Allow",
                "Action": GENERATE_DATA_KEY,
                "Resource": req.key_arn,
                "Condition": via,
            }
        )
    if req.consumer:
        reads = tuple(paths_for("consumer", req.reads))
        names += [p.name for p in reads]
        actions = [GET_DATA_ENDPOINT, *dict.fromkeys(a for p in reads for a in p.own_actions)]
        statements.append({"Sid": "KvsConsumerRead", "Effect": "Allow", "Action": actions, "Resource": one(streams)})
        statements.append(
            {
                "Sid": "KvsConsumerDecryptViaKvs",
                "Effect": "Allow",
                "Action": DECRYPT,
                "Resource": req.key_arn,
                "Condition": via,
            }
        )
    notes = [
        "Attach it to the producer/consumer role (an inline or customer managed policy). The key policy must "
        "allow the role too, or delegate to the account's IAM (kvsctl key recommend-policy).",
    ]
    if req.producer_creates:
        notes.append(
            "CreateStream creates streams on the AWS managed key: kvssink has no key setting. Prefer creating "
            "streams with kvsctl stream create --kms-key and leaving CreateStream out."
        )
    if any(r.basis == "inferred" for n in names if n != "producer" for r in read_path(n).requirements):
        notes.append("kms:Decrypt for read paths other than getmedia is inferred: AWS documents it for GetMedia only.")
    document = {"Version": VERSION, "Statement": statements}
    return IdentityPolicy(document, tuple(names), tuple(notes))


def _one_or_list(items: list[str]) -> str | list[str]:
    return items[0] if len(items) == 1 else items
