// Route 53 record shapes and pure helpers: our typed record, conversion to and from the SDK, and planned calls.

import type { ResourceRecordSet, RRType } from '@aws-sdk/client-route-53';
import type { PlannedCall } from '../../core/model.ts';
import { ROUTE53_SIGNING_REGION } from './config.ts';

export interface DnsRecord {
  /** Fully qualified, with or without the trailing dot. */
  name: string;
  type: string;
  setIdentifier?: string;
  failover?: 'PRIMARY' | 'SECONDARY';
  healthCheckId?: string;
  /** Absent for alias records. */
  ttl?: number;
  values?: string[];
  alias?: { hostedZoneId: string; dnsName: string; evaluateTargetHealth: boolean };
}

export interface FailoverRecord extends DnsRecord {
  setIdentifier: string;
  failover: 'PRIMARY' | 'SECONDARY';
  values: string[];
}

/** "API.luneo.app" → "api.luneo.app." (Route 53 answers with the trailing dot). */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** "/change/C2682N5HXP0BZ4" → "C2682N5HXP0BZ4". */
export function bareId(id: string): string {
  return id.replace(/^\/(change|hostedzone|healthcheck)\//, '');
}

export function fromRecordSet(rrs: ResourceRecordSet): DnsRecord {
  return {
    name: rrs.Name ?? '',
    type: rrs.Type ?? '',
    ...(rrs.SetIdentifier ? { setIdentifier: rrs.SetIdentifier } : {}),
    ...(rrs.Failover ? { failover: rrs.Failover } : {}),
    ...(rrs.HealthCheckId ? { healthCheckId: rrs.HealthCheckId } : {}),
    ...(rrs.TTL !== undefined ? { ttl: rrs.TTL } : {}),
    values: (rrs.ResourceRecords ?? []).map((r) => r.Value ?? ''),
    ...(rrs.AliasTarget
      ? {
          alias: {
            hostedZoneId: bareId(rrs.AliasTarget.HostedZoneId ?? ''),
            dnsName: rrs.AliasTarget.DNSName ?? '',
            evaluateTargetHealth: rrs.AliasTarget.EvaluateTargetHealth === true,
          },
        }
      : {}),
  };
}

export function toRecordSet(record: DnsRecord): ResourceRecordSet {
  return {
    Name: normalizeName(record.name),
    Type: record.type as RRType,
    ...(record.setIdentifier ? { SetIdentifier: record.setIdentifier } : {}),
    ...(record.failover ? { Failover: record.failover } : {}),
    ...(record.healthCheckId ? { HealthCheckId: record.healthCheckId } : {}),
    ...(record.alias
      ? {
          AliasTarget: {
            HostedZoneId: record.alias.hostedZoneId,
            DNSName: record.alias.dnsName,
            EvaluateTargetHealth: record.alias.evaluateTargetHealth,
          },
        }
      : { TTL: record.ttl ?? 60, ResourceRecords: (record.values ?? []).map((Value) => ({ Value })) }),
  };
}

export function recordLabel(record: Pick<DnsRecord, 'name' | 'type' | 'setIdentifier'>): string {
  const id = record.setIdentifier ? ` (${record.setIdentifier})` : '';
  return `${normalizeName(record.name)} ${record.type}${id}`;
}

export function planHoldHealthCheckUnhealthy(healthCheckId: string, held: boolean): PlannedCall {
  return {
    service: 'route53',
    operation: 'UpdateHealthCheck',
    scope: ROUTE53_SIGNING_REGION,
    params: { HealthCheckId: healthCheckId, Disabled: held, Inverted: held },
    mutating: true,
  };
}

export function planUpsertRecord(zoneId: string, record: DnsRecord): PlannedCall {
  const rrs = toRecordSet(record);
  return {
    service: 'route53',
    operation: 'ChangeResourceRecordSets',
    scope: ROUTE53_SIGNING_REGION,
    params: {
      HostedZoneId: bareId(zoneId),
      Action: 'UPSERT',
      Name: rrs.Name ?? '',
      Type: rrs.Type ?? '',
      ...(rrs.SetIdentifier ? { SetIdentifier: rrs.SetIdentifier } : {}),
      ...(rrs.TTL !== undefined ? { TTL: rrs.TTL } : {}),
      ...(rrs.ResourceRecords ? { Values: rrs.ResourceRecords.map((r) => r.Value ?? '') } : {}),
    },
    mutating: true,
  };
}

/** Whether two records say the same thing to Route 53 (name case, trailing dot and value order aside). */
export function sameRecord(a: DnsRecord, b: DnsRecord): boolean {
  const canonical = (r: DnsRecord) =>
    JSON.stringify(toRecordSet({ ...r, ...(r.values ? { values: [...r.values].sort() } : {}) }));
  return canonical(a) === canonical(b);
}
