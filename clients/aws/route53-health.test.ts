import { describe, expect, it } from 'vitest';
import { answeredRecord, endpointHealthy, routedHealthy } from './route53-health.ts';
import type { FailoverRecord } from './route53-records.ts';

const reports = (healthy: number, total: number) => ({
  healthyCount: healthy,
  observations: Array.from({ length: total }, (_, i) => i),
});
const plain = { inverted: false, disabled: false };

describe('the status Route 53 routes on, from GetHealthCheckStatus', () => {
  it('is healthy when more than 18 % of the checkers report healthy (not a 50 % majority)', () => {
    expect(endpointHealthy(3, 16)).toBe(true);
    expect(endpointHealthy(2, 16)).toBe(false);
    expect(endpointHealthy(9, 50)).toBe(false);
    expect(endpointHealthy(10, 50)).toBe(true);
    expect(endpointHealthy(7, 16)).toBe(true); // under half, still healthy
    expect(endpointHealthy(0, 0)).toBe(true); // no data yet: a new check counts as healthy
  });

  it('applies Inverted and Disabled after combining the raw reports', () => {
    // All 16 checkers see the endpoint pass: the raw reports never show the inversion, the routed status does.
    expect(routedHealthy(reports(16, 16), plain)).toBe(true);
    expect(routedHealthy(reports(16, 16), { ...plain, inverted: true })).toBe(false);
    expect(routedHealthy(reports(2, 16), { ...plain, inverted: true })).toBe(true);
    expect(routedHealthy(reports(0, 16), { ...plain, disabled: true })).toBe(true);
    expect(routedHealthy(reports(0, 16), { inverted: true, disabled: true })).toBe(false);
  });
});

describe('which failover record TestDNSAnswer returned', () => {
  const primary: FailoverRecord = {
    name: 'api.luneo.app.',
    type: 'CNAME',
    setIdentifier: 'primary-eu-west-1',
    failover: 'PRIMARY',
    values: ['alb.eu-west-1.luneo.lab'],
  };
  const secondary: FailoverRecord = {
    ...primary,
    setIdentifier: 'secondary-us-east-1',
    failover: 'SECONDARY',
    values: ['alb.us-east-1.luneo.lab'],
  };

  it('matches the values, whatever their case, trailing dot or order', () => {
    expect(answeredRecord(['ALB.us-east-1.luneo.lab.'], [primary, secondary])).toBe(secondary);
    expect(answeredRecord(['alb.eu-west-1.luneo.lab'], [primary, secondary])).toBe(primary);
    const a = { ...primary, type: 'A', values: ['192.0.2.1', '192.0.2.2'] };
    expect(answeredRecord(['192.0.2.2', '192.0.2.1'], [a])).toBe(a);
  });

  it('names no record for an empty answer, other values, or alias records', () => {
    expect(answeredRecord([], [primary, secondary])).toBeUndefined();
    expect(answeredRecord(['elsewhere.example'], [primary, secondary])).toBeUndefined();
    const alias: FailoverRecord = {
      ...secondary,
      values: [],
      alias: {
        hostedZoneId: 'Z35SXDOTRQ7X7K',
        dnsName: 'alb-us.elb.amazonaws.com.',
        evaluateTargetHealth: true,
      },
    };
    expect(answeredRecord(['192.0.2.9'], [alias])).toBeUndefined();
  });
});
