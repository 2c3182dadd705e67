"""Calibration sources: CloudTrail log files on disk (streamed, one record at a time) and CloudTrail
LookupEvents (paged, paced). Both feed the pure `Calibrator` in kvsctl/cost/calibrate.py.
"""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from kvsctl.cost.calibrate import Calibrator, MalformedRecord
from kvsctl.cost.trailfile import TrailFileError, iter_records
from kvsctl.errors import UsageError
from kvsctl.words import plural

_GZIP_MAGIC = b"\x1f\x8b"
LOG_SUFFIXES = (".json", ".json.gz")


def _ignore(message: str) -> None:
    return None


def log_files(paths: Sequence[str]) -> list[Path]:
    """Every file named, and every *.json / *.json.gz below every directory named (sorted, recursive).

    A path that does not exist is a usage error (exit 2) before anything is read.
    """
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise UsageError(
            f"no such file or directory: {missing[0]}",
            hint="Give CloudTrail log files (.json or .json.gz) or directories that hold them.",
        )
    found: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found.extend(sorted(f for f in path.rglob("*") if f.is_file() and f.name.lower().endswith(LOG_SUFFIXES)))
        else:
            found.append(path)
    return found


def open_log(path: Path) -> IO[str]:
    """A text stream over a log file, gunzipped when it starts with the gzip magic (whatever its name)."""
    raw = path.open("rb")
    try:
        head = raw.read(2)
        raw.seek(0)
    except OSError:
        raw.close()
        raise
    binary: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="rb") if head == _GZIP_MAGIC else raw  # type: ignore[assignment]
    return io.TextIOWrapper(binary, encoding="utf-8")


def read_files(
    calibrator: Calibrator,
    paths: Sequence[str],
    *,
    progress: Callable[[str], None] = _ignore,
) -> int:
    """Stream every record of every file into `calibrator`; returns the number of files read.

    A file that cannot be read, is not gzip/UTF-8/JSON, or has no Records array is reported as malformed
    (its records before the fault stay counted) and the next file is read.
    """
    files = log_files(paths)
    for index, path in enumerate(files, 1):
        if index % 500 == 0:
            progress(f"read {index:,} of {len(files):,} CloudTrail files")
        calibrator.add_source()
        source = str(path)
        try:
            with open_log(path) as stream:
                for n, record in enumerate(iter_records(stream), 1):
                    calibrator.add(record, f"{source} record {n}")
        except TrailFileError as exc:
            calibrator.add_malformed(source, f"{exc} (at character {exc.offset})")
        except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile) as exc:
            calibrator.add_malformed(source, f"cannot read: {exc}")
    return len(files)


def lookup_events(
    calibrator: Calibrator,
    factory: Any,
    start: datetime,
    end: datetime,
    *,
    progress: Callable[[str], None] = _ignore,
    clock: Callable[[], float] | None = None,
) -> int:
    """Every KMS event of [start, end) from LookupEvents into `calibrator`; returns the pages read."""
    from kvsctl.aws.cloudtrail import CloudTrailGateway

    gateway = CloudTrailGateway(factory, clock=clock)
    calibrator.add_source()
    pages = 0
    for page in gateway.kms_event_pages(start, end):
        pages += 1
        if pages % 20 == 0:
            progress(f"LookupEvents: {plural(pages, 'page')} read")
        for n, record in enumerate(page, 1):
            where = f"LookupEvents page {pages} event {n}"
            if isinstance(record, MalformedRecord):
                calibrator.add_malformed(where, str(record))
            else:
                calibrator.add(record, where)
    return pages
