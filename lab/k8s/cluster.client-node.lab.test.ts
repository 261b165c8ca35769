// KubeCluster driven through @kubernetes/client-node 2.x only: pods are processes, scaling starts and
// stops them, deleting a pod kills and replaces it, patches and error shapes are the API's.
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
import {
  envServerDeployment,
  type Fixture,
  fetchPodEnv,
  isAlive,
  NS,
  startFixture,
  waitFor,
} from './testdata/fixture.ts';

let fx: Fixture;
let apps: AppsV1Api;
let core: CoreV1Api;
const seenPids = new Set<number>();

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

async function readyPods(app: string): Promise<V1Pod[]> {
  const list = await core.listNamespacedPod({ namespace: NS, labelSelector: `app=${app}` });
  return list.items.filter(
    (p) =>
      !p.metadata?.deletionTimestamp &&
      p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
}

function pidsOf(app: string): Promise<number[]> {
  return readyPods(app).then((pods) =>
    pods.map((p) => Number(p.status!.containerStatuses![0]!.containerID!.replace('process://', ''))),
  );
}

async function apiError(call: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiException);
  const e = error as ApiException<string>;
  return { code: e.code, body: JSON.parse(e.body) as Record<string, unknown> };
}

beforeAll(async () => {
  fx = await startFixture('luneo-prod-eks-primary', 'eu-west-1', (pod) => ({
    LAB_REGION: 'eu-west-1',
    LAB_DEPLOYMENT: pod.deployment,
  }));
  const kc = new KubeConfig();
  kc.loadFromFile(fx.kubeconfig);
  apps = kc.makeApiClient(AppsV1Api);
  core = kc.makeApiClient(CoreV1Api);
  await fx.cluster.apply(envServerDeployment('luneo-api', 2));
});

afterAll(async () => {
  await fx?.cluster.stop();
});

describe('KubeCluster through @kubernetes/client-node', () => {
  it('runs each replica as a process that gets PORT, POD_NAME, POD_NAMESPACE, NODE_NAME, podEnv and the configmap value', async () => {
    const started = Date.now();
    const pods = await waitFor('2 ready luneo-api pods', async () =>
      (await readyPods('luneo-api')).length === 2 ? readyPods('luneo-api') : undefined,
    );
    console.log(`2 pods Ready ${Date.now() - started} ms after the deployment was applied`);
    const endpoints = fx.cluster.readyEndpoints(NS, 'luneo-api');
    expect(endpoints.map((e) => e.pod).sort()).toEqual(pods.map((p) => p.metadata!.name).sort());
    for (const { pod, port } of endpoints) {
      const { pid, env } = await fetchPodEnv(port);
      seenPids.add(pid);
      expect(isAlive(pid)).toBe(true);
      expect(env.PORT).toBe(String(port));
      expect(env.POD_NAME).toBe(pod);
      expect(env.POD_NAMESPACE).toBe(NS);
      expect(env.NODE_NAME).toMatch(/^ip-10-0-[12]-10\.eu-west-1\.compute\.internal$/);
      expect(env.DR_MODE).toBe('normal');
      expect(env.LAB_REGION).toBe('eu-west-1');
      expect(env.LAB_DEPLOYMENT).toBe('luneo-api');
      expect(pod).toMatch(/^luneo-api-[bcdfghjklmnpqrstvwxz2456789]+-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    }
    expect(new Set(pods.map((p) => p.spec!.nodeName)).size).toBe(2);
    const d = await apps.readNamespacedDeployment({ name: 'luneo-api', namespace: NS });
    expect(d.status).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(d.status!.conditions!.find((c) => c.type === 'Progressing')!.reason).toBe(
      'NewReplicaSetAvailable',
    );
  });

  it('scales up and down through the scale subresource: processes start and stop', async () => {
    await apps.patchNamespacedDeploymentScale(
      { name: 'luneo-api', namespace: NS, body: { spec: { replicas: 3 } } },
      mergePatch,
    );
    const three = await waitFor('3 ready pods', async () =>
      (await pidsOf('luneo-api')).length === 3 ? pidsOf('luneo-api') : undefined,
    );
    for (const pid of three) expect(isAlive(pid)).toBe(true);
    const scale = await apps.readNamespacedDeploymentScale({ name: 'luneo-api', namespace: NS });
    expect(scale.spec!.replicas).toBe(3);
    expect(scale.status).toEqual({ replicas: 3, selector: 'app=luneo-api' });

    await apps.patchNamespacedDeploymentScale(
      { name: 'luneo-api', namespace: NS, body: { spec: { replicas: 1 } } },
      mergePatch,
    );
    const one = await waitFor('1 pod left', async () =>
      (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=luneo-api' })).items.length === 1
        ? pidsOf('luneo-api')
        : undefined,
    );
    const stopped = three.filter((p) => !one.includes(p));
    expect(stopped).toHaveLength(2);
    for (const pid of stopped) expect(isAlive(pid)).toBe(false);
    expect(fx.cluster.podPids()).toEqual(one);
    for (const pid of three) seenPids.add(pid);
  });

  it('deleting a pod kills its process and the deployment replaces it', async () => {
    const [pod] = await readyPods('luneo-api');
    const [pid] = await pidsOf('luneo-api');
    await core.deleteNamespacedPod({ name: pod!.metadata!.name!, namespace: NS });
    await waitFor(
      'the deleted pod to be gone',
      async () =>
        (
          await core.listNamespacedPod({
            namespace: NS,
            fieldSelector: `metadata.name=${pod!.metadata!.name}`,
          })
        ).items.length === 0,
    );
    expect(isAlive(pid!)).toBe(false);
    const [replacement] = await waitFor('a ready replacement', async () => {
      const pods = await readyPods('luneo-api');
      return pods.length === 1 ? pods : undefined;
    });
    expect(replacement!.metadata!.name).not.toBe(pod!.metadata!.name);
    for (const p of await pidsOf('luneo-api')) seenPids.add(p);
  });

  it('merge-patches and json-patches a configmap; a failed json patch test is a 422', async () => {
    await core.patchNamespacedConfigMap(
      { name: 'dr-overrides', namespace: NS, body: { data: { extra: 'x' } } },
      mergePatch,
    );
    const patched = await core.patchNamespacedConfigMap(
      {
        name: 'dr-overrides',
        namespace: NS,
        body: [
          { op: 'replace', path: '/data/dr_mode', value: 'failover' },
          { op: 'remove', path: '/data/extra' },
        ],
      },
      jsonPatch,
    );
    expect(patched.data).toEqual({ dr_mode: 'failover' });
    const failed = await apiError(
      core.patchNamespacedConfigMap(
        {
          name: 'dr-overrides',
          namespace: NS,
          body: [{ op: 'test', path: '/data/dr_mode', value: 'normal' }],
        },
        jsonPatch,
      ),
    );
    expect(failed.code).toBe(422);
    expect(failed.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422 });
  });

  it('answers missing objects, duplicates and invalid objects with Status objects', async () => {
    const missing = await apiError(apps.readNamespacedDeployment({ name: 'nope', namespace: NS }));
    expect(missing).toEqual({
      code: 404,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'deployments.apps "nope" not found',
        reason: 'NotFound',
        details: { name: 'nope', group: 'apps', kind: 'deployments' },
        code: 404,
      },
    });
    const duplicate = await apiError(
      core.createNamespacedConfigMap({
        namespace: NS,
        body: { metadata: { name: 'dr-overrides' }, data: {} },
      }),
    );
    expect(duplicate.code).toBe(409);
    expect(duplicate.body).toMatchObject({
      reason: 'AlreadyExists',
      message: 'configmaps "dr-overrides" already exists',
    });
    const bad = envServerDeployment('bad', 1);
    bad.spec.selector.matchLabels.app = 'other';
    const invalid = await apiError(apps.createNamespacedDeployment({ namespace: NS, body: bad }));
    expect(invalid.code).toBe(422);
    expect(invalid.body.message).toBe(
      'Deployment.apps "bad" is invalid: spec.template.metadata.labels: Invalid value: {"app":"bad"}: `selector` does not match template `labels`',
    );
  });

  it('restarts a crashing container with backoff and reports CrashLoopBackOff', async () => {
    await apps.createNamespacedDeployment({
      namespace: NS,
      body: envServerDeployment('crasher', 1, [{ name: 'EXIT_AFTER_MS', value: '100' }]),
    });
    const pod = await waitFor('a restarted crasher pod', async () => {
      const [p] = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=crasher' })).items;
      return (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 ? p : undefined;
    });
    const status = pod.status!.containerStatuses![0]!;
    expect(status.lastState!.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    const waiting = await waitFor('CrashLoopBackOff', async () => {
      const [p] = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=crasher' })).items;
      return p?.status?.containerStatuses?.[0]?.state?.waiting;
    });
    expect(waiting.reason).toBe('CrashLoopBackOff');
    await apps.deleteNamespacedDeployment({ name: 'crasher', namespace: NS });
    await waitFor(
      'crasher pods gone',
      async () =>
        (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=crasher' })).items.length === 0,
    );
  });

  it('stop() kills every pod process', async () => {
    for (const pid of fx.cluster.podPids()) seenPids.add(pid);
    expect(seenPids.size).toBeGreaterThanOrEqual(4);
    await fx.cluster.stop();
    expect([...seenPids].filter(isAlive)).toEqual([]);
    expect(fx.cluster.podPids()).toEqual([]);
  });
});
