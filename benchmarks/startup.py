"""Start-up budget: kvsctl against the AWS CLI and a bare Python, measured side by side in one run.

    python benchmarks/startup.py            # 21 rounds (default)
    python benchmarks/startup.py --runs 41 --json

Every round runs each command once, in a shuffled order, so drift (thermal, cache, a noisy neighbour)
hits all of them alike; the table shows medians. kvsctl runs exactly as its console script does
(`from kvsctl.cli.app import run; run()`), from this checkout (PYTHONPATH), with the interpreter
running this script, with bytecode caching on (the warm-up runs write the .pyc files an install has).
Budgets (issue 7): `--version` <= 0.35x `aws --version`; the others <= 0.6x.
Exit status 1 when a budget is missed, so CI can run it; the figures are the point, not the verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "examples" / "policies"
KVSCTL = [sys.executable, "-c", "import sys; from kvsctl.cli.app import run; sys.exit(run())"]
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PRODUCER = "arn:aws:iam::111122223333:role/CameraProducer"
CONSUMER = "arn:aws:iam::111122223333:role/ViewerConsumer"


def find_aws() -> list[str]:
    """The AWS CLI installed beside this interpreter (not a pyenv shim: a shim adds a shell's start-up)."""
    beside = Path(sys.executable).with_name("aws")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("aws")
    if not found:
        sys.exit("the AWS CLI is not installed (pip install awscli): it is the yardstick")
    return [found]


def commands() -> list[tuple[str, list[str], float | None, int]]:
    """(label, argv, budget as a ratio to aws --version or None for a yardstick, expected exit code)."""
    out: list[tuple[str, list[str], float | None, int]] = [
        ("python -c pass", [sys.executable, "-c", "pass"], None, 0),
        ("aws --version", [*find_aws(), "--version"], None, 0),
        ("kvsctl --version", [*KVSCTL, "--version"], 0.35, 0),
        ("kvsctl --help", [*KVSCTL, "--help"], 0.6, 0),
    ]
    if (ROOT / "kvsctl" / "cli" / "audit.py").exists():
        audit = [*KVSCTL, "audit", "policy", "--key-policy", str(POLICIES / "key-policy-good.json")]
        audit += ["--key-arn", KEY, "--producer", PRODUCER, "--consumer", CONSUMER, "-o", "json"]
        out.append(("kvsctl audit policy (small file)", audit, 0.6, 0))
    if (ROOT / "kvsctl" / "cli" / "cost.py").exists():
        out.append(("kvsctl cost estimate", [*KVSCTL, "cost", "estimate", "--streams", "100", "-o", "json"], 0.6, 0))
    return out


def environment() -> dict[str, str]:
    # PYTHONDONTWRITEBYTECODE would make every run compile kvsctl from source; an installed kvsctl
    # has its .pyc files (pip writes them), as the AWS CLI has: measure like for like.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "KVSCTL_", "PYTHONDONTWRITE"))}
    env.update(
        PYTHONPATH=str(ROOT),
        NO_COLOR="1",
        COLUMNS="100",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return env


def time_once(argv: list[str], env: dict[str, str], expect: int) -> float:
    with tempfile.TemporaryFile() as sink:
        start = time.perf_counter()
        code = subprocess.call(argv, env=env, stdout=sink, stderr=sink, stdin=subprocess.DEVNULL, cwd=ROOT)
        elapsed = time.perf_counter() - start
        if code != expect:
            sink.seek(0)
            sys.exit(f"{argv[-1]!r} exited {code}, expected {expect}:\n{sink.read().decode(errors='replace')}")
    return elapsed


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    aws = subprocess.run([*find_aws(), "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "aws": aws.split(" ")[0] if aws else "?",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="rounds (each runs every command once)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    env = environment()
    cmds = commands()
    times: dict[str, list[float]] = {label: [] for label, *_ in cmds}
    for _label, argv, _, expect in cmds:  # warm the page cache and .pyc files; not counted
        time_once(argv, env, expect)
        time_once(argv, env, expect)
    for _ in range(args.runs):
        order = list(cmds)
        random.shuffle(order)
        for label, argv, _, expect in order:
            times[label].append(time_once(argv, env, expect))

    med = {label: statistics.median(ts) for label, ts in times.items()}
    aws, py = med["aws --version"], med["python -c pass"]
    rows = []
    for label, _, budget, _ in cmds:
        ratio = med[label] / aws
        rows.append(
            {
                "command": label,
                "median_ms": round(med[label] * 1000, 1),
                "min_ms": round(min(times[label]) * 1000, 1),
                "x_aws": round(ratio, 3),
                "x_python": round(med[label] / py, 2),
                "budget_x_aws": budget,
                "within_budget": None if budget is None else ratio <= budget,
            }
        )
    info = machine()
    if args.json:
        print(json.dumps({"machine": info, "runs": args.runs, "results": rows}, indent=2))
    else:
        print(f"{info['nproc']} x {info['cpu']}, Python {info['python']}, {info['aws']}; {args.runs} rounds, medians\n")
        print(f"{'command':<34} {'median':>9} {'min':>9} {'x aws':>7} {'x python':>9}  budget")
        for r in rows:
            verdict = (
                ""
                if r["budget_x_aws"] is None
                else f"<= {r['budget_x_aws']}x  " + ("ok" if r["within_budget"] else "MISSED")
            )
            print(
                f"{r['command']:<34} {r['median_ms']:>7.1f}ms {r['min_ms']:>7.1f}ms "
                f"{r['x_aws']:>7.2f} {r['x_python']:>9.2f}  {verdict}"
            )
    return 0 if all(r["within_budget"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
