// The rollout logic without processes: pods are marked ready by hand, as the kubelet would.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KubeApi } from './api.ts';
import { DeploymentController } from './deployment-controller.ts';
import { resourceByKind } from './resources.ts';
import { ObjectStore } from './store.ts';
import type { Deployment, Pod } from './types.ts';

const NS = 'luneo-platform';
let store: ObjectStore;
let api: KubeApi;
let controller: DeploymentController;
const deployments = resourceByKind('Deployment')!;
const q = new URLSearchParams();

function activePods(): Pod[] {
  return (store.list('Pod', NS) as Pod[]).filter((p) => !p.metadata.deletionTimestamp);
}

function markReady(pods: Pod[]): void {
  for (const pod of pods) {
    pod.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    store.update(pod);
  }
  controller.sync();
}

function deployment(): Deployment {
  return store.get('Deployment', NS, 'luneo-api') as Deployment;
}

beforeEach(() => {
  store = new ObjectStore();
  api = new KubeApi(store);
  controller = new DeploymentController(store);
  api.create(resourceByKind('Namespace')!, undefined, { metadata: { name: NS } }, q);
  api.create(
    deployments,
    NS,
    {
      metadata: { name: 'luneo-api' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'luneo-api' } },
        template: {
          metadata: { labels: { app: 'luneo-api' } },
          spec: { containers: [{ name: 'api', command: ['node', 'api.js'] }] },
        },
      },
    },
    q,
  );
  controller.sync();
});

describe('DeploymentController', () => {
  it('creates a replicaset and its pods, named and labelled by template hash', () => {
    const [rs] = store.list('ReplicaSet', NS);
    const hash = rs!.metadata.labels!['pod-template-hash']!;
    expect(rs!.metadata.name).toBe(`luneo-api-${hash}`);
    expect(rs!.metadata.ownerReferences![0]).toMatchObject({
      kind: 'Deployment',
      name: 'luneo-api',
      controller: true,
    });
    const pods = activePods();
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(new RegExp(`^luneo-api-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(p.metadata.labels).toEqual({ app: 'luneo-api', 'pod-template-hash': hash });
    }
    expect(deployment().status).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      unavailableReplicas: 2,
    });
    markReady(pods);
    expect(deployment().status).toMatchObject({
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(deployment().status!.conditions!.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ]);
  });

  it('rolls out a template change one surge pod at a time, never below the desired ready count', async () => {
    markReady(activePods());
    const oldNames = activePods().map((p) => p.metadata.name);
    const patch = {
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 'now' } } } },
    };
    await api.patch(
      { resource: deployments, namespace: NS, name: 'luneo-api' },
      'application/strategic-merge-patch+json',
      JSON.stringify(patch),
      q,
    );
    expect(deployment().metadata.generation).toBe(2);
    controller.sync();
    const surge = activePods().filter((p) => !oldNames.includes(p.metadata.name));
    expect(surge).toHaveLength(1);
    expect(activePods()).toHaveLength(3);
    expect(deployment().status).toMatchObject({
      observedGeneration: 2,
      replicas: 3,
      updatedReplicas: 1,
      readyReplicas: 2,
    });
    expect(deployment().status!.conditions![1]!.reason).toBe('ReplicaSetUpdated');

    markReady(surge); // one old pod goes, the second new pod comes
    expect(activePods().filter((p) => oldNames.includes(p.metadata.name))).toHaveLength(1);
    const second = activePods().filter(
      (p) => !oldNames.includes(p.metadata.name) && !surge.some((s) => s.metadata.name === p.metadata.name),
    );
    expect(second).toHaveLength(1);
    markReady(second);
    expect(activePods().some((p) => oldNames.includes(p.metadata.name))).toBe(false);
    expect(deployment().status).toMatchObject({
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(deployment().status!.conditions![1]!.reason).toBe('NewReplicaSetAvailable');
    expect(deployment().metadata.annotations!['deployment.kubernetes.io/revision']).toBe('2');
  });

  it('scales through the scale subresource and removes not-ready pods first', async () => {
    const target = { resource: deployments, namespace: NS, name: 'luneo-api' };
    await api.updateScale(target, 'PATCH', 'application/merge-patch+json', '{"spec":{"replicas":3}}');
    controller.sync();
    const [first, second, third] = activePods();
    markReady([first!, second!]);
    expect(activePods()).toHaveLength(3);
    await api.updateScale(target, 'PATCH', 'application/merge-patch+json', '{"spec":{"replicas":2}}');
    controller.sync();
    expect(
      activePods()
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual([first!.metadata.name, second!.metadata.name].sort());
    expect(store.get('Pod', NS, third!.metadata.name)!.metadata.deletionTimestamp).toBeDefined();
  });

  it('holds a template change while paused, still scales, and rolls it out on resume', async () => {
    markReady(activePods());
    const target = { resource: deployments, namespace: NS, name: 'luneo-api' };
    const merge = (patch: object) =>
      api.patch(target, 'application/merge-patch+json', JSON.stringify(patch), q);
    await merge({ spec: { paused: true } });
    await merge({
      spec: { template: { spec: { containers: [{ name: 'api', command: ['node', 'v2.js'] }] } } },
    });
    await api.updateScale(target, 'PATCH', 'application/merge-patch+json', '{"spec":{"replicas":3}}');
    controller.sync();
    expect(store.list('ReplicaSet', NS)).toHaveLength(1);
    expect(activePods().map((p) => p.spec.containers[0]!.command)).toEqual([
      ['node', 'api.js'],
      ['node', 'api.js'],
      ['node', 'api.js'],
    ]);
    expect(deployment().status!.conditions![1]).toMatchObject({
      status: 'Unknown',
      reason: 'DeploymentPaused',
    });
    markReady(activePods());
    await merge({ spec: { paused: null } });
    controller.sync();
    expect(store.list('ReplicaSet', NS)).toHaveLength(2);
    expect(activePods().filter((p) => p.spec.containers[0]!.command![1] === 'v2.js')).toHaveLength(1);
  });

  it('garbage-collects replicasets and pods of a deleted deployment', () => {
    api.delete({ resource: deployments, namespace: NS, name: 'luneo-api' }, undefined, q);
    controller.sync();
    expect(store.list('ReplicaSet', NS)).toEqual([]);
    expect(activePods()).toEqual([]);
  });

  describe('as the real controller lags and times out', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('keeps the previous status (observedGeneration, conditions) until it observes a new generation', () => {
      vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z'), toFake: ['Date'] });
      markReady(activePods());
      const requeued: number[] = [];
      const lagging = new DeploymentController(store, undefined, {
        observeLagMs: 1000,
        requeue: (ms) => requeued.push(ms),
      });
      const d = deployment();
      d.spec.replicas = 3;
      store.update(d);
      lagging.sync();
      expect(deployment().metadata.generation).toBe(2);
      expect(deployment().status?.observedGeneration).toBe(1);
      expect(activePods()).toHaveLength(2);
      expect(requeued).toEqual([1000]);
      vi.setSystemTime(Date.now() + 1000);
      lagging.sync();
      expect(deployment().status?.observedGeneration).toBe(2);
      expect(activePods()).toHaveLength(3);
    });

    it('says ProgressDeadlineExceeded after progressDeadlineSeconds without progress, until progress resumes', () => {
      vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z'), toFake: ['Date'] });
      const d = deployment();
      d.spec.progressDeadlineSeconds = 5;
      store.update(d);
      controller.sync();
      const progressing = () => deployment().status?.conditions?.find((c) => c.type === 'Progressing');
      expect(progressing()).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated' });
      vi.setSystemTime(Date.now() + 6000);
      controller.sync();
      expect(progressing()).toMatchObject({
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: expect.stringMatching(/^ReplicaSet "luneo-api-\w+" has timed out progressing\.$/),
      });
      markReady(activePods());
      expect(progressing()).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    });

    it('records ScalingReplicaSet on the deployment and SuccessfulCreate/SuccessfulDelete on the replicaset', () => {
      const d = deployment();
      d.spec.replicas = 1;
      store.update(d);
      controller.sync();
      const events = store
        .list('Event', NS)
        .map((e) => [
          (e.involvedObject as { kind: string }).kind,
          e.reason,
          String(e.message).replace(/luneo-api-\w+(-\w{5})?/g, 'X'),
        ]);
      expect(events).toEqual(
        expect.arrayContaining([
          ['Deployment', 'ScalingReplicaSet', 'Scaled up replica set X from 0 to 2'],
          ['ReplicaSet', 'SuccessfulCreate', 'Created pod: X'],
          ['ReplicaSet', 'SuccessfulDelete', 'Deleted pod: X'],
          ['Deployment', 'ScalingReplicaSet', 'Scaled down replica set X from 2 to 1'],
        ]),
      );
    });
  });
});
