"""Parse a spec file (TOML) into a Spec. Every mistake is a SpecError (exit 2) naming the file, the
line and a hint, found before any AWS call.

    region = "us-west-2"            # optional; --region wins
    [[stream]]
    name = "lobby-cam"
    kms_key = "alias/cams"          # or a key ARN/id, or "aws-managed"
    retention_hours = 24            # optional
    media_type = "video/h264"       # optional
    tags = { team = "video" }       # optional
    producers = ["arn:aws:iam::123456789012:role/Producer"]   # optional
    consumers = ["arn:aws:iam::123456789012:role/Consumer"]   # optional
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kvsctl import validate
from kvsctl.errors import KvsctlError, UsageError, shown
from kvsctl.keyref import KeyRef, parse_key_ref
from kvsctl.longnum import too_long_in
from kvsctl.streamspec.locate import KeyLocator

TOP_KEYS = ("region", "rcps", "stream")
STREAM_KEYS = (
    "name",
    "kms_key",
    "retention_hours",
    "media_type",
    "tags",
    "producers",
    "consumers",
    "reads",
    "producer_creates",
)
REQUIRED_STREAM_KEYS = ("name", "kms_key")

EXAMPLE = (
    'Example:\n  region = "us-west-2"\n  [[stream]]\n  name = "lobby-cam"\n  kms_key = "alias/cams"\n'
    '  producers = ["arn:aws:iam::123456789012:role/Producer"]'
)


class SpecError(UsageError):
    """A spec file problem: file, line, message, hint (exit 2)."""

    default_code = "invalid_spec"

    def __init__(self, file: str, line: int | None, message: str, *, hint: str | None = None) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}", hint=hint)
        self.file = file
        self.line = line
        self.detail = message

    def to_json(self) -> dict[str, object]:
        data = super().to_json()
        err = data["error"]
        assert isinstance(err, dict)
        err.update({"file": self.file, "line": self.line})
        return data


@dataclass(frozen=True)
class StreamSpec:
    name: str
    kms_key: str
    key_ref: KeyRef
    line: int
    retention_hours: int | None = None
    media_type: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    producers: tuple[str, ...] = ()
    consumers: tuple[str, ...] = ()
    reads: tuple[str, ...] = ("getmedia",)  # the consumers' read paths (kvsctl/workloads/paths.py)
    producer_creates: bool = False
    #: line of each key ("kms_key", ...) and of each principal ("producers:ARN"), for reports
    lines: dict[str, int] = field(default_factory=dict, compare=False)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kms_key": self.kms_key,
            "retention_hours": self.retention_hours,
            "media_type": self.media_type,
            "tags": dict(self.tags),
            "producers": list(self.producers),
            "consumers": list(self.consumers),
            "reads": list(self.reads),
            "producer_creates": self.producer_creates,
        }


@dataclass(frozen=True)
class Spec:
    path: str
    region: str | None
    streams: tuple[StreamSpec, ...]
    # resource control policies of the keys' account, (file, document), paths relative to the spec file;
    # empty: read them live (Organizations) where allowed
    rcps: tuple[tuple[str, Any], ...] = ()


def _toml_loads(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    data: dict[str, Any] = tomllib.loads(text)
    return data


def _type_name(value: object) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


#: A spec of thousands of streams is well under 1 MiB; anything far larger is not a spec.
MAX_SPEC_BYTES = 16 * 1024 * 1024


def load_spec(path: str | Path) -> Spec:
    from kvsctl.files import InputFileProblem, read_bounded

    try:
        raw = read_bounded(path, MAX_SPEC_BYTES)
    except InputFileProblem as exc:
        raise SpecError(str(path), None, exc.reason, hint=exc.hint) from None
    try:
        text = raw.decode("utf-8-sig")  # a BOM (Windows editors write one) is not part of the TOML
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError(
            str(path), line, "is not UTF-8 text", hint="TOML files are UTF-8; re-save it as UTF-8."
        ) from None
    return parse_spec(text, str(path))


def parse_spec(text: str, file: str = "spec.toml") -> Spec:
    try:
        data = _toml_loads(text)
    except ValueError as exc:  # tomllib.TOMLDecodeError, or int()'s digit limit inside tomllib
        found = too_long_in(text) if "integer string conversion" in str(exc) else None
        if found is not None:
            raise SpecError(file, found[1], str(found[0]), hint=EXAMPLE) from None
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column \d+\)", msg) or re.search(r"line (\d+)", msg)
        line = int(m.group(1)) if m else None
        clean = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg) if m else msg
        raise SpecError(
            file, line, f"not valid TOML: {clean}", hint="Check quotes, brackets and '=' on that line. " + EXAMPLE
        ) from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise SpecError(file, None, "nested too deeply to be a spec file", hint=EXAMPLE) from None
    return _Parser(file, KeyLocator.scan(text)).spec(data)


class _Parser:
    def __init__(self, file: str, loc: KeyLocator) -> None:
        self.file = file
        self.loc = loc

    def fail(self, message: str, line: int, hint: str) -> SpecError:
        return SpecError(self.file, line, message, hint=hint)

    def spec(self, data: dict[str, Any]) -> Spec:
        for key in data:
            if key not in TOP_KEYS:
                raise self.fail(f"unknown key {shown(key)}", self.loc.line((key,)), _did_you_mean(key, TOP_KEYS))
        region = data.get("region")
        if region is not None:
            line = self.loc.line(("region",))
            if not isinstance(region, str):
                raise self.fail(
                    f"region must be a string, not {_type_name(region)}", line, 'Write region = "us-west-2".'
                )
            try:
                validate.region(region)
            except KvsctlError as exc:
                raise self.fail(exc.message, line, exc.hint or "") from None
        raw_streams = data.get("stream")
        if raw_streams is None:
            raise self.fail("declares no streams", 1, "Add a [[stream]] entry for each stream. " + EXAMPLE)
        if not isinstance(raw_streams, list) or not all(isinstance(s, dict) for s in raw_streams):
            raise self.fail(
                "'stream' must be an array of tables ([[stream]])",
                self.loc.line(("stream",)),
                "Declare each stream under its own [[stream]] header. " + EXAMPLE,
            )
        streams: list[StreamSpec] = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(raw_streams):
            s = self.stream(index, entry)
            if s.name in seen:
                raise self.fail(
                    f"stream {shown(s.name)} is declared twice (first on line {seen[s.name]})",
                    self.loc.line(("name",), index),
                    "Declare each stream once.",
                )
            seen[s.name] = self.loc.line(("name",), index)
            streams.append(s)
        return Spec(self.file, region, tuple(streams), self.rcps(data.get("rcps")))

    def rcps(self, raw: object) -> tuple[tuple[str, Any], ...]:
        if raw is None:
            return ()
        line = self.loc.line(("rcps",))
        hint = 'Write rcps = ["rcp.json"] (resource control policy files, relative to the spec file).'
        if not isinstance(raw, list) or not all(isinstance(x, str) and x for x in raw):
            raise self.fail("rcps must be an array of file names", line, hint)
        from kvsctl.policy.document import PolicyKind, PolicyParseError, parse_policy

        out: list[tuple[str, Any]] = []
        for name in raw:
            path = Path(self.file).parent / name
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                why = getattr(exc, "strerror", None) or exc
                raise self.fail(f"rcps: cannot read {name}: {why}", line, hint) from None
            try:
                parse_policy(text, name, PolicyKind.RCP)
            except PolicyParseError as exc:
                raise self.fail(f"rcps: {exc}", line, "Fix the RCP; AWS would refuse it too.") from None
            out.append((name, text))
        return tuple(out)

    def stream(self, index: int, entry: dict[str, Any]) -> StreamSpec:
        def line(*key: str) -> int:
            return self.loc.line(key, index)

        header = self.loc.line((), index)
        label = f"[[stream]] #{index + 1}"
        if isinstance(entry.get("name"), str):
            label = f"stream {shown(entry['name'])}"
        for key in entry:
            if key not in STREAM_KEYS:
                raise self.fail(f"{label}: unknown key {shown(key)}", line(key), _did_you_mean(key, STREAM_KEYS))
        for key in REQUIRED_STREAM_KEYS:
            if key not in entry:
                raise self.fail(f"{label}: missing {shown(key)}", header, f"Every [[stream]] needs {key}. " + EXAMPLE)

        def string(key: str, hint: str) -> str | None:
            value = entry.get(key)
            if value is not None and not isinstance(value, str):
                raise self.fail(f"{label}: {key} must be a string, not {_type_name(value)}", line(key), hint)
            return value

        name = string("name", 'Write name = "lobby-cam".')
        assert name is not None
        self.check(lambda: validate.stream_name(name), label, line("name"))
        kms_key = string("kms_key", 'Write kms_key = "alias/NAME", a key ARN or id, or "aws-managed".')
        assert kms_key is not None
        key_ref = self.check(lambda: parse_key_ref(kms_key), label, line("kms_key"))
        retention = entry.get("retention_hours")
        if retention is not None:
            if isinstance(retention, bool) or not isinstance(retention, int):
                raise self.fail(
                    f"{label}: retention_hours must be an integer, not {_type_name(retention)}",
                    line("retention_hours"),
                    "Write retention_hours = 24 (a whole number of hours, no quotes).",
                )
            self.check(lambda: validate.retention_hours(retention), label, line("retention_hours"))
        media_type = string("media_type", 'Write media_type = "video/h264".')
        self.check(lambda: validate.media_type(media_type), label, line("media_type"))
        tags = self.tags(entry.get("tags"), label, index)
        producers = self.principals(entry, "producers", label, index)
        consumers = self.principals(entry, "consumers", label, index)
        reads = self.reads(entry.get("reads"), label, line("reads"))
        creates = entry.get("producer_creates", False)
        if not isinstance(creates, bool):
            raise self.fail(
                f"{label}: producer_creates must be true or false, not {_type_name(creates)}",
                line("producer_creates"),
                "Write producer_creates = true (kvssink creates a missing stream by default).",
            )
        lines = {key: line(key) for key in entry}
        for key in ("producers", "consumers"):
            for arn in producers if key == "producers" else consumers:
                lines[f"{key}:{arn}"] = self.loc.value_line(line(key), arn)
        return StreamSpec(
            name=name,
            kms_key=kms_key,
            key_ref=key_ref,
            line=header,
            lines=lines,
            retention_hours=retention,
            media_type=media_type,
            tags=tags,
            producers=producers,
            consumers=consumers,
            reads=reads,
            producer_creates=creates,
        )

    def reads(self, value: Any, label: str, line: int) -> tuple[str, ...]:
        from kvsctl.workloads.paths import parse_reads

        hint = 'Write reads = ["getmedia", "hls"] (getmedia, fragments, hls, dash, clip, images, or "all").'
        if value is None:
            return parse_reads(None)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{label}: reads must be an array of read path names, not {_type_name(value)}", line, hint)
        result: tuple[str, ...] = self.check(lambda: parse_reads(value, "reads"), label, line)
        return result

    def check(self, func: Any, label: str, line: int) -> Any:
        """Run one of the shared validators, re-raising its error with the file and line."""
        try:
            return func()
        except KvsctlError as exc:
            raise self.fail(f"{label}: {exc.message}", line, exc.hint or "") from None

    def tags(self, value: Any, label: str, index: int) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(
                f"{label}: tags must be a table, not {_type_name(value)}",
                self.loc.line(("tags",), index),
                'Write tags = { team = "video" }.',
            )
        for k, v in value.items():
            if not isinstance(v, str):
                raise self.fail(
                    f"{label}: tag {shown(k)} must be a string, not {_type_name(v)}",
                    self.loc.line(("tags", k), index),
                    f'Quote the value: {k} = "{v}".',
                )
        result: dict[str, str] = self.check(lambda: validate.tags(dict(value)), label, self.loc.line(("tags",), index))
        return result

    def principals(self, entry: dict[str, Any], key: str, label: str, index: int) -> tuple[str, ...]:
        value = entry.get(key)
        if value is None:
            return ()
        start = self.loc.line((key,), index)
        hint = f'Write {key} = ["arn:aws:iam::123456789012:role/NAME"].'
        if not isinstance(value, list):
            raise self.fail(f"{label}: {key} must be an array of ARNs, not {_type_name(value)}", start, hint)
        for item in value:
            if not isinstance(item, str):
                raise self.fail(f"{label}: {key} must hold strings, found {_type_name(item)}", start, hint)
            where = self.loc.value_line(start, item)
            self.check(lambda item=item: validate.principal_arn(item, key[:-1]), label, where)
        return tuple(dict.fromkeys(value))


def _did_you_mean(key: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    known = "Known keys: " + ", ".join(allowed) + "."
    return f"Did you mean {close[0]!r}? {known}" if close else known
