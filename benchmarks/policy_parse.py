"""Policy parsing and wildcard matching scale linearly: seconds per document size, and matching time for
adversarial wildcard patterns.

    python benchmarks/policy_parse.py            # median of 3 runs per size
    python benchmarks/policy_parse.py --json

Parsing: single-line and pretty-printed key policies of 0.5, 1, 2 and 4 MB (the line of every statement
is tracked for messages). Linear means the time per MB stays flat as the size grows; before the fix the
line of each object was found by counting newlines from the start (1 MB: 3.5 s, 4 MB: 47 s).

Matching: ``"*?" * K + "x"`` against a 1,000-character text that almost matches, K = 1..64, for
StringLike (``glob_match``) and the Resource element (``match_resource``); a backtracking regex takes
time exponential in K here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kvsctl.policy.document import PolicyKind, parse_policy  # noqa: E402
from kvsctl.policy.match import glob_match, match_resource  # noqa: E402

STATEMENT = {
    "Sid": "Consumers",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:role/Viewer"},
    "Action": ["kms:Decrypt"],
    "Resource": "*",
    "Condition": {"StringEquals": {"kms:ViaService": "kinesisvideo.us-east-1.amazonaws.com"}},
}


def document(megabytes: float, *, pretty: bool) -> str:
    one = len(json.dumps(STATEMENT, indent=2 if pretty else None))
    n = max(1, int(megabytes * 1_000_000 / one))
    return json.dumps({"Version": "2012-10-17", "Statement": [STATEMENT] * n}, indent=2 if pretty else None)


def timed(fn: object, reps: int) -> float:
    runs = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    rows = []
    for pretty in (False, True):
        for mb in (0.5, 1, 2, 4):
            doc = document(mb, pretty=pretty)
            size = len(doc) / 1_000_000
            s = timed(lambda doc=doc: parse_policy(doc, "bench", PolicyKind.RESOURCE), args.reps)
            rows.append(
                {
                    "what": "parse",
                    "pretty": pretty,
                    "mb": round(size, 2),
                    "seconds": round(s, 3),
                    "seconds_per_mb": round(s / size, 3),
                }
            )
    text = "a" * 1000
    for k in (1, 4, 16, 64):
        pat = "*?" * k + "x"
        g = timed(lambda pat=pat: glob_match(pat, text), args.reps)
        r = timed(
            lambda pat=pat: match_resource("arn:aws:kms:us-east-1:1:" + pat, "arn:aws:kms:us-east-1:1:" + text),
            args.reps,
        )
        rows.append({"what": "match", "stars": k, "glob_ms": round(g * 1000, 3), "resource_ms": round(r * 1000, 3)})
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for row in rows:
        if row["what"] == "parse":
            kind = "pretty" if row["pretty"] else "one line"
            print(f"parse {kind:9} {row['mb']:5.2f} MB  {row['seconds']:7.3f} s  {row['seconds_per_mb']:6.3f} s/MB")
        else:
            print(
                f"match '*?' x {row['stars']:<3} on 1,000 chars  glob {row['glob_ms']:7.3f} ms  "
                f"resource {row['resource_ms']:7.3f} ms"
            )


if __name__ == "__main__":
    main()
