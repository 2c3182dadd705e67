"""--debug: kvsctl's own request log on stderr (each request: endpoint, operation, parameters; each
answer: HTTP status, time, request id; each retry), plus where botocore found the credentials; not
botocore's internal chatter (event hooks, signing, endpoint rules). Every secret is redacted before it is
written."""

from __future__ import annotations

import logging
import os
import re
import sys

_PATTERNS = [
    (re.compile(r"(X-Amz-Security-Token['\"]?\s*[:=]\s*b?['\"]?)[^'\",\s}&]+", re.I), r"\1REDACTED"),
    (re.compile(r"(Credential=)[^/,\s'\"]+"), r"\1REDACTED"),
    (re.compile(r"(Signature=)[0-9a-fA-F]+"), r"\1REDACTED"),
    (
        re.compile(
            r"((?:aws_secret_access_key|aws_session_token|SecretAccessKey|SessionToken|secret_key|token)"
            r"['\"]?\s*[:=]\s*['\"]?)[^'\",\s}]+",
            re.I,
        ),
        r"\1REDACTED",
    ),
]
_ENV_SECRETS = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ACCESS_KEY_ID")


def redact(text: str) -> str:
    from kvsctl.errors import redact_url_credentials

    text = redact_url_credentials(text)
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    for name in _ENV_SECRETS:
        value = os.environ.get(name)
        if value and len(value) >= 8:
            text = text.replace(value, "REDACTED")
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


#: logger -> level shown with --debug: kvsctl at DEBUG; botocore's credential lookup at INFO ("Found
#: credentials in environment variables"); the rest of botocore and boto3 only when something is wrong.
LEVELS = {
    "kvsctl": logging.DEBUG,
    "botocore.credentials": logging.INFO,
    "botocore": logging.WARNING,
    "boto3": logging.WARNING,
    "urllib3": logging.WARNING,
}


def enable_debug_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(name)s [%(levelname)s] %(message)s"))
    for name, level in LEVELS.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers = [handler]
        logger.propagate = False
