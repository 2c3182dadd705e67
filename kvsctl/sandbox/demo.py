"""`kvsctl sandbox demo`: the guided tour, running real kvsctl commands against an embedded sandbox.

The CLI hands in the function that runs a command line, so the demo drives the real commands without this
package importing the CLI (the layers point one way: cli -> sandbox).

The story: recommend a key policy, create the key with it, declare streams in a spec file and apply
it, look at the key, refuse a bad key, audit who can use the streams (one consumer is broken), find a
viewer that can GetMedia but not play HLS, apply the fix kvsctl prints and audit again, and estimate
what it costs.
"""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kvsctl.aws.session import ClientFactory

ACCOUNT = "123456789012"  # the sandbox's (moto's) account
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"
PRODUCER = f"arn:aws:iam::{ACCOUNT}:role/CameraProducer"
CONSUMER = f"arn:aws:iam::{ACCOUNT}:role/VideoAnalytics"
FORGOTTEN = f"arn:aws:iam::{ACCOUNT}:role/NightShiftViewer"

SPEC = f"""\
# The streams of the lobby camera fleet, declared as code.
[[stream]]
name = "lobby-cam"
kms_key = "alias/demo-cams"
retention_hours = 24
media_type = "video/h264"
tags = {{ team = "video" }}
producers = ["{PRODUCER}"]
consumers = ["{CONSUMER}", "{FORGOTTEN}"]

[[stream]]
name = "dock-cam"
kms_key = "alias/demo-cams"
retention_hours = 72
media_type = "video/h264"
producers = ["{PRODUCER}"]
consumers = ["{CONSUMER}"]
"""


@dataclass
class Step:
    title: str
    explain: str
    argv: list[str] = field(default_factory=list)
    expect_exit: int = 0
    setup: Callable[[ClientFactory, dict[str, str]], None] | None = None


def _seed(factory: ClientFactory, facts: dict[str, str]) -> None:
    """What exists before kvsctl: IAM roles (as your IaC would make them) and a key someone disabled."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    kvs_actions = ["kinesisvideo:GetDataEndpoint", "kinesisvideo:DescribeStream"]
    for arn, action in ((ADMIN, None), (PRODUCER, "PutMedia"), (CONSUMER, "GetMedia"), (FORGOTTEN, "GetMedia")):
        name = arn.rsplit("/", 1)[1]
        factory.call("iam", "create_role", RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
        if action:
            doc = {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": [f"kinesisvideo:{action}", *kvs_actions], "Resource": "*"}],
            }
            factory.call("iam", "put_role_policy", RoleName=name, PolicyName="kvs", PolicyDocument=json.dumps(doc))
    bad = factory.call("kms", "create_key", Description="kvsctl demo: a disabled key")["KeyMetadata"]
    factory.call("kms", "create_alias", AliasName="alias/demo-disabled", TargetKeyId=bad["KeyId"])
    factory.call("kms", "disable_key", KeyId=bad["KeyId"])
    spec = Path(facts["workdir"]) / "cams.toml"
    spec.write_text(SPEC)
    facts["spec"] = str(spec)


def _apply_hls_fix(factory: ClientFactory, facts: dict[str, str]) -> None:
    """Apply, as an operator would paste it, the fix the audit printed for VideoAnalytics's HLS path."""
    from kvsctl.services.audit_live import AuditScope, run

    report = run(factory, AuditScope(names=("lobby-cam",), consumers=(CONSUMER,), reads=("getmedia", "hls")))
    fixes = [r.patch for _s, r in report.results() if r.patch is not None and r.patch.verified]
    statements = [c.statement for f in fixes for c in f.changes if c.target == "identity" and c.statement]
    if not statements:
        raise RuntimeError("the demo expected a fix for the HLS path")
    doc = {"Version": "2012-10-17", "Statement": [dict(st) for st in statements]}
    factory.call(
        "iam",
        "put_role_policy",
        RoleName=CONSUMER.rsplit("/", 1)[1],
        PolicyName="kvs-hls",
        PolicyDocument=json.dumps(doc),
    )
    print(f"  put-role-policy VideoAnalytics kvs-hls: {json.dumps(doc['Statement'])}")


def steps() -> list[Step]:
    return [
        Step(
            "Seed the sandbox",
            "IAM roles KeyAdmin, CameraProducer, VideoAnalytics and NightShiftViewer (allowed PutMedia/GetMedia "
            "in IAM), and a key someone disabled (alias/demo-disabled).",
            setup=_seed,
        ),
        Step(
            "Recommend a key policy (offline)",
            "Admins manage the key but cannot use it; the producer may only GenerateDataKey and the consumer "
            "only Decrypt, and only through KVS (kms:ViaService).",
            [
                "key",
                "recommend-policy",
                "--region",
                "us-east-1",
                "--admin",
                ADMIN,
                "--producer",
                PRODUCER,
                "--consumer",
                CONSUMER,
            ],
        ),
        Step(
            "Create the key",
            "SYMMETRIC_DEFAULT, that policy, rotation enabled, then the alias. Someone forgot NightShiftViewer.",
            [
                "key",
                "create",
                "--alias",
                "alias/demo-cams",
                "--admin",
                ADMIN,
                "--producer",
                PRODUCER,
                "--consumer",
                CONSUMER,
                "--description",
                "kvsctl demo: camera fleet key",
                "--tag",
                "team=video",
            ],
        ),
        Step(
            "Refuse an alias in use",
            "Checked before any key is made: exit 1, nothing created.",
            ["key", "create", "--alias", "alias/demo-cams", "--admin", ADMIN],
            expect_exit=1,
        ),
        Step(
            "Plan a spec file",
            "Two streams declared as code. --dry-run prints the plan and touches nothing.",
            ["apply", "{spec}", "--dry-run"],
        ),
        Step(
            "Apply it",
            "The missing streams are created through the checked create path: the alias is resolved and the "
            "key ARN (never the alias) is what KVS stores. Existing streams are never changed.",
            ["apply", "{spec}"],
        ),
        Step(
            "Describe the key",
            "Metadata, rotation, policy, and the streams that use it.",
            ["key", "describe", "alias/demo-cams"],
        ),
        Step(
            "Refuse a disabled key",
            "KVS itself would accept this stream and every PutMedia would fail later. kvsctl refuses (exit 1) "
            "and creates nothing.",
            ["stream", "create", "doomed-cam", "--kms-key", "alias/demo-disabled"],
            expect_exit=1,
        ),
        Step(
            "Audit producers and consumers, live",
            "kvsctl reads the stream, its key (state, rotation, key policy, grants) and each principal's IAM "
            "policies, then evaluates them as AWS does. The camera can write and VideoAnalytics can read; "
            "NightShiftViewer is declared in the spec but was left out of the key policy, so the audit fails "
            "(exit 1) and says why.",
            ["audit", "stream", "lobby-cam", "--producer", PRODUCER, "--consumer", CONSUMER, "--consumer", FORGOTTEN],
            expect_exit=1,
        ),
        Step(
            "A viewer that can GetMedia but not play HLS",
            "Real consumers do more than GetMedia: --read checks each read path (GetDataEndpoint, the path's "
            "calls, kms:Decrypt). VideoAnalytics passes getmedia but the hls row fails at "
            "GetHLSStreamingSessionURL; the fix under the table is the statement to add, and where.",
            ["audit", "stream", "lobby-cam", "--consumer", CONSUMER, "--read", "getmedia,hls"],
            expect_exit=1,
        ),
        Step(
            "Apply the fix and audit again",
            "The statement kvsctl printed goes into VideoAnalytics's identity policy (as your IaC would); "
            "both read paths now pass.",
            ["audit", "stream", "lobby-cam", "--consumer", CONSUMER, "--read", "getmedia,hls"],
            setup=_apply_hls_fix,
        ),
        Step(
            "Estimate the KMS cost",
            "Counted from the account: each (credential, stream) pair asks KMS for data keys.",
            ["cost", "estimate", "--from-account", "--producers-per-stream", "1", "--consumers-per-stream", "2"],
        ),
    ]


def run_demo(port: int, run: Callable[[list[str]], int], *, no_color: bool = False) -> int:
    """Run the tour; `run` runs one kvsctl command line and returns its exit code (the CLI passes its own
    entry point in, so this package never imports the CLI)."""
    from kvsctl.render import make_console
    from kvsctl.sandbox.server import running_sandbox, sandbox_environment

    console = make_console(no_color=no_color)
    failures: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="kvsctl-demo-") as workdir,
        running_sandbox(port) as endpoint,
        sandbox_environment(endpoint),
    ):
        facts: dict[str, str] = {"workdir": workdir}
        console.rule("[bold]kvsctl sandbox demo[/bold]")
        console.print(f"A moto sandbox is running at {endpoint}; no AWS account is used.\n")
        factory = ClientFactory()
        for number, step in enumerate(steps(), 1):
            console.rule(f"[bold]{number}. {step.title}[/bold]", align="left")
            console.print(step.explain)
            if step.setup is not None:
                step.setup(factory, facts)
            if step.argv:
                shown = [a.format(**facts) if "{" in a else a for a in step.argv]
                argv = [*shown, "--endpoint-url", endpoint, "-o", "table"]
                if step.argv[0] == "key" and step.argv[1] == "recommend-policy":
                    argv.remove("--endpoint-url")
                    argv.remove(endpoint)
                if no_color:
                    argv.append("--no-color")
                console.print(f"\n[bold]$ kvsctl {shlex.join(shown)}[/bold]", soft_wrap=True)
                sys.stdout.flush()
                code = run(argv)
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
