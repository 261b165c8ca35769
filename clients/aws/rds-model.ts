// Aurora Global Database shapes and pure helpers: typed global cluster, ARN parsing, planned calls.

import type { GlobalCluster } from '@aws-sdk/client-rds';
import type { PlannedCall } from '../../core/model.ts';

export interface GlobalClusterMemberInfo {
  clusterArn: string;
  clusterId: string;
  region: string;
  isWriter: boolean;
  syncStatus: string | undefined;
  readers: string[];
}

export interface GlobalClusterInfo {
  id: string;
  arn: string;
  status: string;
  endpoint: string | undefined;
  members: GlobalClusterMemberInfo[];
  /** Present only while a failover or switchover is pending or running. */
  failoverState?: {
    status: string;
    fromClusterArn?: string;
    toClusterArn?: string;
    isDataLossAllowed?: boolean;
  };
}

export interface DbClusterInfo {
  id: string;
  arn: string;
  status: string;
  endpoint: string | undefined;
  readerEndpoint: string | undefined;
  engine: string | undefined;
  engineVersion: string | undefined;
  globalClusterId: string | undefined;
  instances: { instanceId: string; isWriter: boolean }[];
  /** The cluster endpoint's port (the lab serves every region on 127.0.0.1, each on its own port). */
  port?: number | undefined;
}

export interface GlobalTargetInput {
  globalClusterId: string;
  /** ARN of the cluster that must become writer. */
  targetClusterArn: string;
}

export interface ChangeWriterResult {
  /** True when nothing was sent: the target was already writer, or an operation towards it was running. */
  alreadyDone: boolean;
  globalCluster: GlobalClusterInfo;
}

/** "arn:aws:rds:us-east-1:111122223333:cluster:luneo-prod-aurora-secondary" → region and cluster id. */
export function parseClusterArn(arn: string): { region: string; clusterId: string } {
  const parts = arn.split(':');
  return { region: parts[3] ?? '', clusterId: parts.slice(6).join(':') || arn };
}

export function toGlobalClusterInfo(gc: GlobalCluster): GlobalClusterInfo {
  const fs = gc.FailoverState;
  return {
    id: gc.GlobalClusterIdentifier ?? '',
    arn: gc.GlobalClusterArn ?? '',
    status: gc.Status ?? 'unknown',
    endpoint: gc.Endpoint,
    members: (gc.GlobalClusterMembers ?? []).map((m) => {
      const arn = m.DBClusterArn ?? '';
      const { region, clusterId } = parseClusterArn(arn);
      return {
        clusterArn: arn,
        clusterId,
        region,
        isWriter: m.IsWriter === true,
        syncStatus: m.SynchronizationStatus,
        readers: m.Readers ?? [],
      };
    }),
    ...(fs?.Status
      ? {
          failoverState: {
            status: fs.Status,
            ...(fs.FromDbClusterArn ? { fromClusterArn: fs.FromDbClusterArn } : {}),
            ...(fs.ToDbClusterArn ? { toClusterArn: fs.ToDbClusterArn } : {}),
            ...(fs.IsDataLossAllowed !== undefined ? { isDataLossAllowed: fs.IsDataLossAllowed } : {}),
          },
        }
      : {}),
  };
}

export function writerOf(gc: GlobalClusterInfo): GlobalClusterMemberInfo | undefined {
  return gc.members.find((m) => m.isWriter);
}

export function summarize(gc: GlobalClusterInfo): string {
  const writer = writerOf(gc)?.clusterArn ?? 'none';
  const op = gc.failoverState
    ? `, ${gc.failoverState.status} to ${gc.failoverState.toClusterArn ?? '?'}`
    : '';
  return `status ${gc.status}, writer ${writer}${op}`;
}

export function planFailoverGlobalCluster(
  region: string,
  input: GlobalTargetInput & { allowDataLoss: boolean },
): PlannedCall {
  return {
    service: 'rds',
    operation: 'FailoverGlobalCluster',
    scope: region,
    params: {
      GlobalClusterIdentifier: input.globalClusterId,
      TargetDbClusterIdentifier: input.targetClusterArn,
      AllowDataLoss: input.allowDataLoss,
    },
    mutating: true,
  };
}

export function planSwitchoverGlobalCluster(region: string, input: GlobalTargetInput): PlannedCall {
  return {
    service: 'rds',
    operation: 'SwitchoverGlobalCluster',
    scope: region,
    params: {
      GlobalClusterIdentifier: input.globalClusterId,
      TargetDbClusterIdentifier: input.targetClusterArn,
    },
    mutating: true,
  };
}
