// Runbook §6.2 and §9.3: the ElastiCache Global Datastore (Luneo's cache and BullMQ queues) and REDIS_URL.
// The generic steps (actions/aws/elasticache.ts, secrets.ts) bound to Luneo's cache and secrets.

import * as aws from '../../../actions/aws/index.ts';
import { DrillError } from '../../../core/errors.ts';
import type { RunbookRef, StepDefinition } from '../../../core/model.ts';
import type { Side } from '../context.ts';
import { FINDINGS } from '../findings.ts';
import type { LuneoResources } from '../resources.ts';
import { appSecretCopy } from './app-secrets.ts';

type CacheBinding = NonNullable<LuneoResources['cache']>;

const UNBOUND =
  'the target binds no ElastiCache Global Datastore: set resources.cache {globalReplicationGroupId, replicationGroups} and resources.secrets.redisUrl';

/** The target's cache binding, or a DrillError saying what to bind. */
export function cacheOf(r: LuneoResources): CacheBinding & { redisUrlSecret: string } {
  if (!r.cache || !r.secrets.redisUrl) throw new DrillError('E_USAGE', UNBOUND);
  return { ...r.cache, redisUrlSecret: r.secrets.redisUrl };
}

/**
 * §6.2 (to secondary) and §9.3 (back to primary): promote a member of the Global Datastore with
 * FailoverGlobalReplicationGroup and wait until it is PRIMARY and the datastore is available again.
 */
export function failoverCache(opts: {
  to: Side;
  runbook?: RunbookRef;
  plannedAt?: string;
  id?: string;
}): StepDefinition<LuneoResources> {
  const { to } = opts;
  return aws.failoverGlobalDatastore<LuneoResources>(
    {
      id: opts.id ?? `cache-${to}`,
      title: `Promote the ${to} Redis of the Global Datastore (FailoverGlobalReplicationGroup)`,
      runbook: opts.runbook ?? '§6.2',
      plannedAt: opts.plannedAt,
      timeout: '10m',
      irreversible:
        to === 'secondary'
          ? {
              reason:
                'the promoted cache takes the queue writes: the old primary can only come back as its replica',
              wayBack: 'pnpm drill switchback (fails the Global Datastore back to eu-west-1, §9.3)',
            }
          : undefined,
    },
    {
      globalReplicationGroupId: (r) => r.cache?.globalReplicationGroupId,
      to: {
        name: to,
        region: (r) => r[to].region,
        replicationGroupId: (r) => r.cache?.replicationGroups[to],
      },
      unbound: UNBOUND,
    },
  );
}

/** §6.2 / §9.3: REDIS_URL in Secrets Manager points at the primary endpoint of `side`'s replication group. */
export function pointRedisUrlAt(opts: {
  side: Side;
  runbook?: RunbookRef;
  plannedAt?: string;
}): StepDefinition<LuneoResources> {
  const { side } = opts;
  return aws.updateSecret<LuneoResources>(
    {
      id: `redis-secret-${side}`,
      title: `Point REDIS_URL (Secrets Manager, ${side} region's copy) at the ${side} Redis`,
      runbook: opts.runbook ?? '§6.2',
      plannedAt: opts.plannedAt,
      timeout: '2m',
      findings: [FINDINGS.redisSecretRegion],
    },
    {
      // The copy the app of `side`'s region reads, with that region's control plane only (app-secrets.ts).
      ...appSecretCopy(side),
      secretId: (r) => r.secrets.redisUrl,
      reads: (r) => [
        aws.planPrimaryEndpoint(r[side].region, r.cache?.replicationGroups[side] ?? '<unbound>'),
      ],
      async next(ctx, conn, current) {
        const c = cacheOf(conn.r);
        const endpoint = await conn.aws
          .elastiCache(conn.r[side].region)
          .primaryEndpoint(c.replicationGroups[side], { signal: ctx.signal });
        const next = new URL(current);
        next.hostname = endpoint.address;
        next.port = String(endpoint.port);
        return next.toString();
      },
      unbound: UNBOUND,
      tokenTag: `redis-${side}`,
    },
  );
}
