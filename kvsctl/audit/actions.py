"""Names kvsctl knows: KMS and Kinesis Video Streams IAM actions, and AWS service prefixes.

The action lists come from the Service Authorization Reference (IAM action names, which differ from
API names in places: ``kms:ReEncryptFrom`` / ``kms:ReEncryptTo``, ``kinesisvideo:PutMedia`` has no SDK
operation). The prefix list is built from botocore's service models (signing names and endpoint
prefixes) plus IAM-only prefixes; it is used to spot typos, so a prefix missing here is only "info".
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


KMS_ACTIONS = _words(
    """
CancelKeyDeletion ConnectCustomKeyStore CreateAlias CreateCustomKeyStore CreateGrant CreateKey Decrypt
DeleteAlias DeleteCustomKeyStore DeleteImportedKeyMaterial DeriveSharedSecret DescribeCustomKeyStores
DescribeKey DisableKey DisableKeyRotation DisconnectCustomKeyStore EnableKey EnableKeyRotation Encrypt
GenerateDataKey GenerateDataKeyPair GenerateDataKeyPairWithoutPlaintext GenerateDataKeyWithoutPlaintext
GenerateMac GenerateRandom GetKeyLastUsage GetKeyPolicy GetKeyRotationStatus GetParametersForImport
GetPublicKey ImportKeyMaterial ListAliases ListGrants ListKeyPolicies ListKeyRotations ListKeys
ListResourceTags ListRetirableGrants PutKeyPolicy ReEncryptFrom ReEncryptTo ReplicateKey RetireGrant
RevokeGrant RotateKeyOnDemand ScheduleKeyDeletion Sign SynchronizeMultiRegionKey TagResource
UntagResource UpdateAlias UpdateCustomKeyStore UpdateKeyDescription UpdatePrimaryRegion Verify VerifyMac
"""
)

KINESISVIDEO_ACTIONS = _words(
    """
ConnectAsMaster ConnectAsViewer CreateSignalingChannel CreateStream DeleteEdgeConfiguration
DeleteSignalingChannel DeleteStream DescribeEdgeConfiguration DescribeImageGenerationConfiguration
DescribeMappedResourceConfiguration DescribeMediaStorageConfiguration DescribeNotificationConfiguration
DescribeSignalingChannel DescribeStream DescribeStreamStorageConfiguration GetClip GetDASHManifest
GetDASHStreamingSessionURL GetDataEndpoint GetHLSMasterPlaylist GetHLSMediaPlaylist
GetHLSStreamingSessionURL GetIceServerConfig GetImages GetMP4InitFragment GetMP4MediaFragment GetMedia
GetMediaForFragmentList GetSignalingChannelEndpoint GetTSFragment JoinStorageSession
JoinStorageSessionAsViewer ListEdgeAgentConfigurations ListFragments ListSignalingChannels ListStreams
ListTagsForResource ListTagsForStream PutMedia SendAlexaOfferToMaster StartEdgeConfigurationUpdate
TagResource TagStream UntagResource UntagStream UpdateDataRetention UpdateImageGenerationConfiguration
UpdateMediaStorageConfiguration UpdateNotificationConfiguration UpdateSignalingChannel UpdateStream
UpdateStreamStorageConfiguration
"""
)

ACTIONS_BY_PREFIX: dict[str, frozenset[str]] = {
    "kms": frozenset(a.lower() for a in KMS_ACTIONS),
    "kinesisvideo": frozenset(a.lower() for a in KINESISVIDEO_ACTIONS),
}
CANONICAL_ACTION = {
    f"{p}:{a.lower()}": f"{p}:{a}" for p, s in (("kms", KMS_ACTIONS), ("kinesisvideo", KINESISVIDEO_ACTIONS)) for a in s
}

# well-known wrong spellings (the KVS developer guide itself uses ``kinesis-video:``)
PREFIX_FIXES = {
    "kinesis-video": "kinesisvideo",
    "kinesis_video": "kinesisvideo",
    "kinesisvideostreams": "kinesisvideo",
    "kinesis-video-streams": "kinesisvideo",
    "kinesis-video-media": "kinesisvideo",
    "kinesis-video-archived-media": "kinesisvideo",
    "kinesisvideomedia": "kinesisvideo",
    "kvs": "kinesisvideo",
    "aws-kms": "kms",
    "awskms": "kms",
}

KNOWN_PREFIXES = _words(
    """
access-analyzer account acm acm-pca aco-automation agreement-marketplace aidevops aiops airflow
airflow-serverless amplify amplifybackend amplifyuibuilder aoss apigateway app-integrations
appconfig appconfigdata appfabric appflow application-autoscaling application-cost-profiler
application-signals applicationinsights appmesh apprunner appstream appstream2 appsync aps arc-
region-switch arc-zonal-shift artifact athena auditmanager autoscaling autoscaling-plans aws-
marketplace aws-portal awsssoportal b2bi backup backup-gateway backup-search batch bcm-dashboards
bcm-data-exports bcm-pricing-calculator bcm-recommended-actions bedrock bedrock-agent bedrock-agent-
runtime bedrock-agentcore bedrock-agentcore-control bedrock-data-automation bedrock-data-automation-
runtime bedrock-runtime billing billingconductor braket budgets cases cassandra cassandra-streams ce
chatbot chime cleanrooms cleanrooms-ml cloud9 cloudcontrolapi clouddirectory cloudformation
cloudfront cloudfront-keyvaluestore cloudhsm cloudhsmv2 cloudsearch cloudsearchdomain cloudtrail
cloudtrail-data cloudwatch codeartifact codebuild codecatalyst codecommit codeconnections codedeploy
codeguru-profiler codeguru-reviewer codeguru-security codepipeline codestar-connections codestar-
notifications cognito-identity cognito-idp cognito-sync comprehend comprehendmedical compute-
optimizer config connect connect-campaigns contact-lens controlcatalog controltower cost-
optimization-hub cur data-signer databrew dataexchange datapipeline datasync datazone dax deadline
deployment-marketplace detective devicefarm devops-guru directconnect discovery discovery-
marketplace dlm dms docdb-elastic drs ds ds-data dsql dynamodb ebs ec2 ec2-instance-connect ecr ecr-
public ecs eks eks-auth elasticache elasticbeanstalk elasticfilesystem elasticloadbalancing
elasticmapreduce elemental-inference email emr-containers emr-serverless entityresolution es events
evs execute-api finspace finspace-api firehose fis fms forecast forecastquery frauddetector freetier
fsx gamelift gameliftstreams geo geo-maps geo-places geo-routes glacier globalaccelerator glue
grafana greengrass groundstation guardduty health health-agent healthlake iam identity-chime
identitystore imagebuilder importexport inspector inspector-scan inspector2 interconnect
internetmonitor invoicing iot iot-jobs-data iotdata iotdeviceadvisor iotevents ioteventsdata
iotfleetwise iotmanagedintegrations iotsecuredtunneling iotsitewise iotthingsgraph iottwinmaker
iotwireless ivs ivschat ivsrealtime kafka kafkaconnect kendra kendra-ranking kinesis
kinesisanalytics kinesisvideo kms lakeformation lambda launchwizard lex license-manager license-
manager-linux-subscriptions license-manager-user-subscriptions lightsail logs lookoutequipment m2
machinelearning macie2 mail-manager managedblockchain managedblockchain-query
marketplacecommerceanalytics media-pipelines-chime mediaconnect mediaconvert medialive mediapackage
mediapackage-vod mediapackagev2 mediastore mediatailor medical-imaging meetings-chime memory-db
memorydb messaging-chime mgh mgn migrationhub-config migrationhub-orchestrator migrationhub-strategy
mobiletargeting models-v2-lex monitoring mpa mq mturk-requester neptune-db neptune-graph network-
firewall networkflowmonitor networkmanager networkmonitor notifications notifications-contacts nova-
act oam observabilityadmin odb oidc omics organizations osis outposts panorama partnercentral-
account partnercentral-benefits partnercentral-channel partnercentral-selling payment-cryptography
pca-connector-ad pca-connector-scep pcs personalize personalize-events personalize-runtime pi
pinpoint pipes polly pricing profile proton qapps qbusiness quicksight ram rbin rds rds-data
redshift redshift-data redshift-serverless refactor-spaces rekognition reporting-marketplace
repostspace resiliencehub resource-explorer-2 resource-groups rolesanywhere route53
route53-recovery-cluster route53-recovery-control-config route53-recovery-readiness route53domains
route53globalresolver route53profiles route53resolver rtbfabric rum runtime-v2-lex s3 s3-control
s3-outposts s3files s3tables s3vectors sagemaker sagemaker-geospatial savingsplans scheduler schemas
scn sdb secretsmanager security-ir securityagent securityhub securitylake serverlessrepo
servicecatalog servicecatalog-appregistry servicediscovery servicequotas ses shield signer signin
simspaceweaver sms-voice snow-device-management snowball sns social-messaging sqs ssm ssm-contacts
ssm-guiconnect ssm-incidents ssm-quicksetup ssm-sap sso sso-directory sso-oauth states
storagegateway sts support supportapp sustainability swf synthetics tag tagging tax textract
thinclient timestream timestream-influxdb tnb transcribe transfer translate trustedadvisor uxc
verifiedpermissions voice-chime voiceid vpc-lattice waf waf-regional wafv2 wellarchitected wickr
wisdom workdocs workmail workmailmessageflow workspaces workspaces-instances workspaces-web xray
"""
)
