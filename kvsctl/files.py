"""Reading an input file (policy, grants, spec) with bounds: a regular file only, at most `limit` bytes.

A FIFO would block forever and /dev/zero would fill memory (gigabytes, then MemoryError) before any
parsing; both are refused before a byte is read. The file is opened without blocking and checked on the
descriptor (fstat), so what is checked is what is read.
"""

from __future__ import annotations

import os
import stat


class InputFileProblem(Exception):
    """Why a file cannot be read as input: `reason` completes "PATH: ...", `hint` says what to do."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


def read_bounded(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; InputFileProblem otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputFileProblem("no such file", "Check the path.") from None
    except IsADirectoryError:
        raise InputFileProblem("is a directory, not a file", "Give the file itself.") from None
    except OSError as exc:
        raise InputFileProblem(f"cannot read: {exc.strerror or exc}", "Check the file's permissions.") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputFileProblem("is a directory, not a file", "Give the file itself.")
        if not stat.S_ISREG(mode):
            raise InputFileProblem(
                "is not a regular file (a FIFO, device or socket)",
                "Give a file on disk; to use a pipe, save its output to a file first.",
            )
        if os.fstat(fd).st_size > limit:
            raise InputFileProblem(f"larger than {_size(limit)}", "This is not an input kvsctl reads; check the path.")
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:  # grew while being read
            raise InputFileProblem(f"larger than {_size(limit)}", "This is not an input kvsctl reads; check the path.")
        return b"".join(chunks)
    except OSError as exc:
        raise InputFileProblem(f"cannot read: {exc.strerror or exc}", "Check the file.") from None
    finally:
        os.close(fd)


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"
