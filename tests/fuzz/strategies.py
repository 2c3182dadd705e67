"""Hypothesis strategies for hostile input: what a shell can put in argv, and what a file can hold."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

#: argv can hold anything but NUL; undecodable bytes arrive as lone surrogates (surrogateescape).
ARG_CHARS = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))
SURROGATE_ESCAPED = (
    st.binary(min_size=1, max_size=8)
    .filter(lambda b: b"\x00" not in b)
    .map(lambda b: b.decode("utf-8", "surrogateescape"))
)

text = st.text(ARG_CHARS, max_size=40)
huge = st.sampled_from([2000, 5000, 70_000]).map(lambda n: "a" * n) | st.text(ARG_CHARS, min_size=300, max_size=600)
stream_names = st.from_regex(r"\A[a-zA-Z0-9_.-]{1,20}\Z") | st.sampled_from(["cam", "cam-default", "x" * 256])
hostile = text | huge | SURROGATE_ESCAPED | stream_names | st.sampled_from(["", " ", "-", "--", "-o", "=", "\t\n", "é"])

uuid = st.uuids().map(str)
key_refs = st.one_of(
    st.sampled_from(
        [
            "aws-managed",
            "default",
            "alias/cams",
            "alias/missing",
            "alias/aws/kinesisvideo",
            "alias/aws/kinesis-video",
            "alias/aws/s3",
            "alias/",
            "alias/a b",
            "arn:aws:kms:us-east-1:123456789012:alias/cams",
            "arn:aws:kms:us-east-1:123456789012:alias/aws/kinesisvideo",
            "arn:aws:kms:us-east-1:12345:key/x",
            "arn:aws:s3:::bucket",
            "mrk-0123456789abcdef0123456789abcdef",
        ]
    ),
    uuid,
    uuid.map(lambda u: f"arn:aws:kms:us-east-1:123456789012:key/{u}"),
    uuid.map(lambda u: f"arn:aws:kms:eu-west-1:210987654321:key/{u}"),
    hostile,
)
ints = st.integers(-(10**20), 10**20).map(str) | st.sampled_from(["0", "87600", "87601", "-1", "1e3", "0x10", "24h"])
outputs = st.sampled_from(["json", "table", "JSON", "Table", "sarif", "junit", "xml", ""])

# -- files ------------------------------------------------------------------------------------------
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def deeply_nested_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


#: File contents that no parser should choke on: (label, bytes).
JUNK_FILES: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("whitespace", b"  \n\t\n"),
    ("bom-only", b"\xef\xbb\xbf"),
    ("bom-json", b'\xef\xbb\xbf{"Version": "2012-10-17", "Statement": []}'),
    ("utf16", '{"Version": "2012-10-17"}'.encode("utf-16")),
    ("binary", bytes(range(256)) * 4),
    ("latin1", '{"Sid": "caf\xe9"}'.encode("latin-1")),
    ("nested-array", nested(100_000).encode()),
    ("nested-object", deeply_nested_object(5_000).encode()),
    ("huge-string", json.dumps({"Statement": [{"Sid": "x" * 2_000_000}]}).encode()),
    ("number-bomb", b'{"Version": 1e999999}'),
    ("nan", b'{"Version": NaN, "Statement": [Infinity]}'),
    ("duplicate-keys", b'{"Statement": [], "Statement": {}}'),
    ("truncated", b'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"'),
    ("toml-in-json", b'[streams]\nname = "cam"\n'),
    ("null", b"null"),
    ("list", b"[]"),
    ("string", b'"policy"'),
    ("number", b"42"),
]


def wrong_types(document: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The document with one field (at any depth) replaced by a value of another JSON type."""

    def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        out = [prefix] if prefix else []
        if isinstance(value, dict):
            for k, v in value.items():
                out += paths(v, (*prefix, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                out += paths(v, (*prefix, i))
        return out

    def replace(doc: Any, path: tuple[Any, ...], new: Any) -> Any:
        doc = json.loads(json.dumps(doc))
        target = doc
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = new
        return doc

    others = st.sampled_from([None, True, 0, -1, 1.5, "", "x", [], {}, [None], {"": None}, [[[]]]])
    return st.tuples(st.sampled_from(paths(document)), others | JSON_VALUES).map(lambda t: replace(document, *t))
