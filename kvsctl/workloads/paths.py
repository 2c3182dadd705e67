"""The calls real KVS clients make, as requirements per path (pure data; see docs/workloads.md).

A *path* is what one client does end to end:

- ``producer``: the C/C++ producer SDK, GStreamer ``kvssink`` and the Edge Agent call DescribeStream, then
  GetDataEndpoint, then PutMedia; KVS then calls ``kms:GenerateDataKey`` with the producer's credentials.
  ``--producer-creates`` adds CreateStream and TagStream (what kvssink calls for a missing stream).
- consumer read paths, each ``kinesisvideo:GetDataEndpoint`` + its own actions + ``kms:Decrypt``:
  ``getmedia``, ``fragments``, ``hls``, ``dash``, ``clip``, ``images``.

AWS documents ``kms:Decrypt`` for GetMedia only (KVS DG "Data protection"); for the other read paths KVS
must decrypt the stored fragments it serves, and it is inferred that it does so with the caller's
credentials as for GetMedia: those requirements carry ``basis = "inferred"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from kvsctl.errors import UsageError, shown

Role = Literal["producer", "consumer"]
Target = Literal["stream", "key"]
Basis = Literal["documented", "inferred"]

DESCRIBE_STREAM = "kinesisvideo:DescribeStream"
GET_DATA_ENDPOINT = "kinesisvideo:GetDataEndpoint"
PUT_MEDIA = "kinesisvideo:PutMedia"
CREATE_STREAM = "kinesisvideo:CreateStream"
TAG_STREAM = "kinesisvideo:TagStream"
GET_MEDIA = "kinesisvideo:GetMedia"
LIST_FRAGMENTS = "kinesisvideo:ListFragments"
GET_MEDIA_FOR_FRAGMENT_LIST = "kinesisvideo:GetMediaForFragmentList"
GET_HLS_URL = "kinesisvideo:GetHLSStreamingSessionURL"
GET_DASH_URL = "kinesisvideo:GetDASHStreamingSessionURL"
GET_CLIP = "kinesisvideo:GetClip"
GET_IMAGES = "kinesisvideo:GetImages"
GENERATE_DATA_KEY = "kms:GenerateDataKey"
DECRYPT = "kms:Decrypt"

PRODUCER = "producer"
READ_PATHS: tuple[str, ...] = ("getmedia", "fragments", "hls", "dash", "clip", "images")
DEFAULT_READS: tuple[str, ...] = ("getmedia",)
ALL_PATHS: tuple[str, ...] = (PRODUCER, *READ_PATHS)

DG = "https://docs.aws.amazon.com/kinesisvideostreams/latest/dg"
INFERRED_DECRYPT = (
    "AWS documents kms:Decrypt for GetMedia only; KVS must decrypt the stored fragments this path serves, "
    "inferred to be with the caller's credentials as for GetMedia"
)
DOCUMENTED_DECRYPT = "KVS DG, Data protection: consumers need kms:Decrypt to read with GetMedia"
DOCUMENTED_GENERATE = "KVS DG, Data protection: producers need kms:GenerateDataKey to write with PutMedia"
AWS_MANAGED_WARNING = (
    "kvssink (and the producer SDK) creates a missing stream by default and has no KMS key setting: a producer "
    "allowed kinesisvideo:CreateStream can silently create streams on the AWS managed key"
)


@dataclass(frozen=True)
class Requirement:
    """One call a path needs: an action on the stream or on its key, and how we know."""

    action: str
    target: Target
    basis: Basis = "documented"
    why: str = ""

    @property
    def short(self) -> str:
        return self.action.split(":", 1)[1] if self.target == "stream" else self.action


@dataclass(frozen=True)
class ClientPath:
    name: str
    role: Role
    title: str
    requirements: tuple[Requirement, ...]

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(r.action for r in self.requirements)

    def requirement(self, action: str) -> Requirement | None:
        return next((r for r in self.requirements if r.action.lower() == action.lower()), None)

    @property
    def own_actions(self) -> tuple[str, ...]:
        """The path's own stream actions: what distinguishes it (not GetDataEndpoint, not KMS)."""
        common = {DESCRIBE_STREAM, GET_DATA_ENDPOINT}
        return tuple(r.action for r in self.requirements if r.target == "stream" and r.action not in common)


def _stream(action: str, why: str) -> Requirement:
    return Requirement(action, "stream", "documented", why)


_ENDPOINT = _stream(GET_DATA_ENDPOINT, "every data-plane call goes to the endpoint GetDataEndpoint returns")


def _read(name: str, title: str, *actions: str) -> ClientPath:
    documented = name == "getmedia"
    kms = Requirement(
        DECRYPT,
        "key",
        "documented" if documented else "inferred",
        DOCUMENTED_DECRYPT if documented else INFERRED_DECRYPT,
    )
    own = tuple(_stream(a, f"{title} calls {a.split(':', 1)[1]}") for a in actions)
    return ClientPath(name, "consumer", title, (_ENDPOINT, *own, kms))


_READS: dict[str, ClientPath] = {
    p.name: p
    for p in (
        _read("getmedia", "GetMedia (parser library, live consumers)", GET_MEDIA),
        _read(
            "fragments",
            "Fragment lists (ListFragments + GetMediaForFragmentList)",
            LIST_FRAGMENTS,
            GET_MEDIA_FOR_FRAGMENT_LIST,
        ),
        _read("hls", "HLS playback (session URL)", GET_HLS_URL),
        _read("dash", "MPEG-DASH playback (session URL)", GET_DASH_URL),
        _read("clip", "MP4 clips (GetClip)", GET_CLIP),
        _read("images", "Images (GetImages)", GET_IMAGES),
    )
}


def producer_path(creates: bool = False) -> ClientPath:
    reqs = [
        _stream(DESCRIBE_STREAM, "the producer SDK describes the stream before streaming"),
        _ENDPOINT,
        _stream(PUT_MEDIA, "PutMedia sends the fragments"),
        Requirement(GENERATE_DATA_KEY, "key", "documented", DOCUMENTED_GENERATE),
    ]
    if creates:
        reqs[1:1] = [
            _stream(CREATE_STREAM, "the producer SDK creates a missing stream when allowed (kvssink: by default)"),
            _stream(TAG_STREAM, "the producer SDK tags the stream it created when tags are set"),
        ]
    return ClientPath(PRODUCER, "producer", "Producer SDK / kvssink", tuple(reqs))


def read_path(name: str) -> ClientPath:
    return _READS[name]


def paths_for(
    role: Role, reads: Sequence[str] = DEFAULT_READS, producer_creates: bool = False
) -> tuple[ClientPath, ...]:
    if role == "producer":
        return (producer_path(producer_creates),)
    return tuple(_READS[r] for r in reads)


def path(name: str, producer_creates: bool = False) -> ClientPath:
    return producer_path(producer_creates) if name == PRODUCER else _READS[name]


def parse_reads(values: Iterable[str] | None, flag: str = "--read") -> tuple[str, ...]:
    """``--read hls,dash --read clip`` / ``all`` -> ordered, distinct read paths; none -> the default.
    An unknown name is a usage error (exit 2) before any AWS call."""
    out: list[str] = []
    for value in values or ():
        for part in str(value).split(","):
            name = part.strip().lower()
            if not name:
                continue
            if name == "all":
                out.extend(READ_PATHS)
            elif name in _READS:
                out.append(name)
            else:
                raise UsageError(
                    f"{flag} {shown(part.strip())}: not a read path",
                    hint=f"Choose from {', '.join(READ_PATHS)} or all (comma-separated or repeated).",
                )
    if not out:
        return DEFAULT_READS
    return tuple(n for n in READ_PATHS if n in set(out))


def requirement_columns(paths: Sequence[ClientPath]) -> tuple[str, ...]:
    """Actions in first-seen order over the paths: the table's requirement columns."""
    return tuple(dict.fromkeys(a for p in paths for a in p.actions))
