// What the local AWS endpoint starts with: Luneo's global cluster, hosted zone, failover records, secrets, alarms.
import type { Region } from '../regions.ts';

export interface HealthTarget {
  ip: string;
  port: number;
  /** e.g. '/health'. */
  path: string;
}

export interface FailoverTarget {
  region: Region;
  /** A hostname such as 'alb.eu-west-1.luneo.lab' (the record is a CNAME). */
  value: string;
  health?: HealthTarget;
}

export interface AlarmSeed {
  /** Alarm names are `${namePrefix}aurora-replication-lag` etc. Default 'luneo-prod-'. */
  namePrefix?: string;
  /** luneo-prod-aurora-replication-lag fires when AuroraGlobalDBRPOLag > this. Default 60000. */
  replicationLagThresholdMs?: number;
  /** luneo-prod-alb-5xx fires when the primary ALB served more than this many 5xx in the window. Default 5. */
  alb5xxThreshold?: number;
  /** Default 10. */
  alb5xxWindowSeconds?: number;
}

export interface AwsSeed {
  /** e.g. 'luneo-prod-aurora-global'. */
  globalClusterId: string;
  /** e.g. { 'eu-west-1': 'luneo-prod-aurora-primary', 'us-east-1': 'luneo-prod-aurora-secondary' }. */
  clusters: Record<Region, string>;
  /** e.g. { name: 'luneo.app.' }. */
  hostedZone: { name: string };
  /** Two CNAME records (PRIMARY with a health check, SECONDARY with an optional one). */
  failoverRecords: {
    name: string;
    ttl: number;
    primary: FailoverTarget & { health: HealthTarget };
    secondary: FailoverTarget;
  };
  /** Secret name → SecretString, e.g. { 'prod/luneo/DATABASE_URL': 'postgres://…' }. */
  secrets: Record<string, string>;
  /**
   * Where the seeded secrets are created and which regions they replicate to (the app in each region reads its
   * own region's copy). Default: created in the primary record's region, replicated to the secondary's.
   */
  secretPlacement?: { primary: Region; replicas: Region[] };
  alarms?: AlarmSeed;
}
