// Runbook §6.1–§6.2 and §9.2–§9.3: where the app's secrets (DATABASE_URL, REDIS_URL) live and how a failover
// moves them. The app in each region reads its own region's copy: the primary secret in eu-west-1, a replica in
// us-east-1. A replica is read-only until promoted (StopReplicationToReplica, in its own region), and in a
// regional outage the primary's region does not answer at all: a failover writes the serving region's copy,
// promoting it first, with that region's control plane only. A switchback writes the primary's copy and
// replicates it to the DR region again, overwriting the promoted copy
// (https://docs.aws.amazon.com/secretsmanager/latest/userguide/standalone-secret.html,
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ReplicateSecretToRegions.html).
import {
  planPutSecretValue,
  planReplicateSecretToRegions,
  planStopReplicationToReplica,
} from '../../clients/aws/secrets.ts';
import type { PlannedCall } from '../../core/model.ts';
import { type Luneo, type LuneoRun, luneo, PROBE_READ, type Side } from './context.ts';
import type { LuneoResources } from './resources.ts';

/** The calls that point a secret at `side`: promote its copy there when a replica, write it, re-replicate. */
export function planPointAppSecret(r: LuneoResources, side: Side, secretId: string): PlannedCall[] {
  const region = r[side].region;
  return [
    ...(side === 'primary'
      ? []
      : [
          {
            ...planStopReplicationToReplica(region, secretId),
            params: { SecretId: secretId, when: 'a replica' },
          },
        ]),
    planPutSecretValue(region, secretId),
    ...(side === 'primary' ? [planReplicateSecretToRegions(region, secretId, [r.secondary.region])] : []),
  ];
}

/**
 * Writes the secret the app in `side`'s region reads, with that region's control plane only: promotes the copy
 * there when it is a replica, puts `next(current)` as AWSCURRENT, and for the primary side replicates it to the
 * secondary region again.
 */
export async function pointAppSecret(
  ctx: LuneoRun,
  opts: {
    side: Side;
    secretId: string;
    next: (current: string) => Promise<string>;
    /** ClientRequestToken of the put, stable across retries of this step. */
    token: string;
  },
): Promise<{ detail: string; undoData: Record<string, string | boolean> }> {
  const l = await luneo(ctx);
  const region = l.r[opts.side].region;
  const secrets = l.aws.secrets(region);
  const promotion = await secrets.promoteReplica(opts.secretId, { signal: ctx.signal });
  const current = await secrets.getSecretValue(opts.secretId, { signal: ctx.signal });
  const next = await opts.next(current.value);
  const result = await secrets.putSecretValue(opts.secretId, next, {
    signal: ctx.signal,
    clientRequestToken: opts.token,
  });
  const replicated =
    opts.side === 'primary'
      ? await secrets.replicateTo(opts.secretId, [l.r.secondary.region], { signal: ctx.signal })
      : { added: [] };
  const host = new URL(next).host;
  const parts = [
    promotion.promoted ? `promoted the ${region} replica (was replicated from ${promotion.from})` : '',
    result.skipped
      ? `${region} copy already points at ${host}`
      : `${region} copy now points at ${host} (version ${result.versionId})`,
    replicated.added.length > 0 ? `replicated to ${replicated.added.join(', ')} again` : '',
  ];
  return {
    detail: parts.filter(Boolean).join('; '),
    undoData: { region, previousVersionId: result.previousVersionId, promoted: promotion.promoted },
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
