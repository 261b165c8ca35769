// Route 53 failover, the way a drill forces it: the PRIMARY record's health check held unhealthy (Disabled +
// Inverted), so the data plane fails over as designed, and back; and the failover records re-asserted as they are
// (UPSERT, wait INSYNC). https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
import { answeredRecord, routedHealthy } from '../../clients/aws/route53-health.ts';
import { planHoldHealthCheckUnhealthy, planUpsertRecord } from '../../clients/aws/route53-records.ts';
import { pollUntil } from '../../clients/poll.ts';
import { DrillError } from '../../core/errors.ts';
import type { PlannedCall, RunContext, StepDefinition, StepOutcome } from '../../core/model.ts';
import { connection } from '../connection.ts';
import { declaredStep } from '../declared.ts';
import type { Select, StepMeta } from '../select.ts';

/** A failover record pair: its hosted zone (the id where known before the run), its name, the PRIMARY check. */
export interface FailoverDns<R> {
  zone: Select<R, { name: string; id?: string }>;
  record: Select<R, string>;
  /** The health check on the PRIMARY record; undefined: read from the record at run time. */
  primaryHealthCheckId: Select<R, string | undefined>;
}

const plannedZone = (z: { name: string; id?: string }) => z.id ?? `<zone ${z.name}>`;

/** The read of a zone's records for one name, before an upsert and while waiting. */
const planListRecords = (zone: string, name: string): PlannedCall => ({
  service: 'route53',
  operation: 'ListResourceRecordSets',
  scope: 'global',
  params: { HostedZoneId: zone, name },
  mutating: false,
});

function zoneIdOf<R>(ctx: RunContext<R>, dns: FailoverDns<R>, r: R): string {
  const zone = dns.zone(r);
  if (zone.id) return zone.id;
  throw new DrillError('E_USAGE', `target ${ctx.target.name}: no Route 53 hosted zone id for ${zone.name}`);
}

const HEALTH_CHECK_KEY = 'route53:primary-health-check';

/** The PRIMARY record's health check: bound by the target, else read from the record once per run. */
async function primaryHealthCheck<R>(ctx: RunContext<R>, dns: FailoverDns<R>, r: R, zoneId: string) {
  const known = dns.primaryHealthCheckId(r) ?? (ctx.state.get(HEALTH_CHECK_KEY) as string | undefined);
  if (known) return known;
  const { aws } = await connection(ctx);
  const records = await aws.route53().listFailoverRecords(zoneId, dns.record(r), { signal: ctx.signal });
  const found = records.find((rec) => rec.failover === 'PRIMARY')?.healthCheckId;
  if (!found)
    throw new DrillError(
      'E_NOT_FOUND',
      `the PRIMARY record ${dns.record(r)} in zone ${zoneId} has no health check`,
    );
  ctx.state.set(HEALTH_CHECK_KEY, found);
  return found;
}

/** UPSERT both failover records as they are (optionally with a new TTL), each waited INSYNC. */
export function upsertFailoverRecords<R>(
  meta: StepMeta<R>,
  opts: Pick<FailoverDns<R>, 'zone' | 'record'> & { ttlSeconds?: number },
): StepDefinition<R> {
  return declaredStep<R>({
    ...meta,
    calls: (ctx) => {
      const r = ctx.target.resources;
      const zone = plannedZone(opts.zone(r));
      const name = opts.record(r);
      return [
        planListRecords(zone, name),
        planUpsertRecord(zone, { name, type: '<as listed>', failover: 'PRIMARY', values: ['<as listed>'] }),
        planUpsertRecord(zone, { name, type: '<as listed>', failover: 'SECONDARY', values: ['<as listed>'] }),
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
      const { r, aws } = await connection(ctx);
      const r53 = aws.route53();
      const zoneId = zoneIdOf(ctx, { ...opts, primaryHealthCheckId: () => undefined }, r);
      const records = await r53.listFailoverRecords(zoneId, opts.record(r), { signal: ctx.signal });
      const details: string[] = [];
      for (const record of records) {
        const wanted =
          opts.ttlSeconds && record.ttl !== undefined ? { ...record, ttl: opts.ttlSeconds } : record;
        const change = await r53.upsertRecord(zoneId, wanted, {
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
function dnsReads<R>(ctx: RunContext<R>, dns: FailoverDns<R>, until: string): PlannedCall[] {
  const r = ctx.target.resources;
  const zone = plannedZone(dns.zone(r));
  const name = dns.record(r);
  const check = dns.primaryHealthCheckId(r) ?? '<primary health check>';
  return [
    planListRecords(zone, name),
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
      params: { HostedZoneId: zone, RecordName: name, until },
      mutating: false,
    },
  ];
}

/**
 * Route 53 answers `route`: SECONDARY holds the PRIMARY record's health check unhealthy (Disabled + Inverted),
 * PRIMARY releases it; the step waits until Route 53 answers so.
 */
export function invertHealthCheck<R>(
  meta: StepMeta<R>,
  opts: FailoverDns<R> & { route: 'PRIMARY' | 'SECONDARY' },
): StepDefinition<R> {
  return declaredStep<R>({
    ...meta,
    calls: (ctx) => [
      planHoldHealthCheckUnhealthy(
        opts.primaryHealthCheckId(ctx.target.resources) ?? '<primary health check>',
        opts.route === 'SECONDARY',
      ),
      ...dnsReads(ctx, opts, opts.route),
    ],
    run: (ctx) => routeTo(ctx, opts, opts.route),
  });
}

type Failover = 'PRIMARY' | 'SECONDARY';

/**
 * Makes Route 53 answer `wanted` and waits until it does. Route 53 applies Inverted to the combined status of
 * its checkers, never to their raw reports (GetHealthCheckStatus), so the wait reads what Route 53 answers
 * (TestDNSAnswer), or for alias records the status it routes on, combined the AWS way (route53-health.ts).
 */
async function routeTo<R>(ctx: RunContext<R>, dns: FailoverDns<R>, wanted: Failover): Promise<StepOutcome> {
  const { r, aws } = await connection(ctx);
  const r53 = aws.route53();
  const call = { signal: ctx.signal };
  const zoneId = zoneIdOf(ctx, dns, r);
  const record = dns.record(r);
  const id = await primaryHealthCheck(ctx, dns, r, zoneId);
  const records = await r53.listFailoverRecords(zoneId, record, call);
  const type = records[0]?.type ?? 'CNAME';
  const answered = async (): Promise<{ which: Failover | undefined; seen: string }> => {
    const answer = await r53.testDnsAnswer(zoneId, record, type, call);
    const answeredBy = answeredRecord(answer.recordData, records);
    const data = answer.recordData.join(',') || answer.responseCode;
    if (answeredBy)
      return { which: answeredBy.failover, seen: `Route 53 answers ${answeredBy.failover} (${data})` };
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
    what: `Route 53 to answer ${wanted} for ${record}`,
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
