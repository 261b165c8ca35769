// From a drill's plan to the IAM questions: which action each planned AWS call needs, and on which
// resource when the plan knows it (an ARN built from its params), else `*`. Kubernetes, HTTP and SQL are
// not IAM. Placeholders such as `<zone luneo.app.>` (resolved only during the run) count as unknown.
import type { JsonValue, PlannedCall } from '../../core/model.ts';

const IAM_SERVICES = new Set([
  'rds',
  'route53',
  'fis',
  'secretsmanager',
  'cloudwatch',
  'sts',
  's3',
  'elasticache',
]);

// API operations whose IAM action has another name.
const ACTION_NAMES: Record<string, string> = {
  's3:ListObjectVersions': 's3:ListBucketVersions',
  's3:ListObjectsV2': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
  's3:GetBucketReplication': 's3:GetReplicationConfiguration',
  's3:PutBucketReplication': 's3:PutReplicationConfiguration',
};

// Calls every principal may make: no permission to check.
const ALWAYS_ALLOWED = new Set(['sts:GetCallerIdentity']);

export interface IamQuestion {
  action: string;
  /** Where the plan makes the call (a region, or `global`). */
  scope?: string;
  /** Resource ARNs the plan names, or `['*']`. */
  resources: string[];
}

export interface ArnContext {
  partition: string;
  account: string;
}

/** Distinct IAM questions of a plan, e.g. `rds:FailoverGlobalCluster` on the global cluster's ARN. */
export function iamQuestions(calls: PlannedCall[], arn: ArnContext): IamQuestion[] {
  const seen = new Map<string, IamQuestion>();
  for (const call of calls) {
    if (!IAM_SERVICES.has(call.service)) continue;
    const api = `${call.service}:${call.operation}`;
    const action = ACTION_NAMES[api] ?? api;
    if (ALWAYS_ALLOWED.has(action)) continue;
    const found = resourceArns(call, arn);
    const resources = found.length > 0 ? found : ['*'];
    const key = `${action}@${call.scope ?? ''}@${resources.join(',')}`;
    if (!seen.has(key)) seen.set(key, { action, ...(call.scope ? { scope: call.scope } : {}), resources });
  }
  return [...seen.values()];
}

/** Distinct IAM actions of a plan (what the permission check counts). */
export function iamActions(calls: PlannedCall[]): string[] {
  return [...new Set(iamQuestions(calls, { partition: 'aws', account: '' }).map((q) => q.action))];
}

/** The ARNs a planned call acts on, from its params; [] when the plan does not know them yet. */
export function resourceArns(call: PlannedCall, { partition, account }: ArnContext): string[] {
  const p = call.params ?? {};
  const region = call.scope && call.scope !== 'global' ? call.scope : undefined;
  const out: string[] = [];
  const add = (value: string | undefined, build: (id: string) => string | undefined) => {
    if (value === undefined) return;
    const arn = value.startsWith('arn:') ? value : build(value);
    if (arn) out.push(arn);
  };
  switch (call.service) {
    case 'rds':
      add(known(p.GlobalClusterIdentifier), (id) => `arn:${partition}:rds::${account}:global-cluster:${id}`);
      add(known(p.TargetDbClusterIdentifier), () => undefined);
      add(
        known(p.DBClusterIdentifier),
        (id) => region && `arn:${partition}:rds:${region}:${account}:cluster:${id}`,
      );
      break;
    case 'route53':
      add(
        known(p.HostedZoneId),
        (id) => `arn:${partition}:route53:::hostedzone/${id.replace(/^\/?hostedzone\//, '')}`,
      );
      add(known(p.HealthCheckId), (id) => `arn:${partition}:route53:::healthcheck/${id}`);
      break;
    case 'fis':
      add(
        known(p.experimentTemplateId),
        (id) => region && `arn:${partition}:fis:${region}:${account}:experiment-template/${id}`,
      );
      break;
    case 's3':
      add(known(p.Bucket), (bucket) => `arn:${partition}:s3:::${bucket}`);
      break;
    case 'elasticache':
      add(
        known(p.GlobalReplicationGroupId),
        (id) => `arn:${partition}:elasticache::${account}:globalreplicationgroup:${id}`,
      );
      add(
        known(p.ReplicationGroupId),
        (id) => region && `arn:${partition}:elasticache:${region}:${account}:replicationgroup:${id}`,
      );
      break;
    // Secrets Manager ARNs end in a random suffix the plan cannot know: only a full ARN names one.
    case 'secretsmanager':
      add(known(p.SecretId), () => undefined);
      break;
  }
  return out;
}

const known = (value: JsonValue | undefined): string | undefined =>
  typeof value === 'string' && value.length > 0 && !value.includes('<') ? value : undefined;
