// Runbook §6.3 and §9.5: Route 53 failover, forced by inverting the primary health check (the data plane
// fails over as designed), and the failover records re-asserted (the runbook's `terraform apply -target`).

import { planSetHealthCheckInverted, planUpsertRecord } from '../../clients/aws/route53-records.ts';
import { pollUntil } from '../../clients/poll.ts';
import { defineStep, type StepDefinition } from '../../core/model.ts';
import { luneo } from './context.ts';
import { FINDINGS } from './findings.ts';
import type { LuneoResources } from './resources.ts';

/** §6.3 `terraform apply -target=…api_failover_*`: UPSERT both failover records as they are, wait INSYNC. */
export function reassertFailoverRecords(
  opts: { plannedAt?: string; ttlSeconds?: number; runbook?: '§6.3' | '§9.5' } = {},
): StepDefinition<LuneoResources> {
  return defineStep<LuneoResources>({
    id: opts.ttlSeconds ? 'dns-ttl' : 'dns-records',
    title: opts.ttlSeconds
      ? `Lower the API record TTL to ${opts.ttlSeconds}s for the watch period`
      : 'Failover records PRIMARY/SECONDARY are in place (UPSERT, wait INSYNC)',
    runbook: opts.runbook ?? '§6.3',
    plannedAt: opts.plannedAt,
    timeout: '5m',
    plan: (ctx) => {
      const r = ctx.target.resources;
      const zone = r.hostedZone.id ?? `<zone ${r.hostedZone.name}>`;
      return [
        {
          service: 'route53',
          operation: 'ListResourceRecordSets',
          scope: 'global',
          params: { HostedZoneId: zone, name: r.apiRecord },
          mutating: false,
        },
        planUpsertRecord(zone, {
          name: r.apiRecord,
          type: '<as listed>',
          failover: 'PRIMARY',
          values: ['<as listed>'],
        }),
        planUpsertRecord(zone, {
          name: r.apiRecord,
          type: '<as listed>',
          failover: 'SECONDARY',
          values: ['<as listed>'],
        }),
        {
          service: 'route53',
          operation: 'GetChange',
          scope: 'global',
          params: { until: 'INSYNC' },
          mutating: false,
        },
      ];
    },
    async run(ctx) {
      const l = await luneo(ctx);
      const r53 = l.aws.route53();
      const records = await r53.listFailoverRecords(l.zoneId, l.r.apiRecord, { signal: ctx.signal });
      const details: string[] = [];
      for (const record of records) {
        const wanted =
          opts.ttlSeconds && record.ttl !== undefined ? { ...record, ttl: opts.ttlSeconds } : record;
        const change = await r53.upsertRecord(l.zoneId, wanted, {
          signal: ctx.signal,
          comment: `drill ${ctx.runId}`,
        });
        // null: an attempt whose answer was lost already put the record in place (no change id to wait on).
        if (change.changeId)
          await r53.waitForChange(change.changeId, {
            signal: ctx.signal,
            intervalMs: 250,
            maxIntervalMs: 1000,
            timeoutMs: 300_000,
          });
        const state = change.changeId
          ? 'INSYNC'
          : 'in place (change id lost with its answer: INSYNC not seen)';
        details.push(`${record.failover} ${record.values.join(',')} ttl ${wanted.ttl ?? '-'} ${state}`);
      }
      return { detail: details.join('; ') };
    },
  });
}

/** §6.3: invert the primary health check so Route 53 answers SECONDARY; wait until Route 53 sees it failing. */
export function failoverDns(opts: { plannedAt?: string } = {}): StepDefinition<LuneoResources> {
  return defineStep<LuneoResources>({
    id: 'dns',
    title:
      'Route traffic to us-east-1: primary health check failing (inverted if it still looks healthy), Route 53 answers SECONDARY',
    runbook: '§6.3',
    plannedAt: opts.plannedAt ?? '15m',
    timeout: '5m',
    findings: [FINDINGS.dnsRewrite],
    plan: (ctx) => [
      planSetHealthCheckInverted(ctx.target.resources.primaryHealthCheckId ?? '<primary health check>', true),
      {
        service: 'route53',
        operation: 'GetHealthCheckStatus',
        scope: 'global',
        params: { until: 'failing' },
        mutating: false,
      },
    ],
    async run(ctx) {
      return setPrimaryHealthCheck(ctx, true);
    },
  });
}

/** §9.5: un-invert the primary health check so Route 53 answers PRIMARY again once it is healthy. */
export function restoreDns(opts: { plannedAt?: string } = {}): StepDefinition<LuneoResources> {
  return defineStep<LuneoResources>({
    id: 'dns-back',
    title: 'Route traffic back to eu-west-1: primary health check no longer inverted, and healthy',
    runbook: '§9.5',
    plannedAt: opts.plannedAt,
    timeout: '5m',
    plan: (ctx) => [
      planSetHealthCheckInverted(
        ctx.target.resources.primaryHealthCheckId ?? '<primary health check>',
        false,
      ),
      {
        service: 'route53',
        operation: 'GetHealthCheckStatus',
        scope: 'global',
        params: { until: 'healthy' },
        mutating: false,
      },
    ],
    async run(ctx) {
      return setPrimaryHealthCheck(ctx, false);
    },
  });
}

async function setPrimaryHealthCheck(
  ctx: Parameters<StepDefinition<LuneoResources>['run']>[0],
  forceFailover: boolean,
) {
  const l = await luneo(ctx);
  const r53 = l.aws.route53();
  const id = await l.primaryHealthCheckId();
  const observe = async () => {
    const status = await r53.getHealthCheckStatus(id, { signal: ctx.signal });
    return { healthy: status.healthyCount > status.observations.length / 2, status };
  };
  const check = await r53.getHealthCheck(id, { signal: ctx.signal });
  const before = await observe();
  let note: string;
  if (forceFailover) {
    // An inverted check reads healthy while its target fails: invert only a primary that still looks healthy.
    if (before.healthy && !check.inverted) {
      await r53.setHealthCheckInverted(id, true, { signal: ctx.signal });
      note = 'inverted';
    } else {
      note = check.inverted
        ? 'already inverted'
        : 'not inverted: the primary already fails its health check, so Route 53 already answers SECONDARY (inverting would make it read healthy)';
    }
  } else {
    const result = await r53.setHealthCheckInverted(id, false, { signal: ctx.signal });
    note = result.alreadyDone ? 'not inverted (already)' : 'inversion removed';
  }
  const wantHealthy = !forceFailover;
  const seen = await pollUntil({
    site: { service: 'route53', operation: 'GetHealthCheckStatus', scope: 'global' },
    what: `primary health check ${id} to read ${wantHealthy ? 'healthy' : 'failing'}`,
    intervalMs: 250,
    maxIntervalMs: 2000,
    timeoutMs: 290_000,
    signal: ctx.signal,
    check: async () => {
      const now = await observe();
      const counts = `${now.status.healthyCount}/${now.status.observations.length} checkers healthy`;
      return now.healthy === wantHealthy ? { done: true, value: counts } : { done: false, seen: counts };
    },
  });
  return {
    detail: `primary health check ${id}: ${note}; Route 53 sees it ${wantHealthy ? 'healthy' : 'failing'} (${seen})`,
    measurements: { dnsFlippedAt: ctx.clock.now() },
  };
}
