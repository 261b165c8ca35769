// The drill's Kubernetes steps against what a real cluster adds around them (issue 21 items 3, 6, 7):
// - EKS endpoint access: a subnet outage cuts the nodes off the API server; with a public endpoint the drill's fence
//   PATCH still succeeds but the pods never stop (the fence says so), with a private-only one the drill loses the API;
// - KEDA: a ScaledObject puts a scaled-to-0 deployment back; the fence pauses it and holds, its undo resumes it;
// - workload kinds and selectors: pods are what the workload's own spec.selector selects; an Argo Rollout is refused
//   with the reason; a server without the Rollout CRD answers 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../clients/aws/clients.ts';
import { isClientError } from '../../../clients/errors.ts';
import { KubeClient } from '../../../clients/kube/kube.ts';
import { KEDA_PAUSED_REPLICAS, PAUSED_BY_DRILL } from '../../../clients/kube/managers.ts';
import { readWorkload } from '../../../clients/kube/workloads.ts';
import type { StepDefinition } from '../../../core/model.ts';
import { EksEndpoint } from '../../../lab/k8s/eks-endpoint.ts';
import { writeKubeconfig } from '../../../lab/k8s/index.ts';
import {
  envServerDeployment,
  type Fixture,
  fetchPodEnv,
  isAlive,
  NS,
  startFixture,
  waitFor,
} from '../../../lab/k8s/testdata/fixture.ts';
import { Link } from '../../../lab/net/link.ts';
import type { LuneoResources } from '../resources.ts';
import { type TestRun, testRun, useConnection } from '../testing.ts';
import { type KubeChange, kubeChangesHold } from './kube-preflight.ts';
import { REPLICAS_BEFORE_FENCE, rolloutRestart, scaleDeployment } from './kubernetes.ts';
import { badConfigCrashLoop } from './workload.ts';

const CONTEXT = 'luneo-prod-eks-primary';
const FAST_RETRY = { retry: { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 100 } };
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

async function failure(step: StepDefinition<LuneoResources>, ctx: TestRun): Promise<Error> {
  try {
    await step.run(ctx);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${step.id} did not fail`);
}

async function replicas(name: string): Promise<number> {
  return (await kube.getDeployment(NS, name)).replicas;
}

async function readyWorkers(name: string, n: number): Promise<void> {
  await waitFor(`${n} ready ${name}`, () => fx.cluster.readyEndpoints(NS, name).length === n, 30_000);
}

beforeAll(async () => {
  fx = await startFixture(CONTEXT, 'eu-west-1', undefined, {
    customResources: ['scaledobjects.keda.sh', 'rollouts.argoproj.io'],
    // Fast kubelet; the node lifecycle controller's grace shortened so the cut-off node is seen within a test.
    timingOverrides: { nodeMonitorGraceMs: 3000 },
  });
  kube = KubeClient.fromKubeconfig({ kubeconfigPath: fx.kubeconfig, context: CONTEXT });
});

afterAll(async () => {
  await fx?.cluster.stop();
});

describe('KEDA ScaledObject on the fenced deployment (item 6)', () => {
  beforeAll(async () => {
    await fx.cluster.apply(envServerDeployment('ai-worker', 2));
    await fx.cluster.apply({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'ai-worker', namespace: NS },
      spec: { scaleTargetRef: { name: 'ai-worker' }, minReplicaCount: 2, pollingInterval: 30 },
    });
    await readyWorkers('ai-worker', 2);
  });

  it('without a pause, KEDA puts a deployment scaled to 0 back at its next poll', async () => {
    await kube.scaleDeployment(NS, 'ai-worker', 0);
    await waitFor('KEDA to restore 2 replicas', async () => (await replicas('ai-worker')) === 2, 15_000);
    await readyWorkers('ai-worker', 2);
  });

  it('the fence pauses KEDA at 0 and holds; its undo resumes KEDA and the workers', async () => {
    const fence = scaleDeployment({ side: 'primary', deployment: 'worker', replicas: 0 });
    const ctx = runWith(kube);
    const result = await run(fence, ctx);
    expect(result.detail).toContain(`KEDA paused at 0 (${KEDA_PAUSED_REPLICAS}) on ai-worker`);
    // Several KEDA polls later (250 ms each in fast timing), still fenced.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await replicas('ai-worker')).toBe(0);
    expect(await kube.listPods(NS, 'app=ai-worker')).toEqual([]);
    await fence.undo!(ctx, result.undoData);
    await waitFor('2 replicas again', async () => (await replicas('ai-worker')) === 2, 15_000);
    await readyWorkers('ai-worker', 2);
  });

  it('the switchback resumes a KEDA pause the failover left', async () => {
    await run(scaleDeployment({ side: 'primary', deployment: 'worker', replicas: 0 }), runWith(kube));
    const back = scaleDeployment({
      side: 'primary',
      deployment: 'worker',
      replicas: 'recorded',
      runbook: '§9.1',
    });
    const result = await run(back, runWith(kube));
    expect(result.detail).toContain('KEDA resumed on ai-worker');
    expect(await replicas('ai-worker')).toBe(2);
    const annotations = await scaledObjectAnnotations();
    expect(annotations[KEDA_PAUSED_REPLICAS]).toBeUndefined();
    expect(annotations[PAUSED_BY_DRILL]).toBeUndefined();
    await readyWorkers('ai-worker', 2);
  });
});

describe('preflight: controllers that would undo the failover (item 6)', () => {
  const fence: KubeChange[] = [{ side: 'primary', deployment: 'worker', change: 'scale to 0' }];

  async function label(labels: Record<string, string | null>): Promise<void> {
    await fetch(`http://127.0.0.1:${fx.cluster.port}/apis/apps/v1/namespaces/${NS}/deployments/ai-worker`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ metadata: { labels } }),
    });
  }

  it('a KEDA ScaledObject and an HPA on the fenced deployment pass, saying what the fence does about them', async () => {
    await fx.cluster.apply({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'ai-worker-cpu', namespace: NS },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ai-worker' },
        minReplicas: 1,
        maxReplicas: 4,
      },
    });
    const outcome = await kubeChangesHold(fence).check(runWith(kube), {
      signal: new AbortController().signal,
    });
    expect(outcome.ok).toBe(true);
    expect(outcome.detail).toContain(
      'KEDA ScaledObject ai-worker targets ai-worker (minReplicaCount 2): the fence pauses it',
    );
    expect(outcome.detail).toContain(
      'HPA ai-worker-cpu targets ai-worker (1–4): it leaves a deployment at 0 replicas alone',
    );
  });

  it('an Argo CD application the drill cannot read is refused, with what to do', async () => {
    await label({ 'argocd.argoproj.io/instance': 'luneo-workers' });
    try {
      const outcome = await kubeChangesHold(fence).check(runWith(kube), {
        signal: new AbortController().signal,
      });
      expect(outcome.ok).toBe(false);
      expect(outcome.detail).toContain(
        'deployment ai-worker in luneo-prod-eks-primary is managed by Argo CD application luneo-workers',
      );
      expect(outcome.detail).toContain('argocd app set luneo-workers --self-heal=false');
    } finally {
      await label({ 'argocd.argoproj.io/instance': null });
    }
  });

  it('an Argo CD application with selfHeal is refused; without it, it passes', async () => {
    const argo = await startFixture('argo', 'eu-west-1', undefined, {
      customResources: ['applications.argoproj.io'],
    });
    try {
      const worker = envServerDeployment('ai-worker', 0);
      worker.metadata = {
        ...worker.metadata,
        annotations: {
          'argocd.argoproj.io/tracking-id': 'luneo-workers:apps/Deployment:luneo-platform/ai-worker',
        },
      } as never;
      await argo.cluster.apply(worker);
      await argo.cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } });
      const application = (selfHeal: boolean) => ({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'luneo-workers', namespace: 'argocd' },
        spec: { project: 'default', syncPolicy: { automated: { prune: true, selfHeal } } },
      });
      await argo.cluster.apply(application(true));
      const client = KubeClient.fromKubeconfig({ kubeconfigPath: argo.kubeconfig, context: 'argo' });
      const check = () =>
        kubeChangesHold(fence).check(runWith(client), { signal: new AbortController().signal });
      const refused = await check();
      expect(refused.ok).toBe(false);
      expect(refused.detail).toContain('is managed by Argo CD application luneo-workers with selfHeal');
      await argo.cluster.apply(application(false));
      const passed = await check();
      expect(passed.ok).toBe(true);
      expect(passed.detail).toContain('without selfHeal');
    } finally {
      await argo.cluster.stop();
    }
  });

  it('a workload that is an Argo Rollout is refused', async () => {
    await fx.cluster.apply({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'luneo-frontend', namespace: NS },
      spec: { replicas: 1, selector: { matchLabels: { app: 'luneo-frontend' } } },
    });
    const outcome = await kubeChangesHold([
      { side: 'secondary', deployment: 'frontend', change: 'restart' },
    ]).check(runWith(kube), { signal: new AbortController().signal });
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toContain('luneo-frontend in luneo-platform is an Argo Rollout');
  });
});

async function scaledObjectAnnotations(): Promise<Record<string, string>> {
  const res = await fetch(
    `http://127.0.0.1:${fx.cluster.port}/apis/keda.sh/v1alpha1/namespaces/${NS}/scaledobjects/ai-worker`,
  );
  const so = (await res.json()) as { metadata: { annotations?: Record<string, string> } };
  return so.metadata.annotations ?? {};
}

describe('workload kinds and selectors (item 7)', () => {
  it('the API fault deletes the pods the workload selects, whatever its labels', async () => {
    // Selected by app.kubernetes.io/name and a matchExpression: no `app` label anywhere.
    const api = envServerDeployment('luneo-api', 2);
    const labels = { 'app.kubernetes.io/name': 'luneo-api', tier: 'web' };
    api.metadata.labels = labels as never;
    api.spec.selector = {
      matchLabels: { 'app.kubernetes.io/name': 'luneo-api' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }],
    } as never;
    api.spec.template.metadata.labels = labels as never;
    await fx.cluster.apply(api);
    await readyWorkers('luneo-api', 2);
    const before = (await kube.listPods(NS, 'app.kubernetes.io/name=luneo-api')).map((p) => p.name);
    const ctx = runWith(kube);
    const result = await badConfigCrashLoop.inject(ctx);
    expect(result?.detail).toContain('2 luneo-api pods deleted');
    const after = await kube.listPods(NS, 'app.kubernetes.io/name=luneo-api');
    for (const name of before)
      expect(after.find((p) => p.name === name && !p.deletionTimestamp)).toBeUndefined();
    await badConfigCrashLoop.revert(ctx, undefined);
  });

  it('an Argo Rollout is refused with the reason and the command, before any change', async () => {
    await fx.cluster.apply({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'luneo-frontend', namespace: NS },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'luneo-frontend' } },
        template: {
          metadata: { labels: { app: 'luneo-frontend' } },
          spec: { containers: [{ name: 'main' }] },
        },
        strategy: { canary: {} },
      },
    });
    const workload = await readWorkload(kube, NS, 'luneo-frontend');
    expect(workload).toMatchObject({ kind: 'Rollout', selector: 'app=luneo-frontend', replicas: 2 });
    const ctx = runWith(kube);
    const restart = rolloutRestart({ side: 'secondary', deployments: ['frontend'] });
    const error = await failure(restart, ctx);
    expect(error.message).toContain('is an Argo Rollout (argoproj.io/v1alpha1), not a Deployment');
    expect(error.message).toContain('kubectl argo rollouts restart luneo-frontend');
    expect(ctx.audited).toEqual([]);
  });

  it('a server without the Rollout CRD answers 404 for it, and the drill says neither kind exists', async () => {
    const bare = await startFixture('bare', 'eu-west-1');
    try {
      const res = await fetch(
        `http://127.0.0.1:${bare.cluster.port}/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts`,
      );
      expect(res.status).toBe(404);
      expect(((await res.json()) as { reason: string }).reason).toBe('NotFound');
      const client = KubeClient.fromKubeconfig({ kubeconfigPath: bare.kubeconfig, context: 'bare' });
      const error = await readWorkload(client, NS, 'luneo-api').catch((e: Error) => e);
      expect(isClientError(error, 'E_NOT_FOUND')).toBe(true);
      expect((error as Error).message).toContain('no Deployment and no Argo Rollout named luneo-api');
    } finally {
      await bare.cluster.stop();
    }
  });
});

describe('EKS endpoint access during a subnet outage (item 3)', () => {
  let link: Link;
  let viaLink: KubeClient;

  beforeAll(async () => {
    link = new Link({
      name: 'eks-eu-west-1',
      target: { host: '127.0.0.1', port: fx.cluster.port },
      cutMode: 'reset',
    });
    await link.start();
    const kubeconfig = `${fx.dir}/kubeconfig-link`;
    await writeKubeconfig(kubeconfig, [
      { name: CONTEXT, server: `http://127.0.0.1:${link.port}`, context: CONTEXT },
    ]);
    viaLink = KubeClient.fromKubeconfig({ kubeconfigPath: kubeconfig, context: CONTEXT, ...FAST_RETRY });
    const worker = envServerDeployment('ai-worker', 2);
    (worker.spec.template.spec as Record<string, unknown>).terminationGracePeriodSeconds = 30;
    await fx.cluster.apply(worker);
    // No KEDA here: this is about the nodes.
    await fetch(
      `http://127.0.0.1:${fx.cluster.port}/apis/keda.sh/v1alpha1/namespaces/${NS}/scaledobjects/ai-worker`,
      {
        method: 'DELETE',
      },
    );
    await waitFor(
      '2 workers, nothing terminating',
      async () => {
        const pods = await kube.listPods(NS, 'app=ai-worker');
        return pods.length === 2 && pods.every((p) => p.ready && !p.deletionTimestamp);
      },
      30_000,
    );
  });

  afterAll(async () => {
    await link?.close();
  });

  it('public endpoint: the fence PATCH succeeds, the cut-off pods keep running, and the fence says it is not proven', async () => {
    const endpoint = new EksEndpoint(fx.cluster, link, 'public');
    const pids = await Promise.all(
      fx.cluster.readyEndpoints(NS, 'ai-worker').map(async (e) => (await fetchPodEnv(e.port)).pid),
    );
    expect(pids).toHaveLength(2);
    const heal = endpoint.cutSubnets();
    try {
      const fence = scaleDeployment({
        side: 'primary',
        deployment: 'worker',
        replicas: 0,
        timeout: '20s',
        bestEffort: true,
      });
      const ctx = runWith(viaLink);
      const started = Date.now();
      const error = await failure(fence, ctx);
      const tookMs = Date.now() - started;
      // The scale went through: the control plane answers and counts 0.
      const d = await viaLink.getDeployment(NS, 'ai-worker');
      expect(d.replicas).toBe(0);
      expect(d.statusReplicas).toBe(0);
      expect(d.annotations[REPLICAS_BEFORE_FENCE]).toBe('2');
      // The processes never got SIGTERM, their pods stay Terminating, and the fence said so loudly, early: the
      // node went Ready=Unknown (3 s grace here) long before the 30 s grace period and the 20 s step ran out.
      for (const pid of pids) expect(isAlive(pid)).toBe(true);
      const pods = await viaLink.listPods(NS, 'app=ai-worker');
      expect(pods).toHaveLength(2);
      for (const p of pods) expect(p.deletionTimestamp).toBeDefined();
      expect(error.message).toMatch(
        /^FENCE NOT PROVEN: ai-worker reports 0 replicas but 2 of its pods still exist/,
      );
      expect(error.message).toContain('Ready=Unknown');
      expect(error.message).toContain('grace period ends in');
      // The overlap is measured from the scale: positive, and no longer than the step took.
      const [, amount, unit] = /overlap at least (\d+(?:\.\d+)?)(ms|s)$/.exec(error.message) ?? [];
      const overlapMs = Number(amount) * (unit === 's' ? 1000 : 1);
      expect(overlapMs).toBeGreaterThan(0);
      expect(overlapMs).toBeLessThanOrEqual(tookMs + 100);
      expect(tookMs).toBeLessThan(18_000);
      // A failed step journals no undo data: the undo still finds what the fence changed.
      await fence.undo!(ctx, undefined);
      expect((await viaLink.getDeployment(NS, 'ai-worker')).replicas).toBe(2);
    } finally {
      heal();
    }
    // Back in touch, the kubelets carry out the deletions they missed; the scale-up replaced those pods.
    await waitFor('the old worker processes gone', () => pids.every((pid) => !isAlive(pid)), 30_000);
    await readyWorkers('ai-worker', 2);
  });

  it('public endpoint, step time short of the node grace: the fence gives up saying the API cannot tell', async () => {
    await readyWorkers('ai-worker', 2);
    const endpoint = new EksEndpoint(fx.cluster, link, 'public');
    const heal = endpoint.cutSubnets();
    try {
      // 4 s step: about 1 s left to wait, while the nodes still look Ready (3 s node grace).
      const fence = scaleDeployment({ side: 'primary', deployment: 'worker', replicas: 0, timeout: '4s' });
      const ctx = runWith(viaLink);
      const error = await failure(fence, ctx);
      expect(error.message).toMatch(/^FENCE NOT PROVEN: /);
      expect(error.message).toContain('Ready=True');
      expect(error.message).toContain('The API cannot tell whether their kubelet is still draining them');
      await fence.undo!(ctx, undefined);
    } finally {
      heal();
    }
    await readyWorkers('ai-worker', 2);
  });

  it('private-only endpoint: the drill loses the API server with the subnets', async () => {
    const endpoint = new EksEndpoint(fx.cluster, link, 'private');
    const heal = endpoint.cutSubnets();
    try {
      const fence = scaleDeployment({
        side: 'primary',
        deployment: 'worker',
        replicas: 0,
        timeout: '20s',
        bestEffort: true,
      });
      const error = await failure(fence, runWith(viaLink));
      expect(error.message).toMatch(
        /^FENCE NOT DONE: the API server of luneo-prod-eks-primary does not answer/,
      );
      expect(isClientError(error.cause, 'E_UNAVAILABLE')).toBe(true);
      expect(await replicas('ai-worker')).toBe(2);
    } finally {
      heal();
    }
    expect((await viaLink.getDeployment(NS, 'ai-worker')).replicas).toBe(2);
  });
});
