// The contract between the local AWS endpoint and the lab: the orchestrator implements it over the
// real database, Kubernetes and app classes; tests implement it with an in-process fake.
import type { Region } from '../regions.ts';

export type DbRole = 'writer' | 'replica' | 'fenced' | 'down' | 'rebuilding';

/** Something FIS can target: a subnet per region and tier, an RDS cluster or instance, an EKS pod... */
export interface LabResource {
  arn: string;
  /** FIS resource type: 'aws:ec2:subnet' | 'aws:rds:cluster' | 'aws:rds:db' | 'aws:eks:pod' ... */
  type: string;
  region: Region;
  tags: Record<string, string>;
  id: string;
  /**
   * What FIS target `parameters` match, e.g. for 'aws:eks:pod': { clusterIdentifier: 'luneo-prod-eks-primary',
   * namespace: 'luneo-platform' } (the pod's labels go in `tags`, matched by selectorType 'labelSelector').
   */
  attributes?: Record<string, string>;
}

/** A FIS action as the lab receives it: parameters as FIS sends them, targets already resolved. */
export interface LabFaultAction {
  actionId: string;
  parameters: Record<string, string>;
  targets: LabResource[];
}

/** Reverts one injected fault. */
export type LabRevert = () => Promise<void>;

export interface LabDatabase {
  role(region: Region): Promise<DbRole>;
  syncStatus(region: Region): 'connected' | 'pending-resync';
  endpoint(region: Region): { host: string; port: number };
  /** Replication lag of the secondary behind the writer, null when unknown (e.g. writer down). */
  replicationLagMs(): Promise<number | null>;
  /** May throw an error with `.code` (an AWS fault code such as InvalidGlobalClusterStateFault) and a message. */
  failover(to: Region, opts: { allowDataLoss: boolean }): Promise<void>;
  switchover(to: Region): Promise<void>;
  /** aws:rds:failover-db-cluster / aws:rds:reboot-db-instances. */
  restartWriter(): Promise<void>;
}

export interface AwsLabBackend {
  /** e.g. '111122223333'. */
  accountId: string;
  database: LabDatabase;
  /** Apply a FIS action to the lab; resolves once injected; returns the revert. Throw for actions the lab cannot map. */
  injectFault(action: LabFaultAction): Promise<LabRevert>;
  /** Resources FIS can target (ARN + tags). */
  resources(): LabResource[];
  /** Cumulative request / 5xx counts of each region's load balancer (alb-5xx alarm). */
  loadBalancerStats(region: Region): { requests: number; errors5xx: number };
  /**
   * Whether `service`'s endpoint in `region` answers: a regional outage takes that region's AWS endpoints down
   * with it. Absent: every region answers.
   */
  controlPlaneReachable?(region: string, service: string | undefined): boolean;
}

/** An error the backend throws to be answered as an AWS fault (code = the AWS error code). */
export class LabBackendError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'LabBackendError';
    this.code = code;
  }
}
