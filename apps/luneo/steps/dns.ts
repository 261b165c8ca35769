// Runbook §6.3 and §9.5: Route 53 failover, forced by inverting the primary health check (the data plane
// fails over as designed), and the failover records re-asserted (the runbook's `terraform apply -target`):
// the generic Route 53 steps (actions/aws/route53.ts) bound to Luneo's zone and API record.

import { type FailoverDns, invertHealthCheck, upsertFailoverRecords } from '../../../actions/aws/route53.ts';
import type { StepDefinition } from '../../../core/model.ts';
import { FINDINGS } from '../findings.ts';
import type { LuneoResources } from '../resources.ts';

const apiRecord: FailoverDns<LuneoResources> = {
  zone: (r) => r.hostedZone,
  record: (r) => r.apiRecord,
  primaryHealthCheckId: (r) => r.primaryHealthCheckId,
};

/** §6.3 `terraform apply -target=…api_failover_*`: UPSERT both failover records as they are, wait INSYNC. */
export function reassertFailoverRecords(
  opts: { plannedAt?: string; ttlSeconds?: number; runbook?: '§6.3' | '§9.5' } = {},
): StepDefinition<LuneoResources> {
  return upsertFailoverRecords<LuneoResources>(
    {
      id: opts.ttlSeconds ? 'dns-ttl' : 'dns-records',
      title: opts.ttlSeconds
        ? `Lower the API record TTL to ${opts.ttlSeconds}s for the watch period`
        : 'Failover records PRIMARY/SECONDARY are in place (UPSERT, wait INSYNC)',
      runbook: opts.runbook ?? '§6.3',
      plannedAt: opts.plannedAt,
      timeout: '5m',
    },
    { ...apiRecord, ...(opts.ttlSeconds ? { ttlSeconds: opts.ttlSeconds } : {}) },
  );
}

/** §6.3: Route 53 answers SECONDARY: the primary health check is held unhealthy (Disabled + Inverted); wait for it. */
export function failoverDns(opts: { plannedAt?: string } = {}): StepDefinition<LuneoResources> {
  return invertHealthCheck<LuneoResources>(
    {
      id: 'dns',
      title:
        'Route traffic to us-east-1: primary health check held unhealthy (Disabled + Inverted), Route 53 answers SECONDARY',
      runbook: '§6.3',
      plannedAt: opts.plannedAt ?? '15m',
      timeout: '5m',
      findings: [FINDINGS.dnsRewrite, FINDINGS.dnsBeforeRestart],
    },
    { ...apiRecord, route: 'SECONDARY' },
  );
}

/** §9.5: release the primary health check; Route 53 answers PRIMARY again once the primary passes it. */
export function restoreDns(opts: { plannedAt?: string } = {}): StepDefinition<LuneoResources> {
  return invertHealthCheck<LuneoResources>(
    {
      id: 'dns-back',
      title: 'Route traffic back to eu-west-1: primary health check released, Route 53 answers PRIMARY',
      runbook: '§9.5',
      plannedAt: opts.plannedAt,
      timeout: '5m',
    },
    { ...apiRecord, route: 'PRIMARY' },
  );
}
