// From a drill's plan to the IAM questions: the actions each planned AWS call needs (the table in
// clients/aws/iam-actions.ts, with the commands its client wrapper sends too), each on the resource the plan
// knows (an ARN built from its params, the role it passes, the secret's KMS key), else `*`, with the condition
// keys the request carries. Placeholders such as `<zone luneo.app.>` (resolved only during the run) count as
// unknown.
import { type CommandPermissions, permissionsOf } from '../../clients/aws/iam-actions.ts';
import type { JsonValue, PlannedCall } from '../../core/model.ts';

/** Services whose calls IAM authorizes; Kubernetes, HTTP and SQL are not IAM. */
const IAM_SERVICES = new Set([
  'rds',
  'route53',
  'fis',
  'secretsmanager',
  'cloudwatch',
  'sts',
  's3',
  'elasticache',
  'iam',
]);

export interface IamQuestion {
  action: string;
  /** Where the plan makes the call (a region, or `global`). */
  scope?: string;
  /** Resource ARNs the plan names, or `['*']`. */
  resources: string[];
  /** Condition keys and values the request carries (SimulatePrincipalPolicy ContextEntries). */
  context?: Record<string, string>;
}

export interface ArnContext {
  partition: string;
  account: string;
}

/**
 * What the plan cannot say but the account can, looked up before the simulation: the role each bucket's
 * replication passes, and the KMS key of each secret (null: the AWS managed key, which needs no grant).
 * Keys: `region\nbucket` and `region\nsecretId`; a missing entry is unknown (asked on `*`).
 */
export interface PlanFacts {
  replicationRoles: Map<string, string>;
  secretKeys: Map<string, string | null>;
}

export const factKey = (region: string | undefined, id: string) => `${region ?? ''}\n${id}`;
const NO_FACTS: PlanFacts = { replicationRoles: new Map(), secretKeys: new Map() };

/** A planned AWS call whose command has no row in clients/aws/iam-actions.ts: its permissions are unknown. */
export class UnmappedCommandError extends Error {}

/** The facts a plan's questions depend on: which buckets' replication roles and secrets' keys to look up. */
export function factsNeeded(calls: PlannedCall[]): { buckets: FactRef[]; secrets: FactRef[] } {
  const buckets = new Map<string, FactRef>();
  const secrets = new Map<string, FactRef>();
  for (const { call, permissions } of mapped(calls)) {
    for (const needed of permissions.actions) {
      const p = call.params ?? {};
      if (needed.on === 'passed-role' && call.service === 's3' && known(p.Bucket)) {
        const ref = { region: regionOf(call), id: known(p.Bucket) as string };
        buckets.set(factKey(ref.region, ref.id), ref);
      }
      if (needed.on === 'secret-key' && !known(p.KmsKeyId) && call.operation !== 'CreateSecret') {
        const id = known(p.SecretId);
        if (id) secrets.set(factKey(regionOf(call), id), { region: regionOf(call), id });
      }
    }
  }
  return { buckets: [...buckets.values()], secrets: [...secrets.values()] };
}

export interface FactRef {
  region: string | undefined;
  id: string;
}

/** Distinct IAM questions of a plan, e.g. `rds:FailoverGlobalCluster` on the global cluster's ARN. */
export function iamQuestions(
  calls: PlannedCall[],
  arn: ArnContext,
  facts: PlanFacts = NO_FACTS,
): IamQuestion[] {
  const seen = new Map<string, IamQuestion>();
  for (const { call, permissions } of mapped(calls)) {
    for (const needed of permissions.actions) {
      const resources = resourcesFor(needed.on, call, arn, facts);
      if (resources === null) continue;
      const context = needed.context ? fillContext(needed.context, call) : undefined;
      const key = `${needed.action}@${call.scope ?? ''}@${resources.join(',')}@${JSON.stringify(context ?? {})}`;
      if (!seen.has(key))
        seen.set(key, {
          action: needed.action,
          ...(call.scope ? { scope: call.scope } : {}),
          resources,
          ...(context ? { context } : {}),
        });
    }
  }
  return [...seen.values()];
}

/** Distinct IAM actions of a plan (what the permission check counts). */
export function iamActions(calls: PlannedCall[], facts?: PlanFacts): string[] {
  return [...new Set(iamQuestions(calls, { partition: 'aws', account: '' }, facts).map((q) => q.action))];
}

/**
 * The commands that undo a planned call when they are not the call itself (a step's undo or a fault's revert, also
 * from `drill rollback`): their ids come from the run, so they are asked on `*`. Found by running the drills on the
 * lab with IAM enforced on every call (safety/iam-enforced.lab.test.ts): the plan alone left the abort unable to
 * stop its FIS experiment.
 */
const UNDONE_WITH: Readonly<Record<string, readonly string[]>> = {
  // apps/luneo/steps/fault.ts revert: StopExperiment, polled with GetExperiment; after a crash the run's experiments are
  // found by their run-id tag (ListExperiments, clients/aws/fis.ts findExperimentsByRunId).
  'fis:StartExperiment': ['StopExperiment', 'GetExperiment', 'ListExperiments'],
};

/** The plan's calls with the calls that undo them (UNDONE_WITH), resources unknown. */
export function withUndoCalls(calls: PlannedCall[]): PlannedCall[] {
  return calls.flatMap((call) => [
    call,
    ...(UNDONE_WITH[`${call.service}:${call.operation}`] ?? []).map(
      (operation): PlannedCall => ({
        service: call.service,
        operation,
        ...(call.scope ? { scope: call.scope } : {}),
        mutating: operation.startsWith('Stop'),
      }),
    ),
  ]);
}

// Each AWS call with the commands it stands for: its own, those its client wrapper sends with it, and its undo's.
function mapped(calls: PlannedCall[]): { call: PlannedCall; permissions: CommandPermissions }[] {
  const out: { call: PlannedCall; permissions: CommandPermissions }[] = [];
  for (const call of withUndoCalls(calls)) {
    if (!IAM_SERVICES.has(call.service)) continue;
    for (const operation of [
      call.operation,
      ...(permissionsOf(call.service, call.operation)?.sendsAlso ?? []),
    ]) {
      const permissions = permissionsOf(call.service, operation);
      if (!permissions)
        throw new UnmappedCommandError(
          `${call.service}:${operation} has no IAM mapping in clients/aws/iam-actions.ts: its permissions cannot be checked`,
        );
      out.push({ call: operation === call.operation ? call : { ...call, operation }, permissions });
    }
  }
  return out;
}

function resourcesFor(
  on: CommandPermissions['actions'][number]['on'],
  call: PlannedCall,
  arn: ArnContext,
  facts: PlanFacts,
): string[] | null {
  const p = call.params ?? {};
  switch (on) {
    case 'any':
      return ['*'];
    case 'call': {
      const found = resourceArns(call, arn);
      return found.length > 0 ? found : ['*'];
    }
    case 'passed-role': {
      const role =
        known(p.roleArn) ??
        known(p.RoleArn) ??
        (known(p.Bucket)
          ? facts.replicationRoles.get(factKey(regionOf(call), known(p.Bucket) as string))
          : undefined);
      return [role ?? '*'];
    }
    case 'secret-key': {
      const given = known(p.KmsKeyId);
      if (given) return [kmsKeyArn(given, regionOf(call), arn)];
      if (call.operation === 'CreateSecret') return null;
      const id = known(p.SecretId);
      const key = id ? facts.secretKeys.get(factKey(regionOf(call), id)) : undefined;
      if (key === null) return null;
      return [key ? kmsKeyArn(key, regionOf(call), arn) : '*'];
    }
  }
}

// DescribeSecret names the key by id, ARN, or alias; IAM authorizes on the key's ARN.
function kmsKeyArn(key: string, region: string | undefined, { partition, account }: ArnContext): string {
  if (key.startsWith('arn:') || !region) return key;
  return `arn:${partition}:kms:${region}:${account}:${key.startsWith('alias/') ? key : `key/${key}`}`;
}

const regionOf = (call: PlannedCall) => (call.scope && call.scope !== 'global' ? call.scope : undefined);

function fillContext(context: Record<string, string>, call: PlannedCall): Record<string, string> {
  const region = regionOf(call) ?? '*';
  return Object.fromEntries(Object.entries(context).map(([k, v]) => [k, v.replaceAll('{region}', region)]));
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
    // An object call is authorized on the object's ARN: a key the plan cannot know yet is any object of the bucket
    // (found with IAM enforced on the lab: region-outage's PutObject was granted on the bucket's ARN and refused).
    case 's3':
      add(known(p.Bucket), (bucket) =>
        p.Key === undefined
          ? `arn:${partition}:s3:::${bucket}`
          : `arn:${partition}:s3:::${bucket}/${known(p.Key) ?? '*'}`,
      );
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
