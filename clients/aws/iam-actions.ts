// The IAM actions each AWS command the drill can send needs: one table, keyed `service:Operation` as the plan
// names calls (PlannedCall.service:operation). From the Service Authorization Reference ("API operations"
// tables: https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)
// and, where an operation needs more than its own action, the page that says so. iam-actions.test.ts fails when
// clients/aws or targets/safety send a command this table does not name.

/** The resource an action is asked on. */
export type ActionResource =
  /** The call's own resources (ARNs built from its params), `*` when the plan does not know them. */
  | 'call'
  /** `*`: the action has no resource type, or the resource does not exist before the call creates it. */
  | 'any'
  /** The IAM role the call hands to a service (iam:PassRole). */
  | 'passed-role'
  /** The customer-managed KMS key of the secret the call reads or writes (none for aws/secretsmanager). */
  | 'secret-key';

export interface RequiredAction {
  action: string;
  on: ActionResource;
  /** Condition keys and the value the request carries; `{region}` stands for the call's region. */
  context?: Record<string, string>;
}

export interface CommandPermissions {
  actions: RequiredAction[];
  /** Commands the client's wrapper sends too whenever the plan names this one. */
  sendsAlso?: string[];
  /** Where the mapping comes from. */
  source: string;
}

const SAR = 'https://docs.aws.amazon.com/service-authorization/latest/reference';
const same = (service: string, operation: string, source: string): CommandPermissions => ({
  actions: [{ action: `${service}:${operation}`, on: 'call' }],
  source,
});
const rds = (op: string) => same('rds', op, `${SAR}/list_amazonrds.html`);
const route53 = (op: string) => same('route53', op, `${SAR}/list_amazonroute53.html`);
const fis = (op: string) => same('fis', op, `${SAR}/list_awsfaultinjectionservice.html`);
const cloudwatch = (op: string) => same('cloudwatch', op, `${SAR}/list_amazoncloudwatch.html`);
const elasticache = (op: string) => same('elasticache', op, `${SAR}/list_amazonelasticache.html`);

// Secrets Manager encrypts with the secret's KMS key on the caller's behalf: GenerateDataKey when a value is
// written, Decrypt when one is read; an AWS managed key (aws/secretsmanager) needs no IAM grant.
const SECRETS_KMS = 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html';
const VIA_SECRETS_MANAGER = { 'kms:ViaService': 'secretsmanager.{region}.amazonaws.com' };

export const COMMAND_PERMISSIONS: Readonly<Record<string, CommandPermissions>> = {
  'rds:DescribeDBClusters': rds('DescribeDBClusters'),
  'rds:DescribeGlobalClusters': rds('DescribeGlobalClusters'),
  'rds:FailoverGlobalCluster': rds('FailoverGlobalCluster'),
  'rds:SwitchoverGlobalCluster': rds('SwitchoverGlobalCluster'),

  'route53:ChangeResourceRecordSets': route53('ChangeResourceRecordSets'),
  'route53:GetChange': route53('GetChange'),
  'route53:GetHealthCheck': route53('GetHealthCheck'),
  'route53:GetHealthCheckStatus': route53('GetHealthCheckStatus'),
  'route53:ListResourceRecordSets': route53('ListResourceRecordSets'),
  'route53:TestDNSAnswer': route53('TestDNSAnswer'),
  // Route53.holdHealthCheckUnhealthy reads the check (its version, and whether it is inverted already) first.
  'route53:UpdateHealthCheck': { ...route53('UpdateHealthCheck'), sendsAlso: ['GetHealthCheck'] },

  // SAR, API operations of FIS: CreateExperimentTemplate authorizes fis:CreateExperimentTemplate,
  // fis:TagResource, and iam:PassRole with iam:PassedToService = fis.amazonaws.com.
  'fis:CreateExperimentTemplate': {
    actions: [
      { action: 'fis:CreateExperimentTemplate', on: 'any' },
      { action: 'fis:TagResource', on: 'any' },
      { action: 'iam:PassRole', on: 'passed-role', context: { 'iam:PassedToService': 'fis.amazonaws.com' } },
    ],
    source: `${SAR}/list_awsfaultinjectionservice.html`,
    // Fis.createExperimentTemplate finds the template by name first (ListExperimentTemplates): found with IAM
    // enforced on the lab (safety/iam-enforced-all.lab.test.ts, api-pod-kill).
    sendsAlso: ['ListExperimentTemplates'],
  },
  'fis:GetExperiment': fis('GetExperiment'),
  'fis:ListExperimentResolvedTargets': fis('ListExperimentResolvedTargets'),
  'fis:ListExperimentTemplates': fis('ListExperimentTemplates'),
  'fis:ListExperiments': fis('ListExperiments'),
  // The drill tags every experiment it starts (run id, client token): tags on a created resource need TagResource.
  'fis:StartExperiment': {
    actions: [
      { action: 'fis:StartExperiment', on: 'call' },
      { action: 'fis:TagResource', on: 'any' },
    ],
    source: `${SAR}/list_awsfaultinjectionservice.html`,
  },
  'fis:StopExperiment': fis('StopExperiment'),

  'secretsmanager:CreateSecret': {
    actions: [
      { action: 'secretsmanager:CreateSecret', on: 'call' },
      { action: 'kms:GenerateDataKey', on: 'secret-key', context: VIA_SECRETS_MANAGER },
    ],
    source: SECRETS_KMS,
  },
  'secretsmanager:DescribeSecret': same(
    'secretsmanager',
    'DescribeSecret',
    `${SAR}/list_awssecretsmanager.html`,
  ),
  'secretsmanager:GetSecretValue': {
    actions: [
      { action: 'secretsmanager:GetSecretValue', on: 'call' },
      { action: 'kms:Decrypt', on: 'secret-key', context: VIA_SECRETS_MANAGER },
    ],
    source: SECRETS_KMS,
  },
  'secretsmanager:PutSecretValue': {
    actions: [
      { action: 'secretsmanager:PutSecretValue', on: 'call' },
      { action: 'kms:GenerateDataKey', on: 'secret-key', context: VIA_SECRETS_MANAGER },
    ],
    source: SECRETS_KMS,
  },

  'secretsmanager:ReplicateSecretToRegions': same(
    'secretsmanager',
    'ReplicateSecretToRegions',
    `${SAR}/list_awssecretsmanager.html`,
  ),
  // Promotes a replica secret to a standalone one, in the replica's region.
  'secretsmanager:StopReplicationToReplica': same(
    'secretsmanager',
    'StopReplicationToReplica',
    `${SAR}/list_awssecretsmanager.html`,
  ),

  'cloudwatch:DescribeAlarms': cloudwatch('DescribeAlarms'),
  'cloudwatch:GetMetricData': cloudwatch('GetMetricData'),
  // The preflight's reads (apps/luneo/safety/readiness*.ts).
  'cloudwatch:ListMetrics': cloudwatch('ListMetrics'),
  'iam:GetRole': same('iam', 'GetRole', `${SAR}/list_awsidentityandaccessmanagementiam.html`),
  'servicequotas:GetServiceQuota': same('servicequotas', 'GetServiceQuota', `${SAR}/list_servicequotas.html`),
  'servicequotas:GetAWSDefaultServiceQuota': same(
    'servicequotas',
    'GetAWSDefaultServiceQuota',
    `${SAR}/list_servicequotas.html`,
  ),
  // The Resource Groups Tagging API authorizes as `tag:` (its signing name is `tagging`).
  'tagging:GetResources': {
    actions: [{ action: 'tag:GetResources', on: 'any' }],
    source: `${SAR}/list_amazonresourcegrouptaggingapi.html`,
  },

  'elasticache:DescribeGlobalReplicationGroups': elasticache('DescribeGlobalReplicationGroups'),
  'elasticache:DescribeReplicationGroups': elasticache('DescribeReplicationGroups'),
  'elasticache:FailoverGlobalReplicationGroup': elasticache('FailoverGlobalReplicationGroup'),

  // API names and IAM actions differ in S3 (SAR, API operations of Amazon S3).
  's3:GetBucketReplication': {
    actions: [{ action: 's3:GetReplicationConfiguration', on: 'call' }],
    source: `${SAR}/list_amazons3.html`,
  },
  's3:ListObjectVersions': {
    actions: [{ action: 's3:ListBucketVersions', on: 'call' }],
    source: `${SAR}/list_amazons3.html`,
  },
  // "To perform this operation, the user or role performing the action must have the iam:PassRole permission."
  's3:PutBucketReplication': {
    actions: [
      { action: 's3:PutReplicationConfiguration', on: 'call' },
      { action: 'iam:PassRole', on: 'passed-role', context: { 'iam:PassedToService': 's3.amazonaws.com' } },
    ],
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketReplication.html',
  },
  's3:PutObject': same('s3', 'PutObject', `${SAR}/list_amazons3.html`),

  // "No permissions are required to perform this operation."
  'sts:GetCallerIdentity': {
    actions: [],
    source: 'https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html',
  },
  'iam:SimulatePrincipalPolicy': same(
    'iam',
    'SimulatePrincipalPolicy',
    `${SAR}/list_awsidentityandaccessmanagementiam.html`,
  ),
};

/** The SDK package of each service, as `@aws-sdk/client-<package>` names it. */
export const SDK_PACKAGE_SERVICE: Readonly<Record<string, string>> = {
  rds: 'rds',
  'route-53': 'route53',
  fis: 'fis',
  'secrets-manager': 'secretsmanager',
  cloudwatch: 'cloudwatch',
  elasticache: 'elasticache',
  s3: 's3',
  sts: 'sts',
  iam: 'iam',
};

export const permissionsOf = (service: string, operation: string): CommandPermissions | undefined =>
  COMMAND_PERMISSIONS[`${service}:${operation}`];
