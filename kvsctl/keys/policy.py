"""Build the least-privilege KMS key policy for a Kinesis Video Streams key (pure: no I/O, no AWS).

What the policy grants, and why:
- admins manage the key (the usual administration actions) but get no data access: no Encrypt,
  Decrypt, GenerateDataKey* or ReEncrypt*;
- producers get kms:GenerateDataKey and consumers kms:Decrypt, each only when KVS makes the call on
  their behalf (`kms:ViaService` = kinesisvideo.<region>.amazonaws.com) and only for the principals named;
- delegation to the account's IAM (`arn:aws:iam::ACCT:root`, the statement AWS's default key policy
  starts with) only when asked, because it lets any IAM policy in the account grant use of the key.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kvsctl import validate
from kvsctl.errors import UsageError

POLICY_VERSION = "2012-10-17"
POLICY_ID = "kvsctl-kvs-key-policy"

#: Key management without data access. AWS's default administrator statement grants kms:Create*,
#: which includes kms:CreateGrant: an admin could grant itself Decrypt. Only CreateAlias is kept.
ADMIN_ACTIONS: tuple[str, ...] = (
    "kms:CreateAlias",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
)
#: Actions that reach the data (CreateGrant indirectly): none may match an admin action pattern.
DATA_ACTIONS: tuple[str, ...] = (
    "kms:CreateGrant",
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:GenerateMac",
    "kms:VerifyMac",
    "kms:Sign",
    "kms:Verify",
)
PRODUCER_ACTION = "kms:GenerateDataKey"
CONSUMER_ACTION = "kms:Decrypt"
MANAGE_ACTION = "kms:PutKeyPolicy"

SID_ADMIN = "KeyAdministrationNoDataAccess"
SID_PRODUCERS = "KvsProducersGenerateDataKeyViaKvsOnly"
SID_CONSUMERS = "KvsConsumersDecryptViaKvsOnly"
SID_ACCOUNT = "DelegateToAccountIamPolicies"

NOTES: tuple[str, ...] = (
    "Admins can manage the key but not use it: unlike AWS's default administrator statement (kms:Create*), "
    "they get kms:CreateAlias but not kms:CreateGrant, with which an admin could grant itself Decrypt.",
    "Producers and consumers also need kinesisvideo:PutMedia / kinesisvideo:GetMedia on the stream in "
    "their IAM policies; the key policy alone does not let them stream.",
)


@dataclass(frozen=True)
class Principal:
    """A validated key-policy principal ARN."""

    arn: str
    partition: str
    account: str


def parse_principal(arn: str, role: str = "principal") -> Principal:
    """Validate an ARN that a key policy may name (exit 2 otherwise); an account id becomes its root ARN."""
    p = validate.principal_arn(arn, role)
    return Principal(p.arn, p.partition, p.account)


def region_partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


def check_region(region: str | None) -> str:
    if not region:
        raise UsageError(
            "no region given",
            hint="Pass --region (the key's region: kms:ViaService names kinesisvideo.<region>.amazonaws.com) "
            "or set AWS_REGION.",
            code="no_region",
        )
    return validate.region(region)


def kvs_via_service(region: str) -> str:
    """The kms:ViaService value of KVS in a region (KMS Developer Guide, kms:ViaService:
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service)."""
    suffix = "amazonaws.com.cn" if region_partition(region) == "aws-cn" else "amazonaws.com"
    return f"kinesisvideo.{region}.{suffix}"


@dataclass(frozen=True)
class PolicyRequest:
    admins: Sequence[str]
    region: str | None
    producers: Sequence[str] = ()
    consumers: Sequence[str] = ()
    account: str | None = None
    allow_account_iam: bool = False
    reads: Sequence[str] = ("getmedia",)  # consumer read paths the policy serves (kvsctl/workloads/paths.py)


@dataclass(frozen=True)
class RecommendedPolicy:
    """A key policy together with what it was built from."""

    document: dict[str, Any]
    region: str
    account: str
    admins: tuple[str, ...]
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    allow_account_iam: bool
    notes: tuple[str, ...] = field(default=NOTES)
    reads: tuple[str, ...] = ("getmedia",)

    @property
    def paths(self) -> tuple[str, ...]:
        """The client paths this key policy serves: the key side is the same for every read path."""
        return (*(("producer",) if self.producers else ()), *(self.reads if self.consumers else ()))

    @property
    def via_service(self) -> str:
        return kvs_via_service(self.region)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values))


def build_key_policy(req: PolicyRequest) -> RecommendedPolicy:
    """Validate the request (exit 2 on any bad input) and build the policy."""
    if not req.admins:
        raise UsageError(
            "no key administrator given",
            hint="Pass --admin ARN at least once: a key nobody can manage can never have its policy fixed.",
            code="no_admin",
        )
    region = check_region(req.region)
    admins = [parse_principal(a, "--admin") for a in _unique(req.admins)]
    producers = [parse_principal(a, "--producer") for a in _unique(req.producers)]
    consumers = [parse_principal(a, "--consumer") for a in _unique(req.consumers)]
    partition = region_partition(region)
    for p in (*admins, *producers, *consumers):
        if p.partition != partition:
            raise UsageError(
                f"{p.arn} is in partition {p.partition}, the key's region {region} is in {partition}",
                hint="Key policies can only name principals of the key's own partition.",
                code="invalid_principal",
            )
    account = _account(req.account, admins)
    statements: list[dict[str, Any]] = []
    if req.allow_account_iam:
        statements.append(
            {
                "Sid": SID_ACCOUNT,
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        )
    statements.append(
        {
            "Sid": SID_ADMIN,
            "Effect": "Allow",
            "Principal": {"AWS": [a.arn for a in admins]},
            "Action": list(ADMIN_ACTIONS),
            "Resource": "*",
        }
    )
    via = {"StringEquals": {"kms:ViaService": kvs_via_service(region)}}
    if producers:
        statements.append(
            {
                "Sid": SID_PRODUCERS,
                "Effect": "Allow",
                "Principal": {"AWS": [p.arn for p in producers]},
                "Action": PRODUCER_ACTION,
                "Resource": "*",
                "Condition": via,
            }
        )
    if consumers:
        statements.append(
            {
                "Sid": SID_CONSUMERS,
                "Effect": "Allow",
                "Principal": {"AWS": [c.arn for c in consumers]},
                "Action": CONSUMER_ACTION,
                "Resource": "*",
                "Condition": via,
            }
        )
    document = {"Version": POLICY_VERSION, "Id": POLICY_ID, "Statement": statements}
    notes = list(NOTES)
    if not producers:
        notes.append("No --producer given: no principal can write video to streams on this key through KVS.")
    if not consumers:
        notes.append("No --consumer given: no principal can read video from streams on this key through KVS.")
    if req.allow_account_iam:
        notes.append(
            f"--allow-account-iam: any IAM policy in account {account} can now allow any use of this key, "
            "including outside KVS."
        )
    reads = tuple(req.reads)
    if consumers:
        inferred = [r for r in reads if r != "getmedia"]
        notes.append(
            "kms:Decrypt serves the consumers' read paths "
            + ", ".join(reads)
            + " (the same statement for every path"
            + (f"; documented for getmedia, inferred for {', '.join(inferred)}" if inferred else "")
            + "); each path also needs its kinesisvideo: actions in IAM: kvsctl iam recommend-policy --read ..."
        )
    return RecommendedPolicy(
        document=document,
        region=region,
        account=account,
        admins=tuple(a.arn for a in admins),
        producers=tuple(p.arn for p in producers),
        consumers=tuple(c.arn for c in consumers),
        allow_account_iam=req.allow_account_iam,
        notes=tuple(notes),
        reads=reads,
    )


def _account(given: str | None, admins: Sequence[Principal]) -> str:
    if given:
        return validate.account_id(given)
    accounts = sorted({a.account for a in admins})
    if len(accounts) != 1:
        raise UsageError(
            f"the admins are in several accounts ({', '.join(accounts)}); which one owns the key?",
            hint="Pass --account with the key's account id.",
            code="ambiguous_account",
        )
    return accounts[0]


# -- who could manage a key with this policy (the project's evaluator) -------------------------------


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def data_actions_allowed(actions: Iterable[str]) -> tuple[str, ...]:
    """Which data actions a list of action patterns would reach (empty for the admin actions)."""
    patterns = [str(p).lower() for p in actions]
    return tuple(a for a in DATA_ACTIONS if any(fnmatch.fnmatchcase(a.lower(), p) for p in patterns))


def placeholder_key_arn(rec: RecommendedPolicy) -> str:
    """The key does not exist yet; key policies say Resource "*" (this key), so any ARN of the key's
    account and region stands in for it."""
    return f"arn:{region_partition(rec.region)}:kms:{rec.region}:{rec.account}:key/00000000-0000-0000-0000-000000000000"


def manage_decisions(rec: RecommendedPolicy) -> dict[str, str]:
    """principal -> the evaluator's decision on kms:PutKeyPolicy, for each admin (and the account root
    when the policy delegates to IAM). The call is direct, not through a service; IAM policies are
    unknown, so a path that needs an IAM allow is `conditional`, never counted as able to manage."""
    from kvsctl.policy.context import RequestContext
    from kvsctl.policy.document import PolicyKind, parse_policy
    from kvsctl.policy.evaluate import Request
    from kvsctl.policy.kms import authorize_kms
    from kvsctl.policy.principals import parse_principal as parse_requester

    key_arn = placeholder_key_arn(rec)
    policy = parse_policy(rec.document, "key policy", PolicyKind.RESOURCE)
    candidates = list(rec.admins)
    if rec.allow_account_iam:
        candidates.append(f"arn:{region_partition(rec.region)}:iam::{rec.account}:root")
    decisions: dict[str, str] = {}
    for arn in candidates:
        who = parse_requester(arn)
        values = {
            "aws:PrincipalAccount": who.account,
            "aws:PrincipalType": who.principal_type,
            "aws:SecureTransport": "true",
            "aws:ViaAWSService": "false",
            "aws:RequestedRegion": rec.region,
            "kms:CallerAccount": who.account,
        }
        if who.principal_arn:
            values["aws:PrincipalArn"] = who.principal_arn
        ctx = RequestContext.build(values, absent=["kms:ViaService"], unknown_by_default=True)
        req = Request(principal=who, action=MANAGE_ACTION, resource=key_arn, context=ctx)
        decisions[arn] = authorize_kms(req, key_arn=key_arn, key_policy=policy, iam=None).value
    return decisions


def lockout_problem(rec: RecommendedPolicy) -> str | None:
    """Why nobody could manage a key with this policy (None when some admin is allowed kms:PutKeyPolicy).

    KMS itself runs a similar "lockout safety check" at CreateKey/PutKeyPolicy, but only for the
    caller; this check runs before any AWS call, and moto does not run KMS's check at all.
    """
    decisions = manage_decisions(rec)
    if any(d == "allow" for d in decisions.values()):
        return None
    shown = ", ".join(f"{arn}: {d}" for arn, d in decisions.items())
    return f"no admin is allowed kms:PutKeyPolicy by this policy ({shown}), so nobody could ever change it"
