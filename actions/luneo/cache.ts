// Runbook §6.2 and §9.3: the ElastiCache Global Datastore (Luneo's cache and BullMQ queues) and REDIS_URL.
import {
  DescribeGlobalReplicationGroupsCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  FailoverGlobalReplicationGroupCommand,
  type GlobalReplicationGroup,
} from '@aws-sdk/client-elasticache';
import { pollUntil } from '../../clients/poll.ts';
import { DrillError } from '../../core/errors.ts';
import { defineStep, type PlannedCall, type RunbookRef, type StepDefinition } from '../../core/model.ts';
import { type Luneo, luneo, type Side } from './context.ts';
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

/** An ElastiCache client for `region`, on the lab's endpoint when the target is the lab. */
export function elastiCache(l: Luneo, region: string): ElastiCacheClient {
  return new ElastiCacheClient({
    region,
    ...(l.lab
      ? {
          endpoint: l.lab.aws.endpoint,
          credentials: { accessKeyId: l.lab.aws.accessKeyId, secretAccessKey: l.lab.aws.secretAccessKey },
        }
      : {}),
    maxAttempts: 3,
  });
}

export async function describeDatastore(
  client: ElastiCacheClient,
  id: string,
  signal: AbortSignal,
): Promise<GlobalReplicationGroup> {
  const out = await client.send(
    new DescribeGlobalReplicationGroupsCommand({ GlobalReplicationGroupId: id, ShowMemberInfo: true }),
    { abortSignal: signal },
  );
  const group = out.GlobalReplicationGroups?.[0];
  if (!group) throw new DrillError('E_NOT_FOUND', `Global datastore ${id} not found`);
  return group;
}

const primaryOf = (g: GlobalReplicationGroup) => g.Members?.find((m) => m.Role === 'PRIMARY');

function planFailover(r: LuneoResources, to: Side): PlannedCall[] {
  const c = r.cache;
  return [
    {
      service: 'elasticache',
      operation: 'FailoverGlobalReplicationGroup',
      scope: r[to].region,
      params: {
        GlobalReplicationGroupId: c?.globalReplicationGroupId ?? '<unbound>',
        PrimaryRegion: r[to].region,
        PrimaryReplicationGroupId: c?.replicationGroups[to] ?? '<unbound>',
      },
      mutating: true,
    },
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
  return defineStep<LuneoResources>({
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
    plan: (ctx) => planFailover(ctx.target.resources, to),
    async run(ctx) {
      const l = await luneo(ctx);
      const c = cacheOf(l.r);
      const region = l.r[to].region;
      const client = elastiCache(l, region);
      const wanted = c.replicationGroups[to];
      try {
        const before = await describeDatastore(client, c.globalReplicationGroupId, ctx.signal);
        const alreadyDone = primaryOf(before)?.ReplicationGroupId === wanted;
        if (!alreadyDone) {
          const [call] = planFailover(l.r, to);
          await ctx.audit.mutate(call!, async () => {
            try {
              await client.send(
                new FailoverGlobalReplicationGroupCommand({
                  GlobalReplicationGroupId: c.globalReplicationGroupId,
                  PrimaryRegion: region,
                  PrimaryReplicationGroupId: wanted,
                }),
                { abortSignal: ctx.signal },
              );
            } catch (error) {
              // An attempt whose answer was lost may have promoted it already: the SDK's retry then
              // hears "already the primary". Read the state back instead of failing on our own success.
              const after = await describeDatastore(client, c.globalReplicationGroupId, ctx.signal);
              if (primaryOf(after)?.ReplicationGroupId !== wanted) throw error;
            }
          });
        }
        await pollUntil({
          site: { service: 'elasticache', operation: 'DescribeGlobalReplicationGroups' },
          what: `Global datastore ${c.globalReplicationGroupId} to be available with ${wanted} PRIMARY`,
          intervalMs: 250,
          maxIntervalMs: 1000,
          timeoutMs: 600_000,
          signal: ctx.signal,
          check: async () => {
            const g = await describeDatastore(client, c.globalReplicationGroupId, ctx.signal);
            const primary = primaryOf(g)?.ReplicationGroupId;
            return g.Status === 'available' && primary === wanted
              ? { done: true, value: g }
              : { done: false, seen: `status ${g.Status}, primary ${primary ?? 'none'}` };
          },
        });
        return {
          detail: `${wanted} (${region}) is the primary${alreadyDone ? ' (it already was: nothing sent)' : ''}`,
          measurements: { cachePromotedAt: ctx.clock.now() },
        };
      } finally {
        client.destroy();
      }
    },
  });
}

/** §6.2 / §9.3: REDIS_URL in Secrets Manager points at the primary endpoint of `side`'s replication group. */
export function pointRedisUrlAt(opts: {
  side: Side;
  runbook?: RunbookRef;
  plannedAt?: string;
}): StepDefinition<LuneoResources> {
  return defineStep<LuneoResources>({
    id: `redis-secret-${opts.side}`,
    title: `Point REDIS_URL (Secrets Manager) at the ${opts.side} Redis`,
    runbook: opts.runbook ?? '§6.2',
    plannedAt: opts.plannedAt,
    timeout: '2m',
    plan: (ctx): PlannedCall[] => [
      {
        service: 'elasticache',
        operation: 'DescribeReplicationGroups',
        scope: ctx.target.resources[opts.side].region,
        params: {
          ReplicationGroupId: ctx.target.resources.cache?.replicationGroups[opts.side] ?? '<unbound>',
        },
        mutating: false,
      },
      {
        service: 'secretsmanager',
        operation: 'PutSecretValue',
        scope: ctx.target.resources.primary.region,
        params: { SecretId: ctx.target.resources.secrets.redisUrl ?? '<unbound>' },
        mutating: true,
      },
    ],
    async run(ctx) {
      const l = await luneo(ctx);
      const c = cacheOf(l.r);
      const region = l.r[opts.side].region;
      const client = elastiCache(l, region);
      let endpoint: { Address?: string; Port?: number } | undefined;
      try {
        const out = await client.send(
          new DescribeReplicationGroupsCommand({ ReplicationGroupId: c.replicationGroups[opts.side] }),
          { abortSignal: ctx.signal },
        );
        endpoint = out.ReplicationGroups?.[0]?.NodeGroups?.[0]?.PrimaryEndpoint;
      } finally {
        client.destroy();
      }
      if (!endpoint?.Address)
        throw new DrillError(
          'E_STEP_FAILED',
          `DescribeReplicationGroups gives no PrimaryEndpoint for ${c.replicationGroups[opts.side]}`,
        );
      const secrets = l.aws.secrets(l.r.primary.region);
      const current = await secrets.getSecretValue(c.redisUrlSecret, { signal: ctx.signal });
      const next = new URL(current.value);
      next.hostname = endpoint.Address;
      next.port = String(endpoint.Port ?? 6379);
      const result = await secrets.putSecretValue(c.redisUrlSecret, next.toString(), {
        signal: ctx.signal,
        clientRequestToken: `${ctx.runId}-redis-${opts.side}`.slice(0, 64).padEnd(32, '0'),
      });
      return {
        detail: result.skipped
          ? `already points at ${next.host}`
          : `now points at ${next.host} (version ${result.versionId})`,
        undoData: { previousVersionId: result.previousVersionId },
      };
    },
  });
}
