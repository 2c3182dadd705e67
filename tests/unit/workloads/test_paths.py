"""The requirement table of real KVS clients (kvsctl/workloads/paths.py), one row per path.

Sources: KVS DG "Data protection" (kms:GenerateDataKey for PutMedia, kms:Decrypt for GetMedia);
producer SDK (CurlApiCallbacks.h: describeStream, createStream, tagStream, getDataEndpoint, putMedia);
parser library (GetDataEndpoint with the API name before GetMedia / ListFragments / GetMediaForFragmentList);
KVS API reference (each archived-media API is called on the endpoint GetDataEndpoint returns).
"""

from __future__ import annotations

import pytest

from kvsctl.errors import UsageError
from kvsctl.workloads.paths import (
    DEFAULT_READS,
    READ_PATHS,
    parse_reads,
    path,
    paths_for,
    producer_path,
    requirement_columns,
)

E, K = "kinesisvideo:", "kms:"


@pytest.mark.parametrize(
    ("name", "actions", "kms_basis"),
    [
        (
            "producer",
            [E + "DescribeStream", E + "GetDataEndpoint", E + "PutMedia", K + "GenerateDataKey"],
            "documented",
        ),
        ("getmedia", [E + "GetDataEndpoint", E + "GetMedia", K + "Decrypt"], "documented"),
        (
            "fragments",
            [E + "GetDataEndpoint", E + "ListFragments", E + "GetMediaForFragmentList", K + "Decrypt"],
            "inferred",
        ),
        ("hls", [E + "GetDataEndpoint", E + "GetHLSStreamingSessionURL", K + "Decrypt"], "inferred"),
        ("dash", [E + "GetDataEndpoint", E + "GetDASHStreamingSessionURL", K + "Decrypt"], "inferred"),
        ("clip", [E + "GetDataEndpoint", E + "GetClip", K + "Decrypt"], "inferred"),
        ("images", [E + "GetDataEndpoint", E + "GetImages", K + "Decrypt"], "inferred"),
    ],
)
def test_each_path_requires_what_its_client_calls(name: str, actions: list[str], kms_basis: str) -> None:
    p = path(name)
    assert list(p.actions) == actions
    kms = [r for r in p.requirements if r.target == "key"]
    assert len(kms) == 1 and kms[0].basis == kms_basis and kms[0].why
    assert all(r.basis == "documented" for r in p.requirements if r.target == "stream")


def test_producer_creates_adds_create_and_tag_before_streaming() -> None:
    assert list(producer_path(True).actions) == [
        E + "DescribeStream",
        E + "CreateStream",
        E + "TagStream",
        E + "GetDataEndpoint",
        E + "PutMedia",
        K + "GenerateDataKey",
    ]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, DEFAULT_READS),
        ([], ("getmedia",)),
        (["hls"], ("hls",)),
        (["hls,dash", "clip"], ("hls", "dash", "clip")),
        (["dash", "HLS", "dash"], ("hls", "dash")),  # canonical order, no duplicates, case-insensitive
        (["all"], READ_PATHS),
        (["hls", "all"], READ_PATHS),
        ([" images , "], ("images",)),
    ],
)
def test_parse_reads(given: list[str] | None, expected: tuple[str, ...]) -> None:
    assert parse_reads(given) == expected


@pytest.mark.parametrize("bad", [["webrtc"], ["hls,bogus"], ["producer"]])
def test_parse_reads_refuses_unknown_paths(bad: list[str]) -> None:
    with pytest.raises(UsageError, match="not a read path") as e:
        parse_reads(bad)
    assert "getmedia" in (e.value.hint or "")


def test_columns_are_one_per_requirement_in_first_seen_order() -> None:
    cols = requirement_columns(paths_for("consumer", ("getmedia", "hls")))
    assert cols == (E + "GetDataEndpoint", E + "GetMedia", K + "Decrypt", E + "GetHLSStreamingSessionURL")
