// Runbook §6.3 and §9.5: Route 53 failover, forced by inverting the primary health check (the data plane
// fails over as designed), and the failover records re-asserted (the runbook's `terraform apply -target`).

import { answeredRecord, routedHealthy } from '../../clients/aws/route53-health.ts';
import { planHoldHealthCheckUnhealthy, planUpsertRecord } from '../../clients/aws/route53-records.ts';
import { pollUntil } from '../../clients/poll.ts';
import type { PlannedCall, RunContext, StepDefinition, StepOutcome } from '../../core/model.ts';
import { declaredStep } from '../declared.ts';
import { luneo } from './context.ts';
import { FINDINGS } from './findings.ts';
import type { LuneoResources } from './resources.ts';

/** §6.3 `terraform apply -target=…api_failover_*`: UPSERT both failover records as they are, wait INSYNC. */
export function reassertFailoverRecords(
  opts: { plannedAt?: string; ttlSeconds?: number; runbook?: '§6.3' | '§9.5' } = {},
): StepDefinition<LuneoResources> {
  return declaredStep<LuneoResources>({
    id: opts.ttlSeconds ? 'dns-ttl' : 'dns-records',
    title: opts.ttlSeconds
      ? `Lower the API record TTL to ${opts.ttlSeconds}s for the watch period`
      : 'Failover records PRIMARY/SECONDARY are in place (UPSERT, wait INSYNC)',
    runbook: opts.runbook ?? '§6.3',
    plannedAt: opts.plannedAt,
    timeout: '5m',
    calls: (ctx) => {
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

/** What the DNS steps ask Route 53 while they wait (besides the inversion itself). */
function dnsReads(ctx: RunContext<LuneoResources>, until: string): PlannedCall[] {
  const r = ctx.target.resources;
  const zone = r.hostedZone.id ?? `<zone ${r.hostedZone.name}>`;
  const check = r.primaryHealthCheckId ?? '<primary health check>';
  return [
    {
      service: 'route53',
      operation: 'ListResourceRecordSets',
      scope: 'global',
      params: { HostedZoneId: zone, name: r.apiRecord },
      mutating: false,
    },
    {
      service: 'route53',
      operation: 'GetHealthCheck',
      scope: 'global',
      params: { HealthCheckId: check },
      mutating: false,
    },
    {
      service: 'route53',
      operation: 'GetHealthCheckStatus',
      scope: 'global',
      params: { HealthCheckId: check },
      mutating: false,
    },
    {
      service: 'route53',
      operation: 'TestDNSAnswer',
      scope: 'global',
      params: { HostedZoneId: zone, RecordName: r.apiRecord, until },
      mutating: false,
    },
  ];
}

/** §6.3: Route 53 answers SECONDARY: the primary health check is held unhealthy (Disabled + Inverted); wait for it. */
export function failoverDns(opts: { plannedAt?: string } = {}): StepDefinition<LuneoResources> {
  return declaredStep<LuneoResources>({
    id: 'dns',
    title:
      'Route traffic to us-east-1: primary health check held unhealthy (Disabled + Inverted), Route 53 answers SECONDARY',
    runbook: '§6.3',
    plannedAt: opts.plannedAt ?? '15m',
    timeout: '5m',
    findings: [FINDINGS.dnsRewrite, FINDINGS.dnsBeforeRestart],
    calls: (ctx) => [
      planHoldHealthCheckUnhealthy(
        ctx.target.resources.primaryHealthCheckId ?? '<primary health check>',
        true,
      ),
      ...dnsReads(ctx, 'SECONDARY'),
    ],
    async run(ctx) {
      return routeTo(ctx, 'SECONDARY');
    },
  });
}

/** §9.5: release the primary health check; Route 53 answers PRIMARY again once the primary passes it. */
export function restoreDns(opts: { plannedAt?: string } = {}): StepDefinition<LuneoResources> {
  return declaredStep<LuneoResources>({
    id: 'dns-back',
    title: 'Route traffic back to eu-west-1: primary health check released, Route 53 answers PRIMARY',
    runbook: '§9.5',
    plannedAt: opts.plannedAt,
    timeout: '5m',
    calls: (ctx) => [
      planHoldHealthCheckUnhealthy(
        ctx.target.resources.primaryHealthCheckId ?? '<primary health check>',
        false,
      ),
      ...dnsReads(ctx, 'PRIMARY'),
    ],
    async run(ctx) {
      return routeTo(ctx, 'PRIMARY');
    },
  });
}

type Failover = 'PRIMARY' | 'SECONDARY';

/**
 * Makes Route 53 answer `wanted` and waits until it does. Route 53 applies Inverted to the combined status of
 * its checkers, never to their raw reports (GetHealthCheckStatus), so the wait reads what Route 53 answers
 * (TestDNSAnswer), or for alias records the status it routes on, combined the AWS way (route53-health.ts).
 */
async function routeTo(ctx: RunContext<LuneoResources>, wanted: Failover): Promise<StepOutcome> {
  const l = await luneo(ctx);
  const r53 = l.aws.route53();
  const call = { signal: ctx.signal };
  const id = await l.primaryHealthCheckId();
  const records = await r53.listFailoverRecords(l.zoneId, l.r.apiRecord, call);
  const type = records[0]?.type ?? 'CNAME';
  const answered = async (): Promise<{ which: Failover | undefined; seen: string }> => {
    const answer = await r53.testDnsAnswer(l.zoneId, l.r.apiRecord, type, call);
    const record = answeredRecord(answer.recordData, records);
    const data = answer.recordData.join(',') || answer.responseCode;
    if (record) return { which: record.failover, seen: `Route 53 answers ${record.failover} (${data})` };
    if (!records.some((r) => r.alias)) return { which: undefined, seen: `Route 53 answers ${data}` };
    const [check, reports] = await Promise.all([
      r53.getHealthCheck(id, call),
      r53.getHealthCheckStatus(id, call),
    ]);
    const which = routedHealthy(reports, check) ? 'PRIMARY' : 'SECONDARY';
    return { which, seen: `Route 53 answers ${data}; primary health check routes ${which}` };
  };

  const first = await answered();
  const held = await r53.holdHealthCheckUnhealthy(id, wanted === 'SECONDARY', call);
  const note =
    wanted === 'SECONDARY'
      ? held.alreadyDone
        ? 'already held unhealthy (Disabled + Inverted)'
        : 'held unhealthy (Disabled + Inverted: Route 53 routes away from it whatever the primary shows, also once it recovers)'
      : held.alreadyDone
        ? 'not held (already)'
        : 'released (Disabled and Inverted off): Route 53 follows the primary endpoint again';
  // The step saw the flip only if Route 53 answered something else when it first looked.
  const flipped = first.which !== wanted;
  const secondaryCheck = records.find((r) => r.failover === 'SECONDARY')?.healthCheckId;
  /** Route 53 answers PRIMARY when both records' checks fail (DG "Active-passive failover"): SECONDARY then waits
   *  for us-east-1 to pass its own check, which a later step (§6.5 restart) may be what makes it pass. */
  const secondaryFails = async (): Promise<string | undefined> => {
    if (wanted !== 'SECONDARY' || !secondaryCheck) return undefined;
    const [config, reports] = await Promise.all([
      r53.getHealthCheck(secondaryCheck, call),
      r53.getHealthCheckStatus(secondaryCheck, call),
    ]);
    if (routedHealthy(reports, config)) return undefined;
    return `the SECONDARY record's health check ${secondaryCheck} fails too (${reports.healthyCount}/${reports.observations.length} checkers see us-east-1 pass), so Route 53 answers PRIMARY; it answers SECONDARY once us-east-1 passes its check`;
  };
  const seen = await pollUntil<{ seen: string; at: number | undefined }>({
    site: { service: 'route53', operation: 'TestDNSAnswer', scope: 'global' },
    what: `Route 53 to answer ${wanted} for ${l.r.apiRecord}`,
    intervalMs: 250,
    maxIntervalMs: 2000,
    timeoutMs: 290_000,
    signal: ctx.signal,
    check: async () => {
      const now = await answered();
      if (now.which === wanted) return { done: true, value: { seen: now.seen, at: ctx.clock.now() } };
      const blocked = now.which === 'PRIMARY' ? await secondaryFails() : undefined;
      if (blocked) return { done: true, value: { seen: `${now.seen}: ${blocked}`, at: undefined } };
      return { done: false, seen: now.seen };
    },
  });
  const detail = `primary health check ${id}: ${note}; ${seen.seen}`;
  // Not flipped yet: nothing to measure. Already flipped before the step looked: only "by" this time.
  if (seen.at === undefined) return { detail };
  return {
    detail: `${detail}${flipped ? '' : ' (already before this step looked)'}`,
    measurements: { [flipped ? 'dnsFlippedAt' : 'dnsFlippedBy']: seen.at },
  };
}
