"""Start and stop a moto server on 127.0.0.1 (the `sandbox` extra installs moto)."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import time
from collections.abc import Iterator
from typing import Any

from kvsctl.errors import UsageError

SANDBOX_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _moto_server(port: int) -> Any:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        raise UsageError(
            "the sandbox needs moto, which is not installed",
            hint="pip install 'kvsctl[sandbox]'",
            code="missing_dependency",
        ) from exc
    return ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)


@contextlib.contextmanager
def running_sandbox(port: int = 0) -> Iterator[str]:
    """A moto server for the duration of the block; yields its endpoint URL."""
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no per-request lines in the user's terminal
    port = port or free_port()
    server = _moto_server(port)
    try:
        server.start()
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}", hint="Pick another --port.") from exc
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@contextlib.contextmanager
def sandbox_environment(endpoint: str) -> Iterator[None]:
    """Point this process at the sandbox with throwaway credentials, restoring the environment after."""
    saved = {k: os.environ.get(k) for k in (*SANDBOX_ENV, "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN")}
    try:
        os.environ.pop("AWS_PROFILE", None)
        os.environ.pop("AWS_SESSION_TOKEN", None)
        os.environ.update(SANDBOX_ENV)
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def serve_forever(port: int, g: Any) -> None:
    with running_sandbox(port) as endpoint:
        exports = {**SANDBOX_ENV, "AWS_ENDPOINT_URL": endpoint}
        if g.json:
            import json

            sys.stdout.write(json.dumps({"endpoint_url": endpoint, "environment": exports}) + "\n")
        else:
            sys.stdout.write(f"kvsctl sandbox (moto) listening on {endpoint}\nPaste into your shell:\n\n")
            for k, v in exports.items():
                sys.stdout.write(f"  export {k}={v}\n")
            sys.stdout.write("\nState lives in memory; Ctrl-C stops the sandbox.\n")
        sys.stdout.flush()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            sys.stderr.write("sandbox stopped\n")
