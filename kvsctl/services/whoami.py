"""`kvsctl whoami`: who the credentials are (STS GetCallerIdentity), where they came from, which region,
endpoint and profile kvsctl will use, and whether the KVS and KMS endpoints answer."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from kvsctl.aws.session import ClientFactory
from kvsctl.errors import AwsError

# botocore's names for where credentials came from (Credentials.method), said plainly
_SOURCES = {
    "env": "environment variables (AWS_ACCESS_KEY_ID)",
    "shared-credentials-file": "the shared credentials file (~/.aws/credentials)",
    "config-file": "the AWS config file (~/.aws/config)",
    "assume-role": "an assumed role (role_arn in the profile)",
    "assume-role-with-web-identity": "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)",
    "sso": "IAM Identity Center (SSO) in the profile",
    "custom-process": "credential_process in the profile",
    "container-role": "the container's role (ECS/EKS)",
    "iam-role": "the instance's role (EC2 instance metadata)",
    "explicit": "credentials given explicitly",
}


@dataclass(frozen=True)
class Check:
    service: str
    endpoint: str
    ok: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"service": self.service, "endpoint": self.endpoint, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class Identity:
    arn: str
    account: str
    user_id: str
    region: str
    profile: str | None
    endpoint_url: str | None
    credential_source: str
    checks: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "arn": self.arn,
            "account": self.account,
            "user_id": self.user_id,
            "region": self.region,
            "profile": self.profile,
            "endpoint_url": self.endpoint_url,
            "credential_source": self.credential_source,
            "checks": [c.to_json() for c in self.checks],
            "ok": self.ok,
        }


def _endpoint(factory: ClientFactory, service: str) -> str:
    try:
        return str(factory.client(service).meta.endpoint_url)
    except Exception:
        return factory.endpoint_url or "?"


def _check(factory: ClientFactory, service: str, label: str, operation: str, **params: Any) -> Check:
    endpoint = _endpoint(factory, service)
    try:
        factory.call(service, operation, **params)
    except AwsError as exc:
        return Check(label, endpoint, False, exc.message)
    api = "".join(w.capitalize() for w in operation.split("_"))
    return Check(label, endpoint, True, f"{api} answered")


def who_am_i(factory: ClientFactory) -> Identity:
    """The caller and its set-up; AwsError (exit 3) when STS does not answer or refuses."""
    region = factory.region
    session = factory._boto_session()
    creds = session.get_credentials()
    if creds is None:
        raise AwsError(
            "no AWS credentials found",
            hint="Set AWS_PROFILE or --profile (aws configure / aws sso login), or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY.",
            code="no_credentials",
        )
    method = str(getattr(creds, "method", "") or "")
    source = _SOURCES.get(method, method or "unknown")
    me = factory.call("sts", "get_caller_identity")
    checks = (
        _check(factory, "kinesisvideo", "kinesisvideo", "list_streams", MaxResults=1),
        _check(factory, "kms", "kms", "list_aliases", Limit=1),
    )
    profile = factory.config.profile or os.environ.get("AWS_PROFILE") or None
    return Identity(
        arn=str(me["Arn"]),
        account=str(me["Account"]),
        user_id=str(me.get("UserId", "")),
        region=region,
        profile=profile,
        endpoint_url=factory.endpoint_url,
        credential_source=source,
        checks=checks,
    )
