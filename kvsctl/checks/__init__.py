"""What kvsctl checks, one model for every command: the rule registry, the result, the verdict.

Pure (no boto3, no rich, no I/O). Every command that checks something — audit policy / stream / all,
preflight, and the template, workload and fleet audits to come — speaks this model, and the one SARIF
writer (render/sarif.py) and the one JUnit writer (render/junit.py) read it.

Rules — ``kvsctl.checks.rules``
    ``RULES`` maps an id to a :class:`Rule`: ``id``, ``name`` (PascalCase), ``severity`` (final: a
    different severity is a different rule), ``title``, ``description``, ``remediation``, ``tags``,
    ``security_severity``; ``help_uri`` / ``anchor`` point into docs/rules.md. Families: KVS1xx policy
    analysis, KVS2xx live key and stream state, KVS3xx spec checks, ``KVS-PRODUCER-*`` /
    ``KVS-CONSUMER-*`` what producers and consumers need (``requirement_rule_id(role, action)``).
    To add rules: append ``Rule(...)`` entries to a ``register([...])`` block (ids and names are checked
    unique), run ``python -m kvsctl.checks`` to regenerate docs/rules.md (a test keeps it fresh).
    Named handles (``rules.KEY_DISABLED``, ...) are callables that build a finding::

        rules.KEY_DISABLED(f"key {arn} is Disabled", key=arn)            # -> Result, status fail
        rules.KEY_USABLE("key state Enabled", status=Status.PASS, location=Location(file=path, line=3))

Result — ``kvsctl.checks.model``
    :class:`Result` is the one outcome type: ``rule`` (an id), ``message``, ``status`` (pass | fail |
    warn | skip), ``subject`` (:class:`Subject`: stream, stream_arn, key, principal, role, account,
    region, path), ``location`` (:class:`Location`: file + line for something the user gave, or a
    document name and label), ``fix`` (what to do about this very result; else the rule's
    remediation), and for access checks ``decision`` (allow | implicit_deny | explicit_deny |
    conditional; the status follows from it), ``action``, ``resource``, ``reasons``, ``statements``,
    ``unknown_keys``, ``trace``. A *finding* is a Result with status fail: its weight is its rule's
    severity. ``result.about(Subject(stream=...))`` fills in what a result lacks;
    ``access.access_result(...)`` builds an access check from an evaluator decision.

Verdict — ``kvsctl.checks.verdict``
    ``Verdict.of(fail_on, strict)`` (from --fail-on error|warning and --strict) is the only pass/fail
    rule: a result fails when its status is fail and its rule's severity reaches ``fail_on``, or when
    it is warn (undecided) under ``strict``. ``fails(r)``, ``shown(r)`` (pass/fail/warn/info/skip as
    people see it), ``ok(results)``, ``exit_code(results)``, ``counts(results)``.

Writers — ``kvsctl.render.sarif.sarif_log(results, verdict, command=, root=, error=)`` and
``kvsctl.render.junit.junit_xml([Suite(name, results, ...)], verdict, name=, error=)``; a run that
errored is written with ``error=`` (the exception) and no results. The CLI side is
``kvsctl.cli.report_options``: ``plan_report`` (checks --report and --sarif-root before any AWS call)
and ``with reporting(g, plan):`` (writes the errored report on exit 2, 3 or 4).
"""

from kvsctl.checks.model import Decision, Location, Result, Role, Severity, Status, Subject
from kvsctl.checks.rules import RULES, Rule, rule
from kvsctl.checks.verdict import Verdict

__all__ = [
    "RULES",
    "Decision",
    "Location",
    "Result",
    "Role",
    "Rule",
    "Severity",
    "Status",
    "Subject",
    "Verdict",
    "rule",
]
