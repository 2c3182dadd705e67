"""Access checks: one principal, one required action, one resource, decided by the evaluator."""

from __future__ import annotations

from kvsctl.checks.model import Decision, Location, Result, Role, Subject
from kvsctl.checks.rules import requirement_rule_id
from kvsctl.policy.evaluate import Decision as Evaluation


def access_result(
    principal: str,
    role: Role,
    action: str,
    resource: str,
    d: Evaluation,
    *,
    path: str | None = None,
    basis: str | None = None,
) -> Result:
    """The result of the requirement (role, action) for one principal on one client path (producer,
    getmedia, hls, ...); it points at the first deciding statement (file and line when the policy came
    from a file). ``basis`` says whether AWS documents the requirement or kvsctl infers it."""
    decision = Decision(d.kind.value)
    first = d.statements[0] if d.statements else None
    location = Location(document=first.policy, line=first.line, label=first.label()) if first else None
    reasons = d.reason_lines()
    return Result(
        rule=requirement_rule_id(role, action),
        message=f"{action} on {resource}: {decision.value}" + (f": {reasons[0]}" if reasons else ""),
        status=decision.status,
        subject=Subject(principal=principal, role=role, path=path),
        location=location,
        decision=decision,
        action=action,
        resource=resource,
        reasons=reasons,
        statements=tuple(s.label() for s in d.statements),
        unknown_keys=d.unknown_keys,
        trace=d.trace,
        basis=basis,
        refs=d.statements,
    )
