"""The error family: every failure kvsctl reports carries an exit code, a machine code and a hint.

Exit codes are part of the command-line contract (README, "Exit codes") and never change meaning.
"""

from __future__ import annotations

import re
from enum import IntEnum

#: The user-info part of a URL (scheme://user:password@host): never printed, since a password given in
#: --endpoint-url must not reach a terminal, a CI log or a report. Greedy up to the last '@' before the
#: path, as urlsplit reads it.
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s'\"<>]*@")


def redact_url_credentials(text: str) -> str:
    """`text` with every URL's user name and password replaced by '***'."""
    return _URL_USERINFO.sub(r"\1***@", text)


#: How much of a value a user gave is echoed in an error: enough to recognise it, never a 10 MB blob.
ECHO_LIMIT = 200


def clip(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` cut to `limit` characters, saying how long it was: "aaaa… (10,485,760 chars)"."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} chars)"


def shown(value: object, limit: int = ECHO_LIMIT) -> str:
    """A value the user gave, quoted for an error message (its repr) and clipped to `limit` characters.
    Every message that echoes input uses this, so a 10 MB value is never printed whole."""
    if not isinstance(value, str):
        return clip(repr(value), limit)
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}… ({len(value):,} chars)"


#: The backstop for messages that echo input without `shown` (click's own messages, exception texts):
#: a run of more than this many characters without a space is clipped, and so is the whole message.
_LONG_RUN = re.compile(r"\S{1001,}")
_MESSAGE_LIMIT = 4000


def _bounded(text: str) -> str:
    if len(text) <= 1000:
        return text
    text = _LONG_RUN.sub(lambda m: clip(m.group(0)), text)
    return clip(text, _MESSAGE_LIMIT)


class ExitCode(IntEnum):
    OK = 0
    CHECK_FAILED = 1
    USAGE = 2
    AWS = 3
    INTERNAL = 4
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it


class KvsctlError(Exception):
    """Base of every error kvsctl reports on purpose (one line, a hint, an exit code)."""

    exit_code: ExitCode = ExitCode.INTERNAL
    default_code: str = "internal_error"

    def __init__(self, message: str, *, hint: str | None = None, code: str | None = None) -> None:
        message = _bounded(redact_url_credentials(message))
        super().__init__(message)
        self.message = message
        self.hint = _bounded(redact_url_credentials(hint)) if hint else hint
        self.code = code or self.default_code

    def to_json(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message, "hint": self.hint}}


class UsageError(KvsctlError):
    """Bad flag, bad value, malformed input file: found before any AWS call (exit 2)."""

    exit_code = ExitCode.USAGE
    default_code = "invalid_input"


class CheckFailed(KvsctlError):
    """A check ran and failed: an unusable key, a stream that exists with another key (exit 1)."""

    exit_code = ExitCode.CHECK_FAILED
    default_code = "check_failed"


class AwsError(KvsctlError):
    """AWS said no or could not be reached: credentials, access, not found, throttling (exit 3)."""

    exit_code = ExitCode.AWS
    default_code = "aws_error"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        code: str | None = None,
        aws_code: str | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint, code=code)
        self.aws_code = aws_code
        self.operation = operation
        #: requests sent for the failed call: 1 means AWS refused the first one (a ResourceInUse then
        #: means someone else made the resource); more means an earlier, lost answer may have done it
        self.attempts = 1

    def to_json(self) -> dict[str, object]:
        data = super().to_json()
        err = data["error"]
        assert isinstance(err, dict)
        if self.aws_code:
            err["aws_code"] = self.aws_code
        if self.operation:
            err["operation"] = self.operation
        return data


class ReaderGone(Exception):
    """stdout's reader stopped reading (`| head -1`, `| true`): exit 0, silently, except that what the
    run created is still said on stderr. Not an OSError, so that click does not turn it into exit 1."""

    def __init__(self, created: tuple[str, ...] = ()) -> None:
        super().__init__("the output's reader closed early")
        self.created = created


class OutputFailed(KvsctlError):
    """stdout cannot take the output (closed, a full disk, /dev/full): exit 1, saying what this run
    created, since the output that would have said so is lost."""

    exit_code = ExitCode.CHECK_FAILED
    default_code = "output_failed"

    def __init__(self, reason: str, *, created: tuple[str, ...] | list[str] = ()) -> None:
        self.created = tuple(created)
        if self.created:
            message = f"could not write the output ({reason}); this run created: {'; '.join(self.created)}"
            hint = "What is listed exists now; see it with 'kvsctl stream describe' / 'kvsctl key describe'."
        else:
            message = f"could not write the output ({reason})"
            hint = "Send the output to a file or a pipe that can take it (> out.json), then rerun."
        super().__init__(message, hint=hint)

    def to_json(self) -> dict[str, object]:
        data = super().to_json()
        err = data["error"]
        assert isinstance(err, dict)
        err["created"] = list(self.created)
        return data


class Interrupted(KvsctlError):
    """Ctrl-C in the middle of a change: says what exists now and how to finish or clean up (exit 130)."""

    exit_code = ExitCode.INTERRUPTED
    default_code = "interrupted"

    def __init__(self, message: str, *, hint: str | None = None, details: dict[str, object] | None = None) -> None:
        super().__init__(message, hint=hint)
        self.details = dict(details or {})

    def to_json(self) -> dict[str, object]:
        data = super().to_json()
        err = data["error"]
        assert isinstance(err, dict)
        err.update(self.details)
        return data
