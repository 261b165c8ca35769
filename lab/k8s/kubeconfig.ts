// A kubeconfig for the lab's clusters, readable by kubectl and @kubernetes/client-node.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LUNEO } from '../regions.ts';

export interface KubeconfigCluster {
  /** EKS cluster name, e.g. luneo-prod-eks-primary. */
  name: string;
  /** http://127.0.0.1:<port> */
  server: string;
  /** Context name the caller uses (often the cluster name). */
  context: string;
  /** When given, the EKS ARN form `arn:aws:eks:<region>:111122223333:cluster/<name>` is also a context. */
  region?: string;
}

export function eksClusterArn(region: string, name: string): string {
  return `arn:aws:eks:${region}:${LUNEO.accountId}:cluster/${name}`;
}

/**
 * Writes a kubeconfig with one cluster entry per cluster (plain http, so `insecure-skip-tls-verify`,
 * which client-node 2.x needs) and these contexts: `context`, the cluster `name` when it differs, and the
 * EKS ARN form when `region` is given, as `aws eks update-kubeconfig` names it. The first context is current.
 */
export async function writeKubeconfig(path: string, clusters: KubeconfigCluster[]): Promise<void> {
  if (clusters.length === 0) throw new Error('writeKubeconfig: give at least one cluster');
  const contexts: { name: string; context: { cluster: string; user: string; namespace: string } }[] = [];
  for (const c of clusters) {
    const names = new Set([c.context, c.name, ...(c.region ? [eksClusterArn(c.region, c.name)] : [])]);
    for (const name of names)
      contexts.push({ name, context: { cluster: c.name, user: 'lab', namespace: LUNEO.namespace } });
  }
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: clusters.map((c) => ({
      name: c.name,
      cluster: { server: c.server, 'insecure-skip-tls-verify': true },
    })),
    users: [{ name: 'lab', user: {} }],
    contexts,
    'current-context': clusters[0]!.context,
  };
  await mkdir(dirname(path), { recursive: true });
  // JSON is valid YAML: kubectl and client-node both read it.
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
