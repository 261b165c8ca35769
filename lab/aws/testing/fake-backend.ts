// An in-process AwsLabBackend for tests: roles in memory, failovers gated by the test, injections recorded.
import { PRIMARY_REGION, type Region, SECONDARY_REGION } from '../../regions.ts';
import {
  type AwsLabBackend,
  type DbRole,
  LabBackendError,
  type LabDatabase,
  type LabFaultAction,
  type LabResource,
} from '../backend.ts';
import type { AwsSeed } from '../seed.ts';

export class FakeBackend implements AwsLabBackend {
  accountId = '111122223333';
  roles: Record<Region, DbRole> = { [PRIMARY_REGION]: 'writer', [SECONDARY_REGION]: 'replica' };
  sync: Record<Region, 'connected' | 'pending-resync'> = {
    [PRIMARY_REGION]: 'connected',
    [SECONDARY_REGION]: 'connected',
  };
  lagMs: number | null = 120;
  lb: Record<Region, { requests: number; errors5xx: number }> = {
    [PRIMARY_REGION]: { requests: 0, errors5xx: 0 },
    [SECONDARY_REGION]: { requests: 0, errors5xx: 0 },
  };
  /** When set, failover/switchover wait for it before changing roles. */
  gate: Promise<void> | undefined;
  /** Calls to the database, e.g. 'failover us-east-1 allowDataLoss=true'. */
  readonly calls: string[] = [];
  /** Every injection and revert, e.g. 'inject aws:network:disrupt-connectivity subnet-a', 'revert …'. */
  readonly faults: string[] = [];
  /** actionIds injectFault refuses, as a lab that cannot map them. */
  readonly unmapped = new Set<string>(['aws:ec2:stop-instances']);
  readonly labResources: LabResource[] = [
    subnet('subnet-db-euw1', PRIMARY_REGION, { tier: 'database', DisruptSubnet: 'Allowed' }),
    subnet('subnet-app-euw1', PRIMARY_REGION, { tier: 'app', DisruptSubnet: 'Allowed' }),
    subnet('subnet-db-use1', SECONDARY_REGION, { tier: 'database' }),
    {
      arn: 'arn:aws:rds:eu-west-1:111122223333:cluster:luneo-prod-aurora-primary',
      type: 'aws:rds:cluster',
      region: PRIMARY_REGION,
      tags: { Name: 'luneo-prod-aurora-primary' },
      id: 'luneo-prod-aurora-primary',
    },
    {
      arn: 'arn:aws:eks:eu-west-1:111122223333:pod/luneo-prod-eks-primary/luneo-platform/luneo-api-1',
      type: 'aws:eks:pod',
      region: PRIMARY_REGION,
      tags: { app: 'luneo-api' },
      id: 'luneo-api-1',
      attributes: { clusterIdentifier: 'luneo-prod-eks-primary', namespace: 'luneo-platform' },
    },
  ];

  readonly database: LabDatabase = {
    role: async (region) => this.roles[region],
    syncStatus: (region) => this.sync[region],
    endpoint: (region) => ({
      host: `db.${region}.luneo.lab`,
      port: region === PRIMARY_REGION ? 15432 : 25432,
    }),
    replicationLagMs: async () => this.lagMs,
    failover: async (to, { allowDataLoss }) => {
      this.calls.push(`failover ${to} allowDataLoss=${allowDataLoss}`);
      const from = to === PRIMARY_REGION ? SECONDARY_REGION : PRIMARY_REGION;
      if (!allowDataLoss && this.roles[from] === 'down') {
        throw new LabBackendError(
          'InvalidGlobalClusterStateFault',
          `The writer in ${from} is unreachable: use AllowDataLoss=true.`,
        );
      }
      await this.gate;
      this.roles[to] = 'writer';
      this.roles[from] = 'rebuilding';
      this.sync[from] = 'pending-resync';
    },
    switchover: async (to) => {
      this.calls.push(`switchover ${to}`);
      await this.gate;
      this.roles[to] = 'writer';
      this.roles[to === PRIMARY_REGION ? SECONDARY_REGION : PRIMARY_REGION] = 'replica';
    },
    restartWriter: async () => {
      this.calls.push('restartWriter');
    },
  };

  async injectFault(action: LabFaultAction): Promise<() => Promise<void>> {
    if (this.unmapped.has(action.actionId)) throw new Error(`the lab cannot map ${action.actionId}`);
    const label = `${action.actionId} ${action.targets.map((t) => t.id).join(',')}`.trim();
    this.faults.push(`inject ${label}`);
    return async () => {
      this.faults.push(`revert ${label}`);
    };
  }

  resources(): LabResource[] {
    return this.labResources;
  }

  /** Regions whose AWS endpoints are dark (a regional outage). */
  readonly darkRegions = new Set<string>();

  controlPlaneReachable(region: string): boolean {
    return !this.darkRegions.has(region);
  }

  loadBalancerStats(region: Region): { requests: number; errors5xx: number } {
    return { ...this.lb[region] };
  }
}

function subnet(id: string, region: Region, tags: Record<string, string>): LabResource {
  return { arn: `arn:aws:ec2:${region}:111122223333:subnet/${id}`, type: 'aws:ec2:subnet', region, tags, id };
}

/** Luneo's seed with health checks pointing at the given ports on 127.0.0.1. */
export function luneoSeed(primaryHealthPort: number, secondaryHealthPort?: number): AwsSeed {
  return {
    globalClusterId: 'luneo-prod-aurora-global',
    clusters: {
      [PRIMARY_REGION]: 'luneo-prod-aurora-primary',
      [SECONDARY_REGION]: 'luneo-prod-aurora-secondary',
    },
    hostedZone: { name: 'luneo.app.' },
    failoverRecords: {
      name: 'api.luneo.app.',
      ttl: 5,
      primary: {
        region: PRIMARY_REGION,
        value: 'alb.eu-west-1.luneo.lab',
        health: { ip: '127.0.0.1', port: primaryHealthPort, path: '/health' },
      },
      secondary: {
        region: SECONDARY_REGION,
        value: 'alb.us-east-1.luneo.lab',
        ...(secondaryHealthPort
          ? { health: { ip: '127.0.0.1', port: secondaryHealthPort, path: '/health' } }
          : {}),
      },
    },
    secrets: { 'prod/luneo/DATABASE_URL': 'postgres://app:s3cret@db.eu-west-1.luneo.lab:15432/luneo' },
    alarms: { replicationLagThresholdMs: 60_000 },
  };
}
