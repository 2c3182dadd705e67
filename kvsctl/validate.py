"""Local validation of what users type, one validator per identifier: CreateStream inputs (KVS's
documented patterns and limits, https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_CreateStream.html),
regions, account ids, alias names and principal ARNs.

Every command and the spec file call the same function for the same identifier, so a value accepted on
the command line is accepted in a spec file and the other way round. Everything here runs before any
AWS call; a failure is a UsageError (exit 2).
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from kvsctl.errors import UsageError, shown

if TYPE_CHECKING:
    from kvsctl.policy.principals import PrincipalId

# Always fullmatch, over ASCII classes: `$` matches before a final newline ("cam\n" passed) and `\w`
# accepts any Unicode letter (a Cyrillic look-alike passed), where KVS means ASCII.
STREAM_NAME = re.compile(r"[a-zA-Z0-9_.-]{1,256}", re.ASCII)
DEVICE_NAME = re.compile(r"[a-zA-Z0-9_.-]{1,128}", re.ASCII)
_MT = r"[A-Za-z0-9_\-\.\+]+/[A-Za-z0-9_\-\.\+]+"
MEDIA_TYPE = re.compile(rf"{_MT}(,{_MT})*", re.ASCII)
MAX_RETENTION_HOURS = 87_600
MAX_TAGS = 50
_TAG_PUNCT = set("_.:/=+-@")


def stream_name(name: str) -> str:
    if not STREAM_NAME.fullmatch(name):
        raise UsageError(
            f"invalid stream name {shown(name)}",
            hint="Stream names are 1-256 characters of letters, digits, '_', '.' and '-'.",
            code="invalid_stream_name",
        )
    return name


STREAM_ARN = re.compile(
    r"arn:aws(?:-cn|-us-gov)?:kinesisvideo:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"stream/(?P<name>[a-zA-Z0-9_.-]{1,256})/(?P<stamp>\d+)"
)


def stream_ref(value: str) -> tuple[str, str | None, str | None]:
    """(name, ARN or None, the ARN's region or None) for a stream name or a stream ARN, as the AWS CLI
    takes either."""
    if value.startswith("arn:"):
        m = STREAM_ARN.fullmatch(value)
        if not m:
            raise UsageError(
                f"invalid stream ARN {shown(value)}",
                hint="Stream ARNs look like arn:aws:kinesisvideo:REGION:ACCOUNT:stream/NAME/1234567890123.",
                code="invalid_stream_name",
            )
        return m["name"], value, m["region"]
    return stream_name(value), None, None


def stream_given(
    positional: list[str] | str | None,
    names: list[str] | None = None,
    arns: list[str] | None = None,
    *,
    region: str | None = None,
    many: bool = False,
    new: bool = False,
) -> list[str]:
    """The streams a command was given, each checked by `stream_ref`: as its positional NAME (a name or a
    stream ARN, as the AWS CLI takes either), as `--stream-name` (the AWS CLI's spelling) or as
    `--stream-arn`. Exactly one stream unless `many`; a `new` stream (to create) is a name, never an ARN.
    An ARN in another region than --region is refused: the request would look in the wrong place."""
    given = [positional] if isinstance(positional, str) else list(positional or ())
    given += list(names or ())
    for value in arns or ():
        if not value.startswith("arn:"):
            raise UsageError(
                f"--stream-arn {value!r} is not an ARN",
                hint="Give the stream's name as NAME or --stream-name, or its ARN as --stream-arn.",
                code="invalid_stream_name",
            )
        given.append(value)
    if not given:
        raise UsageError(
            "name a stream" + (" or more" if many else ""),
            hint="Give it as NAME" + ("" if new else ", its ARN") + " or --stream-name NAME.",
            code="usage",
        )
    if len(given) > 1 and not many:
        raise UsageError(
            f"one stream, not {len(given)}: {', '.join(given)}",
            hint="Give the stream once, as NAME or --stream-name" + ("" if new else " or --stream-arn") + ".",
            code="usage",
        )
    for value in given:
        name, is_arn, in_region = stream_ref(value)
        if is_arn and new:
            raise UsageError(
                f"{value!r} is a stream ARN; a new stream is given by name",
                hint=f"Use the name: {name}.",
                code="invalid_stream_name",
            )
        if in_region and region and in_region != region:
            raise UsageError(
                f"stream {value} is in {in_region}, not in --region {region}",
                hint="Drop --region (the ARN names the region) or give the stream's name.",
                code="usage",
            )
    return given


def arn_region(values: list[str]) -> str | None:
    """The region the given stream ARNs share, or None (names only, or ARNs in several regions)."""
    regions = {r for v in values if (r := stream_ref(v)[2]) is not None}
    return regions.pop() if len(regions) == 1 else None


def name_prefix(prefix: str | None) -> str | None:
    """A ListStreams BEGINS_WITH value: same characters as a stream name (KVS refuses others)."""
    if prefix and not STREAM_NAME.fullmatch(prefix):
        raise UsageError(
            f"invalid stream name prefix {shown(prefix)}",
            hint="A prefix is 1-256 characters of letters, digits, '_', '.' and '-'.",
            code="invalid_stream_name",
        )
    return prefix


def device_name(name: str | None) -> str | None:
    if name is not None and not DEVICE_NAME.fullmatch(name):
        raise UsageError(
            f"invalid device name {shown(name)}",
            hint="Device names are 1-128 characters of letters, digits, '_', '.' and '-'.",
        )
    return name


def media_type(value: str | None) -> str | None:
    if value is not None and (len(value) > 128 or not MEDIA_TYPE.fullmatch(value)):
        raise UsageError(
            f"invalid media type {shown(value)}",
            hint="Use a MIME type such as video/h264, at most 128 characters (several: video/h264,audio/aac).",
        )
    return value


def retention_hours(hours: int | None) -> int | None:
    if hours is not None and not 0 <= hours <= MAX_RETENTION_HOURS:
        raise UsageError(
            f"retention of {hours} hours is out of range",
            hint=f"Retention is 0 (no retention) to {MAX_RETENTION_HOURS} hours (10 years).",
        )
    return hours


def _tag_chars_ok(text: str) -> bool:
    return all(c.isalnum() or c in _TAG_PUNCT or unicodedata.category(c).startswith("Z") for c in text)


def tags(pairs: list[str] | dict[str, str] | None) -> dict[str, str]:
    """Parse KEY=VALUE tags (or check a mapping) against KVS's tag rules."""
    if not pairs:
        return {}
    items: list[tuple[str, str]]
    if isinstance(pairs, dict):
        items = [(str(k), str(v)) for k, v in pairs.items()]
    else:
        items = []
        for pair in pairs:
            if "=" not in pair:
                raise UsageError(f"tag {shown(pair)} is not KEY=VALUE", hint="Example: --tag team=video")
            k, v = pair.split("=", 1)
            items.append((k, v))
    result: dict[str, str] = {}
    for k, v in items:
        if not 1 <= len(k) <= 128 or not _tag_chars_ok(k):
            raise UsageError(
                f"invalid tag key {shown(k)}",
                hint="Tag keys are 1-128 letters, digits, spaces and _ . : / = + - @",
            )
        if k.lower().startswith("aws:"):
            raise UsageError(f"tag key {shown(k)} uses the reserved prefix 'aws:'", hint="Choose another key.")
        if len(v) > 256 or not _tag_chars_ok(v):
            raise UsageError(
                f"invalid value for tag {shown(k)}",
                hint="Tag values are 0-256 letters, digits, spaces and _ . : / = + - @",
            )
        if k in result:
            raise UsageError(f"tag {shown(k)} is given twice", hint="Give each tag key once.")
        result[k] = v
    if len(result) > MAX_TAGS:
        raise UsageError(f"{len(result)} tags given; KVS allows at most {MAX_TAGS}", hint="Drop some tags.")
    return result


# -- identifiers shared by many commands ----------------------------------------------------------

REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}", re.ASCII)
ACCOUNT_ID = re.compile(r"[0-9]{12}", re.ASCII)
ALIAS_NAME = re.compile(r"alias/[a-zA-Z0-9/_-]{1,250}", re.ASCII)
REGION_HINT = "Regions look like us-west-2 or eu-central-1."


def region(value: str) -> str:
    """An AWS region name (us-west-2, cn-north-1, us-gov-west-1)."""
    if not REGION.fullmatch(value):
        raise UsageError(f"invalid region {shown(value)}", hint=REGION_HINT, code="invalid_region")
    return value


def account_id(value: str) -> str:
    """A 12-digit AWS account id."""
    if not ACCOUNT_ID.fullmatch(value):
        raise UsageError(
            f"invalid account id {shown(value)}", hint="Account ids are 12 digits.", code="invalid_account"
        )
    return value


def alias_name(value: str, *, creating: bool = False) -> str:
    """A KMS alias name, alias/NAME (KMS CreateAlias: letters, digits, / _ -). `creating`: also refuse the
    alias/aws/ prefix, which only AWS may use."""
    if not ALIAS_NAME.fullmatch(value):
        raise UsageError(
            f"invalid alias {shown(value)}",
            hint="Aliases look like alias/NAME: letters, digits, / _ - (at most 256 characters).",
            code="invalid_alias",
        )
    if creating and value.lower().startswith("alias/aws/"):
        raise UsageError(
            f"{value} is reserved: alias/aws/ names belong to AWS managed keys",
            hint="Choose another name, e.g. alias/kvs-cams.",
            code="invalid_alias",
        )
    return value


_IAM_NAME = r"[A-Za-z0-9+=,.@_-]{1,128}"
_PRINCIPAL_RESOURCE = re.compile(
    rf"root|(user|role)/(?:{_IAM_NAME}/)*{_IAM_NAME}"
    rf"|assumed-role/{_IAM_NAME}/[A-Za-z0-9+=,.@_-]{{2,64}}"
    r"|federated-user/[A-Za-z0-9+=,.@_-]{2,32}",
    re.ASCII,
)
_PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b")
PRINCIPAL_HINT = (
    "Name an IAM role, user, assumed-role session or federated user by ARN, e.g. "
    "arn:aws:iam::123456789012:role/CameraProducer, or an account (123456789012 or arn:aws:iam::123456789012:root)."
)


def principal_arn(value: str, what: str = "principal") -> PrincipalId:
    """A principal that can call KVS and KMS with its own credentials: an IAM role or user, an assumed-role
    session, a federated user, or an account (its 12-digit id or root ARN, which mean the same principal in
    a policy). Wildcards, IAM groups (never principals) and service principals (KVS uses the caller's
    credentials) are refused. `what` names the value in the message (--producer, consumers, ...)."""
    from kvsctl.policy.principals import PrincipalError, PrincipalKind, parse_principal

    text = value.strip()
    if not text.isascii():  # \d and \w downstream would take look-alike digits and letters
        raise UsageError(
            f"{what} {shown(text)} contains characters that are not ASCII",
            hint="IAM ARNs and account ids are ASCII; retype the value. " + PRINCIPAL_HINT,
            code="invalid_principal",
        )
    if "*" in text or "?" in text:
        raise UsageError(
            f"{what} {shown(text)} contains a wildcard",
            hint="A principal cannot be a pattern; in a key policy a wildcard would open the key. " + PRINCIPAL_HINT,
            code="invalid_principal",
        )
    parts = text.split(":", 5)
    if len(parts) == 6 and parts[2] == "iam" and parts[5].startswith("group/"):
        raise UsageError(
            f"{what} {shown(text)} is an IAM group; groups cannot be principals",
            hint="Name the role or the users instead (or delegate to the account's IAM and grant the group there).",
            code="invalid_principal",
        )
    try:
        principal = parse_principal(text)
    except PrincipalError:
        principal = None
    if principal is not None and principal.kind is PrincipalKind.SERVICE:
        raise UsageError(
            f"{what} {shown(text)} is a service principal; KVS uses the caller's own credentials",
            hint=PRINCIPAL_HINT,
            code="invalid_principal",
        )
    if principal is None or (text.startswith("arn:") and not _PRINCIPAL_RESOURCE.fullmatch(parts[5])):
        raise UsageError(
            f"{what} {shown(text)} is not an IAM role, user, session or account ARN",
            hint=PRINCIPAL_HINT,
            code="invalid_principal",
        )
    if text.startswith("arn:") and principal.partition not in _PARTITIONS:
        raise UsageError(
            f"{what} {shown(text)} names an unknown partition {shown(principal.partition)}",
            hint=PRINCIPAL_HINT,
            code="invalid_principal",
        )
    return principal
