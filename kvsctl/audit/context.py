"""The request context of the KVS data path, as far as an offline tool can know it.

When a producer calls PutMedia, KVS calls KMS (GenerateDataKey) with the producer's credentials on its
behalf (a forward access session), and likewise Decrypt for GetMedia. AWS then sets, among others:
``kms:ViaService = kinesisvideo.<region>.amazonaws.com``, ``kms:CallerAccount``, ``aws:PrincipalArn``
(a role session's is its role ARN), ``aws:PrincipalAccount``, ``aws:PrincipalType``,
``aws:ViaAWSService = true``; the direct call to KVS carries ``aws:ViaAWSService = false``.

Everything this module does not set is *unknown* (not absent): source IP, VPC endpoint, tags, MFA,
organization, ``aws:CalledVia`` (KVS is not documented among the services that set it), and the
encryption context (KVS documents none). Only keys that belong to other operations' parameters are
marked absent. ``--context KEY=VALUE`` overrides; an empty VALUE marks the key absent.
"""

from __future__ import annotations

from collections.abc import Mapping

from kvsctl.policy.context import RequestContext
from kvsctl.policy.match import parse_arn
from kvsctl.policy.principals import PrincipalId, PrincipalKind

MULTIVALUED = frozenset(
    k.lower()
    for k in (
        "aws:CalledVia",
        "kms:EncryptionContextKeys",
        "aws:PrincipalOrgPaths",
        "aws:TagKeys",
        "aws:PrincipalServiceNamesList",
        "kms:GrantOperations",
    )
)

# condition keys that exist only for other KMS operations' parameters: never in Decrypt/GenerateDataKey.
# Not here (KMS DG "Conditions for KMS keys used in API operations": they describe the key and are set for
# every operation on it, e.g. "kms:KeyOrigin ... to allow principals to call GenerateDataKey only when the
# Origin of the KMS key is AWS_KMS"): kms:KeySpec, kms:KeyUsage, kms:KeyOrigin, kms:MultiRegion,
# kms:MultiRegionKeyType, kms:CustomerMasterKeySpec, kms:CustomerMasterKeyUsage -- unknown offline.
_KMS_ABSENT = (
    "kms:GrantIsForAWSResource",
    "kms:GrantOperations",
    "kms:GranteePrincipal",
    "kms:RetiringPrincipal",
    "kms:GrantConstraintType",
    "kms:BypassPolicyLockoutSafetyCheck",
    "kms:ReplicaRegion",
    "kms:PrimaryRegion",
    "kms:ScheduleKeyDeletionPendingWindowInDays",
    "kms:RotationPeriodInDays",
    "kms:DataKeyPairSpec",
    "kms:MacAlgorithm",
    "kms:MessageType",
    "kms:SigningAlgorithm",
    "kms:KeyAgreementAlgorithm",
    "kms:WrappingAlgorithm",
    "kms:WrappingKeySpec",
    "kms:ValidTo",
    "kms:ExpirationModel",
    "kms:ImportType",
)


def kvs_via_service(key_arn: str) -> str | None:
    arn = parse_arn(key_arn)
    if arn is None or not arn.region:
        return None
    suffix = "amazonaws.com.cn" if arn.partition == "aws-cn" else "amazonaws.com"
    return f"kinesisvideo.{arn.region}.{suffix}"


def kvs_request_context(
    principal: PrincipalId,
    *,
    action: str,
    resource: str,
    overrides: Mapping[str, str] | None = None,
) -> RequestContext:
    """Context for ``action`` on ``resource`` by ``principal`` on the KVS data path."""
    service = principal.kind is PrincipalKind.SERVICE
    values: dict[str, str] = {
        "aws:PrincipalType": principal.principal_type,
        "aws:SecureTransport": "true",
        "aws:PrincipalIsAWSService": "true" if service else "false",
    }
    absent: list[str] = []
    unknown: list[str] = []
    if service:
        # IAM UG global condition keys: a service principal's request carries aws:PrincipalServiceName and no
        # principal account or ARN
        values["aws:PrincipalServiceName"] = principal.name
        absent += ["aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalOrgID"]
    else:
        values["aws:PrincipalAccount"] = principal.account
        absent += ["aws:PrincipalServiceName", "aws:PrincipalServiceNamesList"]
    if principal.principal_arn:
        values["aws:PrincipalArn"] = principal.principal_arn
    elif not service:
        unknown.append("aws:PrincipalArn")  # a session whose role path is not known
    if principal.kind is PrincipalKind.USER:
        values["aws:username"] = principal.name
    else:
        absent.append("aws:username")  # IAM UG: only IAM users carry aws:username
    arn = parse_arn(resource)
    if arn is not None and arn.region:
        values["aws:RequestedRegion"] = arn.region
    if action.lower().startswith("kms:"):
        via = kvs_via_service(resource)
        if not service:
            # a service principal calls KMS itself, not through KVS: its ViaService and caller account are
            # left unknown
            if via:
                values["kms:ViaService"] = via
            values["kms:CallerAccount"] = principal.account
            values["aws:ViaAWSService"] = "true"
        # KMS DG kms:EncryptionAlgorithm: data keys (GenerateDataKey*) and Decrypt with a symmetric encryption
        # key use SYMMETRIC_DEFAULT, the only algorithm of the SYMMETRIC_DEFAULT keys KVS requires
        if action.lower() in ("kms:generatedatakey", "kms:decrypt", "kms:generatedatakeywithoutplaintext"):
            values["kms:EncryptionAlgorithm"] = "SYMMETRIC_DEFAULT"
        absent += list(_KMS_ABSENT)
    else:
        values["aws:ViaAWSService"] = "false"
        absent.append("kms:ViaService")
    ctx = RequestContext.build(values, absent=absent, unknown=unknown, unknown_by_default=True)
    if overrides:
        present: dict[str, str | tuple[str, ...]] = {}
        gone: list[str] = []
        for k, v in overrides.items():
            if v == "":
                gone.append(k)
            elif k.lower() in MULTIVALUED:
                present[k] = tuple(x.strip() for x in v.split(",") if x.strip())
            else:
                present[k] = v
        ctx = ctx.with_values(present, absent=gone)
    return ctx
