"""Differential check of the evaluator against an independent engine (dev-only; not part of the tests).

    npm install @cloud-copilot/iam-simulate          # in any directory outside the repository
    python benchmarks/differential.py --node-modules DIR/node_modules [--show N] [--json]

The corpus is the project's own: every decision the evaluator makes while the policy and audit test
suites run (tests/unit/policy, tests/unit/audit: the rule tables, red-team rows, properties) is recorded
with its inputs (principal, action, resource, request context, key policy, identity policies, boundary,
SCPs by level, RCPs), then each is run through @cloud-copilot/iam-simulate and the answers compared.

Comparable cases: kvsctl gives a definite answer (allow / implicit_deny / explicit_deny; `conditional`
means "AWS documents no answer or a fact is unknown", which the other engine does not model) and the case
uses nothing the other engine lacks (KMS grants). Allow vs deny is compared; a disagreement between
explicit and implicit deny is listed separately. Every disagreement is printed, grouped by the rule that
explains it; the adjudication (who is right, which AWS rule) is in README.md, "Correctness".
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NODE_RUNNER = r"""
const { runSimulation } = require(process.argv[2] + '/@cloud-copilot/iam-simulate/dist/cjs/index.js');
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(Boolean);
(async () => {
  const out = [];
  for (const line of lines) {
    const sim = JSON.parse(line);
    try {
      const r = await runSimulation(sim, {});
      if (r.resultType === 'error') out.push({ error: r.errors.message || JSON.stringify(r.errors).slice(0, 300) });
      else out.push({ result: r.overallResult });
    } catch (e) { out.push({ error: String(e).slice(0, 300) }); }
  }
  process.stdout.write(JSON.stringify(out));
})();
"""


def policy_json(policy: Any) -> dict[str, Any]:
    """A parsed Policy back to its JSON document."""
    stmts = []
    for st in policy.statements:
        d: dict[str, Any] = {"Effect": st.effect}
        if st.sid:
            d["Sid"] = st.sid
        d["NotAction" if st.not_action else "Action"] = list(st.actions)
        if st.resources is not None:
            d["NotResource" if st.not_resource else "Resource"] = list(st.resources)
        if st.principal is not None:
            p = st.principal
            spec: Any = "*" if p.wildcard else {}
            if not p.wildcard:
                for k, v in (("AWS", p.aws), ("Service", p.service), ("Federated", p.federated)):
                    if v:
                        spec[k] = list(v)
                if p.canonical_user:
                    spec["CanonicalUser"] = list(p.canonical_user)
            d["NotPrincipal" if st.not_principal else "Principal"] = spec
        if st.conditions:
            cond: dict[str, dict[str, list[str]]] = {}
            for c in st.conditions:
                cond.setdefault(c.operator, {})[c.key] = list(c.values)
            d["Condition"] = cond
        stmts.append(d)
    out: dict[str, Any] = {"Statement": stmts}
    if policy.version:
        out = {"Version": policy.version, **out}
    return out


def record_corpus(paths: list[str]) -> list[dict[str, Any]]:
    """Run the test suites with the evaluator's entry points wrapped; return every call with its answer."""
    import pytest

    import kvsctl.policy.kms as kms

    cases: list[dict[str, Any]] = []
    seen: set[str] = set()

    def ctx_values(req: Any) -> dict[str, Any]:
        return {k: (list(v) if len(v) != 1 else v[0]) for k, v in req.context.values.items()}

    def rec(kind: str, req: Any, decision: Any, **parts: Any) -> None:
        iam = parts.get("iam")
        case = {
            "kind": kind,
            "principal": req.principal.arn,
            "action": req.action,
            "resource": req.resource,
            "context": ctx_values(req),
            "iam_known": iam is not None,
            "identity": [policy_json(p) for p in (iam.identity if iam else ())],
            "boundary": policy_json(iam.boundary) if iam is not None and iam.boundary is not None else None,
            "key_policy": policy_json(parts["key_policy"]) if parts.get("key_policy") is not None else None,
            "scps": [policy_json(p) for p in parts.get("scps", ())],
            "scp_levels": [[policy_json(p) for p in level] for level in parts.get("scp_levels", ())],
            "rcps": [policy_json(p) for p in parts.get("rcps", ())],
            "grants": len(parts.get("grants") or ()),
            "key_policy_unread": kind == "kms" and parts.get("key_policy") is None,
            "grants_unread": kind == "kms" and parts.get("grants", ()) is None,
            "decision": decision.kind.value,
        }
        key = json.dumps(case, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            cases.append(case)

    orig_kms: Callable[..., Any] = kms.authorize_kms
    orig_id: Callable[..., Any] = kms.authorize_identity_only

    def authorize_kms(req: Any, **kw: Any) -> Any:
        d = orig_kms(req, **kw)
        try:
            rec("kms", req, d, **kw)
        except Exception:  # a case that cannot be serialised is left out, never fatal
            pass
        return d

    def authorize_identity_only(req: Any, **kw: Any) -> Any:
        d = orig_id(req, **kw)
        try:
            rec("identity", req, d, **kw)
        except Exception:  # as above
            pass
        return d

    kms.authorize_kms = authorize_kms  # type: ignore[assignment]
    kms.authorize_identity_only = authorize_identity_only  # type: ignore[assignment]
    import kvsctl.policy as pkg

    pkg.authorize_kms = authorize_kms  # type: ignore[attr-defined]
    pkg.authorize_identity_only = authorize_identity_only  # type: ignore[attr-defined]
    pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-x", "--no-header", "-o", "addopts=", *paths])
    return cases


def adversarial(case: dict[str, Any]) -> bool:
    """Patterns with many wildcards (the "*?" x 14 rows): the other engine turns wildcards into a
    backtracking regular expression and does not finish on them (checked one by one with a timeout)."""
    text = json.dumps([case["identity"], case["key_policy"], case["scps"], case["scp_levels"], case["rcps"]])
    return "*?*?*?" in text


def simulation(case: dict[str, Any]) -> dict[str, Any] | None:
    """The case as the other engine's input; None when it uses what that engine does not model."""
    if case["grants"] or case["key_policy_unread"] or case["grants_unread"] or adversarial(case):
        return None
    if case["decision"] == "conditional":
        return None
    if not case["principal"].startswith("arn:"):
        return None  # service principals: compared by hand (README)
    parts = case["resource"].split(":")
    account = parts[4] if len(parts) > 4 and parts[4] else "111122223333"
    scps = []
    if case["scps"]:
        flat = [{"name": f"scp{i}", "policy": p} for i, p in enumerate(case["scps"])]
        if not any(st["Effect"] == "Allow" for p in case["scps"] for st in p["Statement"]):
            # kvsctl's documented reading of --scp files without an Allow: FullAWSAccess is attached too
            full = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
            flat.append({"name": "FullAWSAccess", "policy": full})
        scps.append({"orgIdentifier": "ou-flat", "policies": flat})
    for n, level in enumerate(case["scp_levels"]):
        scps.append(
            {
                "orgIdentifier": f"level-{n}",
                "policies": [{"name": f"l{n}p{i}", "policy": p} for i, p in enumerate(level)],
            }
        )
    # the context holds key names folded to lower case (IAM UG: condition key names are not case-sensitive);
    # give the other engine each key as the policies spell it
    spelled: dict[str, str] = {}
    for p in [*case["identity"], case["key_policy"], case["boundary"], *case["scps"], *case["rcps"]]:
        for st in (p or {}).get("Statement", []):
            for block in st.get("Condition", {}).values():
                for k in block:
                    spelled.setdefault(k.lower(), k)
    context = {spelled.get(k, k): v for k, v in case["context"].items()}
    sim: dict[str, Any] = {
        "request": {
            "principal": case["principal"],
            "action": case["action"],
            "resource": {"resource": case["resource"], "accountId": account},
            "contextVariables": context,
        },
        "identityPolicies": [{"name": f"id{i}", "policy": p} for i, p in enumerate(case["identity"])],
        "serviceControlPolicies": scps,
        "resourceControlPolicies": (
            [
                {
                    "orgIdentifier": "o-rcp",
                    "policies": [{"name": f"rcp{i}", "policy": p} for i, p in enumerate(case["rcps"])],
                }
            ]
            if case["rcps"]
            else []
        ),
    }
    if case["key_policy"] is not None:
        sim["resourcePolicy"] = case["key_policy"]
    if case["boundary"] is not None:
        sim["permissionBoundaryPolicies"] = [{"name": "boundary", "policy": case["boundary"]}]
    return sim


_THEIRS = {"Allowed": "allow", "ImplicitlyDenied": "implicit_deny", "ExplicitlyDenied": "explicit_deny"}


def run_node(node_modules: str, sims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False) as f:
        f.write(NODE_RUNNER)
        runner = f.name
    proc = subprocess.run(
        ["node", runner, str(Path(node_modules).resolve())],
        input="\n".join(json.dumps(s) for s in sims),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"node failed: {proc.stderr[-2000:]}")
    out: list[dict[str, Any]] = json.loads(proc.stdout)
    return out


def classify(case: dict[str, Any], theirs: str) -> str:
    """Name the rule behind a disagreement (adjudicated in README.md, "Correctness")."""
    ours = case["decision"]
    same_account = case["principal"].split(":")[4] == case["resource"].split(":")[4]
    if case["kind"] == "identity" and not same_account and theirs == "allow":
        return "A1 cross-account kinesisvideo: (KVS has no resource policy)"
    if not case["iam_known"] and ours == "allow":
        return "A2 IAM not given: kvsctl decides on the key policy alone"
    blob = json.dumps(case)
    if "kms:EncryptionAlgorithm" in blob:
        return "A3 kms:EncryptionAlgorithm on the KVS path (SYMMETRIC_DEFAULT)"
    if "NotPrincipal" in blob:
        return "A4 NotPrincipal"
    if "assumed-role" in case["principal"]:
        return "A5 role sessions"
    if case["scp_levels"] or case["scps"]:
        return "A6 SCPs"
    if case["rcps"]:
        return "A7 RCPs"
    return "A9 other"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--node-modules", required=True, help="node_modules holding @cloud-copilot/iam-simulate")
    ap.add_argument("--show", type=int, default=3, help="examples printed per disagreement class")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cases", help="keep the recorded corpus in this JSON file (reused when it exists)")
    ap.add_argument("paths", nargs="*", default=["tests/unit/policy", "tests/unit/audit"])
    args = ap.parse_args()
    if args.cases and Path(args.cases).exists():
        cases = json.loads(Path(args.cases).read_text())
    else:
        cases = record_corpus([str(ROOT / p) for p in args.paths])
        if args.cases:
            Path(args.cases).write_text(json.dumps(cases))
    comparable = [(c, s) for c in cases if (s := simulation(c)) is not None]
    answers = run_node(args.node_modules, [s for _, s in comparable])
    agree = 0
    refused: list[tuple[dict[str, Any], str]] = []
    fine: list[tuple[dict[str, Any], str]] = []
    groups: dict[str, list[tuple[dict[str, Any], str]]] = {}
    for (case, _), ans in zip(comparable, answers, strict=True):
        if "error" in ans:
            refused.append((case, ans["error"]))
            continue
        theirs = _THEIRS[ans["result"]]
        if (theirs == "allow") == (case["decision"] == "allow"):
            agree += 1
            if theirs != case["decision"]:
                fine.append((case, theirs))
            continue
        groups.setdefault(classify(case, theirs), []).append((case, theirs))
    summary = {
        "decisions_recorded": len(cases),
        "adversarial_wildcards_skipped": sum(adversarial(c) for c in cases),
        "conditional_or_not_modelled": len(cases) - len(comparable),
        "compared": len(comparable) - len(refused),
        "refused_by_other_engine": len(refused),
        "agree": agree,
        "disagree": sum(len(v) for v in groups.values()),
        "explicit_vs_implicit_only": len(fine),
        "by_class": {k: len(v) for k, v in sorted(groups.items())},
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    for k, v in summary.items():
        if k != "by_class":
            print(f"{k:32} {v}")
    for name, items in sorted(groups.items()):
        print(f"\n== {name}: {len(items)}")
        for case, theirs in items[: args.show]:
            print(f"   {case['principal']} {case['action']} {case['resource']}")
            print(f"     kvsctl {case['decision']}, iam-simulate {theirs}")
    if refused:
        print(f"\n== refused by iam-simulate: {len(refused)}")
        for reason, n in Counter(r[:120] for _, r in refused).most_common(5):
            print(f"   {n} x {reason}")


if __name__ == "__main__":
    main()
