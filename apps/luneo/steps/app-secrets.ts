// Runbook §6.1–§6.2 and §9.2–§9.3: where the app's secrets (DATABASE_URL, REDIS_URL) live and how a failover
// moves them. The app in each region reads its own region's copy: the primary secret in eu-west-1, a replica in
// us-east-1. A replica is read-only until promoted (StopReplicationToReplica, in its own region), and in a
// regional outage the primary's region does not answer at all: a failover writes the serving region's copy,
// promoting it first, with that region's control plane only. A switchback writes the primary's copy and
// replicates it to the DR region again, overwriting the promoted copy
// (https://docs.aws.amazon.com/secretsmanager/latest/userguide/standalone-secret.html,
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ReplicateSecretToRegions.html).
import type { Select } from '../../../actions/select.ts';
import { type Luneo, type LuneoRun, luneo, PROBE_READ, type Side } from '../context.ts';
import type { LuneoResources } from '../resources.ts';

/**
 * Which copy of an app secret a failover to `side` writes, for the generic secret steps (actions/aws/secrets.ts):
 * `side`'s own, promoted first when it is the replica; the primary's copy is replicated to the secondary again.
 */
export function appSecretCopy(side: Side): {
  region: Select<LuneoResources, string>;
  promoteReplica: boolean;
  replicateTo?: Select<LuneoResources, string[]>;
} {
  return {
    region: (r) => r[side].region,
    promoteReplica: side !== 'primary',
    ...(side === 'primary' ? { replicateTo: (r: LuneoResources) => [r.secondary.region] } : {}),
  };
}

/**
 * The region whose app serves users now, and so whose copy of an app secret counts: the global cluster's
 * writer, asked in the secondary region (the one a regional failover keeps).
 */
export async function servingRegion(l: Luneo, signal: AbortSignal): Promise<string> {
  const gc = await l.aws
    .rds(l.r.secondary.region)
    .describeGlobalCluster(l.r.globalClusterId, { signal, ...PROBE_READ });
  return gc.members.find((m) => m.isWriter)?.region ?? l.r.primary.region;
}

/** An app secret (e.g. DATABASE_URL) as the serving region's app reads it. Never logged. */
export async function readServingSecret(ctx: LuneoRun, secretId: string): Promise<string> {
  const l = await luneo(ctx);
  const region = await servingRegion(l, ctx.signal);
  return (await l.aws.secrets(region).getSecretValue(secretId, { signal: ctx.signal })).value;
}
