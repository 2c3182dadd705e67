"""Read template and plan files into plain data that remembers its line numbers.

JSON and YAML both decode to ``LDict`` / ``LList`` (dict and list with a ``line``; a mapping also keeps
the line of each key), so every resource and policy statement can be reported as ``file:line``.

YAML is read with PyYAML's safe loader (its C parser when present) and a constructor for the
CloudFormation short forms: ``!Ref X`` becomes ``{"Ref": "X"}``, ``!GetAtt A.B`` becomes
``{"Fn::GetAtt": ["A", "B"]}``, ``!Condition C`` ``{"Condition": "C"}`` and every other ``!Name``
``{"Fn::Name": ...}``, as CloudFormation itself reads them. Where YAML 1.1 would turn text into
something CloudFormation keeps as text (``Version: 2012-10-17`` is no date; ``012345678901`` is an
account id, not an octal number), the text is kept. Duplicate keys are an error, as CloudFormation
makes them.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from kvsctl.errors import shown
from kvsctl.longnum import NumberTooLong, max_digits, read_int, too_long_in

MAX_BYTES = 64 * 1024 * 1024  # Terraform plans of large configurations run to tens of MiB


class TemplateError(ValueError):
    """A file that cannot be read as a template or plan: names the file and, where known, the line."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = path
        self.line = line
        self.message = message


class LDict(dict[str, Any]):
    """A mapping with the line it starts on and the line of each of its keys."""

    line: int
    key_lines: dict[str, int]

    def __init__(self, *args: Any, line: int = 0, key_lines: dict[str, int] | None = None) -> None:
        super().__init__(*args)
        self.line = line
        self.key_lines = key_lines or {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key) or self.line


class LList(list[Any]):
    """A sequence with the line it starts on."""

    line: int

    def __init__(self, *args: Any, line: int = 0) -> None:
        super().__init__(*args)
        self.line = line


def line_of(value: object, default: int = 0) -> int:
    return getattr(value, "line", 0) or default


# -- JSON ---------------------------------------------------------------------------------------------


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _LineDecoder(json.JSONDecoder):
    """json's own decoder with its object and array parsers wrapped to record lines (found by bisecting
    the newline offsets, so a large plan decodes in linear time)."""

    def __init__(self, text: str) -> None:
        super().__init__(parse_int=read_int)
        newlines = [i for i, c in enumerate(text) if c == "\n"]

        def line_at(pos: int) -> int:
            return bisect.bisect_left(newlines, pos) + 1

        obj_inner: Callable[..., tuple[Any, int]] = json.decoder.JSONObject  # type: ignore[attr-defined]
        arr_inner: Callable[..., tuple[Any, int]] = json.decoder.JSONArray  # type: ignore[attr-defined]

        def pairs_hook_for(line: int) -> Callable[[list[tuple[str, Any]]], LDict]:
            def hook(pairs: list[tuple[str, Any]]) -> LDict:
                out = LDict(line=line)
                for k, v in pairs:
                    if k in out:
                        raise _Duplicate(k)
                    out[k] = v
                    out.key_lines[k] = line_of(v, line)
                return out

            return hook

        def parse_object(s_and_end: tuple[str, int], strict: bool, scan_once: Any, *_rest: Any) -> tuple[Any, int]:
            line = line_at(s_and_end[1] - 1)
            try:
                return obj_inner(s_and_end, strict, scan_once, None, pairs_hook_for(line), self.memo)
            except _Duplicate as e:
                raise TemplateError("", f"duplicate key {json.dumps(e.key)} in one object", line) from None

        def parse_array(s_and_end: tuple[str, int], scan_once: Any) -> tuple[Any, int]:
            values, end = arr_inner(s_and_end, scan_once)
            return LList(values, line=line_at(s_and_end[1] - 1)), end

        self.memo: dict[str, str] = {}
        self.parse_object = parse_object
        self.parse_array = parse_array
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]


def loads_json(text: str, path: str) -> Any:
    try:
        return _LineDecoder(text).decode(text)
    except json.JSONDecodeError as e:
        raise TemplateError(path, f"invalid JSON: {e.msg} (column {e.colno})", e.lineno) from None
    except TemplateError as e:
        raise TemplateError(path, e.message, e.line) from None
    except RecursionError:
        raise TemplateError(path, "invalid JSON: nested too deeply") from None
    except NumberTooLong as e:
        found = too_long_in(text)
        raise TemplateError(path, str(e), found[1] if found else None) from None


# -- YAML ---------------------------------------------------------------------------------------------


def _line(node: Any) -> int:
    return int(node.start_mark.line) + 1


def _map(loader: Any, node: Any) -> LDict:
    import yaml

    loader.flatten_mapping(node)
    out = LDict(line=_line(node))
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key is None or isinstance(key, (dict, list)):
            raise yaml.constructor.ConstructorError(
                None, None, f"a key must be text, not {key_node.value!r}", key_node.start_mark
            )
        key = str(key)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {shown(key)} (first on line {out.key_lines[key]})",
                key_node.start_mark,
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = _line(key_node)
    return out


def _seq(loader: Any, node: Any) -> LList:
    return LList((loader.construct_object(child, deep=True) for child in node.value), line=_line(node))


def _text(loader: Any, node: Any) -> str:
    return str(node.value)


def _int(loader: Any, node: Any) -> int | str:
    import yaml

    text = str(node.value)
    digits = text.lstrip("+-")
    if len(digits) > 1 and digits.startswith("0") and digits.isdigit():
        return text  # 012345678901: an account id, not YAML 1.1 octal
    if len(digits.replace("_", "")) > max_digits():
        raise yaml.constructor.ConstructorError(None, None, str(NumberTooLong(len(digits))), node.start_mark)
    return int(yaml.SafeLoader.construct_yaml_int(loader, node))


def _short_form(loader: Any, suffix: str, node: Any) -> LDict:
    import yaml

    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    line = _line(node)
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = str(node.value)
        if name == "Fn::GetAtt":
            value = LList(value.split(".", 1), line=line)
    elif isinstance(node, yaml.SequenceNode):
        value = _seq(loader, node)
    else:
        value = _map(loader, node)
    return LDict({name: value}, line=line, key_lines={name: line})


@cache
def _loader_class() -> Any:
    """PyYAML's safe loader (on libyaml when present) with the constructors above; built on first use so
    that reading JSON never imports yaml."""
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class CfnLoader(base):  # type: ignore[misc]
        pass

    CfnLoader.add_constructor("tag:yaml.org,2002:map", _map)
    CfnLoader.add_constructor("tag:yaml.org,2002:seq", _seq)
    CfnLoader.add_constructor("tag:yaml.org,2002:timestamp", _text)
    CfnLoader.add_constructor("tag:yaml.org,2002:int", _int)
    CfnLoader.add_multi_constructor("!", _short_form)
    return CfnLoader


def loads_yaml(text: str, path: str) -> Any:
    import yaml

    try:
        loader = _loader_class()(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = int(mark.line) + 1 if mark is not None else None
        what = " ".join(str(p) for p in (e.context, e.problem) if p)
        raise TemplateError(path, f"invalid YAML: {what}", line) from None
    except yaml.YAMLError as e:
        raise TemplateError(path, f"invalid YAML: {e}") from None
    except RecursionError:
        raise TemplateError(path, "invalid YAML: nested too deeply") from None


# -- files --------------------------------------------------------------------------------------------


def read_text(path: Path) -> str:
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TemplateError(name, "no such file") from None
    except IsADirectoryError:
        raise TemplateError(name, "is a directory") from None
    except OSError as e:
        raise TemplateError(name, f"cannot read: {e.strerror or e}") from None
    if len(data) > MAX_BYTES:
        raise TemplateError(name, f"larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise TemplateError(name, f"not UTF-8 text (byte {e.start})") from None


def load(path: Path) -> Any:
    """Decode one file: JSON when it starts with ``{`` or ``[``, YAML otherwise."""
    text = read_text(path)
    stripped = text.lstrip()
    if not stripped:
        raise TemplateError(str(path), "empty file")
    if stripped[0] in "{[":
        return loads_json(text, str(path))
    return loads_yaml(text, str(path))
