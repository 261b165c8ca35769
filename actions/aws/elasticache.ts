// ElastiCache Global Datastore: promote a member (FailoverGlobalReplicationGroup, sent in the member's region) and
// wait until it is PRIMARY and the datastore available again; the endpoint of a member, for the app's REDIS_URL.
// https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastores-Console.html#promote-secondary-to-primary
import { planFailoverGlobalReplicationGroup } from '../../clients/aws/elasticache.ts';
import { DrillError } from '../../core/errors.ts';
import type { PlannedCall, StepDefinition } from '../../core/model.ts';
import { connection } from '../connection.ts';
import { declaredStep } from '../declared.ts';
import type { Select, StepMeta } from '../select.ts';

/** A member replication group: what the app calls it, its region and id (undefined: the target binds none). */
export interface DatastoreMember<R> {
  name: string;
  region: Select<R, string>;
  replicationGroupId: Select<R, string | undefined>;
}

export function failoverGlobalDatastore<R>(
  meta: StepMeta<R>,
  opts: {
    globalReplicationGroupId: Select<R, string | undefined>;
    to: DatastoreMember<R>;
    /** Said when the target binds no global datastore. */
    unbound: string;
  },
): StepDefinition<R> {
  return declaredStep<R>({
    ...meta,
    calls: (ctx): PlannedCall[] => {
      const r = ctx.target.resources;
      return [
        planFailoverGlobalReplicationGroup(opts.to.region(r), {
          globalReplicationGroupId: opts.globalReplicationGroupId(r) ?? '<unbound>',
          primaryReplicationGroupId: opts.to.replicationGroupId(r) ?? '<unbound>',
        }),
        {
          service: 'elasticache',
          operation: 'DescribeGlobalReplicationGroups',
          scope: opts.to.region(r),
          params: { until: `${opts.to.name} PRIMARY and available` },
          mutating: false,
        },
      ];
    },
    async run(ctx) {
      const { r, aws } = await connection(ctx);
      const globalReplicationGroupId = opts.globalReplicationGroupId(r);
      const wanted = opts.to.replicationGroupId(r);
      if (!globalReplicationGroupId || !wanted) throw new DrillError('E_USAGE', opts.unbound);
      const region = opts.to.region(r);
      const elastiCache = aws.elastiCache(region);
      const { alreadyDone } = await elastiCache.failoverGlobalDatastore(
        { globalReplicationGroupId, primaryReplicationGroupId: wanted },
        { signal: ctx.signal },
      );
      await elastiCache.waitUntilPrimary({
        globalReplicationGroupId,
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

/** What reading a member's primary endpoint asks, for a plan. */
export function planPrimaryEndpoint(region: string, replicationGroupId: string): PlannedCall {
  return {
    service: 'elasticache',
    operation: 'DescribeReplicationGroups',
    scope: region,
    params: { ReplicationGroupId: replicationGroupId },
    mutating: false,
  };
}
