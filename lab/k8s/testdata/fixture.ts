// Shared by the k8s lab tests: a cluster in a temp dir, seeded like the Luneo platform, plus waiting helpers.
import { appendFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeCluster, type KubeClusterOptions, writeKubeconfig } from '../index.ts';

export const NS = 'luneo-platform';
export const ENV_SERVER = 'lab/k8s/testdata/env-server.mjs';

export interface Fixture {
  cluster: KubeCluster;
  dir: string;
  kubeconfig: string;
}

/** A deployment whose pods run env-server.mjs, with DR_MODE from the dr-overrides configmap. */
export function envServerDeployment(
  name: string,
  replicas: number,
  extraEnv: { name: string; value: string }[] = [],
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'main',
              image: `luneo/${name}:1.0.0`,
              command: ['node', ENV_SERVER],
              env: [
                { name: 'DR_MODE', valueFrom: { configMapKeyRef: { name: 'dr-overrides', key: 'dr_mode' } } },
                ...extraEnv,
              ],
              readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
            },
          ],
        },
      },
    },
  };
}

export async function startFixture(
  name: string,
  region: string,
  podEnv?: (pod: { name: string; namespace: string; deployment: string }) => Record<string, string>,
  options: Pick<KubeClusterOptions, 'timing' | 'timingOverrides' | 'customResources'> = {},
): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), `k8s-${name}-`));
  // K8S_LAB_TRACE=<file>: log every API request and pod event of the test clusters there.
  const trace = process.env.K8S_LAB_TRACE;
  const log = trace
    ? (line: string) => appendFileSync(trace, `${new Date().toISOString()} ${line}\n`)
    : undefined;
  const cluster = new KubeCluster({
    name,
    region,
    dir,
    ...(podEnv ? { podEnv } : {}),
    ...(log ? { log, traceRequests: true } : {}),
    ...options,
  });
  const port = await cluster.start();
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, [{ name, server: `http://127.0.0.1:${port}`, context: name, region }]);
  await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await cluster.apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'dr-overrides', namespace: NS },
    data: { dr_mode: 'normal' },
  });
  return { cluster, dir, kubeconfig };
}

/** Polls `check` every 50 ms until it returns a value other than undefined/false, or fails saying what it waited for. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`,
  );
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** GET a pod's env-server and return what it reports. */
export async function fetchPodEnv(port: number): Promise<{ pid: number; env: Record<string, string> }> {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  return (await res.json()) as { pid: number; env: Record<string, string> };
}
