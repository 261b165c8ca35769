// EKS pods as FIS sees them (aws:eks:pod targets), read from each cluster's Kubernetes API.
import type { LabResource } from '../aws/backend.ts';
import { LUNEO, type Region } from '../regions.ts';

interface PodList {
  items: { metadata: { name: string; namespace: string; uid?: string; labels?: Record<string, string> } }[];
}

export async function listPodResources(region: Region, apiUrl: string): Promise<LabResource[]> {
  const response = await fetch(`${apiUrl}/api/v1/namespaces/${LUNEO.namespace}/pods`, {
    signal: AbortSignal.timeout(2000),
  });
  if (!response.ok) return [];
  const list = (await response.json()) as PodList;
  const cluster = LUNEO.eksClusters[region];
  return list.items.map(({ metadata }) => ({
    arn: `arn:aws:eks:${region}:${LUNEO.accountId}:pod/${cluster}/${metadata.namespace}/${metadata.name}`,
    type: 'aws:eks:pod',
    region,
    id: metadata.name,
    tags: { ...(metadata.labels ?? {}) },
    attributes: { clusterIdentifier: cluster, namespace: metadata.namespace },
  }));
}
