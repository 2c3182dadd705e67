"""Local validation of CreateStream inputs, with KVS's documented patterns and limits (FACTS.md).

Everything here runs before any AWS call; a failure is a UsageError (exit 2).
"""

from __future__ import annotations

import re
import unicodedata

from kvsctl.errors import UsageError

STREAM_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,256}$")
DEVICE_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,128}$")
_MT = r"[\w\-\.\+]+/[\w\-\.\+]+"
MEDIA_TYPE = re.compile(rf"^{_MT}(,{_MT})*$")
MAX_RETENTION_HOURS = 87_600
MAX_TAGS = 50
_TAG_PUNCT = set("_.:/=+-@")


def stream_name(name: str) -> str:
    if not STREAM_NAME.match(name):
        raise UsageError(
            f"invalid stream name {name!r}",
            hint="Stream names are 1-256 characters of letters, digits, '_', '.' and '-'.",
            code="invalid_stream_name",
        )
    return name


def name_prefix(prefix: str | None) -> str | None:
    """A ListStreams BEGINS_WITH value: same characters as a stream name (KVS refuses others)."""
    if prefix and not STREAM_NAME.match(prefix):
        raise UsageError(
            f"invalid stream name prefix {prefix!r}",
            hint="A prefix is 1-256 characters of letters, digits, '_', '.' and '-'.",
            code="invalid_stream_name",
        )
    return prefix


def device_name(name: str | None) -> str | None:
    if name is not None and not DEVICE_NAME.match(name):
        raise UsageError(
            f"invalid device name {name!r}",
            hint="Device names are 1-128 characters of letters, digits, '_', '.' and '-'.",
        )
    return name


def media_type(value: str | None) -> str | None:
    if value is not None and (len(value) > 128 or not MEDIA_TYPE.match(value)):
        raise UsageError(
            f"invalid media type {value!r}",
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
                raise UsageError(f"tag {pair!r} is not KEY=VALUE", hint="Example: --tag team=video")
            k, v = pair.split("=", 1)
            items.append((k, v))
    result: dict[str, str] = {}
    for k, v in items:
        if not 1 <= len(k) <= 128 or not _tag_chars_ok(k):
            raise UsageError(
                f"invalid tag key {k!r}",
                hint="Tag keys are 1-128 letters, digits, spaces and _ . : / = + - @",
            )
        if k.lower().startswith("aws:"):
            raise UsageError(f"tag key {k!r} uses the reserved prefix 'aws:'", hint="Choose another key.")
        if len(v) > 256 or not _tag_chars_ok(v):
            raise UsageError(
                f"invalid value for tag {k!r}",
                hint="Tag values are 0-256 letters, digits, spaces and _ . : / = + - @",
            )
        if k in result:
            raise UsageError(f"tag {k!r} is given twice", hint="Give each tag key once.")
        result[k] = v
    if len(result) > MAX_TAGS:
        raise UsageError(f"{len(result)} tags given; KVS allows at most {MAX_TAGS}", hint="Drop some tags.")
    return result
