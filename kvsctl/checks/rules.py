"""The rule registry: every rule kvsctl checks, once, with what people and CI tools need to know of it.

Ids never change meaning, and a rule's severity is final: a different severity is a different rule.
  KVS1xx  policy analysis (key policies, IAM policies, grants, SCPs; offline and live)
  KVS2xx  live key and stream state
  KVS3xx  spec checks (preflight)
  KVS-PRODUCER-* / KVS-CONSUMER-*  what producers and consumers need (one rule per action)
The table is rendered into docs/rules.md (``python -m kvsctl.checks``; a test keeps it fresh) and
listed by ``kvsctl rules``. Adding a rule is one entry below; nothing else needs to know.

``security_severity`` follows GitHub code scanning (0.1-3.9 low, 4.0-6.9 medium, 7.0-8.9 high,
9.0-10.0 critical); rules that expose nothing have none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kvsctl.checks.model import DOCS_URL, RULES, Rule, Severity, catalogue, register, rule

__all__ = ["DOCS_URL", "RULES", "Rule", "catalogue", "register", "rule"]

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741


# -- KVS1xx: policy analysis ------------------------------------------------------------------------------

register(
    [
        Rule(
            id="KVS100",
            name="PolicyUnparseable",
            severity=E,
            title="Policy cannot be parsed",
            description="A policy document is not valid JSON or not a policy AWS would accept, so nothing it "
            "says can be evaluated; decisions that depend on it are conditional.",
            remediation="Fix the document so that IAM/KMS would accept it; until then nothing it says is evaluated.",
            tags=("policy", "correctness"),
        ),
        Rule(
            id="KVS101",
            name="KeyPolicyOpenToEveryone",
            severity=E,
            title="Key policy open to everyone",
            description='An Allow statement names Principal "*" (or uses NotPrincipal) and no condition pins '
            "the caller's account, ARN or organization: any AWS account could use the key, and with it "
            "decrypt the stream's data if it also reaches the data.",
            remediation='Replace Principal "*" with the principals that need the key, or add a condition pinning '
            "the caller (kms:CallerAccount, aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalOrgID).",
            tags=("security", "kms", "policy", "exposure"),
            security_severity=9.1,
        ),
        Rule(
            id="KVS102",
            name="UnknownServicePrefix",
            severity=W,
            title="Unknown service prefix",
            description="An action's service prefix looks like a misspelling of a known one (for example "
            "kinesis-video: for kinesisvideo:), so the statement does not grant or deny what it seems to.",
            remediation="Use the IAM service prefix: kinesisvideo: for Kinesis Video Streams, kms: for KMS.",
            tags=("policy", "correctness"),
        ),
        Rule(
            id="KVS103",
            name="UnknownAction",
            severity=W,
            title="Unknown action",
            description="An action matches no action of its service (a typo or a removed action): it has no effect.",
            remediation="Check the action name against the Service Authorization Reference.",
            tags=("policy", "correctness"),
        ),
        Rule(
            id="KVS104",
            name="MalformedResourceArn",
            severity=E,
            title="Malformed resource ARN",
            description='A Resource entry is neither "*" nor a well-formed ARN; AWS rejects the policy or the '
            "statement never matches.",
            remediation='Use "*" or a full ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE (streams: '
            "arn:aws:kinesisvideo:REGION:ACCOUNT:stream/NAME/CREATION_MS).",
            tags=("policy", "correctness"),
        ),
        Rule(
            id="KVS105",
            name="ResourceArnUnknownService",
            severity=W,
            title="Resource ARN with an unknown service",
            description="A resource ARN names a service that looks like a misspelling (kinesis-video, "
            "kinesisVideo): it matches no stream or key.",
            remediation="Stream ARNs use the service kinesisvideo, keys kms.",
            tags=("policy", "correctness"),
        ),
        Rule(
            id="KVS106",
            name="MalformedPrincipal",
            severity=E,
            title="Malformed principal",
            description='A Principal entry is not a principal ARN, account id or "*"; AWS rejects the policy.',
            remediation='Name principals by full ARN (arn:aws:iam::ACCOUNT:role/NAME), account id, or "*"; '
            "wildcards inside ARNs are not allowed.",
            tags=("policy", "correctness"),
        ),
        Rule(
            id="KVS107",
            name="StatementNeverMatches",
            severity=W,
            title="Statement can never match",
            description="Every action, resource or condition of the statement is known never to match a "
            "request, so it has no effect; it was probably meant to do something.",
            remediation="Fix or remove the statement; it has no effect.",
            tags=("policy", "correctness"),
        ),
        Rule(
            id="KVS108",
            name="PolicyVariableWithoutVersion",
            severity=W,
            title="Policy variable in a policy without Version 2012-10-17",
            description="Policy variables such as ${aws:username} are only substituted in Version 2012-10-17 "
            "documents; elsewhere they are literal text and match nothing.",
            remediation='Add "Version": "2012-10-17"; otherwise ${...} is literal text.',
            tags=("policy", "correctness"),
        ),
        Rule(
            id="KVS109",
            name="ProducerCanDecrypt",
            severity=W,
            title="Producer can also decrypt",
            description="A producer is allowed kms:Decrypt on the stream's key: it could read the video it is "
            "only meant to write. Least privilege gives producers kms:GenerateDataKey alone.",
            remediation="Producers need only kms:GenerateDataKey; remove kms:Decrypt from what applies to them.",
            tags=("security", "kms", "least-privilege"),
            security_severity=5.0,
        ),
        Rule(
            id="KVS110",
            name="ConsumerCanGenerateDataKeys",
            severity=W,
            title="Consumer can also generate data keys",
            description="A consumer is allowed kms:GenerateDataKey on the stream's key: it could write media "
            "encrypted under it. Least privilege gives consumers kms:Decrypt alone.",
            remediation="Consumers need only kms:Decrypt; remove kms:GenerateDataKey from what applies to them.",
            tags=("security", "kms", "least-privilege"),
            security_severity=4.0,
        ),
        Rule(
            id="KVS111",
            name="KeyPolicyNamesKvsServicePrincipal",
            severity=W,
            title="Key policy names the KVS service principal",
            description="KVS calls KMS with the producer's or consumer's own credentials, not as a service "
            "principal: a statement for kinesisvideo.amazonaws.com grants nothing that KVS uses.",
            remediation="KVS calls KMS with the producer's or consumer's own credentials; name those principals "
            "(optionally with kms:ViaService) instead.",
            tags=("kms", "policy", "correctness"),
        ),
        Rule(
            id="KVS112",
            name="PrincipalShownAsUniqueId",
            severity=W,
            title="Principal shown as a unique id (deleted principal?)",
            description="A key policy shows an id like AROA... where a principal ARN was: the principal was "
            "deleted. Recreating it does not restore access.",
            remediation="A key policy shows an id like AROA... when the named principal was deleted; recreating it "
            "does not restore access. Replace it with the current ARN.",
            tags=("kms", "policy", "correctness"),
        ),
        Rule(
            id="KVS113",
            name="KeyPolicyNotGiven",
            severity=W,
            title="Key policy could not be read",
            description="The key policy is unknown, so every key decision is conditional.",
            remediation="Give the key policy (--key-policy) or the permission kms:GetKeyPolicy; decisions are "
            "conditional until then.",
            tags=("kms", "coverage"),
        ),
        Rule(
            id="KVS114",
            name="GrantsNotReadable",
            severity=W,
            title="Grants could not be read",
            description="The key's grants are unknown; a grant may allow what the key policy does not.",
            remediation="Give the grants (--grants) or the permission kms:ListGrants.",
            tags=("kms", "coverage"),
        ),
        Rule(
            id="KVS115",
            name="OverBroadGrant",
            severity=W,
            title="Over-broad grant",
            description="A grant lets its grantee create further grants, is given to a whole account, or gives "
            "both Decrypt and GenerateDataKey without an encryption context constraint.",
            remediation="Limit the grant to the operations the grantee needs; avoid CreateGrant and account-wide "
            "grantees.",
            tags=("security", "kms", "least-privilege"),
            security_severity=5.5,
        ),
        Rule(
            id="KVS116",
            name="IamPoliciesNotGiven",
            severity=I,
            title="IAM policies not given",
            description="A principal's IAM policies were not given: decisions that need an IAM allow are "
            "conditional, and IAM denies cannot be accounted for.",
            remediation="Pass --identity-policy PRINCIPAL=FILE (and --permissions-boundary) for a complete answer.",
            tags=("iam", "coverage"),
        ),
        Rule(
            id="KVS117",
            name="ViaServiceNotKvsEndpoint",
            severity=W,
            title="kms:ViaService does not name the KVS endpoint of the key's region",
            description="KVS calls KMS through kinesisvideo.REGION.amazonaws.com of the key's region; a "
            "condition on another value never matches KVS's calls.",
            remediation="Use kinesisvideo.REGION.amazonaws.com with the key's region.",
            tags=("kms", "policy", "correctness"),
        ),
        Rule(
            id="KVS118",
            name="ProducerOrConsumerNotAPrincipal",
            severity=E,
            title="Producer or consumer is not a principal ARN",
            description="A producer or consumer given to kvsctl is not a principal that can call KVS.",
            remediation="Use a role, user, assumed-role session, federated user ARN or account id.",
            tags=("iam", "input"),
        ),
        Rule(
            id="KVS119",
            name="GrantsNotGiven",
            severity=I,
            title="Grants not given",
            description="No grants file was given; the key was assumed to have no grants.",
            remediation="Pass --grants FILE (aws kms list-grants output) if the key has grants; none were assumed.",
            tags=("kms", "coverage"),
        ),
        Rule(
            id="KVS120",
            name="ProducerCanCreateStream",
            severity=W,
            title="Producer can create streams (on the AWS managed key)",
            description="kvssink (and the producer SDK) creates a missing stream by default and has no KMS key "
            "setting: a producer allowed kinesisvideo:CreateStream can silently create streams encrypted with "
            "the AWS managed key aws/kinesisvideo instead of the customer managed key.",
            remediation="Remove kinesisvideo:CreateStream from the producer (create streams with kvsctl stream "
            "create --kms-key, or set kvssink allow-create-stream=false), or accept that streams it creates use "
            "the AWS managed key: kvssink has no key setting.",
            tags=("kms", "producer", "least-privilege"),
        ),
        Rule(
            id="KVS260",
            name="ServicePrefixNotKnown",
            severity=I,
            title="Service prefix kvsctl does not know",
            description="An action uses a service prefix that kvsctl does not know and that resembles no known "
            "one; it is probably a newer service. It is evaluated as written.",
            remediation="Nothing to do if the service exists; otherwise correct the prefix.",
            tags=("policy",),
        ),
        Rule(
            id="KVS130",
            name="CrossAccountStreamAccess",
            severity=E,
            title="Principal of another account cannot use the stream",
            description="Kinesis Video Streams has no resource-based policy, so no policy can let a principal "
            "of another account call kinesisvideo: actions on the stream, whatever its own IAM allows.",
            remediation="Kinesis Video Streams has no resource-based policy, so no policy can let another "
            "account's principal call kinesisvideo: on the stream. Create a role in the stream's account with the "
            "kinesisvideo: (and kms:) permissions, let the partner's principal assume it (trust policy naming the "
            "partner, sts:AssumeRole in the partner's IAM), and use the role's credentials.",
            tags=("iam", "kvs", "cross-account"),
        ),
        Rule(
            id="KVS131",
            name="ResourceTypeWildcard",
            severity=W,
            title="Wildcard inside the resource type of an ARN",
            description="The resource type of an ARN (key, alias, stream) is a fixed word; a wildcard inside it "
            "matches nothing.",
            remediation="The resource type (key, alias, stream) is a fixed word of the ARN; a wildcard in it matches "
            "nothing. Write the type out (arn:aws:kms:REGION:ACCOUNT:key/*) or use * for the whole resource part.",
            tags=("policy", "correctness"),
        ),
        Rule(
            id="KVS132",
            name="ShortResourceArn",
            severity=W,
            title="Resource ARN with fewer than six parts",
            description="AWS documents no matching rule for a truncated ARN, so decisions that depend on it are "
            "conditional.",
            remediation="AWS documents no matching rule for a truncated ARN, so decisions that depend on it are "
            "conditional; write all six parts (arn:aws:kms:*:*:key/*) or use *.",
            tags=("policy", "correctness"),
        ),
        Rule(
            id="KVS133",
            name="EmptyConditionValues",
            severity=W,
            title="Condition with no values",
            description="A condition with an empty value list can never match, and what a negated operator does "
            "with it is undocumented.",
            remediation="An empty value list can never match (and what a negated operator does with it is "
            "undocumented); give the values the condition should test, or remove it.",
            tags=("policy", "correctness"),
        ),
        Rule(
            id="KVS134",
            name="ResourceControlPoliciesNotChecked",
            severity=I,
            title="Resource control policies not checked",
            description="An RCP of the key's organization can deny use of a customer managed key whatever the "
            "key policy says; they were neither given nor readable, so an allow may still be denied. The "
            "result is undecided: --strict fails on it.",
            remediation="Give them (--rcp / --rcp-level, or rcps in the spec file), or audit with credentials "
            "that may read AWS Organizations policies (the management account or a delegated administrator).",
            tags=("policy", "coverage", "organizations"),
        ),
    ]
)

# -- KVS2xx: live key and stream state -------------------------------------------------------------------

register(
    [
        Rule(
            id="KVS201",
            name="StreamNotFound",
            severity=E,
            title="Stream not found",
            description="The named stream does not exist in the region audited.",
            remediation="Check the stream name and --region; 'kvsctl stream list' shows what exists.",
            tags=("kvs", "input"),
        ),
        Rule(
            id="KVS202",
            name="StreamKeyNotFound",
            severity=E,
            title="Stream's KMS key does not exist",
            description="The key the stream holds does not exist (or is not shared with this account): KVS "
            "accepted the stream, and every PutMedia and GetMedia on it fails.",
            remediation="Every PutMedia and GetMedia on the stream fails. The key of a stream can never change: "
            "create a new stream with a usable key and move producers and consumers to it.",
            tags=("kvs", "kms", "availability"),
        ),
        Rule(
            id="KVS203",
            name="StreamKeyNotEnabled",
            severity=E,
            title="Stream's KMS key is not enabled",
            description="The stream's key is disabled (or in another state than Enabled): every PutMedia and "
            "GetMedia fails.",
            remediation="Enable the key (aws kms enable-key); until then every PutMedia and GetMedia fails.",
            tags=("kvs", "kms", "availability"),
        ),
        Rule(
            id="KVS204",
            name="StreamKeyPendingDeletion",
            severity=E,
            title="Stream's KMS key is pending deletion",
            description="The stream's key is scheduled for deletion: after the date the stream's data can never "
            "be read again.",
            remediation="Cancel the deletion (aws kms cancel-key-deletion, then enable-key) before the date, or "
            "the stream's data becomes unreadable for good.",
            tags=("kvs", "kms", "availability", "data-loss"),
            security_severity=7.5,
        ),
        Rule(
            id="KVS205",
            name="StreamKeyWrongSpec",
            severity=E,
            title="Stream's KMS key has the wrong spec or usage",
            description="KVS needs a SYMMETRIC_DEFAULT key with usage ENCRYPT_DECRYPT; with any other key every "
            "PutMedia and GetMedia fails.",
            remediation="KVS needs a SYMMETRIC_DEFAULT key with usage ENCRYPT_DECRYPT; create a new stream with "
            "such a key.",
            tags=("kvs", "kms", "availability"),
        ),
        Rule(
            id="KVS206",
            name="StreamKeyInOtherRegion",
            severity=E,
            title="Stream's KMS key is in another region",
            description="KVS can only use a key in the stream's own region.",
            remediation="KVS needs a key in the stream's own region; create a new stream with a key there (a "
            "multi-Region replica works).",
            tags=("kvs", "kms", "availability"),
        ),
        Rule(
            id="KVS207",
            name="KeyPolicyReadFailed",
            severity=E,
            title="Key policy could not be read from AWS",
            description="AWS refused or failed GetKeyPolicy: every key decision rests on the key policy, so "
            "nothing about the key was checked; this cannot pass.",
            remediation="Grant kms:GetKeyPolicy to the auditing credentials, or for a key owned by another "
            "account pass --key-profile with the owner's profile; key decisions are conditional until then.",
            tags=("kms", "coverage"),
        ),
        Rule(
            id="KVS208",
            name="KeyRotationDisabled",
            severity=W,
            title="Automatic key rotation is off",
            description="The customer managed key does not rotate its key material every year.",
            remediation="Enable rotation: aws kms enable-key-rotation --key-id KEY.",
            tags=("security", "kms", "hygiene"),
            security_severity=3.0,
        ),
        Rule(
            id="KVS209",
            name="StreamUsesAwsManagedKey",
            severity=E,
            title="Stream uses the AWS managed key",
            description="--require-customer-key is set and the stream is encrypted with the AWS managed key, "
            "whose policy you cannot change or audit per principal.",
            remediation="--require-customer-key is set: create the stream with a customer managed key (kvsctl "
            "stream create --kms-key alias/NAME); the key of an existing stream cannot change.",
            tags=("security", "kms", "policy-requirement"),
            security_severity=4.0,
        ),
        Rule(
            id="KVS210",
            name="CouldNotCheck",
            severity=E,
            title="Could not check",
            description="AWS refused or failed a read that a pass depends on (the stream, its key's metadata, a "
            "principal's IAM policies): what could not be read is not counted as passing.",
            remediation="Give the auditing credentials read access (kinesisvideo:DescribeStream, kms:DescribeKey, "
            "kms:GetKeyRotationStatus, kms:ListGrants, iam:Get*/List* on the principals) and rerun; what could "
            "not be read is not counted as passing.",
            tags=("coverage",),
        ),
        Rule(
            id="KVS211",
            name="AwsManagedKeyPolicyAssumed",
            severity=I,
            title="AWS managed key evaluated with its documented policy",
            description="The AWS managed key's actual policy could not be read or the key does not exist yet "
            "(KMS creates it on first use); it was evaluated with its documented policy.",
            remediation="Nothing to do: the AWS managed key's policy allows every principal of the account through "
            "KVS in the region; its actual policy could not be read or the key does not exist yet (KMS creates it "
            "on first use).",
            tags=("kms", "coverage"),
        ),
        Rule(
            id="KVS212",
            name="StreamKeyNotForKvs",
            severity=E,
            title="Stream's key reference cannot work with KVS",
            description="The stream names the AWS managed key of another service or a reference KMS cannot "
            "resolve: every PutMedia and GetMedia fails.",
            remediation="The stream names the AWS managed key of another service or a reference KMS cannot "
            "resolve; create a new stream with a customer managed key or the KVS AWS managed key.",
            tags=("kvs", "kms", "availability"),
        ),
        Rule(
            id="KVS213",
            name="PrincipalNotFound",
            severity=E,
            title="Producer or consumer does not exist",
            description="IAM answered that no role or user has this ARN: it cannot stream (most often a typo).",
            remediation="No role or user has this ARN in its account (a typo, or it was deleted): fix the ARN given "
            "to kvsctl, or create the principal and give it the access it needs.",
            tags=("iam", "input"),
        ),
        Rule(
            id="KVS214",
            name="CouldNotCheckSecondary",
            severity=W,
            title="Could not check grants or rotation",
            description="A read whose failure can only hide a warning was refused or failed (the key's grants, "
            "which only ever add permissions; its rotation status).",
            remediation="Give the auditing credentials kms:ListGrants and kms:GetKeyRotationStatus and rerun.",
            tags=("coverage",),
        ),
        Rule(
            id="KVS215",
            name="CrossAccountKeyPolicyNotRead",
            severity=W,
            title="Key policy of another account's key not read",
            description="The stream's key belongs to another account, and GetKeyPolicy works only with the "
            "owner's credentials; key decisions are conditional.",
            remediation="Pass --key-profile with a profile of the account that owns the key.",
            tags=("kms", "coverage"),
        ),
        Rule(
            id="KVS216",
            name="PrincipalIamNotReadable",
            severity=I,
            title="Principal has no IAM policies kvsctl can read",
            description="The principal is an account, a principal of another account or a kind that has no "
            "IAM policies to read here; decisions that need an IAM allow are conditional.",
            remediation="Audit from the principal's own account, or name the role that acts.",
            tags=("iam", "coverage"),
        ),
        Rule(
            id="KVS217",
            name="CouldNotCheckIam",
            severity=W,
            title="IAM policies of another account's principal not read",
            description="The principal belongs to another account than the one audited (its IAM policies can "
            "only be read there), so decisions that need an IAM allow are conditional.",
            remediation="Audit with credentials of the principal's account too, or pass its policies to "
            "'kvsctl audit policy --identity-policy'.",
            tags=("iam", "coverage"),
        ),
        Rule(
            id="KVS218",
            name="NoStreamMatched",
            severity=E,
            title="No stream matched",
            description="`audit all` found no stream (in the region or with the prefix given): a job pointed at "
            "the wrong region or prefix would otherwise pass having checked nothing.",
            remediation="Check --region and --name-prefix; pass --allow-empty when no stream is expected.",
            tags=("kvs", "coverage"),
        ),
        # KVS240-249: what a key's kind means for its streams (docs/key-kinds.md).
        Rule(
            id="KVS240",
            name="KeyMaterialExpiresWithinRetention",
            severity=E,
            title="Imported key material expires while the stream's video is retained",
            description="The key's imported material expires (ValidTo) before video written now leaves the "
            "stream: from then stored video cannot be decrypted and every PutMedia fails.",
            remediation="Reimport the same key material with a later ValidTo (or KEY_MATERIAL_DOES_NOT_EXPIRE) "
            "before it expires; from ValidTo, stored video cannot be decrypted and every PutMedia fails.",
            tags=("kms", "key-kind", "availability", "data-loss"),
            security_severity=7.0,
        ),
        Rule(
            id="KVS241",
            name="KeyStoreNotConnected",
            severity=E,
            title="Key's custom key store is not connected",
            description="The key lives in a custom key store that is not connected: its keys are Unavailable "
            "and every PutMedia and GetMedia fails.",
            remediation="Connect the store (aws kms connect-custom-key-store); while it is disconnected its keys "
            "are Unavailable and every PutMedia and GetMedia fails.",
            tags=("kms", "key-kind", "availability"),
        ),
        Rule(
            id="KVS242",
            name="ExternalKeyStoreDependency",
            severity=I,
            title="Key is in an external key store",
            description="Every PutMedia and GetMedia depends on the external key store proxy and key manager "
            "outside AWS.",
            remediation="Every PutMedia/GetMedia depends on your external key store proxy and key manager: monitor "
            "their availability and latency (the KMS XksProxy* CloudWatch metrics).",
            tags=("kms", "key-kind", "availability"),
        ),
        Rule(
            id="KVS243",
            name="KeyMaterialNotImported",
            severity=E,
            title="Key material not imported",
            description="The key waits for its imported material (PendingImport), or its material expired: "
            "every PutMedia and GetMedia fails.",
            remediation="Import the key material (aws kms get-parameters-for-import, then import-key-material); to "
            "restore stored video, reimport the same material.",
            tags=("kms", "key-kind", "availability"),
        ),
        Rule(
            id="KVS244",
            name="KeyMaterialExpires",
            severity=W,
            title="Imported key material expires",
            description="The key's imported material has an expiry date; after it every PutMedia and GetMedia fails.",
            remediation="Reimport the same key material with a later ValidTo before it expires, or every PutMedia "
            "and GetMedia fails from then.",
            tags=("kms", "key-kind", "availability"),
        ),
        Rule(
            id="KVS245",
            name="RotationNotAutomatic",
            severity=I,
            title="KMS cannot rotate this kind of key automatically",
            description="Keys with imported material and keys in custom key stores cannot use automatic rotation.",
            remediation="Keys with imported material rotate only on demand (single-Region keys, after importing new "
            "material); keys in custom key stores cannot rotate: plan new keys and new streams instead.",
            tags=("kms", "key-kind", "hygiene"),
        ),
    ]
)

# -- KVS3xx: spec checks (preflight) ---------------------------------------------------------------------

register(
    [
        Rule(
            id="KVS301",
            name="DeclaredStreamExists",
            severity=E,
            title="Declared stream exists",
            description="A stream the spec declares does not exist, and could not be described.",
            remediation="Run 'kvsctl apply SPEC' to create missing streams.",
            tags=("spec", "kvs"),
        ),
        Rule(
            id="KVS302",
            name="StreamUsesDeclaredKey",
            severity=E,
            title="Stream uses the declared KMS key",
            description="The stream holds another key than the spec declares (aliases resolved to the key ARN), "
            "or the declared key does not exist. A stream's key can never change.",
            remediation="A stream's key can never change: create a new stream with the declared key, move "
            "producers and consumers to it, then retire the old stream (or correct kms_key in the spec).",
            tags=("spec", "kms"),
        ),
        Rule(
            id="KVS303",
            name="StreamKeyUsableByKvs",
            severity=E,
            title="The stream's KMS key is usable by KVS",
            description="KVS needs an Enabled SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key in the stream's region; "
            "with any other, every PutMedia/GetMedia fails.",
            remediation="Enable the key or cancel its deletion; KVS needs an Enabled SYMMETRIC_DEFAULT "
            "ENCRYPT_DECRYPT key in the stream's region.",
            tags=("spec", "kms", "availability"),
        ),
        Rule(
            id="KVS304",
            name="RetentionAsDeclared",
            severity=E,
            title="Retention as declared",
            description="The stream's data retention differs from the spec.",
            remediation="aws kinesisvideo update-data-retention, or correct retention_hours in the spec.",
            tags=("spec", "drift"),
        ),
        Rule(
            id="KVS305",
            name="MediaTypeAsDeclared",
            severity=E,
            title="Media type as declared",
            description="The stream's media type differs from the spec.",
            remediation="aws kinesisvideo update-stream --media-type, or correct media_type in the spec.",
            tags=("spec", "drift"),
        ),
        Rule(
            id="KVS306",
            name="DeclaredStreamNotCreatedYet",
            severity=I,
            title="Declared stream does not exist yet",
            description="The stream is declared but does not exist yet: `kvsctl apply` creates it. Its key and "
            "its producers' and consumers' access are checked as apply would create it.",
            remediation="Run 'kvsctl apply SPEC' to create it.",
            tags=("spec", "kvs"),
        ),
    ]
)

# -- KVS4xx: templates and plans (audit template) -------------------------------------------------------

register(
    [
        Rule(
            id="KVS401",
            name="TemplateValueNotResolved",
            severity=I,
            title="Template value not resolved",
            description="A value the template does not determine (a parameter without a value, an import, an "
            "attribute known only after deployment): checks that depend on it are conditional.",
            remediation="Pass --parameter NAME=VALUE, or declare the resource in the template; checks that depend"
            " on it are conditional until then.",
            tags=("iac", "coverage"),
        ),
        Rule(
            id="KVS402",
            name="TemplateValueAssumed",
            severity=I,
            title="Template value assumed",
            description="kvsctl assumed a value the template leaves open (AWS::AccountId, AWS::Region, "
            "AWS::StackName, a parameter default).",
            remediation="Nothing to do if the assumption holds; otherwise pass --parameter NAME=VALUE "
            "(AWS::AccountId, AWS::Region and AWS::StackName are parameters too).",
            tags=("iac",),
        ),
        Rule(
            id="KVS403",
            name="StreamKeyGivenAsAlias",
            severity=W,
            title="Stream's key is given as an alias",
            description="KVS resolves an alias once, at creation: the stream keeps that key whatever the alias "
            "points to later.",
            remediation="Give KmsKeyId / kms_key_id the key's ARN (!GetAtt Key.Arn, aws_kms_key.NAME.arn): KVS "
            "resolves the alias once, at creation, and the stream keeps that key whatever the alias "
            "points to later.",
            tags=("iac", "kms"),
        ),
        Rule(
            id="KVS404",
            name="StreamReplaced",
            severity=E,
            title="Change replaces a stream: its stored video is destroyed",
            description="A stream's key and (in Terraform) its retention cannot change in place: the change "
            "deletes the stream and its video and creates a new one.",
            remediation="A stream's key and (in Terraform) its retention cannot change in place: keep the old "
            "values, or create a new stream beside the old one and move producers and consumers "
            "before deleting it.",
            tags=("iac", "data-loss"),
        ),
        Rule(
            id="KVS405",
            name="StreamDeleted",
            severity=W,
            title="Change deletes a stream and its stored video",
            description="The change set or plan deletes a stream, and with it its stored video.",
            remediation="Make sure the video is no longer needed (or copied out) before this change is applied.",
            tags=("iac", "data-loss"),
        ),
        Rule(
            id="KVS406",
            name="StreamKeyChangedInPlace",
            severity=E,
            title="Change set modifies a stream's key in place",
            description="KVS cannot change a stream's key (UpdateStream has no KmsKeyId): the change set cannot "
            "do what it says.",
            remediation="KVS cannot change a stream's key (UpdateStream has no KmsKeyId): create a new stream "
            "with the new key and move producers and consumers to it.",
            tags=("iac", "kms"),
        ),
        Rule(
            id="KVS407",
            name="PrincipalsInferred",
            severity=I,
            title="Producers and consumers inferred from identity policies",
            description="No --producer / --consumer was given: the principals whose identity policies grant "
            "kinesisvideo:PutMedia on the stream are its producers, and those granting a read path's actions "
            "(GetMedia, ListFragments, GetHLSStreamingSessionURL, ...) are its consumers on that path; a read path "
            "not selected with --read is named, not checked.",
            remediation="Pass --producer / --consumer (an ARN, a logical id or a Terraform address) to check "
            "exactly the principals you mean.",
            tags=("iac",),
        ),
        Rule(
            id="KVS408",
            name="NoPrincipalToCheck",
            severity=W,
            title="No producer or consumer to check",
            description="Neither the template nor the command line names a producer or consumer, so no access was"
            " checked.",
            remediation="Declare the producer and consumer roles in the template (with their policies) or pass "
            "--producer / --consumer.",
            tags=("iac", "coverage"),
        ),
        Rule(
            id="KVS409",
            name="KeyNotInTemplate",
            severity=I,
            title="Key not declared in the template",
            description="The stream's key is not declared in the template: its key policy is unknown and key "
            "decisions are conditional.",
            remediation="Its key policy is not in the template: key decisions are conditional. Audit it live "
            "(kvsctl audit stream) or with kvsctl audit policy once it exists.",
            tags=("iac", "coverage"),
        ),
        Rule(
            id="KVS410",
            name="TemplateConstructNotFollowed",
            severity=I,
            title="Template construct not followed",
            description="kvsctl reads roles, users, inline and managed policies declared in the same template or "
            "plan; what it names elsewhere is unknown.",
            remediation="kvsctl reads roles, users, inline and managed policies declared in the same template or "
            "plan; what it names elsewhere is unknown.",
            tags=("iac", "coverage"),
        ),
    ]
)

# -- what producers and consumers need -------------------------------------------------------------------

#: (role, action, target, what fails without it). KVS DG, "Using server-side encryption"; the read and
#: producer paths of kvsctl/workloads/paths.py add the calls real clients make before these.
_WITHOUT: dict[tuple[str, str], str] = {
    ("producer", "kms:GenerateDataKey"): "every PutMedia fails",
    ("producer", "kinesisvideo:PutMedia"): "the producer cannot send media",
    ("consumer", "kms:Decrypt"): "every GetMedia (and every other read of stored media) fails",
    ("consumer", "kinesisvideo:GetMedia"): "the consumer cannot read media",
}


def _requirements() -> tuple[tuple[str, str, str, str], ...]:
    from kvsctl.workloads.paths import READ_PATHS, producer_path, read_path

    seen: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for p in (producer_path(creates=True), *(read_path(n) for n in READ_PATHS)):
        for req in p.requirements:
            k = (p.role, req.action)
            if k not in seen:
                without = _WITHOUT.get(k) or f"the {p.role} cannot call {req.action.split(':', 1)[1]}"
                seen[k] = (p.role, req.action, req.target, without)
    return tuple(seen.values())


REQUIREMENTS: tuple[tuple[str, str, str, str], ...] = _requirements()


def requirement_rule_id(role: str, action: str) -> str:
    """KVS-PRODUCER-GENERATEDATAKEY, KVS-CONSUMER-GETMEDIA, ...: one rule per role and required action."""
    return f"KVS-{role.upper()}-{action.split(':', 1)[-1].upper()}"


def requirement_rule(role: str, action: str, target: str, without: str) -> Rule:
    service, _, name = action.partition(":")
    on = "the stream's key" if target == "key" else "the stream"
    return Rule(
        id=requirement_rule_id(role, action),
        name=f"{role.capitalize()}Needs{service.capitalize().replace('video', 'Video')}{name}",
        severity=E,
        title=f"{role.capitalize()} can {action} on {on}",
        description=f"A Kinesis Video Streams {role} needs {action} on {on}; without it {without}.",
        remediation=f"Allow {action} on {on} to the {role} (key policy, grant or IAM policy as the decision's "
        "reasons say); 'kvsctl audit policy --explain PRINCIPAL' shows the evaluation trace.",
        tags=("access", role, service),
        security_severity=None,
    )


register(requirement_rule(*row) for row in REQUIREMENTS)


# -- names for the rules code raises (rule objects are callables that build a Result) -----------------------
POLICY_UNPARSEABLE = RULES["KVS100"]
KEY_POLICY_PUBLIC = RULES["KVS101"]
UNKNOWN_PREFIX = RULES["KVS102"]
UNKNOWN_ACTION = RULES["KVS103"]
MALFORMED_RESOURCE = RULES["KVS104"]
UNKNOWN_ARN_SERVICE = RULES["KVS105"]
MALFORMED_PRINCIPAL = RULES["KVS106"]
NEVER_MATCHES = RULES["KVS107"]
VARIABLES_WITHOUT_VERSION = RULES["KVS108"]
PRODUCER_CAN_DECRYPT = RULES["KVS109"]
CONSUMER_CAN_GENERATE = RULES["KVS110"]
SERVICE_PRINCIPAL_KVS = RULES["KVS111"]
DELETED_PRINCIPAL = RULES["KVS112"]
KEY_POLICY_UNREADABLE = RULES["KVS113"]
GRANTS_UNREADABLE = RULES["KVS114"]
GRANT_OVERBROAD = RULES["KVS115"]
IAM_NOT_GIVEN = RULES["KVS116"]
VIA_SERVICE_MISMATCH = RULES["KVS117"]
PRINCIPAL_UNKNOWN = RULES["KVS118"]
GRANTS_NOT_GIVEN = RULES["KVS119"]
PRODUCER_CAN_CREATE_STREAM = RULES["KVS120"]
PREFIX_NOT_KNOWN = RULES["KVS260"]
CROSS_ACCOUNT_STREAM = RULES["KVS130"]
RESOURCE_TYPE_WILDCARD = RULES["KVS131"]
SHORT_RESOURCE_ARN = RULES["KVS132"]
EMPTY_CONDITION_VALUES = RULES["KVS133"]
RCPS_NOT_CHECKED = RULES["KVS134"]
STREAM_NOT_FOUND = RULES["KVS201"]
KEY_NOT_FOUND = RULES["KVS202"]
KEY_DISABLED = RULES["KVS203"]
KEY_PENDING_DELETION = RULES["KVS204"]
KEY_WRONG_SPEC = RULES["KVS205"]
KEY_OTHER_REGION = RULES["KVS206"]
KEY_POLICY_READ_FAILED = RULES["KVS207"]
KEY_ROTATION_DISABLED = RULES["KVS208"]
AWS_MANAGED_KEY_USED = RULES["KVS209"]
COULD_NOT_CHECK = RULES["KVS210"]
AWS_MANAGED_POLICY_ASSUMED = RULES["KVS211"]
KEY_NOT_FOR_KVS = RULES["KVS212"]
PRINCIPAL_NOT_FOUND = RULES["KVS213"]
COULD_NOT_CHECK_SECONDARY = RULES["KVS214"]
CROSS_ACCOUNT_KEY_POLICY = RULES["KVS215"]
PRINCIPAL_IAM_NOT_READABLE = RULES["KVS216"]
OTHER_ACCOUNT_IAM = RULES["KVS217"]
NO_STREAM_MATCHED = RULES["KVS218"]
KEY_MATERIAL_EXPIRES_IN_RETENTION = RULES["KVS240"]
KEY_STORE_NOT_CONNECTED = RULES["KVS241"]
EXTERNAL_KEY_STORE_DEPENDENCY = RULES["KVS242"]
KEY_PENDING_IMPORT = RULES["KVS243"]
KEY_MATERIAL_EXPIRES = RULES["KVS244"]
ROTATION_NOT_AUTOMATIC = RULES["KVS245"]
STREAM_EXISTS = RULES["KVS301"]
KEY_MATCHES = RULES["KVS302"]
KEY_USABLE = RULES["KVS303"]
RETENTION_MATCHES = RULES["KVS304"]
MEDIA_TYPE_MATCHES = RULES["KVS305"]
STREAM_NOT_CREATED_YET = RULES["KVS306"]
IAC_UNRESOLVED = RULES["KVS401"]
IAC_ASSUMED = RULES["KVS402"]
IAC_ALIAS_AS_KEY = RULES["KVS403"]
IAC_STREAM_REPLACED = RULES["KVS404"]
IAC_STREAM_DELETED = RULES["KVS405"]
IAC_KEY_IN_PLACE = RULES["KVS406"]
IAC_INFERRED = RULES["KVS407"]
IAC_NO_PRINCIPALS = RULES["KVS408"]
IAC_EXTERNAL_KEY = RULES["KVS409"]
IAC_NOT_FOLLOWED = RULES["KVS410"]


def rules_json(rules: Iterable[Rule] | None = None) -> dict[str, Any]:
    """`kvsctl rules -o json`."""
    return {"rules": [r.to_json() for r in (rules if rules is not None else catalogue())]}


def markdown(rules: Iterable[Rule] | None = None) -> str:
    """docs/rules.md: the registry as one table and one section per rule (each with its help anchor)."""
    rules = list(rules if rules is not None else catalogue())
    out = [
        "# kvsctl rules",
        "",
        "<!-- Generated from kvsctl/checks/rules.py by `python -m kvsctl.checks`; do not edit. -->",
        "",
        "Every check kvsctl makes is one of these rules. Ids never change meaning; a rule's severity is",
        "final. `kvsctl rules` lists them; `-o sarif` reports carry them as `tool.driver.rules`.",
        "",
        "| id | name | severity | title |",
        "|---|---|---|---|",
    ]
    out += [f"| [{r.id}](#{r.anchor}) | {r.name} | {r.severity.value} | {_md(r.title)} |" for r in rules]
    for r in rules:
        out += [
            "",
            f'<a id="{r.anchor}"></a>',
            f"## {r.id} {r.name}",
            "",
            f"**{_md(r.title)}** — severity `{r.severity.value}`"
            + (f", security severity {r.security_severity}" if r.security_severity is not None else "")
            + (f"; tags: {', '.join(r.tags)}" if r.tags else ""),
            "",
            _md(r.description),
            "",
            f"Fix: {_md(r.remediation)}",
        ]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def by_id(ids: Iterable[str]) -> Mapping[str, Rule]:
    return {i: RULES[i] for i in sorted(set(ids))}
