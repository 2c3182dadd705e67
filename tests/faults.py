"""Fault injection for end-to-end tests: a moto server behind a WSGI layer of our own.

The layer sits in front of moto's WSGI app and, for chosen operations, answers with an AWS error in the
protocol's own shape (JSON for KMS, REST-JSON for KVS, XML for IAM/STS query), a bare HTTP status, a
delay (so the client's read timeout fires) or a closed connection - for the first N calls or always. It
counts every call per operation, so tests and benchmarks can assert how many requests a command made.

Operations are named "service.Operation" (kms.ListAliases, kinesisvideo.DescribeStream, iam.GetRole);
a fault may name just the operation. The service comes from the SigV4 credential scope; the operation
from X-Amz-Target (JSON protocols), the Action form field (query protocols) or the path (KVS REST).

    with FaultServer() as faults:
        faults.throttle("DescribeStream", times=2)      # ClientLimitExceededException twice, then moto
        faults.fail("kms.ListAliases", status=503)      # always a bare 503
        run_subprocess("stream", "describe", "cam", endpoint=faults.url)
        assert faults.calls["kinesisvideo.DescribeStream"] == 3
"""

from __future__ import annotations

import io
import json
import logging
import re
import socket
import threading
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass
from typing import Any

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")

#: The throttling error each protocol family really answers with.
THROTTLE_CODES = {
    "kinesisvideo": "ClientLimitExceededException",
    "kms": "ThrottlingException",
    "iam": "Throttling",
    "sts": "Throttling",
}


@dataclass
class Fault:
    """What to do to matching calls. `times=None` means every call; otherwise the first `times`."""

    operation: str
    status: int = 400
    code: str | None = None  # None: a bare HTTP status with a non-AWS body (a proxy or load balancer)
    message: str = "injected by tests/faults.py"
    times: int | None = None
    delay: float = 0.0  # seconds before doing anything; longer than the client's read timeout = "never answers"
    close: bool = False  # drop the connection without an answer
    body: Any = None  # bytes (or a callable making them) answered with `status`: an endpoint that is not AWS
    content_type: str = "text/html"
    after: float = 0.0  # let moto do the work first, then hold its answer this long (the work is done)
    drip: float = 0.0  # send the (moto or given) answer's body one byte every `drip` seconds
    first: Any = None  # a callable run before the call goes on (another client acting meanwhile: a race)
    hits: int = 0

    def matches(self, service: str, operation: str) -> bool:
        return self.operation in (operation, f"{service}.{operation}")

    @property
    def active(self) -> bool:
        return self.times is None or self.hits < self.times


def identify(environ: dict[str, Any], body: bytes) -> tuple[str, str, str]:
    """(service, operation, protocol) of one request; protocol is json, query or rest-json."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = _SCOPE.search(auth)
    service = m.group(1) if m else ""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return service or "kms", target.rsplit(".", 1)[-1], "json"
    ctype = environ.get("CONTENT_TYPE", "")
    if "x-www-form-urlencoded" in ctype or service in ("iam", "sts"):
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        action = (form.get("Action") or [""])[0]
        return service or "iam", action, "query"
    path = environ.get("PATH_INFO", "/").strip("/").split("/")[0]
    operation = path[:1].upper() + path[1:]
    return service or "kinesisvideo", operation, "rest-json"


def error_response(fault: Fault, protocol: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """Status line, headers and body of an AWS error in the protocol's shape."""
    reason = {400: "Bad Request", 403: "Forbidden", 500: "Internal Server Error", 503: "Service Unavailable"}
    status = f"{fault.status} {reason.get(fault.status, 'Error')}"
    if fault.code is None:
        body = f"<html><body><h1>{status}</h1></body></html>".encode()
        return status, [("Content-Type", "text/html")], body
    if protocol == "json":
        body = json.dumps({"__type": fault.code, "message": fault.message}).encode()
        return status, [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", "fault")], body
    if protocol == "query":
        kind = "Receiver" if fault.status >= 500 else "Sender"
        body = (
            "<ErrorResponse><Error>"
            f"<Type>{kind}</Type><Code>{fault.code}</Code><Message>{fault.message}</Message>"
            "</Error><RequestId>fault</RequestId></ErrorResponse>"
        ).encode()
        return status, [("Content-Type", "text/xml")], body
    body = json.dumps({"Message": fault.message}).encode()
    return status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", fault.code)], body


class FaultServer:
    """moto on 127.0.0.1 (a free port) behind a fault-injecting, call-counting WSGI layer."""

    def __init__(self) -> None:
        from moto.server import DomainDispatcherApplication, create_backend_app

        self._moto = DomainDispatcherApplication(create_backend_app)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self.faults: list[Fault] = []
        self.calls: Counter[str] = Counter()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> FaultServer:
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        self._server = make_server("127.0.0.1", 0, self, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._wake.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """No faults, no counts, and an empty moto account."""
        self._wake.set()  # release requests still held by a delay
        with self._lock:
            self.faults.clear()
            self.calls.clear()
            self._wake = threading.Event()
        req = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST", data=b"")
        urllib.request.urlopen(req, timeout=10).read()

    # -- arranging faults --------------------------------------------------------------------------
    def fail(
        self,
        operation: str,
        *,
        status: int = 400,
        code: str | None = None,
        message: str = "injected by tests/faults.py",
        times: int | None = None,
        delay: float = 0.0,
        close: bool = False,
        body: bytes | None = None,
        content_type: str = "text/html",
        after: float = 0.0,
        drip: float = 0.0,
    ) -> Fault:
        fault = Fault(operation, status, code, message, times, delay, close, body, content_type, after, drip)
        with self._lock:
            self.faults.append(fault)
        return fault

    def throttle(self, operation: str, *, times: int | None = None) -> Fault:
        """The throttling error the operation's service really sends (see THROTTLE_CODES)."""
        service = operation.split(".", 1)[0] if "." in operation else _service_of(operation)
        return self.fail(operation, status=400, code=THROTTLE_CODES[service], message="Rate exceeded", times=times)

    def deny(self, operation: str, *, times: int | None = None) -> Fault:
        service = operation.split(".", 1)[0] if "." in operation else _service_of(operation)
        code = {"kinesisvideo": "AccessDeniedException", "kms": "AccessDeniedException"}.get(service, "AccessDenied")
        return self.fail(
            operation, status=403, code=code, message=f"not authorized to perform {operation}", times=times
        )

    def stall(self, operation: str, seconds: float, *, times: int | None = None) -> Fault:
        """Hold the answer for `seconds`, then answer normally (beyond the read timeout: "never answers")."""
        return self.fail(operation, status=200, delay=seconds, times=times)

    def not_aws(
        self, operation: str, body: bytes, *, content_type: str = "text/html", times: int | None = None
    ) -> Fault:
        """Answer HTTP 200 with `body`: a captive portal, a proxy's page, a server that is not AWS."""
        return self.fail(operation, status=200, body=body, content_type=content_type, times=times)

    def late(self, operation: str, seconds: float, *, times: int | None = None) -> Fault:
        """Let moto do the work, then hold the answer `seconds`: the client times out after AWS acted."""
        return self.fail(operation, status=200, after=seconds, times=times)

    def drip_feed(
        self, operation: str, interval: float, *, body: bytes | None = None, times: int | None = None
    ) -> Fault:
        """Answer (moto's answer, or `body`) one byte every `interval` seconds: each read gets a byte in
        time, so only a deadline on the whole request ends it."""
        return self.fail(operation, status=200, drip=interval, body=body, content_type="application/json", times=times)

    def race(self, operation: str, action: Any, *, times: int | None = 1) -> Fault:
        """Run `action()` (say, another client creating the same stream) just before the call reaches
        moto: what a concurrent run does between kvsctl's check and its change."""
        fault = self.fail(operation, status=200, times=times)
        fault.first = action
        return fault

    def hang_up(self, operation: str, *, times: int | None = None) -> Fault:
        """Close the connection without answering."""
        return self.fail(operation, status=200, close=True, times=times)

    def count(self, operation: str) -> int:
        """Calls of one operation ("kms.ListAliases" or just "ListAliases")."""
        with self._lock:
            return sum(n for key, n in self.calls.items() if operation in (key, key.split(".", 1)[1]))

    def clear_counts(self) -> None:
        with self._lock:
            self.calls.clear()

    def clients(self) -> Any:
        """Plain boto3 clients on this server, for arranging state and reading what a command left."""
        import boto3

        from tests.helpers import REGION

        url = self.url

        class Clients:
            kms = boto3.client("kms", region_name=REGION, endpoint_url=url)
            kvs = boto3.client("kinesisvideo", region_name=REGION, endpoint_url=url)
            iam = boto3.client("iam", region_name=REGION, endpoint_url=url)

        return Clients()

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.calls.values())

    # -- WSGI --------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO", "").startswith("/moto-api"):
            return self._moto(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        service, operation, protocol = identify(environ, body)
        with self._lock:
            self.calls[f"{service}.{operation}"] += 1
            fault = next((f for f in self.faults if f.active and f.matches(service, operation)), None)
            if fault is not None:
                fault.hits += 1
            wake = self._wake
        if fault is None:
            return self._moto(environ, start_response)
        if fault.first is not None:
            fault.first()
            if not (fault.delay or fault.after or fault.drip or fault.close):
                return self._moto(environ, start_response)
        if fault.delay:
            wake.wait(fault.delay)
        if fault.close:
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            return []
        if fault.body is not None:
            payload = fault.body() if callable(fault.body) else fault.body
            status, headers = f"{fault.status} OK", [("Content-Type", fault.content_type)]
        elif fault.code is None and fault.status < 400:
            if not (fault.after or fault.drip):
                return self._moto(environ, start_response)  # a pure delay, then the real answer
            status, headers, payload = _answer_of(self._moto, environ)  # the work is done now
            if fault.after:
                wake.wait(fault.after)
        else:
            status, headers, payload = error_response(fault, protocol)
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(payload)))])
        if fault.drip:
            return _dripping(payload, fault.drip, wake)
        return [payload]


def _answer_of(app: Any, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run a WSGI app to completion: its status, headers and body."""
    got: dict[str, Any] = {}

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        got["status"], got["headers"] = status, list(headers)

    chunks = app(environ, start)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return got["status"], got["headers"], body


def _dripping(payload: bytes, interval: float, wake: threading.Event) -> Any:
    for i in range(len(payload)):
        yield payload[i : i + 1]
        if wake.wait(interval):  # reset() releases the server at once
            yield payload[i + 1 :]
            return


_KVS_OPS = {"CreateStream", "DescribeStream", "ListStreams", "DeleteStream", "GetDataEndpoint", "TagStream"}
_IAM_PREFIXES = ("GetRole", "GetUser", "ListRole", "ListUser", "GetPolicy", "ListAttached", "ListGroup", "GetGroup")


def _service_of(operation: str) -> str:
    if operation in _KVS_OPS:
        return "kinesisvideo"
    if operation.startswith(_IAM_PREFIXES) or operation in ("SimulatePrincipalPolicy",):
        return "iam"
    return "kms"
