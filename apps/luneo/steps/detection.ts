// Runbook §4–§5: detection by the CloudWatch alarms, and the decision to fail over the region.

import { declaredProbe, declaredStep } from '../../../actions/declared.ts';
import {
  describeAlarmsWhereTheyLive,
  describeRegionalAlarm,
  type RegionalAlarm,
} from '../../../clients/aws/cloudwatch.ts';
import { pollUntil } from '../../../clients/poll.ts';
import { parseDuration } from '../../../core/duration.ts';
import { DrillError, errorMessage } from '../../../core/errors.ts';
import type { PlannedCall, ProbeDefinition, StepDefinition } from '../../../core/model.ts';
import { luneo } from '../context.ts';
import type { AlarmRef, LuneoResources } from '../resources.ts';

/** §4's alarms, each where it lives (the lab publishes no S3 replication metrics: prod only has the fourth). */
export const runbookAlarms = (r: LuneoResources): AlarmRef[] => [
  r.alarms.replicationLag,
  r.alarms.alb5xx,
  r.alarms.route53HealthCheck,
  ...(r.alarms.s3ReplicationLatency ? [r.alarms.s3ReplicationLatency] : []),
];

/** One DescribeAlarms per region, for the plan. */
function planDescribeAlarms(r: LuneoResources): PlannedCall[] {
  const alarms = runbookAlarms(r);
  return [...new Set(alarms.map((a) => a.region))].map((region) => ({
    service: 'cloudwatch',
    operation: 'DescribeAlarms',
    scope: region,
    params: { AlarmNames: alarms.filter((a) => a.region === region).map((a) => a.name) },
    mutating: false,
  }));
}

/** How long one region may take to answer a poll: a dark region must not hold up the others. */
const REGION_READ_MS = 5000;

/** §4: waits until one of the runbook's alarms is in ALARM; its time is the detection milestone. */
export function detectOutage(
  opts: { plannedAt?: string; timeout?: string } = {},
): StepDefinition<LuneoResources> {
  const timeout = opts.timeout ?? '5m';
  return declaredStep<LuneoResources>({
    id: 'detection',
    title: 'Detect the outage: CloudWatch alarms aurora-replication-lag, alb-5xx, route53-healthcheck',
    runbook: '§4',
    plannedAt: opts.plannedAt ?? '2m',
    timeout,
    calls: (ctx) => planDescribeAlarms(ctx.target.resources),
    async run(ctx) {
      const l = await luneo(ctx);
      const alarms = runbookAlarms(l.r);
      // An alarm already in ALARM before T0 is noise, not detection: only transitions since T0 count.
      const t0 = ctx.clock.wall(ctx.clock.t0 ?? 0).getTime() - 1000;
      const firedSinceT0 = (read: RegionalAlarm[]) =>
        read.filter(
          (a) =>
            a.status === 'found' && a.alarm.state === 'ALARM' && (a.alarm.updatedAt?.getTime() ?? 0) >= t0,
        );
      // One watcher per region, the first to see an alarm fire wins: a dark region's silence (each of its reads
      // waits out REGION_READ_MS) must not delay what the other region already shows.
      const seen = new Map<string, string>();
      const found = new AbortController();
      const signal = AbortSignal.any([ctx.signal, found.signal]);
      const watch = (region: string) =>
        pollUntil({
          site: { service: 'cloudwatch', operation: 'DescribeAlarms', scope: region },
          what: `one of ${alarms.map((a) => `${a.name} (${a.region})`).join(', ')} to go to ALARM after T0`,
          intervalMs: 250,
          maxIntervalMs: 2000,
          timeoutMs: parseDuration(timeout) - 1000,
          signal,
          check: async () => {
            const read = await describeAlarmsWhereTheyLive(
              (r) => l.aws.cloudWatch(r),
              alarms.filter((a) => a.region === region),
              { signal, regionTimeoutMs: REGION_READ_MS },
            );
            seen.set(region, read.map(describeRegionalAlarm).join(', '));
            const fired = firedSinceT0(read);
            return fired.length > 0
              ? { done: true, value: fired }
              : { done: false, seen: [...seen.values()].join(', ') };
          },
        });
      let firing: RegionalAlarm[];
      try {
        firing = await Promise.any([...new Set(alarms.map((a) => a.region))].map(watch));
      } catch (error) {
        throw (error as AggregateError).errors[0];
      } finally {
        found.abort();
      }
      return {
        detail: `in ALARM: ${firing.map((a) => `${a.name} in ${a.region} (${a.status === 'found' ? a.alarm.reason : ''})`).join('; ')}`,
        measurements: { detectedAt: ctx.clock.now(), alarmsFiring: firing.length },
      };
    },
  });
}

/**
 * §5: only the workload, or the managed services too? A writer that is unreachable from its own region while
 * the secondary is healthy calls for a regional failover; otherwise the runbook says restart the workloads.
 */
export function assessImpact(opts: { plannedAt?: string } = {}): StepDefinition<LuneoResources> {
  return declaredStep<LuneoResources>({
    id: 'decision',
    title: 'Assess: workload only (rollout restart in primary) or regional failover',
    runbook: '§5',
    plannedAt: opts.plannedAt ?? '4m',
    timeout: '2m',
    calls: (ctx) => [
      {
        service: 'rds',
        operation: 'DescribeGlobalClusters',
        scope: ctx.target.resources.secondary.region,
        params: { GlobalClusterIdentifier: ctx.target.resources.globalClusterId },
        mutating: false,
      },
      { service: 'http', operation: `GET ${ctx.target.resources.publicUrl}/health`, mutating: false },
    ],
    async run(ctx) {
      const l = await luneo(ctx);
      const gc = await l.aws
        .rds(l.r.secondary.region)
        .describeGlobalCluster(l.r.globalClusterId, { signal: ctx.signal });
      const health = await fetch(`${l.publicUrl}/health`, {
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(5000)]),
      })
        .then(async (res) => ({
          status: res.status,
          body: (await res.json().catch(() => ({}))) as HealthBody,
        }))
        .catch((error: Error) => ({
          status: 0,
          body: { error: `unreachable: ${error.message}` } as HealthBody,
        }));
      const verdict = classify(health.status, health.body);
      if (verdict.kind !== 'regional') throw new DrillError('E_STEP_FAILED', verdict.why);
      const members = gc.members
        .map((m) =>
          `${m.clusterId ?? m.clusterArn}${m.isWriter ? ' (writer)' : ''} ${m.syncStatus ?? ''}`.trim(),
        )
        .join(', ');
      return {
        detail: `regional failover: ${verdict.why}; global cluster ${gc.status}: ${members}`,
        measurements: { decidedAt: ctx.clock.now() },
      };
    },
  });
}

interface HealthBody {
  error?: string;
  message?: string;
  database?: { role?: string; error?: string };
}

/** The §5 decision from what the public endpoint answers. */
export function classify(
  status: number,
  body: HealthBody,
): { kind: 'healthy' | 'workload' | 'regional'; why: string } {
  if (status === 200) {
    return { kind: 'healthy', why: 'the public API answers HTTP 200: no outage to fail over from' };
  }
  if (body.database?.role === 'unreachable') {
    return {
      kind: 'regional',
      why: `the API answers HTTP ${status} and reports its database unreachable (managed service down)`,
    };
  }
  if (status === 0 || /unreachable|timed? ?out|timeout/i.test(`${body.error ?? ''} ${body.message ?? ''}`)) {
    return {
      kind: 'regional',
      why: `the region's load balancer is unreachable (${status === 0 ? body.error : `HTTP ${status} ${body.error ?? ''}`.trim()})`,
    };
  }
  return {
    kind: 'workload',
    why: `the load balancer answers HTTP ${status} (${body.error ?? body.message ?? 'no detail'}) while the database is reachable: workload only; §5 says \`kubectl rollout restart\` the API and workers in the primary, not a regional failover`,
  };
}

/** The CloudWatch alarms of §4 are OK: a steady state before a drill (else detection means nothing), and §10 after. */
export function alarmsOk(): ProbeDefinition<LuneoResources> {
  return declaredProbe<LuneoResources>({
    name: 'alarms-ok',
    description: 'CloudWatch alarms back to OK (runbook §10)',
    runbook: '§10',
    timeout: '60s',
    calls: (ctx) => planDescribeAlarms(ctx.target.resources),
    async check(ctx, { signal }) {
      const l = await luneo(ctx);
      const alarms = runbookAlarms(l.r);
      try {
        await pollUntil({
          site: { service: 'cloudwatch', operation: 'DescribeAlarms' },
          what: `${alarms.map((a) => `${a.name} (${a.region})`).join(', ')} to be OK`,
          intervalMs: 500,
          maxIntervalMs: 4000,
          timeoutMs: 55_000,
          signal,
          check: async () => {
            const read = await describeAlarmsWhereTheyLive((region) => l.aws.cloudWatch(region), alarms, {
              signal,
              regionTimeoutMs: REGION_READ_MS,
            });
            const notOk = read.filter((a) => a.status !== 'found' || a.alarm.state !== 'OK');
            return notOk.length === 0
              ? { done: true, value: read }
              : { done: false, seen: notOk.map(describeRegionalAlarm).join(', ') };
          },
        });
        return { ok: true, detail: `${alarms.map((a) => `${a.name} (${a.region})`).join(', ')}: OK` };
      } catch (error) {
        if (signal.aborted) throw error;
        return { ok: false, detail: `alarms not back to OK: ${errorMessage(error)}` };
      }
    },
  });
}
