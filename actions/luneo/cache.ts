// Runbook §6.2 and §9.3: the ElastiCache Global Datastore (Luneo's cache and BullMQ queues) and REDIS_URL.
// ElastiCache calls go through clients/aws/elasticache.ts: the shared retry layer, audit and read-back.

import { planFailoverGlobalReplicationGroup } from '../../clients/aws/elasticache.ts';
import { DrillError } from '../../core/errors.ts';
import type { PlannedCall, RunbookRef, StepDefinition } from '../../core/model.ts';
import { declaredStep } from '../declared.ts';
import { planPointAppSecret, pointAppSecret } from './app-secrets.ts';
import { luneo, type Side } from './context.ts';
import { FINDINGS } from './findings.ts';
import type { LuneoResources } from './resources.ts';

type CacheBinding = NonNullable<LuneoResources['cache']>;

/** The target's cache binding, or a DrillError saying what to bind. */
export function cacheOf(r: LuneoResources): CacheBinding & { redisUrlSecret: string } {
  if (!r.cache || !r.secrets.redisUrl)
    throw new DrillError(
      'E_USAGE',
      'the target binds no ElastiCache Global Datastore: set resources.cache {globalReplicationGroupId, replicationGroups} and resources.secrets.redisUrl',
    );
  return { ...r.cache, redisUrlSecret: r.secrets.redisUrl };
}

function planFailover(r: LuneoResources, to: Side): PlannedCall[] {
  const c = r.cache;
  return [
    planFailoverGlobalReplicationGroup(r[to].region, {
      globalReplicationGroupId: c?.globalReplicationGroupId ?? '<unbound>',
      primaryReplicationGroupId: c?.replicationGroups[to] ?? '<unbound>',
    }),
    {
      service: 'elasticache',
      operation: 'DescribeGlobalReplicationGroups',
      scope: r[to].region,
      params: { until: `${to} PRIMARY and available` },
      mutating: false,
    },
  ];
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
  return declaredStep<LuneoResources>({
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
    calls: (ctx) => planFailover(ctx.target.resources, to),
    async run(ctx) {
      const l = await luneo(ctx);
      const c = cacheOf(l.r);
      const region = l.r[to].region;
      const wanted = c.replicationGroups[to];
      const elastiCache = l.aws.elastiCache(region);
      const { alreadyDone } = await elastiCache.failoverGlobalDatastore(
        { globalReplicationGroupId: c.globalReplicationGroupId, primaryReplicationGroupId: wanted },
        { signal: ctx.signal },
      );
      await elastiCache.waitUntilPrimary({
        globalReplicationGroupId: c.globalReplicationGroupId,
        replicationGroupId: wanted,
        intervalMs: 250,
        maxIntervalMs: 1000,
        timeoutMs: 600_000,
        signal: ctx.signal,
      });
      return {
        detail: `${wanted} (${region}) is the primary${alreadyDone ? ' (it already was: nothing sent)' : ''}`,
        measurements: { cachePromotedAt: ctx.clock.now() },
      };
    },
  });
}

/** §6.2 / §9.3: REDIS_URL in Secrets Manager points at the primary endpoint of `side`'s replication group. */
export function pointRedisUrlAt(opts: {
  side: Side;
  runbook?: RunbookRef;
  plannedAt?: string;
}): StepDefinition<LuneoResources> {
  return declaredStep<LuneoResources>({
    id: `redis-secret-${opts.side}`,
    title: `Point REDIS_URL (Secrets Manager, ${opts.side} region's copy) at the ${opts.side} Redis`,
    runbook: opts.runbook ?? '§6.2',
    plannedAt: opts.plannedAt,
    timeout: '2m',
    findings: [FINDINGS.redisSecretRegion],
    calls: (ctx): PlannedCall[] => [
      {
        service: 'elasticache',
        operation: 'DescribeReplicationGroups',
        scope: ctx.target.resources[opts.side].region,
        params: {
          ReplicationGroupId: ctx.target.resources.cache?.replicationGroups[opts.side] ?? '<unbound>',
        },
        mutating: false,
      },
      ...planPointAppSecret(
        ctx.target.resources,
        opts.side,
        ctx.target.resources.secrets.redisUrl ?? '<unbound>',
      ),
    ],
    async run(ctx) {
      const l = await luneo(ctx);
      const c = cacheOf(l.r);
      const region = l.r[opts.side].region;
      const endpoint = await l.aws
        .elastiCache(region)
        .primaryEndpoint(c.replicationGroups[opts.side], { signal: ctx.signal });
      // The copy the app of `side`'s region reads, with that region's control plane only (app-secrets.ts).
      return pointAppSecret(ctx, {
        side: opts.side,
        secretId: c.redisUrlSecret,
        next: async (current) => {
          const next = new URL(current);
          next.hostname = endpoint.address;
          next.port = String(endpoint.port);
          return next.toString();
        },
        token: `${ctx.runId}-redis-${opts.side}`.slice(0, 64).padEnd(32, '0'),
      });
    },
  });
}
