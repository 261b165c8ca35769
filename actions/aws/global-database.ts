// Aurora Global Database: unplanned failover (FailoverGlobalCluster, AllowDataLoss) and planned switchover
// (SwitchoverGlobalCluster, no data loss), each until the target cluster is the writer.
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
import { planFailoverGlobalCluster, planSwitchoverGlobalCluster, type Rds } from '../../clients/aws/rds.ts';
import { DrillError } from '../../core/errors.ts';
import type { PlannedCall, RunContext, StepDefinition } from '../../core/model.ts';
import { connection } from '../connection.ts';
import { declaredStep } from '../declared.ts';
import type { Select, StepMeta } from '../select.ts';

/** A member cluster of the global database: what the app calls it, its region and its identifier. */
export interface MemberCluster<R> {
  name: string;
  region: Select<R, string>;
  clusterId: Select<R, string>;
}

export interface GlobalDatabase<R> {
  globalClusterId: Select<R, string>;
}

const arn = (region: string, account: string, clusterId: string) =>
  `arn:aws:rds:${region}:${account}:cluster:${clusterId}`;

/** The member's ARN for planning (no network): the account from the target's allow-list. */
export function plannedMemberArn<R>(ctx: RunContext<R>, member: MemberCluster<R>): string {
  const r = ctx.target.resources;
  return arn(member.region(r), ctx.target.aws.accountIds?.[0] ?? '<account>', member.clusterId(r));
}

/** Unplanned regional failover to `to`, sent in `to`'s region; waits until it writes. */
export function failoverGlobalCluster<R>(
  meta: StepMeta<R>,
  opts: GlobalDatabase<R> & { to: MemberCluster<R>; allowDataLoss?: boolean },
): StepDefinition<R> {
  const allowDataLoss = opts.allowDataLoss ?? true;
  return declaredStep<R>({
    ...meta,
    calls: (ctx) => [
      planFailoverGlobalCluster(opts.to.region(ctx.target.resources), {
        globalClusterId: opts.globalClusterId(ctx.target.resources),
        targetClusterArn: plannedMemberArn(ctx, opts.to),
        allowDataLoss,
      }),
      {
        service: 'rds',
        operation: 'DescribeGlobalClusters',
        scope: opts.to.region(ctx.target.resources),
        params: { until: `${opts.to.name} IsWriter` },
        mutating: false,
      },
    ],
    async run(ctx) {
      const { r, aws, accountId } = await connection(ctx);
      const region = opts.to.region(r);
      const rds = aws.rds(region);
      const target = arn(region, accountId, opts.to.clusterId(r));
      const globalClusterId = opts.globalClusterId(r);
      const result = await rds.failoverGlobalCluster(
        { globalClusterId, targetClusterArn: target, allowDataLoss },
        { signal: ctx.signal },
      );
      await untilWriter(rds, globalClusterId, target, ctx.signal);
      return {
        detail: `${opts.to.clusterId(r)} is writer${result.alreadyDone ? ' (it already was: nothing sent)' : ''}`,
        measurements: { promotedAt: ctx.clock.now() },
      };
    },
  });
}

/** Planned switchover to `to`, sent in the current writer's region (`from`); waits until `to` writes. */
export function switchoverGlobalCluster<R>(
  meta: StepMeta<R>,
  opts: GlobalDatabase<R> & { from: Pick<MemberCluster<R>, 'region'>; to: MemberCluster<R> },
): StepDefinition<R> {
  return declaredStep<R>({
    ...meta,
    calls: (ctx) => [
      planSwitchoverGlobalCluster(opts.from.region(ctx.target.resources), {
        globalClusterId: opts.globalClusterId(ctx.target.resources),
        targetClusterArn: plannedMemberArn(ctx, opts.to),
      }),
    ],
    async run(ctx) {
      const { r, aws, accountId } = await connection(ctx);
      const rds = aws.rds(opts.from.region(r));
      const target = arn(opts.to.region(r), accountId, opts.to.clusterId(r));
      const globalClusterId = opts.globalClusterId(r);
      const result = await rds.switchoverGlobalCluster(
        { globalClusterId, targetClusterArn: target },
        { signal: ctx.signal },
      );
      await untilWriter(rds, globalClusterId, target, ctx.signal);
      return { detail: `${opts.to.clusterId(r)} is writer${result.alreadyDone ? ' (it already was)' : ''}` };
    },
  });
}

/** Both writer changes answer at once and work in the background: wait until `target` writes. */
function untilWriter(rds: Rds, globalClusterId: string, target: string, signal: AbortSignal) {
  return rds.waitUntilWriter({
    globalClusterId,
    clusterArn: target,
    signal,
    intervalMs: 250,
    maxIntervalMs: 1000,
    timeoutMs: 600_000,
  });
}

/** `current` (a database URL) with its host and port replaced by the writer endpoint of `clusterId`. */
export async function writerEndpointUrl(
  rds: Rds,
  clusterId: string,
  current: string,
  signal: AbortSignal,
): Promise<string> {
  const cluster = await rds.describeDbCluster(clusterId, { signal });
  if (!cluster.endpoint)
    throw new DrillError('E_STEP_FAILED', `DescribeDBClusters gives no Endpoint for ${clusterId}`);
  const url = new URL(current);
  url.hostname = cluster.endpoint;
  if (cluster.port) url.port = String(cluster.port);
  return url.toString();
}

/** What writerEndpointUrl reads, for a plan. */
export function planWriterEndpoint(region: string, clusterId: string): PlannedCall {
  return {
    service: 'rds',
    operation: 'DescribeDBClusters',
    scope: region,
    params: { DBClusterIdentifier: clusterId },
    mutating: false,
  };
}
