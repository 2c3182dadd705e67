"""Pure IAM / KMS policy evaluation: parse, match, conditions, evaluate, KMS authorization. No I/O."""

from kvsctl.policy.conditions import ConditionClause
from kvsctl.policy.context import KeyStatus, RequestContext, Tri
from kvsctl.policy.document import (
    Policy,
    PolicyKind,
    PolicyParseError,
    PrincipalSpec,
    Statement,
    parse_policy,
)
from kvsctl.policy.evaluate import (
    Decision,
    DecisionKind,
    Request,
    StatementRef,
    StatementResult,
    evaluate_policy,
    evaluate_statement,
)
from kvsctl.policy.kms import GrantLike, IamPolicies, authorize_identity_only, authorize_kms
from kvsctl.policy.principals import PrincipalError, PrincipalId, PrincipalKind, parse_principal

__all__ = [
    "ConditionClause",
    "Decision",
    "DecisionKind",
    "GrantLike",
    "IamPolicies",
    "KeyStatus",
    "Policy",
    "PolicyKind",
    "PolicyParseError",
    "PrincipalError",
    "PrincipalId",
    "PrincipalKind",
    "PrincipalSpec",
    "Request",
    "RequestContext",
    "Statement",
    "StatementRef",
    "StatementResult",
    "Tri",
    "authorize_identity_only",
    "authorize_kms",
    "evaluate_policy",
    "evaluate_statement",
    "parse_policy",
    "parse_principal",
]
