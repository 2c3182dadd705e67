"""The rule registry is one table, complete, consistent, and rendered into docs/rules.md."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kvsctl.checks.model import Severity
from kvsctl.checks.rules import RULES, catalogue, markdown, requirement_rule_id, rule

ROOT = Path(__file__).resolve().parents[3]
PASCAL = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*$")


def test_ids_are_stable_families_and_names_unique_pascal_case() -> None:
    ids = [r.id for r in catalogue()]
    assert ids == sorted(RULES) and len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"KVS[1234]\d\d|KVS-(PRODUCER|CONSUMER)-[A-Z]+", i) for i in ids), ids
    names = [r.name for r in catalogue()]
    assert len(set(names)) == len(names)
    assert all(PASCAL.match(n) for n in names), [n for n in names if not PASCAL.match(n)]


@pytest.mark.parametrize("r", catalogue(), ids=lambda r: r.id)
def test_every_rule_says_what_it_means_and_what_to_do(r: object) -> None:
    from kvsctl.checks.rules import Rule

    assert isinstance(r, Rule)
    assert r.title and r.description and r.remediation
    assert r.severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
    assert r.help_uri.endswith(f"#{r.anchor}")
    # GitHub code scanning reads security-severity as a number 0-10
    assert r.security_severity is None or 0.0 < r.security_severity <= 10.0


def test_the_documented_severities_of_the_families() -> None:
    """README, "kvsctl rules": error for what breaks or exposes data, warning for risky, info otherwise."""
    assert rule("KVS101").severity is Severity.ERROR  # key policy open to everyone
    assert rule("KVS204").severity is Severity.ERROR  # pending deletion
    assert rule("KVS208").severity is Severity.WARNING  # rotation off
    assert rule("KVS211").severity is Severity.INFO  # documented AWS managed key policy
    assert rule("KVS218").severity is Severity.ERROR  # audit all matched nothing
    assert all(rule(requirement_rule_id(*k)).severity is Severity.ERROR for k in (
        ("producer", "kms:GenerateDataKey"), ("producer", "kinesisvideo:PutMedia"),
        ("consumer", "kms:Decrypt"), ("consumer", "kinesisvideo:GetMedia"),
    ))  # fmt: skip


def test_no_call_site_overrides_a_severity() -> None:
    """The registry's severity is final: outside the registry no code passes severity= to anything."""
    offenders = []
    for path in (ROOT / "kvsctl").rglob("*.py"):
        if path == ROOT / "kvsctl" / "checks" / "rules.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and any(k.arg == "severity" for k in node.keywords):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_every_rule_id_used_in_the_code_is_registered() -> None:
    used: set[str] = set()
    for path in (ROOT / "kvsctl").rglob("*.py"):
        used |= set(re.findall(r'"(KVS\d{3})"', path.read_text()))
    assert used <= set(RULES), used - set(RULES)


def test_docs_rules_md_is_fresh() -> None:
    path = ROOT / "docs" / "rules.md"
    assert path.read_text() == markdown(), f"{path} is stale: run python -m kvsctl.checks"
    for r in catalogue():
        assert f'<a id="{r.anchor}"></a>' in path.read_text()
