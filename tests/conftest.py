"""Fixtures: a clean fake AWS environment for every test, moto in-process, and a moto server."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import REGION


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever reaches real AWS or the developer's profile."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name.startswith("KVSCTL_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/kvsctl-test-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/kvsctl-test-credentials")
    monkeypatch.setenv("KVSCTL_RETRY_BASE_DELAY", "0.001")
    monkeypatch.setenv("KVSCTL_RETRY_MAX_DELAY", "0.01")
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def moto() -> Iterator[None]:
    """moto in-process: every boto3 call in the test goes to moto's in-memory account."""
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture
def factory(moto: None) -> Any:
    from kvsctl.aws.session import ClientFactory

    return ClientFactory()


@pytest.fixture
def boto(moto: None) -> Any:
    """Plain boto3 clients for arranging state and checking what kvsctl left behind."""
    import boto3

    class Clients:
        kms = boto3.client("kms", region_name=REGION)
        kvs = boto3.client("kinesisvideo", region_name=REGION)
        iam = boto3.client("iam", region_name=REGION)

    return Clients()


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A real moto server on 127.0.0.1 (free port) for end-to-end tests."""
    from kvsctl.sandbox.server import running_sandbox

    with running_sandbox(0) as endpoint:
        yield endpoint


@pytest.fixture
def server(moto_server: str) -> str:
    """The moto server, wiped before the test."""
    req = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST", data=b"")
    urllib.request.urlopen(req, timeout=10).read()
    return moto_server
