// Runbook §6.1 and §9.2: the Aurora Global Database steps.

import { rpoLagQuery } from '../../clients/aws/cloudwatch.ts';
import { planFailoverGlobalCluster, planSwitchoverGlobalCluster, type Rds } from '../../clients/aws/rds.ts';
import { formatDuration, parseDuration } from '../../core/duration.ts';
import { DrillError } from '../../core/errors.ts';
import type { StepDefinition } from '../../core/model.ts';
import { declaredStep } from '../declared.ts';
import { planPointAppSecret, pointAppSecret } from './app-secrets.ts';
import { type Luneo, type LuneoRun, luneo, PROBE_READ, plannedClusterArn, type Side } from './context.ts';
import { FINDINGS } from './findings.ts';
import type { LuneoResources } from './resources.ts';

/** The platform's own lag estimate: last AuroraGlobalDBRPOLag datapoint of the secondary (ms), or null. */
export async function reportedRpoLag(ctx: LuneoRun): Promise<{ value: number; at: Date } | null> {
  const l = await luneo(ctx);
  return l.aws
    .cloudWatch(l.r.secondary.region)
    .getLatestMetric(rpoLagQuery(l.r.secondary.clusterId), { signal: ctx.signal, ...PROBE_READ });
}

/** §6.1: the replication lag the platform reported is below the RPO target. */
export function checkReplicationLag(opts: {
  below: string;
  plannedAt?: string;
}): StepDefinition<LuneoResources> {
  const belowMs = parseDuration(opts.below);
  return declaredStep<LuneoResources>({
    id: 'lag-check',
    title: `Replication lag (AuroraGlobalDBRPOLag) is below the RPO target (${opts.below})`,
    runbook: '§6.1',
    plannedAt: opts.plannedAt ?? '4m',
    timeout: '1m',
    findings: [FINDINGS.lagField, FINDINGS.lagThreshold],
    calls: (ctx) => [
      {
        service: 'cloudwatch',
        operation: 'GetMetricData',
        scope: ctx.target.resources.secondary.region,
        params: {
          MetricName: 'AuroraGlobalDBRPOLag',
          DBClusterIdentifier: ctx.target.resources.secondary.clusterId,
        },
        mutating: false,
      },
    ],
    async run(ctx) {
      const lag = await reportedRpoLag(ctx);
      if (!lag)
        throw new DrillError(
          'E_STEP_FAILED',
          'no AuroraGlobalDBRPOLag datapoint in the last 15 minutes: the lag is unknown, decide by hand',
        );
      if (lag.value >= belowMs) {
        throw new DrillError(
          'E_STEP_FAILED',
          `AuroraGlobalDBRPOLag is ${formatDuration(lag.value)} (at ${lag.at.toISOString()}), not below the RPO target ${opts.below}`,
        );
      }
      return {
        detail: `last AuroraGlobalDBRPOLag ${formatDuration(lag.value)} at ${lag.at.toISOString()} < ${opts.below}`,
        measurements: { reportedLagMs: lag.value },
      };
    },
  });
}

/** §6.1: unplanned regional failover, FailoverGlobalCluster with AllowDataLoss, until the target is writer. */
export function failoverGlobalCluster(
  opts: { to?: Side; plannedAt?: string; timeout?: string } = {},
): StepDefinition<LuneoResources> {
  const to = opts.to ?? 'secondary';
  return declaredStep<LuneoResources>({
    id: 'promotion',
    title: `Fail over the global cluster to ${to} (FailoverGlobalCluster, AllowDataLoss)`,
    runbook: '§6.1',
    plannedAt: opts.plannedAt ?? '5m',
    timeout: opts.timeout ?? '10m',
    findings: [FINDINGS.promoteReadReplica],
    irreversible: {
      reason: 'the promoted cluster took writes: the old writer can only come back as a replica',
      wayBack: 'pnpm drill switchback (SwitchoverGlobalCluster back to eu-west-1, no data loss)',
    },
    calls: (ctx) => [
      planFailoverGlobalCluster(ctx.target.resources[to].region, {
        globalClusterId: ctx.target.resources.globalClusterId,
        targetClusterArn: plannedClusterArn(ctx, to),
        allowDataLoss: true,
      }),
      {
        service: 'rds',
        operation: 'DescribeGlobalClusters',
        scope: ctx.target.resources[to].region,
        params: { until: `${to} IsWriter` },
        mutating: false,
      },
    ],
    async run(ctx) {
      const l = await luneo(ctx);
      const rds = l.aws.rds(l.r[to].region);
      const target = l.clusterArn(to);
      const result = await rds.failoverGlobalCluster(
        { globalClusterId: l.r.globalClusterId, targetClusterArn: target, allowDataLoss: true },
        { signal: ctx.signal },
      );
      await untilWriter(l, rds, target, ctx.signal);
      return {
        detail: `${l.r[to].clusterId} is writer${result.alreadyDone ? ' (it already was: nothing sent)' : ''}`,
        measurements: { promotedAt: ctx.clock.now() },
      };
    },
  });
}

/** §9.2: planned switchover (no data loss) back to `to`. */
export function switchoverGlobalCluster(
  opts: { to?: Side; plannedAt?: string } = {},
): StepDefinition<LuneoResources> {
  const to = opts.to ?? 'primary';
  return declaredStep<LuneoResources>({
    id: 'switchover',
    title: `Switch the global cluster over to ${to} (SwitchoverGlobalCluster, no data loss)`,
    runbook: '§9.2',
    plannedAt: opts.plannedAt,
    timeout: '10m',
    findings: [FINDINGS.switchoverThenFailover],
    calls: (ctx) => [
      planSwitchoverGlobalCluster(ctx.target.resources[to === 'primary' ? 'secondary' : 'primary'].region, {
        globalClusterId: ctx.target.resources.globalClusterId,
        targetClusterArn: plannedClusterArn(ctx, to),
      }),
    ],
    async run(ctx) {
      const l = await luneo(ctx);
      const from: Side = to === 'primary' ? 'secondary' : 'primary';
      const rds = l.aws.rds(l.r[from].region);
      const target = l.clusterArn(to);
      const result = await rds.switchoverGlobalCluster(
        { globalClusterId: l.r.globalClusterId, targetClusterArn: target },
        { signal: ctx.signal },
      );
      await untilWriter(l, rds, target, ctx.signal);
      return { detail: `${l.r[to].clusterId} is writer${result.alreadyDone ? ' (it already was)' : ''}` };
    },
  });
}

/** Both writer changes answer at once and work in the background: wait until `target` writes. */
function untilWriter(l: Luneo, rds: Rds, target: string, signal: AbortSignal) {
  return rds.waitUntilWriter({
    globalClusterId: l.r.globalClusterId,
    clusterArn: target,
    signal,
    intervalMs: 250,
    maxIntervalMs: 1000,
    timeoutMs: 600_000,
  });
}

/** The writer endpoint of `side` as a URL: the current DATABASE_URL with its host and port replaced. */
async function writerUrl(l: Luneo, ctx: LuneoRun, side: Side, current: string): Promise<string> {
  const cluster = await l.aws
    .rds(l.r[side].region)
    .describeDbCluster(l.r[side].clusterId, { signal: ctx.signal });
  if (!cluster.endpoint)
    throw new DrillError('E_STEP_FAILED', `DescribeDBClusters gives no Endpoint for ${l.r[side].clusterId}`);
  const url = new URL(current);
  url.hostname = cluster.endpoint;
  if (cluster.port) url.port = String(cluster.port);
  return url.toString();
}

/**
 * §6.1: DATABASE_URL points at the writer of `side`, in the copy the app of `side`'s region reads (promoted
 * first when it is a replica; see app-secrets.ts): only that region's control plane is used.
 */
export function pointDatabaseUrlAt(opts: {
  side: Side;
  plannedAt?: string;
  runbook?: '§6.1' | '§9.2';
}): StepDefinition<LuneoResources> {
  return declaredStep<LuneoResources>({
    id: `secret-${opts.side}`,
    title: `Point DATABASE_URL (Secrets Manager, ${opts.side} region's copy) at the ${opts.side} writer`,
    runbook: opts.runbook ?? '§6.1',
    plannedAt: opts.plannedAt,
    timeout: '2m',
    findings: [FINDINGS.secretEndpoint, FINDINGS.secretRegion],
    calls: (ctx) => [
      {
        service: 'rds',
        operation: 'DescribeDBClusters',
        scope: ctx.target.resources[opts.side].region,
        params: { DBClusterIdentifier: ctx.target.resources[opts.side].clusterId },
        mutating: false,
      },
      ...planPointAppSecret(ctx.target.resources, opts.side, ctx.target.resources.secrets.databaseUrl),
    ],
    async run(ctx) {
      const l = await luneo(ctx);
      return pointAppSecret(ctx, {
        side: opts.side,
        secretId: l.r.secrets.databaseUrl,
        next: (current) => writerUrl(l, ctx, opts.side, current),
        token: `${ctx.runId}-secret-${opts.side}`.slice(0, 64).padEnd(32, '0'),
      });
    },
  });
}
