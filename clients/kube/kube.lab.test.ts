// KubeClient against the lab's API server, where the cluster behaves like a real one: stale rollout
// conditions until the controller observes the new generation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  envServerDeployment,
  type Fixture,
  NS,
  startFixture,
  waitFor,
} from '../../lab/k8s/testdata/fixture.ts';
import { FAST_RETRY } from '../testing.ts';
import { KubeClient } from './kube.ts';

const CONTEXT = 'luneo-prod-eks-primary';
// Long enough for the client's first polls to see the previous rollout's status.
const OBSERVE_LAG_MS = 1500;
let fx: Fixture;
let kube: KubeClient;

beforeAll(async () => {
  fx = await startFixture(CONTEXT, 'eu-west-1', undefined, {
    timingOverrides: { observeLagMs: OBSERVE_LAG_MS },
  });
  kube = KubeClient.fromKubeconfig({ kubeconfigPath: fx.kubeconfig, context: CONTEXT, retry: FAST_RETRY });
});

afterAll(async () => {
  await fx?.cluster.stop();
});

describe('waitForRollout on a cluster that lags', () => {
  it("judges only the observed generation's conditions: a previous ProgressDeadlineExceeded does not fail the next rollout", async () => {
    const broken = envServerDeployment('ai-worker', 1, [{ name: 'EXIT_AFTER_MS', value: '0' }]);
    await fx.cluster.apply({ ...broken, spec: { ...broken.spec, progressDeadlineSeconds: 1 } });
    await waitFor(
      'the crash-looping rollout to exceed its progress deadline',
      async () => (await kube.getDeployment(NS, 'ai-worker')).progressing === 'ProgressDeadlineExceeded',
      30_000,
    );
    // The fix is deployed: a new generation the controller has not observed yet.
    const fixed = envServerDeployment('ai-worker', 1);
    await fx.cluster.apply({ ...fixed, spec: { ...fixed.spec, progressDeadlineSeconds: 600 } });
    const stale = await kube.getDeployment(NS, 'ai-worker');
    expect(stale.observedGeneration).toBeLessThan(stale.generation);
    expect(stale.progressing).toBe('ProgressDeadlineExceeded');

    const done = await kube.waitForRollout(NS, 'ai-worker', { intervalMs: 100, timeoutMs: 30_000 });
    expect(done.observedGeneration).toBe(done.generation);
    expect(done.readyReplicas).toBe(1);
    expect(done.progressing).toBe('NewReplicaSetAvailable');
  });

  it('still fails fast on the observed generation exceeding its deadline', async () => {
    const broken = envServerDeployment('luneo-api', 1, [{ name: 'EXIT_AFTER_MS', value: '0' }]);
    await fx.cluster.apply({ ...broken, spec: { ...broken.spec, progressDeadlineSeconds: 1 } });
    const failure = await kube.waitForRollout(NS, 'luneo-api', { intervalMs: 100, timeoutMs: 30_000 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(failure?.message).toMatch(/ProgressDeadlineExceeded/);
  });
});
