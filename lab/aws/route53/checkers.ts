// Route 53's health checkers: where they stand, and how Route 53 combines what they report.

/** botocore route53/2013-04-01 service-2.json, shape HealthCheckRegion (the default when Regions is empty). */
export const HEALTH_CHECKER_REGIONS = [
  'us-east-1',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'sa-east-1',
] as const;
export type HealthCheckerRegion = (typeof HEALTH_CHECKER_REGIONS)[number];

/** Two checker ranges per region (https://ip-ranges.amazonaws.com/ip-ranges.json, service ROUTE53_HEALTHCHECKS):
 *  the lab runs one checker in each, so a default health check has 16 checkers. */
const CHECKER_RANGES: Record<HealthCheckerRegion, readonly [string, string]> = {
  'us-east-1': ['107.23.255.0', '54.243.31.192'],
  'us-west-1': ['54.183.255.128', '54.241.32.64'],
  'us-west-2': ['54.244.52.192', '54.245.168.0'],
  'eu-west-1': ['54.228.16.0', '176.34.159.192'],
  'ap-southeast-1': ['54.251.31.128', '54.255.254.192'],
  'ap-southeast-2': ['54.252.79.128', '54.252.254.192'],
  'ap-northeast-1': ['54.248.220.0', '54.250.253.192'],
  'sa-east-1': ['54.232.40.64', '177.71.207.128'],
};

export function isHealthCheckerRegion(region: string): region is HealthCheckerRegion {
  return (HEALTH_CHECKER_REGIONS as readonly string[]).includes(region);
}

/** The checkers of a health check: one per published range of each region it is checked from. */
export function checkerAddresses(
  regions: readonly HealthCheckerRegion[],
): { region: HealthCheckerRegion; ipAddress: string }[] {
  return regions.flatMap((region) =>
    CHECKER_RANGES[region].map((base) => ({ region, ipAddress: firstHost(base) })),
  );
}

function firstHost(network: string): string {
  const octets = network.split('.').map(Number);
  octets[3] = (octets[3] ?? 0) + 1;
  return octets.join('.');
}

/** Route 53 DG "How Amazon Route 53 determines whether a health check is healthy": healthy when MORE than 18 %
 *  of the checkers report the endpoint healthy (integer arithmetic: 3 of 16 is healthy, 9 of 50 is not). */
export function endpointHealthy(healthyCheckers: number, checkers: number): boolean {
  return healthyCheckers * 100 > 18 * checkers;
}

/** The status Route 53 routes on. HealthCheckConfig.Disabled (API reference): a disabled check counts as healthy;
 *  Route 53 DG "Inverting health checks": Inverted flips the combined status, not what the checkers report. */
export function routingHealthy(endpoint: boolean, config: { Disabled: boolean; Inverted: boolean }): boolean {
  const base = config.Disabled ? true : endpoint;
  return config.Inverted ? !base : base;
}
