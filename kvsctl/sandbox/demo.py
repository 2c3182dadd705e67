"""`kvsctl sandbox demo`: the guided tour, running real kvsctl commands against an embedded sandbox."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kvsctl.aws.session import ClientFactory


@dataclass
class Step:
    title: str
    explain: str
    argv: list[str] = field(default_factory=list)
    expect_exit: int = 0
    setup: Callable[[ClientFactory, dict[str, str]], None] | None = None


def _seed_keys(factory: ClientFactory, facts: dict[str, str]) -> None:
    """Stand-in for a key made by your security team: a customer managed key with an alias,
    and a second key that someone disabled."""
    good = factory.call("kms", "create_key", Description="kvsctl demo: camera fleet key")["KeyMetadata"]
    factory.call("kms", "create_alias", AliasName="alias/demo-cams", TargetKeyId=good["KeyId"])
    factory.call("kms", "enable_key_rotation", KeyId=good["KeyId"])
    bad = factory.call("kms", "create_key", Description="kvsctl demo: a disabled key")["KeyMetadata"]
    factory.call("kms", "create_alias", AliasName="alias/demo-disabled", TargetKeyId=bad["KeyId"])
    factory.call("kms", "disable_key", KeyId=bad["KeyId"])
    facts["good_key_arn"] = good["Arn"]
    facts["bad_key_arn"] = bad["Arn"]


DEMO_ACCOUNT = "123456789012"  # moto's account
DEMO_PRODUCER = f"arn:aws:iam::{DEMO_ACCOUNT}:role/demo-camera"
DEMO_CONSUMER = f"arn:aws:iam::{DEMO_ACCOUNT}:role/demo-dashboard"
DEMO_BROKEN_CONSUMER = f"arn:aws:iam::{DEMO_ACCOUNT}:role/demo-archiver"


def _seed_principals(factory: ClientFactory, facts: dict[str, str]) -> None:
    """A camera role that may write, a dashboard role that may read, and an archiver role that was given
    kinesisvideo:GetMedia but not kms:Decrypt (the key policy delegates to IAM)."""
    import json

    def allow(*actions: str) -> str:
        return json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}
        )

    roles = {
        "demo-camera": allow("kinesisvideo:PutMedia", "kms:GenerateDataKey"),
        "demo-dashboard": allow("kinesisvideo:GetMedia", "kms:Decrypt"),
        "demo-archiver": allow("kinesisvideo:GetMedia"),
    }
    for name, policy in roles.items():
        factory.call("iam", "create_role", RoleName=name, AssumeRolePolicyDocument="{}")
        factory.call("iam", "put_role_policy", RoleName=name, PolicyName="access", PolicyDocument=policy)


def steps() -> list[Step]:
    return [
        Step(
            "Seed the sandbox",
            "Two customer managed keys: alias/demo-cams (enabled, rotation on) and alias/demo-disabled (disabled).",
            setup=_seed_keys,
        ),
        Step(
            "Create a stream with a checked key",
            "kvsctl resolves the alias, checks the key is Enabled, symmetric and in this region, then "
            "passes the key ARN (never the alias) to CreateStream.",
            [
                "stream",
                "create",
                "lobby-cam",
                "--kms-key",
                "alias/demo-cams",
                "--retention-hours",
                "24",
                "--media-type",
                "video/h264",
                "--tag",
                "team=video",
            ],
        ),
        Step(
            "Describe it",
            "The stream and its key: ARN, aliases, manager, state, rotation.",
            ["stream", "describe", "lobby-cam"],
        ),
        Step(
            "Refuse a disabled key",
            "KVS itself would accept this stream and every PutMedia would fail later. kvsctl refuses (exit 1) "
            "and creates nothing.",
            ["stream", "create", "doomed-cam", "--kms-key", "alias/demo-disabled"],
            expect_exit=1,
        ),
        Step(
            "Idempotent create",
            "--if-not-exists succeeds when the stream exists with the same key.",
            ["stream", "create", "lobby-cam", "--kms-key", "alias/demo-cams", "--if-not-exists"],
        ),
        Step("List streams", "Every stream with its key; doomed-cam does not exist.", ["stream", "list"]),
        Step(
            "Audit producers and consumers, live",
            "kvsctl reads the stream, its key (state, rotation, key policy, grants) and each principal's IAM "
            "policies, then evaluates them as AWS does. The camera can write and the dashboard can read; the "
            "archiver was never given kms:Decrypt, so the audit fails (exit 1) and says why.",
            [
                "audit",
                "stream",
                "lobby-cam",
                "--producer",
                DEMO_PRODUCER,
                "--consumer",
                DEMO_CONSUMER,
                "--consumer",
                DEMO_BROKEN_CONSUMER,
            ],
            expect_exit=1,
            setup=_seed_principals,
        ),
    ]


def run_demo(port: int, g: Any) -> int:
    from kvsctl.cli.app import main
    from kvsctl.render import make_console
    from kvsctl.sandbox.server import running_sandbox, sandbox_environment

    console = make_console(no_color=g.no_color)
    facts: dict[str, str] = {}
    failures: list[str] = []
    with running_sandbox(port) as endpoint, sandbox_environment(endpoint):
        console.rule("[bold]kvsctl sandbox demo[/bold]")
        console.print(f"A moto sandbox is running at {endpoint}; no AWS account is used.\n")
        factory = ClientFactory()
        for number, step in enumerate(steps(), 1):
            console.rule(f"[bold]{number}. {step.title}[/bold]", align="left")
            console.print(step.explain)
            if step.setup is not None:
                step.setup(factory, facts)
            if step.argv:
                argv = [*step.argv, "--endpoint-url", endpoint, "-o", "table"]
                if g.no_color:
                    argv.append("--no-color")
                console.print(f"\n[bold]$ kvsctl {shlex.join(step.argv)}[/bold]")
                sys.stdout.flush()
                code = main(argv)
                sys.stdout.flush()
                sys.stderr.flush()
                verdict = "as expected" if code == step.expect_exit else f"UNEXPECTED (wanted {step.expect_exit})"
                console.print(f"[dim]exit code {code}: {verdict}[/dim]\n")
                if code != step.expect_exit:
                    failures.append(f"step {number} ({step.title}) exited {code}, expected {step.expect_exit}")
        console.rule()
    if failures:
        for f in failures:
            sys.stderr.write(f"kvsctl: error: demo {f}\n")
        return 1
    console.print("[green]Demo complete.[/green] Try it yourself: kvsctl sandbox serve")
    return 0
