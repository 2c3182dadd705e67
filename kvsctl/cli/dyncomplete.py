"""Dynamic completion: the values a TAB offers that only the account or the machine knows.

The shell scripts (kvsctl/cli/shellcomplete.py) complete commands and options on their own, with no
Python at all; for the value of `--profile`, `--region`, `--kms-key`, `--stream-name` and a stream NAME
they run `kvsctl __complete KIND -- WORDS...`, answered here before typer, rich or boto3 load:

- `profiles`: the sections of the AWS config and credentials files (configparser; no boto3).
- `regions`: the regions where botocore's endpoint data lists Kinesis Video Streams (read as JSON from
  botocore's data folder, then cached; botocore itself is not imported).
- `streams`, `keys`: ListStreams and ListAliases in the account of the command line's --profile,
  --region and --endpoint-url (or the environment). These do import boto3, with one attempt, tight
  timeouts and an overall bound (`KVSCTL_COMPLETION_TIMEOUT`, default 2 s): a TAB never hangs the
  shell, and any failure answers nothing.

Answers are cached under the user cache directory (`$XDG_CACHE_HOME/kvsctl/completion`, or
`~/.cache/...`; `~/Library/Caches/...` on macOS) for `KVSCTL_COMPLETION_TTL` seconds (default 60), per
kind, profile, region and endpoint, so a TAB after the first costs one small file read. A failed lookup
is cached too (for the same time) so that a shell without credentials does not wait on every TAB.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kvsctl.aws.session import ClientFactory

KINDS = ("profiles", "regions", "streams", "keys")
#: kinds answered from local files: never cached as failures, never importing boto3
LOCAL_KINDS = frozenset({"profiles", "regions"})
DEFAULT_TTL = 60.0
DEFAULT_TIMEOUT = 2.0
#: at most this many values are offered (and cached): a shell lists them all on a double TAB
MAX_VALUES = 5000


def cache_dir() -> Path:
    """The user cache directory for completion answers."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if base:
        root = Path(base)
    elif sys.platform == "darwin":
        root = Path.home() / "Library" / "Caches"
    else:
        root = Path.home() / ".cache"
    return root / "kvsctl" / "completion"


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    return value if value >= 0 and value == value and value != float("inf") else default


def scope(words: Sequence[str]) -> dict[str, str]:
    """--profile, --region and --endpoint-url from the words typed so far, else the environment (as the
    command itself would resolve them; the profile's own region is left to botocore)."""
    found: dict[str, str] = {}
    names = {"--profile": "profile", "--region": "region", "--endpoint-url": "endpoint_url"}
    i = 0
    while i < len(words):
        word = words[i]
        name, eq, value = word.partition("=")
        if name in names:
            if eq:
                found[names[name]] = value
            elif i + 1 < len(words) and not words[i + 1].startswith("-"):
                found[names[name]] = words[i + 1]
                i += 1
        i += 1
    env = {
        "profile": os.environ.get("AWS_PROFILE", ""),
        "region": os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "",
        "endpoint_url": os.environ.get("AWS_ENDPOINT_URL", ""),
    }
    return {k: (found.get(k) or env[k]).strip() for k in env}


def _cache_file(kind: str, where: dict[str, str]) -> Path:
    key = json.dumps([kind, where["profile"], where["region"], where["endpoint_url"]])
    return cache_dir() / f"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"


def _read_cache(path: Path, ttl: float, now: float) -> list[str] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("values"), list):
        return None
    stamp = doc.get("at")
    if not isinstance(stamp, int | float) or not (0 <= now - stamp < ttl):
        return None
    return [v for v in doc["values"] if isinstance(v, str)]


def _write_cache(path: Path, values: list[str], now: float) -> None:
    """Atomically, readable by the user only (stream and alias names are the account's business)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"at": now, "values": values}, out)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: complete without a cache


# -- local answers ---------------------------------------------------------------------------------
def profiles() -> list[str]:
    """Profile names of the AWS config file (`[profile NAME]`, `[default]`) and credentials file."""
    import configparser

    home = Path.home()
    config = Path(os.environ.get("AWS_CONFIG_FILE") or home / ".aws" / "config").expanduser()
    creds = Path(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or home / ".aws" / "credentials").expanduser()
    names: set[str] = set()
    for path, is_config in ((config, True), (creds, False)):
        parser = configparser.RawConfigParser(strict=False, interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
        for section in parser.sections():
            name = section.strip()
            if is_config:
                if name.startswith("profile "):
                    name = name[len("profile ") :].strip()
                elif name != "default":
                    continue  # [sso-session x], [services x]: not profiles
            if name and not any(c.isspace() for c in name):
                names.add(name)
    return sorted(names)


def _endpoint_data() -> dict[str, Any] | None:
    """botocore's endpoints.json, found without importing botocore."""
    import importlib.util

    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        data = Path(folder) / "data"
        for name in ("endpoints.json", "endpoints.json.gz"):
            path = data / name
            try:
                raw = path.read_bytes()
            except OSError:
                continue
            if name.endswith(".gz"):
                import gzip

                raw = gzip.decompress(raw)
            doc = json.loads(raw)
            return doc if isinstance(doc, dict) else None
    return None


def regions() -> list[str]:
    """The regions where botocore's endpoint data lists Kinesis Video Streams (the commercial, China and
    GovCloud partitions), without FIPS or other variant endpoints."""
    doc = _endpoint_data() or {}
    found: set[str] = set()
    for partition in doc.get("partitions") or []:
        try:
            known = partition.get("regions") or {}
            endpoints = partition["services"]["kinesisvideo"].get("endpoints") or {}
        except (AttributeError, KeyError, TypeError):
            continue  # a partition without KVS
        found.update(str(name) for name in endpoints if name in known)
    return sorted(found)


# -- account answers -------------------------------------------------------------------------------
def _factory(where: dict[str, str], timeout: float) -> ClientFactory:
    from kvsctl.aws.session import AwsConfig, ClientFactory, RetryPolicy

    return ClientFactory(
        AwsConfig(
            profile=where["profile"] or None,
            region=where["region"] or None,
            endpoint_url=where["endpoint_url"] or None,
        ),
        retry=RetryPolicy(
            max_attempts=1,
            connect_timeout=min(1.0, timeout),
            read_timeout=timeout,
            deadline=timeout,
            max_pages=3,
        ),
    )


def streams(where: dict[str, str], timeout: float) -> list[str]:
    from kvsctl.aws.kvs import KvsGateway

    gateway = KvsGateway(_factory(where, timeout))
    return sorted({s.name for s in gateway.list_streams()})


def keys(where: dict[str, str], timeout: float) -> list[str]:
    """`aws-managed` and the customer alias names (`alias/aws/...` are AWS managed keys' own aliases)."""
    from kvsctl.aws.kms import KmsGateway

    gateway = KmsGateway(_factory(where, timeout))
    names = {a.name for a in gateway.list_aliases() if not a.name.startswith("alias/aws/")}
    return ["aws-managed", *sorted(names)]


LIVE: dict[str, Callable[[dict[str, str], float], list[str]]] = {"streams": streams, "keys": keys}


def _bounded(lookup: Callable[[], list[str]], timeout: float) -> list[str] | None:
    """The lookup's answer, or None when it failed or took longer than `timeout` seconds (it is left
    running in a daemon thread, which the process exit ends)."""
    box: dict[str, list[str]] = {}

    def run() -> None:
        try:
            box["values"] = lookup()
        except BaseException:  # a TAB must never show an error
            pass

    thread = threading.Thread(target=run, name="kvsctl-complete", daemon=True)
    thread.start()
    thread.join(timeout)
    return box.get("values")


def values(kind: str, words: Sequence[str], *, now: float | None = None) -> list[str]:
    """The completion candidates of one kind for the words typed so far (cached answers first)."""
    if kind == "profiles":
        return profiles()  # a small file: read it every time, so a new profile shows at once
    now = time.time() if now is None else now
    ttl = _seconds("KVSCTL_COMPLETION_TTL", DEFAULT_TTL)
    if kind == "regions":  # botocore's endpoint data is large: the short list is cached
        where = {"profile": "", "region": "", "endpoint_url": ""}
        path = _cache_file(kind, where)
        cached = _read_cache(path, ttl, now) if ttl > 0 else None
        if cached:
            return cached
        found = regions()
        if found and ttl > 0:
            _write_cache(path, found, now)
        return found
    lookup = LIVE.get(kind)
    if lookup is None:
        return []
    where = scope(words)
    path = _cache_file(kind, where)
    cached = _read_cache(path, ttl, now) if ttl > 0 else None
    if cached is not None:
        return cached
    timeout = _seconds("KVSCTL_COMPLETION_TIMEOUT", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT
    answer = _bounded(lambda: lookup(where, timeout), timeout + 0.5)
    found = (answer or [])[:MAX_VALUES]
    if ttl > 0:
        _write_cache(path, found, now)  # a failure too: the next TAB answers at once
    return found


def main(argv: Sequence[str]) -> int:
    """`kvsctl __complete KIND [-- WORDS...]`: one candidate a line; always exit 0, never a traceback."""
    args = list(argv)
    kind = args.pop(0) if args else ""
    if args and args[0] == "--":
        args.pop(0)
    try:
        found = values(kind, args)
    except Exception:  # a TAB must never show an error
        found = []
    out = "".join(f"{v}\n" for v in found if v and "\n" not in v)
    try:
        sys.stdout.write(out)
        sys.stdout.flush()
    except OSError:
        pass
    return 0
