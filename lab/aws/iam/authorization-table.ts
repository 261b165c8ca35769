// What IAM authorizes for each operation the lab's AWS endpoint serves: the action(s), on which resource ARN(s),
// with which condition keys. One table, keyed by the service registry's name (lab/aws/service-registry.ts) and the
// operation; an operation's own action is `<IAM prefix>:<Operation>` unless its row says otherwise. From the Service
// Authorization Reference, "Actions defined by <service>" (resource types and dependent actions):
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
// It is the lab's own reading of AWS, not clients/aws/iam-actions.ts (the drill's, which the lab judges).
import { child, parseXml } from '../protocol/xml.ts';

/** What a row reads from the request. */
export interface RequestFacts {
  region: string;
  account: string;
  /** The operation's input by member name: query parameters, JSON body, REST labels and query string. */
  input: Record<string, unknown>;
  /** The raw body (S3 PutBucketReplication's XML). */
  body: string;
  /** A secret by id (name, ARN or partial ARN) in the request's region, if it exists. */
  secret(id: string): { arn: string; kmsKeyId?: string } | undefined;
}

export interface RequiredAuthorization {
  action: string;
  /** Each must be allowed; `*` for actions with no resource type (SAR: "Resource types" empty). */
  resources: string[];
  /** Condition keys the request carries for this action (besides aws:RequestedRegion, which every request has). */
  context?: Record<string, string>;
  /** Authorized on the service's behalf (KMS for Secrets Manager): the service answers its own refusal. */
  onBehalfOf?: 'kms';
}

type Row = (f: RequestFacts) => RequiredAuthorization[];
type ServiceRows = { prefix: string; sar: string; operations: Record<string, Row> };

const SAR = 'https://docs.aws.amazon.com/service-authorization/latest/reference';
const str = (f: RequestFacts, key: string): string | undefined => {
  const v = f.input[key];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
};
const arnOr = (id: string | undefined, build: (id: string) => string): string[] =>
  id === undefined ? ['*'] : [id.startsWith('arn:') ? id : build(id)];
const newId = () => crypto.randomUUID().replaceAll('-', '').slice(0, 14).toUpperCase();

/** The operation's own action on `resources` (default `*`). */
const own =
  (resources: (f: RequestFacts) => string[] = () => ['*']): ((prefix: string, op: string) => Row) =>
  (prefix, op) =>
  (f) => [{ action: `${prefix}:${op}`, resources: resources(f) }];
/** An action whose name differs from the operation's (S3). */
const as =
  (action: string, resources: (f: RequestFacts) => string[]): ((prefix: string) => Row) =>
  (prefix) =>
  (f) => [{ action: `${prefix}:${action}`, resources: resources(f) }];

const rdsGlobal = (f: RequestFacts) =>
  arnOr(str(f, 'GlobalClusterIdentifier'), (id) => `arn:aws:rds::${f.account}:global-cluster:${id}`);
const rdsCluster = (key: string) => (f: RequestFacts) =>
  arnOr(str(f, key), (id) => `arn:aws:rds:${f.region}:${f.account}:cluster:${id}`);
const zone = (f: RequestFacts) =>
  arnOr(str(f, 'Id'), (id) => `arn:aws:route53:::hostedzone/${id.replace(/^\/?hostedzone\//, '')}`);
const healthCheck = (f: RequestFacts) =>
  arnOr(str(f, 'HealthCheckId'), (id) => `arn:aws:route53:::healthcheck/${id}`);
const fisArn = (f: RequestFacts, type: string, id: string) =>
  `arn:aws:fis:${f.region}:${f.account}:${type}/${id}`;
const alarm = (f: RequestFacts, name: string) => `arn:aws:cloudwatch:${f.region}:${f.account}:alarm:${name}`;
const bucket = (f: RequestFacts) => [`arn:aws:s3:::${str(f, 'Bucket') ?? ''}`];
const object = (f: RequestFacts) => [`arn:aws:s3:::${str(f, 'Bucket') ?? ''}/${str(f, 'Key') ?? ''}`];
const role = (f: RequestFacts) => [`arn:aws:iam::${f.account}:role/${str(f, 'RoleName') ?? ''}`];

/** A secret's ARN; one not found is named by the id given (the call then fails with ResourceNotFoundException). */
const secretArn = (f: RequestFacts) => {
  const id = str(f, 'SecretId') ?? '';
  return [
    f.secret(id)?.arn ??
      (id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${f.region}:${f.account}:secret:${id}`),
  ];
};

// Secrets Manager uses the secret's KMS key on the caller's behalf: Decrypt to read a value, GenerateDataKey to
// write one, with kms:ViaService; the AWS managed key aws/secretsmanager needs no grant
// (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
function secretKey(
  f: RequestFacts,
  action: 'kms:Decrypt' | 'kms:GenerateDataKey',
  key?: string,
): RequiredAuthorization[] {
  const id = key ?? f.secret(str(f, 'SecretId') ?? '')?.kmsKeyId;
  if (!id || id === 'alias/aws/secretsmanager') return [];
  const arn = id.startsWith('arn:')
    ? id
    : `arn:aws:kms:${f.region}:${f.account}:${id.startsWith('alias/') ? id : `key/${id}`}`;
  return [
    {
      action,
      resources: [arn],
      context: { 'kms:ViaService': `secretsmanager.${f.region}.amazonaws.com` },
      onBehalfOf: 'kms',
    },
  ];
}

/** iam:PassRole of a role a service will assume, with iam:PassedToService (IAM UG, "Granting a user permissions to pass a role"). */
const passRole = (roleArn: string | undefined, service: string): RequiredAuthorization[] =>
  roleArn
    ? [{ action: 'iam:PassRole', resources: [roleArn], context: { 'iam:PassedToService': service } }]
    : [];

const replicationRole = (body: string): string | undefined => {
  try {
    return child(parseXml(body), 'Role')?.text.trim() || undefined;
  } catch {
    return undefined;
  }
};

function rows(
  prefix: string,
  sar: string,
  ops: Record<string, (prefix: string, op: string) => Row>,
): ServiceRows {
  return {
    prefix,
    sar: `${SAR}/${sar}`,
    operations: Object.fromEntries(Object.entries(ops).map(([op, make]) => [op, make(prefix, op)])),
  };
}

const tagged = (f: RequestFacts) => Object.keys((f.input.tags as object | undefined) ?? {}).length > 0;

export const AUTHORIZATION: Readonly<Record<string, ServiceRows>> = {
  rds: rows('rds', 'list_amazonrds.html', {
    DescribeGlobalClusters: own(rdsGlobal),
    DescribeDBClusters: own(rdsCluster('DBClusterIdentifier')),
    // Resource types global-cluster* and cluster* (the target cluster, named by its ARN).
    FailoverGlobalCluster: own((f) => [...rdsGlobal(f), ...rdsCluster('TargetDbClusterIdentifier')(f)]),
    SwitchoverGlobalCluster: own((f) => [...rdsGlobal(f), ...rdsCluster('TargetDbClusterIdentifier')(f)]),
    PromoteReadReplicaDBCluster: own(rdsCluster('DBClusterIdentifier')),
    FailoverDBCluster: own(rdsCluster('DBClusterIdentifier')),
  }),
  route53: rows('route53', 'list_amazonroute53.html', {
    ListHostedZones: own(),
    ListHostedZonesByName: own(),
    GetHostedZone: own(zone),
    ListResourceRecordSets: own(zone),
    ChangeResourceRecordSets: own(zone),
    GetChange: own((f) =>
      arnOr(str(f, 'Id'), (id) => `arn:aws:route53:::change/${id.replace(/^\/?change\//, '')}`),
    ),
    GetHealthCheckCount: own(),
    CreateHealthCheck: own(),
    ListHealthChecks: own(),
    GetHealthCheck: own(healthCheck),
    UpdateHealthCheck: own(healthCheck),
    DeleteHealthCheck: own(healthCheck),
    GetHealthCheckStatus: own(healthCheck),
    TestDNSAnswer: own(),
  }),
  fis: rows('fis', 'list_awsfaultinjectionservice.html', {
    // Dependent actions: iam:PassRole (the experiment role, to fis.amazonaws.com) and fis:TagResource for tags.
    CreateExperimentTemplate: (prefix, op) => (f) => [
      { action: `${prefix}:${op}`, resources: [fisArn(f, 'experiment-template', `EXT${newId()}`)] },
      ...(tagged(f) ? [{ action: `${prefix}:TagResource`, resources: ['*'] }] : []),
      ...passRole(str(f, 'roleArn'), 'fis.amazonaws.com'),
    ],
    ListExperimentTemplates: own(),
    GetExperimentTemplate: own((f) => [fisArn(f, 'experiment-template', str(f, 'id') ?? '')]),
    DeleteExperimentTemplate: own((f) => [fisArn(f, 'experiment-template', str(f, 'id') ?? '')]),
    // Resource types experiment* (the one it starts) and experiment-template*.
    StartExperiment: (prefix, op) => (f) => [
      {
        action: `${prefix}:${op}`,
        resources: [
          fisArn(f, 'experiment-template', str(f, 'experimentTemplateId') ?? ''),
          fisArn(f, 'experiment', `EXP${newId()}`),
        ],
      },
      ...(tagged(f) ? [{ action: `${prefix}:TagResource`, resources: ['*'] }] : []),
    ],
    ListExperiments: own(),
    GetExperiment: own((f) => [fisArn(f, 'experiment', str(f, 'id') ?? '')]),
    StopExperiment: own((f) => [fisArn(f, 'experiment', str(f, 'id') ?? '')]),
    ListExperimentResolvedTargets: own((f) => [fisArn(f, 'experiment', str(f, 'id') ?? '')]),
    ListActions: own(),
    ListTargetResourceTypes: own(),
    ListTagsForResource: own((f) => [str(f, 'resourceArn') ?? '*']),
    TagResource: own((f) => [str(f, 'resourceArn') ?? '*']),
    UntagResource: own((f) => [str(f, 'resourceArn') ?? '*']),
  }),
  secretsmanager: rows('secretsmanager', 'list_awssecretsmanager.html', {
    GetSecretValue: (prefix, op) => (f) => [
      { action: `${prefix}:${op}`, resources: secretArn(f) },
      ...secretKey(f, 'kms:Decrypt'),
    ],
    PutSecretValue: (prefix, op) => (f) => [
      { action: `${prefix}:${op}`, resources: secretArn(f) },
      ...secretKey(f, 'kms:GenerateDataKey'),
    ],
    // The new secret's ARN: its name and the random 6-character suffix Secrets Manager gives it.
    CreateSecret: (prefix, op) => (f) => [
      {
        action: `${prefix}:${op}`,
        resources: [
          `arn:aws:secretsmanager:${f.region}:${f.account}:secret:${str(f, 'Name') ?? ''}-${newId().slice(0, 6)}`,
        ],
      },
      ...(str(f, 'KmsKeyId') ? secretKey(f, 'kms:GenerateDataKey', str(f, 'KmsKeyId')) : []),
    ],
    DescribeSecret: own(secretArn),
    UpdateSecret: own(secretArn),
    ListSecrets: own(),
    StopReplicationToReplica: own(secretArn),
    ReplicateSecretToRegions: own(secretArn),
  }),
  // Signing name monitoring, IAM prefix cloudwatch.
  monitoring: rows('cloudwatch', 'list_amazoncloudwatch.html', {
    DescribeAlarms: own(),
    SetAlarmState: own((f) => [alarm(f, str(f, 'AlarmName') ?? '')]),
    PutMetricAlarm: own((f) => [alarm(f, str(f, 'AlarmName') ?? '')]),
    DeleteAlarms: own((f) => {
      const names = Object.entries(f.input)
        .filter(([k]) => /^AlarmNames(\.member\.\d+)?$/.test(k))
        .flatMap(([, v]) => (Array.isArray(v) ? v : [v]))
        .filter((v): v is string => typeof v === 'string');
      return names.length > 0 ? names.map((n) => alarm(f, n)) : ['*'];
    }),
    GetMetricData: own(),
    GetMetricStatistics: own(),
    ListMetrics: own(),
  }),
  elasticache: rows('elasticache', 'list_amazonelasticache.html', {
    DescribeGlobalReplicationGroups: own((f) =>
      arnOr(
        str(f, 'GlobalReplicationGroupId'),
        (id) => `arn:aws:elasticache::${f.account}:globalreplicationgroup:${id}`,
      ),
    ),
    DescribeReplicationGroups: own((f) =>
      arnOr(
        str(f, 'ReplicationGroupId'),
        (id) => `arn:aws:elasticache:${f.region}:${f.account}:replicationgroup:${id}`,
      ),
    ),
    FailoverGlobalReplicationGroup: own((f) =>
      arnOr(
        str(f, 'GlobalReplicationGroupId'),
        (id) => `arn:aws:elasticache::${f.account}:globalreplicationgroup:${id}`,
      ),
    ),
  }),
  // S3 API names and IAM actions differ (SAR, "API operations" of Amazon S3).
  s3: rows('s3', 'list_amazons3.html', {
    PutObject: as('PutObject', object),
    GetObject: as('GetObject', object),
    HeadObject: as('GetObject', object),
    ListObjectVersions: as('ListBucketVersions', bucket),
    GetBucketVersioning: as('GetBucketVersioning', bucket),
    PutBucketVersioning: as('PutBucketVersioning', bucket),
    GetBucketReplication: as('GetReplicationConfiguration', bucket),
    // "the user or role performing the action must have the iam:PassRole permission" (API_PutBucketReplication).
    PutBucketReplication: (p) => (f) => [
      ...as('PutReplicationConfiguration', bucket)(p)(f),
      ...passRole(replicationRole(f.body), 's3.amazonaws.com'),
    ],
    DeleteBucketReplication: as('PutReplicationConfiguration', bucket),
    GetBucketLocation: as('GetBucketLocation', bucket),
    HeadBucket: as('ListBucket', bucket),
  }),
  // "No permissions are required to perform this operation" (API_GetCallerIdentity): allowed even under a Deny.
  sts: rows('sts', 'list_awssecuritytokenservice.html', { GetCallerIdentity: () => () => [] }),
  iam: rows('iam', 'list_awsidentityandaccessmanagementiam.html', {
    SimulatePrincipalPolicy: own((f) => [str(f, 'PolicySourceArn') ?? '*']),
    GetRole: own(role),
    UpdateAssumeRolePolicy: own(role),
  }),
  servicequotas: rows('servicequotas', 'list_servicequotas.html', {
    // Resource type quota: arn:aws:servicequotas:<region>:<account>:<service code>/<quota code>.
    GetServiceQuota: own((f) => [
      `arn:aws:servicequotas:${f.region}:${f.account}:${str(f, 'ServiceCode') ?? ''}/${str(f, 'QuotaCode') ?? ''}`,
    ]),
    GetAWSDefaultServiceQuota: own(),
  }),
  // The Resource Groups Tagging API authorizes as tag:.
  tagging: rows('tag', 'list_amazonresourcegrouptaggingapi.html', { GetResources: own() }),
};

/** The authorizations one request needs; undefined when the table has no row (the endpoint refuses such calls). */
export function requiredAuthorizations(
  service: string,
  operation: string,
  facts: RequestFacts,
): RequiredAuthorization[] | undefined {
  return AUTHORIZATION[service]?.operations[operation]?.(facts);
}
