// How Route 53 turns its checkers' raw reports into the status it routes on, and which failover record an
// answer of TestDNSAnswer is. Pure: the drill reads the inputs with clients/aws/route53.ts.

import { type FailoverRecord, normalizeName } from './route53-records.ts';

/**
 * Route 53 DG "How Amazon Route 53 determines whether a health check is healthy": an endpoint is healthy when
 * MORE than 18 % of the checkers report it healthy (not a majority). No report yet: a new health check counts as
 * healthy until there is enough data (same page).
 */
export function endpointHealthy(healthyCheckers: number, checkers: number): boolean {
  return checkers === 0 || healthyCheckers * 100 > 18 * checkers;
}

/**
 * The status Route 53 routes on. GetHealthCheckStatus reports each checker's raw result: Disabled counts as
 * healthy (HealthCheckConfig.Disabled) and Inverted flips the combined status (DG "Inverting health checks").
 */
export function routedHealthy(
  reports: { healthyCount: number; observations: readonly unknown[] },
  check: { inverted: boolean; disabled: boolean },
): boolean {
  const base = check.disabled || endpointHealthy(reports.healthyCount, reports.observations.length);
  return check.inverted ? !base : base;
}

/**
 * The failover record whose values TestDNSAnswer returned, or undefined. An alias record cannot be told apart
 * this way: Route 53 answers with its target's addresses, not its name.
 */
export function answeredRecord(
  recordData: readonly string[],
  records: readonly FailoverRecord[],
): FailoverRecord | undefined {
  const key = (values: readonly string[]) => JSON.stringify(values.map(normalizeName).sort());
  const answer = key(recordData);
  if (recordData.length === 0) return undefined;
  return records.find((r) => !r.alias && key(r.values) === answer);
}
