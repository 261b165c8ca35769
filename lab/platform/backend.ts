// The AWS endpoint's view of the lab: the real database, the fault injector and the load balancers.
import type { AwsLabBackend, LabResource } from '../aws/backend.ts';
import type { ReplicatedDatabase } from '../db/replicated-database.ts';
import type { RegionalLoadBalancer } from '../edge/alb.ts';
import { LUNEO, REGIONS, type Region } from '../regions.ts';
import { type LabFaults, subnetResources } from './faults.ts';

export interface BackendParts {
  db: ReplicatedDatabase;
  faults: LabFaults;
  albs: Record<Region, RegionalLoadBalancer>;
  /** Pods of each cluster, refreshed by the orchestrator (FIS resolves aws:eks:pod targets against them). */
  pods: () => LabResource[];
  /** S3 buckets FIS can target (aws:s3:bucket). */
  buckets?: () => LabResource[];
}

export function labBackend(parts: BackendParts): AwsLabBackend {
  const { db, faults, albs } = parts;
  const accountId = LUNEO.accountId;
  const static_ = [...subnetResources(accountId), ...rdsResources(accountId)];
  return {
    accountId,
    database: {
      role: (region) => db.role(region),
      syncStatus: (region) => db.syncStatus(region),
      endpoint: (region) => db.endpoint(region),
      replicationLagMs: () => db.replicationLagMs(),
      failover: (to, opts) => db.failover(to, opts),
      switchover: (to) => db.switchover(to),
      restartWriter: async () => {
        const writer = db.writer();
        if (writer) await db.restart(writer);
      },
    },
    injectFault: (action) => faults.injectFisAction(action),
    controlPlaneReachable: (region, service) => faults.controlPlaneReachable(region, service),
    resources: () => [...static_, ...parts.pods(), ...(parts.buckets?.() ?? [])],
    loadBalancerStats: (region) => {
      const stats = albs[region].stats();
      return { requests: stats.requests, errors5xx: stats.errors5xx };
    },
  };
}

function rdsResources(accountId: string): LabResource[] {
  return REGIONS.flatMap((region) => {
    const cluster = LUNEO.clusters[region];
    return [
      {
        arn: `arn:aws:rds:${region}:${accountId}:cluster:${cluster}`,
        type: 'aws:rds:cluster',
        region,
        id: cluster,
        tags: { Name: cluster, Region: region },
      },
      {
        arn: `arn:aws:rds:${region}:${accountId}:db:${cluster}-1`,
        type: 'aws:rds:db',
        region,
        id: `${cluster}-1`,
        tags: { Name: `${cluster}-1`, Region: region },
      },
    ];
  });
}
