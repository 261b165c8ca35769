// The lab's EKS clusters through @kubernetes/client-node and kubectl: deleting a luneo-api pod kills its
// process and the deployment replaces it; a rollout restart makes pods re-read DATABASE_URL from Secrets Manager.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  PutSecretValueCommand,
  SecretsManagerClient,
  StopReplicationToReplicaCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LUNEO, PRIMARY_REGION, type Region, SECONDARY_REGION } from '../regions.ts';
import {
  awsConfig,
  bootTestLab,
  clusterEndpoint,
  databaseUrlFromSecret,
  hostOf,
  type TestLab,
  urlAt,
} from '../testing/lab-fixture.ts';
import { isProcessAlive, waitFor } from '../testing/poll.ts';

const run = promisify(execFile);
const NS = LUNEO.namespace;
const API = 'luneo-api';

let t: TestLab;
const kube = {} as Record<Region, { core: CoreV1Api; apps: AppsV1Api }>;

beforeAll(async () => {
  t = await bootTestLab('lab-k8s');
  for (const region of [PRIMARY_REGION, SECONDARY_REGION] as const) {
    const kc = new KubeConfig();
    kc.loadFromFile(t.info.kubeconfig);
    kc.setCurrentContext(t.info.contexts[region]);
    kube[region] = { core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api) };
  }
}, 120_000);

afterAll(async () => {
  await t?.close();
}, 60_000);

function kubectl(region: Region, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(
    '/usr/bin/kubectl',
    ['--kubeconfig', t.info.kubeconfig, '--context', t.info.contexts[region], '-n', NS, ...args],
    { timeout: 90_000 },
  );
}

function pidOf(pod: V1Pod): number {
  const id = pod.status?.containerStatuses?.[0]?.containerID ?? '';
  const pid = Number(id.replace('process://', ''));
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`pod ${pod.metadata?.name}: containerID "${id}"`);
  return pid;
}

async function readyApiPods(region: Region): Promise<V1Pod[]> {
  const list = await kube[region].core.listNamespacedPod({ namespace: NS, labelSelector: `app=${API}` });
  return list.items.filter(
    (p) =>
      !p.metadata?.deletionTimestamp &&
      p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
}

/** Waits for 2 ready luneo-api pods that are all new (none of `old`), and returns them. */
async function twoNewReadyPods(region: Region, old: Set<string>): Promise<V1Pod[]> {
  return waitFor(
    `2 ready ${API} pods in ${region} none of which is ${[...old].join(', ')}`,
    async () => {
      const pods = await readyApiPods(region);
      return pods.length === 2 && pods.every((p) => !old.has(p.metadata?.name as string)) ? pods : undefined;
    },
    { timeoutMs: 45_000 },
  );
}

async function podIsGone(region: Region, name: string): Promise<boolean> {
  try {
    await kube[region].core.readNamespacedPod({ name, namespace: NS });
    return false;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return true;
    throw error;
  }
}

async function expectReplaced(region: Region, deleted: V1Pod, survivor: V1Pod): Promise<void> {
  const name = deleted.metadata?.name as string;
  await waitFor(`the process of pod ${name} to exit`, () => !isProcessAlive(pidOf(deleted)), {
    timeoutMs: 15_000,
  });
  await waitFor(`pod ${name} to be gone from the API`, () => podIsGone(region, name), { timeoutMs: 15_000 });
  const now = await twoNewReadyPods(region, new Set([name]));
  const names = now.map((p) => p.metadata?.name);
  expect(names).toContain(survivor.metadata?.name);
  const replacement = now.find((p) => p.metadata?.name !== survivor.metadata?.name) as V1Pod;
  expect(isProcessAlive(pidOf(replacement))).toBe(true);
  expect(pidOf(replacement)).not.toBe(pidOf(deleted));
  const deployment = await kube[region].apps.readNamespacedDeployment({ name: API, namespace: NS });
  expect(deployment.status?.readyReplicas).toBe(2);
}

interface RegionHealth {
  status: number;
  host: string;
  role: string;
  pod: string;
}

/** /health of luneo-api pods behind the region's load balancer. */
async function albHealth(region: Region): Promise<RegionHealth> {
  const response = await fetch(`${t.info.regions[region].albUrl}/health`, {
    signal: AbortSignal.timeout(3000),
  });
  const body = (await response.json()) as { pod: string; database: { host: string; role: string } };
  return { status: response.status, host: body.database.host, role: body.database.role, pod: body.pod };
}

/** Asks until every ready pod has answered (the load balancer spreads requests) and returns one answer per pod. */
async function healthOfEveryPod(region: Region, pods: V1Pod[]): Promise<Map<string, RegionHealth>> {
  const seen = new Map<string, RegionHealth>();
  const names = pods.map((p) => p.metadata?.name as string);
  await waitFor(`/health from pods ${names.join(', ')} in ${region}`, async () => {
    const answer = await albHealth(region);
    if (names.includes(answer.pod)) seen.set(answer.pod, answer);
    return seen.size === names.length;
  });
  return seen;
}

describe('pods are processes managed through the Kubernetes API', { timeout: 180_000 }, () => {
  it('deleting a luneo-api pod with client-node kills its process and a new pod replaces it', async () => {
    // Both replicas must be Ready first: the lab is up once one pod per region answers.
    const [victim, survivor] = await twoNewReadyPods(PRIMARY_REGION, new Set());
    expect(isProcessAlive(pidOf(victim as V1Pod))).toBe(true);
    await kube[PRIMARY_REGION].core.deleteNamespacedPod({
      name: victim?.metadata?.name as string,
      namespace: NS,
    });
    await expectReplaced(PRIMARY_REGION, victim as V1Pod, survivor as V1Pod);
  });

  it('deleting a luneo-api pod with kubectl kills its process and a new pod replaces it', async () => {
    const [victim, survivor] = await twoNewReadyPods(SECONDARY_REGION, new Set());
    const name = victim?.metadata?.name as string;
    const { stdout } = await kubectl(SECONDARY_REGION, 'delete', 'pod', name);
    expect(stdout.trim()).toBe(`pod "${name}" deleted`);
    await expectReplaced(SECONDARY_REGION, victim as V1Pod, survivor as V1Pod);
  });

  it('a rollout restart (client-node, then kubectl) makes pods re-read DATABASE_URL from Secrets Manager', async () => {
    const secrets = new SecretsManagerClient(awsConfig(t.info, SECONDARY_REGION));
    try {
      const original = await databaseUrlFromSecret(t.info, SECONDARY_REGION);
      const local = urlAt(original, await clusterEndpoint(t.info, SECONDARY_REGION));
      expect(hostOf(local)).not.toBe(hostOf(original));
      const before = await readyApiPods(SECONDARY_REGION);
      // us-east-1's copy is a replica of eu-west-1's, read-only until promoted in its own region.
      const refused = await secrets
        .send(new PutSecretValueCommand({ SecretId: t.info.secrets.databaseUrl, SecretString: local }))
        .catch((e: Error) => e.name);
      expect(refused).toBe('InvalidParameterException');
      await secrets.send(new StopReplicationToReplicaCommand({ SecretId: t.info.secrets.databaseUrl }));
      await secrets.send(
        new PutSecretValueCommand({ SecretId: t.info.secrets.databaseUrl, SecretString: local }),
      );
      // eu-west-1's copy keeps its value: the us-east-1 pods below read their own region's.
      expect(await databaseUrlFromSecret(t.info, PRIMARY_REGION)).toBe(original);

      // Pods read the secret once, at start: without a restart they keep the old database.
      for (const answer of (await healthOfEveryPod(SECONDARY_REGION, before)).values()) {
        expect({ host: answer.host, status: answer.status }).toEqual({ host: hostOf(original), status: 200 });
      }

      const restartedAt = new Date().toISOString();
      await kube[SECONDARY_REGION].apps.patchNamespacedDeployment(
        {
          name: API,
          namespace: NS,
          body: {
            spec: {
              template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } },
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const status = await kubectl(
        SECONDARY_REGION,
        'rollout',
        'status',
        `deployment/${API}`,
        '--timeout=60s',
      );
      expect(status.stdout).toContain(`deployment "${API}" successfully rolled out`);
      const restarted = await twoNewReadyPods(
        SECONDARY_REGION,
        new Set(before.map((p) => p.metadata?.name as string)),
      );
      for (const answer of (await healthOfEveryPod(SECONDARY_REGION, restarted)).values()) {
        // The us-east-1 replica is read-only: /health says so with a 503.
        expect(answer).toMatchObject({ host: hostOf(local), role: 'reader', status: 503 });
      }

      await secrets.send(
        new PutSecretValueCommand({ SecretId: t.info.secrets.databaseUrl, SecretString: original }),
      );
      const viaKubectl = await kubectl(SECONDARY_REGION, 'rollout', 'restart', `deployment/${API}`);
      expect(viaKubectl.stdout.trim()).toBe(`deployment.apps/${API} restarted`);
      await kubectl(SECONDARY_REGION, 'rollout', 'status', `deployment/${API}`, '--timeout=60s');
      const again = await twoNewReadyPods(
        SECONDARY_REGION,
        new Set(restarted.map((p) => p.metadata?.name as string)),
      );
      for (const answer of (await healthOfEveryPod(SECONDARY_REGION, again)).values()) {
        expect(answer).toMatchObject({ host: hostOf(original), role: 'writer', status: 200 });
      }
    } finally {
      secrets.destroy();
    }
  });
});
