"""The findings catalogue: one stable code per rule, with severity, title and remediation.

Codes never change meaning. KVS1xx: policy analysis (this module's checks in ``audit/lint.py``);
KVS2xx: live key / stream state (added by the live audit). Adding a rule is one ``_rule(...)`` line.
"""

from __future__ import annotations

from dataclasses import dataclass

from kvsctl.audit.model import Finding, Severity

E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO  # N: notice (info)


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str
    remediation: str

    def __call__(
        self,
        message: str,
        *,
        principal: str | None = None,
        resource: str | None = None,
        location: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            code=self.code,
            severity=severity or self.severity,
            message=message,
            remediation=self.remediation,
            title=self.title,
            principal=principal,
            resource=resource,
            location=location,
        )


RULES: dict[str, Rule] = {}


def _rule(code: str, severity: Severity, title: str, remediation: str) -> Rule:
    if code in RULES:
        raise ValueError(f"duplicate finding code {code}")
    RULES[code] = r = Rule(code, severity, title, remediation)
    return r


# fmt: off
POLICY_UNPARSEABLE = _rule("KVS100", E, "Policy cannot be parsed", "Fix the document so that IAM/KMS would accept it; until then nothing it says is evaluated.")  # noqa: E501
KEY_POLICY_PUBLIC = _rule("KVS101", E, "Key policy open to everyone", 'Replace Principal "*" with the principals that need the key, or add a condition pinning the caller (kms:CallerAccount, aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalOrgID).')  # noqa: E501
UNKNOWN_PREFIX = _rule("KVS102", W, "Unknown service prefix", "Use the IAM service prefix: kinesisvideo: for Kinesis Video Streams, kms: for KMS.")  # noqa: E501
UNKNOWN_ACTION = _rule("KVS103", W, "Unknown action", "Check the action name against the Service Authorization Reference.")  # noqa: E501
MALFORMED_RESOURCE = _rule("KVS104", E, "Malformed resource ARN", 'Use "*" or a full ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE (streams: arn:aws:kinesisvideo:REGION:ACCOUNT:stream/NAME/CREATION_MS).')  # noqa: E501
UNKNOWN_ARN_SERVICE = _rule("KVS105", W, "Resource ARN with an unknown service", "Stream ARNs use the service kinesisvideo, keys kms.")  # noqa: E501
MALFORMED_PRINCIPAL = _rule("KVS106", E, "Malformed principal", 'Name principals by full ARN (arn:aws:iam::ACCOUNT:role/NAME), account id, or "*"; wildcards inside ARNs are not allowed.')  # noqa: E501
NEVER_MATCHES = _rule("KVS107", W, "Statement can never match", "Fix or remove the statement; it has no effect.")
VARIABLES_WITHOUT_VERSION = _rule("KVS108", W, "Policy variable in a policy without Version 2012-10-17", 'Add "Version": "2012-10-17"; otherwise ${...} is literal text.')  # noqa: E501
PRODUCER_CAN_DECRYPT = _rule("KVS109", W, "Producer can also decrypt", "Producers need only kms:GenerateDataKey; remove kms:Decrypt from what applies to them.")  # noqa: E501
CONSUMER_CAN_GENERATE = _rule("KVS110", W, "Consumer can also generate data keys", "Consumers need only kms:Decrypt; remove kms:GenerateDataKey from what applies to them.")  # noqa: E501
SERVICE_PRINCIPAL_KVS = _rule("KVS111", W, "Key policy names the KVS service principal", "KVS calls KMS with the producer's or consumer's own credentials; name those principals (optionally with kms:ViaService) instead.")  # noqa: E501
DELETED_PRINCIPAL = _rule("KVS112", W, "Principal shown as a unique id (deleted principal?)", "A key policy shows an id like AROA... when the named principal was deleted; recreating it does not restore access. Replace it with the current ARN.")  # noqa: E501
KEY_POLICY_UNREADABLE = _rule("KVS113", W, "Key policy could not be read", "Give the key policy (--key-policy) or the permission kms:GetKeyPolicy; decisions are conditional until then.")  # noqa: E501
GRANTS_UNREADABLE = _rule("KVS114", W, "Grants could not be read", "Give the grants (--grants) or the permission kms:ListGrants.")  # noqa: E501
GRANT_OVERBROAD = _rule("KVS115", W, "Over-broad grant", "Limit the grant to the operations the grantee needs; avoid CreateGrant and account-wide grantees.")  # noqa: E501
IAM_NOT_GIVEN = _rule("KVS116", N, "IAM policies not given", "Pass --identity-policy PRINCIPAL=FILE (and --permissions-boundary) for a complete answer.")  # noqa: E501
VIA_SERVICE_MISMATCH = _rule("KVS117", W, "kms:ViaService does not name the KVS endpoint of the key's region", "Use kinesisvideo.REGION.amazonaws.com with the key's region.")  # noqa: E501
PRINCIPAL_UNKNOWN = _rule("KVS118", E, "Producer or consumer is not a principal ARN", "Use a role, user, assumed-role session, federated user ARN or account id.")  # noqa: E501
PRODUCER_CAN_CREATE_STREAM = _rule("KVS120", W, "Producer can create streams (on the AWS managed key)", "Remove kinesisvideo:CreateStream from the producer (create streams with kvsctl stream create --kms-key, or set kvssink allow-create-stream=false), or accept that streams it creates use the AWS managed key: kvssink has no key setting.")  # noqa: E501
GRANTS_NOT_GIVEN = _rule("KVS119", N, "Grants not given", "Pass --grants FILE (aws kms list-grants output) if the key has grants; none were assumed.")  # noqa: E501
CROSS_ACCOUNT_STREAM = _rule("KVS130", E, "Principal of another account cannot use the stream", "Kinesis Video Streams has no resource-based policy, so no policy can let another account's principal call kinesisvideo: on the stream. Create a role in the stream's account with the kinesisvideo: (and kms:) permissions, let the partner's principal assume it (trust policy naming the partner, sts:AssumeRole in the partner's IAM), and use the role's credentials.")  # noqa: E501
RESOURCE_TYPE_WILDCARD = _rule("KVS131", W, "Wildcard inside the resource type of an ARN", "The resource type (key, alias, stream) is a fixed word of the ARN; a wildcard in it matches nothing. Write the type out (arn:aws:kms:REGION:ACCOUNT:key/*) or use * for the whole resource part.")  # noqa: E501
SHORT_RESOURCE_ARN = _rule("KVS132", W, "Resource ARN with fewer than six parts", "AWS documents no matching rule for a truncated ARN, so decisions that depend on it are conditional; write all six parts (arn:aws:kms:*:*:key/*) or use *.")  # noqa: E501
EMPTY_CONDITION_VALUES = _rule("KVS133", W, "Condition with no values", "An empty value list can never match (and what a negated operator does with it is undocumented); give the values the condition should test, or remove it.")  # noqa: E501
RCPS_NOT_CHECKED = _rule("KVS134", N, "Resource control policies not checked", "An RCP of the key's organization can deny use of a customer managed key whatever the key policy says. Give them (--rcp / --rcp-level, or rcps in the spec file), or audit with credentials that may read AWS Organizations policies (the management account or a delegated administrator); --strict fails until they are checked.")  # noqa: E501
# fmt: on

# KVS2xx: live key and stream state, read by `kvsctl audit stream` / `audit all` (services/audit_live.py).
# fmt: off
STREAM_NOT_FOUND = _rule("KVS201", E, "Stream not found", "Check the stream name and --region; 'kvsctl stream list' shows what exists.")  # noqa: E501
KEY_NOT_FOUND = _rule("KVS202", E, "Stream's KMS key does not exist", "Every PutMedia and GetMedia on the stream fails. The key of a stream can never change: create a new stream with a usable key and move producers and consumers to it.")  # noqa: E501
KEY_DISABLED = _rule("KVS203", E, "Stream's KMS key is not enabled", "Enable the key (aws kms enable-key); until then every PutMedia and GetMedia fails.")  # noqa: E501
KEY_PENDING_DELETION = _rule("KVS204", E, "Stream's KMS key is pending deletion", "Cancel the deletion (aws kms cancel-key-deletion, then enable-key) before the date, or the stream's data becomes unreadable for good.")  # noqa: E501
KEY_WRONG_SPEC = _rule("KVS205", E, "Stream's KMS key has the wrong spec or usage", "KVS needs a SYMMETRIC_DEFAULT key with usage ENCRYPT_DECRYPT; create a new stream with such a key.")  # noqa: E501
KEY_OTHER_REGION = _rule("KVS206", E, "Stream's KMS key is in another region", "KVS needs a key in the stream's own region; create a new stream with a key there (a multi-Region replica works).")  # noqa: E501
LIVE_KEY_POLICY_UNREADABLE = _rule("KVS207", W, "Key policy could not be read from AWS", "Grant kms:GetKeyPolicy to the auditing credentials, or for a key owned by another account pass --key-profile with the owner's profile; key decisions are conditional until then.")  # noqa: E501
KEY_ROTATION_DISABLED = _rule("KVS208", W, "Automatic key rotation is off", "Enable rotation: aws kms enable-key-rotation --key-id KEY.")  # noqa: E501
AWS_MANAGED_KEY_USED = _rule("KVS209", E, "Stream uses the AWS managed key", "--require-customer-key is set: create the stream with a customer managed key (kvsctl stream create --kms-key alias/NAME); the key of an existing stream cannot change.")  # noqa: E501
COULD_NOT_CHECK = _rule("KVS210", W, "Could not check", "Give the auditing credentials read access (kinesisvideo:DescribeStream, kms:DescribeKey, kms:GetKeyRotationStatus, kms:ListGrants, iam:Get*/List* on the principals) and rerun; what could not be read is not counted as passing.")  # noqa: E501
AWS_MANAGED_POLICY_ASSUMED = _rule("KVS211", N, "AWS managed key evaluated with its documented policy", "Nothing to do: the AWS managed key's policy allows every principal of the account through KVS in the region; its actual policy could not be read or the key does not exist yet (KMS creates it on first use).")  # noqa: E501
KEY_NOT_FOR_KVS = _rule("KVS212", E, "Stream's key reference cannot work with KVS", "The stream names the AWS managed key of another service or a reference KMS cannot resolve; create a new stream with a customer managed key or the KVS AWS managed key.")  # noqa: E501
PRINCIPAL_NOT_FOUND = _rule("KVS213", E, "Producer or consumer does not exist", "No role or user has this ARN in its account (a typo, or it was deleted): fix the ARN given to kvsctl, or create the principal and give it the access it needs.")  # noqa: E501
# KVS240-249: what a key's kind means for its streams (imported material, custom key stores, multi-Region).
KEY_MATERIAL_EXPIRES_IN_RETENTION = _rule("KVS240", E, "Imported key material expires while the stream's video is retained", "Reimport the same key material with a later ValidTo (or KEY_MATERIAL_DOES_NOT_EXPIRE) before it expires; from ValidTo, stored video cannot be decrypted and every PutMedia fails.")  # noqa: E501
KEY_STORE_NOT_CONNECTED = _rule("KVS241", E, "Key's custom key store is not connected", "Connect the store (aws kms connect-custom-key-store); while it is disconnected its keys are Unavailable and every PutMedia and GetMedia fails.")  # noqa: E501
EXTERNAL_KEY_STORE_DEPENDENCY = _rule("KVS242", N, "Key is in an external key store", "Every PutMedia/GetMedia depends on your external key store proxy and key manager: monitor their availability and latency (the KMS XksProxy* CloudWatch metrics).")  # noqa: E501
KEY_PENDING_IMPORT = _rule("KVS243", E, "Key material not imported", "Import the key material (aws kms get-parameters-for-import, then import-key-material); to restore stored video, reimport the same material.")  # noqa: E501
KEY_MATERIAL_EXPIRES = _rule("KVS244", W, "Imported key material expires", "Reimport the same key material with a later ValidTo before it expires, or every PutMedia and GetMedia fails from then.")  # noqa: E501
ROTATION_NOT_AUTOMATIC = _rule("KVS245", N, "KMS cannot rotate this kind of key automatically", "Keys with imported material rotate only on demand (single-Region keys, after importing new material); keys in custom key stores cannot rotate: plan new keys and new streams instead.")  # noqa: E501
# fmt: on


def catalogue() -> list[Rule]:
    return [RULES[c] for c in sorted(RULES)]


# KVS4xx: infrastructure as code, read by `kvsctl audit template` (kvsctl/iac/).
# fmt: off
IAC_UNRESOLVED = _rule("KVS401", N, "Template value not resolved", "Pass --parameter NAME=VALUE, or declare the resource in the template; checks that depend on it are conditional until then.")  # noqa: E501
IAC_ASSUMED = _rule("KVS402", N, "Template value assumed", "Nothing to do if the assumption holds; otherwise pass --parameter NAME=VALUE (AWS::AccountId, AWS::Region and AWS::StackName are parameters too).")  # noqa: E501
IAC_ALIAS_AS_KEY = _rule("KVS403", W, "Stream's key is given as an alias", "Give KmsKeyId / kms_key_id the key's ARN (!GetAtt Key.Arn, aws_kms_key.NAME.arn): KVS resolves the alias once, at creation, and the stream keeps that key whatever the alias points to later.")  # noqa: E501
IAC_STREAM_REPLACED = _rule("KVS404", E, "Change replaces a stream: its stored video is destroyed", "A stream's key and (in Terraform) its retention cannot change in place: keep the old values, or create a new stream beside the old one and move producers and consumers before deleting it.")  # noqa: E501
IAC_STREAM_DELETED = _rule("KVS405", W, "Change deletes a stream and its stored video", "Make sure the video is no longer needed (or copied out) before this change is applied.")  # noqa: E501
IAC_KEY_IN_PLACE = _rule("KVS406", E, "Change set modifies a stream's key in place", "KVS cannot change a stream's key (UpdateStream has no KmsKeyId): create a new stream with the new key and move producers and consumers to it.")  # noqa: E501
IAC_INFERRED = _rule("KVS407", N, "Producers and consumers inferred from identity policies", "Pass --producer / --consumer (an ARN, a logical id or a Terraform address) to check exactly the principals you mean.")  # noqa: E501
IAC_NO_PRINCIPALS = _rule("KVS408", W, "No producer or consumer to check", "Declare the producer and consumer roles in the template (with their policies) or pass --producer / --consumer.")  # noqa: E501
IAC_EXTERNAL_KEY = _rule("KVS409", N, "Key not declared in the template", "Its key policy is not in the template: key decisions are conditional. Audit it live (kvsctl audit stream) or with kvsctl audit policy once it exists.")  # noqa: E501
IAC_NOT_FOLLOWED = _rule("KVS410", N, "Template construct not followed", "kvsctl reads roles, users, inline and managed policies declared in the same template or plan; what it names elsewhere is unknown.")  # noqa: E501
# fmt: on
