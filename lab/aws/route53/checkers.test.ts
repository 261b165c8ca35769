import { describe, expect, it } from 'vitest';
import { checkerAddresses, endpointHealthy, HEALTH_CHECKER_REGIONS, routingHealthy } from './checkers.ts';

describe('how Route 53 combines its checkers (DG "How Amazon Route 53 determines whether a health check is healthy")', () => {
  it('counts an endpoint healthy only when MORE than 18 % of its checkers report healthy', () => {
    expect(endpointHealthy(3, 16)).toBe(true); // 18.75 %
    expect(endpointHealthy(2, 16)).toBe(false); // 12.5 %
    expect(endpointHealthy(9, 50)).toBe(false); // exactly 18 %
    expect(endpointHealthy(10, 50)).toBe(true);
    expect(endpointHealthy(2, 6)).toBe(true); // three regions, one healthy region of checkers
    expect(endpointHealthy(1, 6)).toBe(false);
    // Not a majority rule: a quarter of the checkers is enough.
    expect(endpointHealthy(4, 16)).toBe(true);
  });

  it('applies Disabled and Inverted to the combined status, not to each checker', () => {
    const plain = { Disabled: false, Inverted: false };
    expect(routingHealthy(true, plain)).toBe(true);
    expect(routingHealthy(false, plain)).toBe(false);
    expect(routingHealthy(true, { ...plain, Inverted: true })).toBe(false);
    expect(routingHealthy(false, { ...plain, Inverted: true })).toBe(true);
    expect(routingHealthy(false, { ...plain, Disabled: true })).toBe(true);
    expect(routingHealthy(true, { Disabled: true, Inverted: true })).toBe(false);
  });

  it('places two checkers in each of the eight HealthCheckRegion values', () => {
    const all = checkerAddresses(HEALTH_CHECKER_REGIONS);
    expect(all).toHaveLength(16);
    expect(new Set(all.map((c) => c.ipAddress)).size).toBe(16);
    expect(all.filter((c) => c.region === 'eu-west-1').map((c) => c.ipAddress)).toEqual([
      '54.228.16.1',
      '176.34.159.193',
    ]);
  });
});
