// The drill's Kubernetes steps against the lab's cluster in its realistic mode (grace periods honoured): the
// fence waits for the pods themselves, the switchback restores what the failover recorded, dr-overrides keeps
// the keys it does not manage, and a concurrent write (409) is re-read and retried.
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../clients/aws/clients.ts';
import { KubeClient } from '../../../clients/kube/kube.ts';
import type { StepDefinition } from '../../../core/model.ts';
import { writeKubeconfig } from '../../../lab/k8s/index.ts';
import {
  envServerDeployment,
  type Fixture,
  isAlive,
  NS,
  startFixture,
  waitFor,
} from '../../../lab/k8s/testdata/fixture.ts';
import type { LuneoResources } from '../resources.ts';
import { type TestRun, testRun, useConnection } from '../testing.ts';
import {
  applyDrOverrides,
  DR_OVERRIDES_BEFORE,
  REPLICAS_BEFORE_FENCE,
  scaleDeployment,
} from './kubernetes.ts';

const CONTEXT = 'luneo-prod-eks-primary';
// A worker finishing its jobs after SIGTERM, within its grace period: the overlap the fence must wait out.
const DRAIN_MS = 1500;
let fx: Fixture;
let kube: KubeClient;

function runWith(client: KubeClient): TestRun {
  return useConnection(testRun(), { aws: new AwsClients({ region: 'eu-west-1' }), kube: () => client });
}

async function run(step: StepDefinition<LuneoResources>, ctx: TestRun) {
  const result = await step.run(ctx);
  if (!result) throw new Error(`${step.id} returned no result`);
  return result;
}

async function workerPids(): Promise<number[]> {
  return fx.cluster.podPids();
}

beforeAll(async () => {
  fx = await startFixture(CONTEXT, 'eu-west-1', undefined, { timing: 'realistic' });
  kube = KubeClient.fromKubeconfig({ kubeconfigPath: fx.kubeconfig, context: CONTEXT });
  const worker = envServerDeployment('ai-worker', 2, [{ name: 'DRAIN_MS', value: String(DRAIN_MS) }]);
  const spec = worker.spec.template.spec as Record<string, unknown>;
  spec.terminationGracePeriodSeconds = 30;
  await fx.cluster.apply(worker);
  await waitFor('2 ready workers', () => fx.cluster.readyEndpoints(NS, 'ai-worker').length === 2, 30_000);
});

afterAll(async () => {
  await fx?.cluster.stop();
});

describe('fence and switchback (realistic grace periods)', () => {
  it('the fence returns only once the pods are gone, says how long they overlapped, and records the count', async () => {
    const pids = await workerPids();
    expect(pids).toHaveLength(2);
    const fence = scaleDeployment({ side: 'primary', deployment: 'worker', replicas: 0 });
    const ctx = runWith(kube);
    const started = Date.now();
    const result = await run(fence, ctx);
    const tookMs = Date.now() - started;
    expect(await kube.listPods(NS, 'app=ai-worker')).toEqual([]);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    // The pods drained for DRAIN_MS after SIGTERM: the step waited that out and measured it.
    expect(result.measurements?.fenceOverlapMs).toBeGreaterThanOrEqual(DRAIN_MS);
    expect(result.measurements?.fenceOverlapMs).toBeLessThanOrEqual(tookMs);
    expect(result.detail).toMatch(/its pods ran \S+ after the scale/);
    expect((await kube.getDeployment(NS, 'ai-worker')).annotations[REPLICAS_BEFORE_FENCE]).toBe('2');
  });

  it('a second fence keeps the recorded count; the switchback restores it and forgets it', async () => {
    await run(scaleDeployment({ side: 'primary', deployment: 'worker', replicas: 0 }), runWith(kube));
    expect((await kube.getDeployment(NS, 'ai-worker')).annotations[REPLICAS_BEFORE_FENCE]).toBe('2');
    const back = scaleDeployment({
      side: 'primary',
      deployment: 'worker',
      replicas: 'recorded',
      fallbackReplicas: 1,
      runbook: '§9.1',
    });
    const result = await run(back, runWith(kube));
    expect(result.detail).toContain('0 → 2 replicas (recorded before the failover');
    const after = await kube.getDeployment(NS, 'ai-worker');
    expect(after.replicas).toBe(2);
    expect(after.annotations[REPLICAS_BEFORE_FENCE]).toBeUndefined();
    // Nothing recorded: the runbook's count, said.
    await kube.scaleDeployment(NS, 'ai-worker', 0);
    const fallback = await run(back, runWith(kube));
    expect(fallback.detail).toContain('NO count recorded before the failover');
    expect((await kube.getDeployment(NS, 'ai-worker')).replicas).toBe(1);
  });
});

describe('dr-overrides', () => {
  // The fixture is one cluster (the primary context): the steps run on that side, whose client is the fixture's.
  it('changes only dr_mode, records the previous value, and the switchback restores it', async () => {
    await fx.cluster.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'dr-overrides', namespace: NS },
      data: { dr_mode: 'normal', feature_x: 'on' },
    });
    const on = await run(applyDrOverrides({ side: 'primary', drMode: true }), runWith(kube));
    expect(on.detail).toContain('was normal; other keys kept: feature_x');
    expect(await kube.getConfigMap(NS, 'dr-overrides')).toEqual({ dr_mode: 'true', feature_x: 'on' });
    // Someone adds a key during the incident: the switchback keeps it too.
    await kube.patchConfigMap(NS, 'dr-overrides', () => ({ data: { added_later: 'yes' } }));
    const off = applyDrOverrides({
      side: 'primary',
      drMode: false,
      restoreRecorded: true,
      runbook: '§9.1',
    });
    const restored = await run(off, runWith(kube));
    expect(restored.detail).toContain(`restored from ${DR_OVERRIDES_BEFORE}`);
    expect(await kube.getConfigMap(NS, 'dr-overrides')).toEqual({
      dr_mode: 'normal',
      feature_x: 'on',
      added_later: 'yes',
    });
  });

  it('undo within the run puts the previous value back', async () => {
    const step = applyDrOverrides({ side: 'primary', drMode: true });
    const ctx = runWith(kube);
    const result = await run(step, ctx);
    await step.undo!(ctx, result.undoData);
    expect((await kube.getConfigMap(NS, 'dr-overrides'))?.dr_mode).toBe('normal');
  });
});

describe('409 Conflict on a configmap write', () => {
  let proxy: Server;
  let writesSeen = 0;
  let concurrentWrites = 0;
  let racing: KubeClient;

  // In front of the lab's API server: before forwarding the drill's first write, another writer (Helm, Argo
  // CD) changes the configmap, so the drill's resourceVersion is stale and the API server answers 409.
  beforeAll(async () => {
    const upstream = new URL(fx.cluster.port ? `http://127.0.0.1:${fx.cluster.port}` : '');
    proxy = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const isWrite = (req.method === 'PATCH' || req.method === 'PUT') && req.url?.includes('/configmaps/');
      if (isWrite && writesSeen++ === 0) {
        concurrentWrites++;
        await kube.patchConfigMap(NS, 'dr-overrides', () => ({ data: { helm_owned: String(Date.now()) } }));
      }
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.end(Buffer.concat(chunks));
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    const kubeconfig = `${fx.dir}/kubeconfig-racing`;
    const server = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    await writeKubeconfig(kubeconfig, [{ name: CONTEXT, server, context: CONTEXT }]);
    racing = KubeClient.fromKubeconfig({ kubeconfigPath: kubeconfig, context: CONTEXT });
  });

  afterAll(() => {
    proxy?.close();
  });

  it('re-reads and retries a merge patch: both writes survive', async () => {
    writesSeen = 0;
    await kube.patchConfigMap(NS, 'dr-overrides', () => ({ data: { dr_mode: 'normal' } }));
    await run(applyDrOverrides({ side: 'primary', drMode: true }), runWith(racing));
    expect(concurrentWrites).toBe(1);
    expect(writesSeen).toBe(2);
    const data = await kube.getConfigMap(NS, 'dr-overrides');
    expect(data?.dr_mode).toBe('true');
    expect(data?.helm_owned).toBeDefined();
  });

  it('re-reads and retries a replace', async () => {
    writesSeen = 0;
    const before = concurrentWrites;
    const result = await racing.applyConfigMap(NS, 'dr-overrides', { dr_mode: 'false' });
    expect(concurrentWrites).toBe(before + 1);
    expect(writesSeen).toBe(2);
    expect(result.changed).toBe(true);
    expect(await kube.getConfigMap(NS, 'dr-overrides')).toEqual({ dr_mode: 'false' });
  });
});
