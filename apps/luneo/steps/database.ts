// Runbook §6.1 and §9.2: the Aurora Global Database steps.

import type { MemberCluster } from '../../../actions/aws/index.ts';
import * as aws from '../../../actions/aws/index.ts';
import { declaredStep } from '../../../actions/declared.ts';
import { rpoLagQuery } from '../../../clients/aws/cloudwatch.ts';
import { formatDuration, parseDuration } from '../../../core/duration.ts';
import { DrillError } from '../../../core/errors.ts';
import type { StepDefinition } from '../../../core/model.ts';
import { type LuneoRun, luneo, PROBE_READ, type Side } from '../context.ts';
import { FINDINGS } from '../findings.ts';
import type { LuneoResources } from '../resources.ts';
import { appSecretCopy } from './app-secrets.ts';

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

/** A side of Luneo's global database, as the generic steps take it. */
const member = (side: Side): MemberCluster<LuneoResources> => ({
  name: side,
  region: (r) => r[side].region,
  clusterId: (r) => r[side].clusterId,
});
const globalClusterId = (r: LuneoResources) => r.globalClusterId;
const other = (side: Side): Side => (side === 'primary' ? 'secondary' : 'primary');

/** §6.1: unplanned regional failover, FailoverGlobalCluster with AllowDataLoss, until the target is writer. */
export function failoverGlobalCluster(
  opts: { to?: Side; plannedAt?: string; timeout?: string } = {},
): StepDefinition<LuneoResources> {
  const to = opts.to ?? 'secondary';
  return aws.failoverGlobalCluster<LuneoResources>(
    {
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
    },
    { globalClusterId, to: member(to), allowDataLoss: true },
  );
}

/** §9.2: planned switchover (no data loss) back to `to`. */
export function switchoverGlobalCluster(
  opts: { to?: Side; plannedAt?: string } = {},
): StepDefinition<LuneoResources> {
  const to = opts.to ?? 'primary';
  return aws.switchoverGlobalCluster<LuneoResources>(
    {
      id: 'switchover',
      title: `Switch the global cluster over to ${to} (SwitchoverGlobalCluster, no data loss)`,
      runbook: '§9.2',
      plannedAt: opts.plannedAt,
      timeout: '10m',
      findings: [FINDINGS.switchoverThenFailover],
    },
    { globalClusterId, from: member(other(to)), to: member(to) },
  );
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
  const { side } = opts;
  return aws.updateSecret<LuneoResources>(
    {
      id: `secret-${side}`,
      title: `Point DATABASE_URL (Secrets Manager, ${side} region's copy) at the ${side} writer`,
      runbook: opts.runbook ?? '§6.1',
      plannedAt: opts.plannedAt,
      timeout: '2m',
      findings: [FINDINGS.secretEndpoint, FINDINGS.secretRegion],
    },
    {
      ...appSecretCopy(side),
      secretId: (r) => r.secrets.databaseUrl,
      reads: (r) => [aws.planWriterEndpoint(r[side].region, r[side].clusterId)],
      next: (ctx, conn, current) =>
        aws.writerEndpointUrl(conn.aws.rds(conn.r[side].region), conn.r[side].clusterId, current, ctx.signal),
      unbound: 'the target binds no DATABASE_URL secret (resources.secrets.databaseUrl)',
      tokenTag: `secret-${side}`,
    },
  );
}
