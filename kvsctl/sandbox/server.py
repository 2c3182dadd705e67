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


DEFAULT_PORT = 7566  # not 4566 (LocalStack's) nor 5000 (moto's, often taken on macOS)


def check_port_free(port: int) -> None:
    """Exit 2 at once when the port is taken (moto's server thread would fail and leave start() waiting)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds: TIME_WAIT is no obstacle
        try:
            s.bind(("127.0.0.1", port))
        except OSError as exc:
            raise UsageError(
                f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}",
                hint="Pick another --port, or --port 0 for a free one.",
                code="port_in_use",
            ) from None


@contextlib.contextmanager
def running_sandbox(port: int = 0, *, debug: bool = False) -> Iterator[str]:
    """A moto server for the duration of the block; yields its endpoint URL. Port 0: a free port. The
    server's own request lines and tracebacks (an unknown region, an unsupported call) stay hidden unless
    `debug`."""
    import logging

    logging.getLogger("werkzeug").setLevel(logging.DEBUG if debug else logging.CRITICAL)
    if port:
        check_port_free(port)
    server = _moto_server(port)
    try:
        server.start()
    except OSError as exc:
        raise UsageError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror}", hint="Pick another --port.", code="port_in_use"
        ) from exc
    try:
        yield f"http://127.0.0.1:{server.get_host_and_port()[1]}"
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
    with running_sandbox(port, debug=bool(getattr(g, "debug", False))) as endpoint:
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
