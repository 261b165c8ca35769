// KEDA's operator as the lab runs it: a ScaledObject puts its target back to minReplicaCount on each poll, unless
// paused; paused-replicas pins the count. And nodes cut off from the API server go Ready=Unknown after the grace.
import { beforeEach, describe, expect, it } from 'vitest';
import { KubeApi } from './api.ts';
import { EventRecorder } from './events.ts';
import { KEDA_PAUSED, KEDA_PAUSED_REPLICAS, KedaController } from './keda-controller.ts';
import { NodeReachability } from './node-lifecycle.ts';
import { nodeObject } from './nodes.ts';
import { resourceByKind } from './resources.ts';
import { ObjectStore } from './store.ts';
import type { Condition, Deployment, Pod } from './types.ts';

const NS = 'luneo-platform';
const q = new URLSearchParams();
let store: ObjectStore;
let api: KubeApi;
let keda: KedaController;

function replicas(): number | undefined {
  return (store.get('Deployment', NS, 'ai-worker') as Deployment).spec.replicas;
}

function scaleTo(n: number): void {
  const d = store.get('Deployment', NS, 'ai-worker') as Deployment;
  d.spec.replicas = n;
  store.update(d);
}

function annotate(annotations: Record<string, string>): void {
  const so = store.get('ScaledObject', NS, 'ai-worker')!;
  so.metadata.annotations = annotations;
  store.update(so);
}

beforeEach(() => {
  store = new ObjectStore();
  api = new KubeApi(store);
  keda = new KedaController({ store, events: new EventRecorder(store), pollCapMs: undefined });
  api.create(resourceByKind('Namespace')!, undefined, { metadata: { name: NS } }, q);
  api.create(
    resourceByKind('Deployment')!,
    NS,
    {
      metadata: { name: 'ai-worker' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'ai-worker' } },
        template: { metadata: { labels: { app: 'ai-worker' } }, spec: { containers: [{ name: 'main' }] } },
      },
    },
    q,
  );
  api.create(
    resourceByKind('ScaledObject')!,
    NS,
    { metadata: { name: 'ai-worker' }, spec: { scaleTargetRef: { name: 'ai-worker' }, minReplicaCount: 2 } },
    q,
  );
});

describe('KedaController', () => {
  it('puts a deployment scaled below minReplicaCount back at its next poll (pollingInterval 30 s by default)', () => {
    const t0 = 1_000_000;
    expect(keda.sync(t0)).toBe(30_000);
    scaleTo(0);
    expect(keda.sync(t0 + 29_999)).toBe(1);
    expect(replicas()).toBe(0);
    keda.sync(t0 + 30_000);
    expect(replicas()).toBe(2);
  });

  it('paused-replicas pins the count at once and holds it; removing it resumes', () => {
    const t0 = 1_000_000;
    keda.sync(t0);
    annotate({ [KEDA_PAUSED_REPLICAS]: '0' });
    keda.sync(t0 + 1);
    expect(replicas()).toBe(0);
    keda.sync(t0 + 120_000);
    expect(replicas()).toBe(0);
    const so = store.get('ScaledObject', NS, 'ai-worker')!;
    const status = so.status as { pausedReplicaCount?: number; conditions: Condition[] };
    expect(status.pausedReplicaCount).toBe(0);
    expect(status.conditions.find((c) => c.type === 'Paused')?.status).toBe('True');
    annotate({});
    keda.sync(t0 + 150_000);
    expect(replicas()).toBe(2);
  });

  it('paused: "true" keeps whatever count the deployment has', () => {
    annotate({ [KEDA_PAUSED]: 'true' });
    scaleTo(0);
    keda.sync(Date.now() + 600_000);
    expect(replicas()).toBe(0);
  });
});

describe('NodeReachability', () => {
  it('marks a cut-off node Ready=Unknown with the unreachable taints after the grace period, and its pods NotReady', () => {
    const node = 'ip-10-0-1-10.eu-west-1.compute.internal';
    store.create(nodeObject(node, 'eu-west-1', 'c', 0));
    store.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ai-worker-1', namespace: NS },
      spec: { nodeName: node, containers: [{ name: 'main' }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const nodes = new NodeReachability(store, 50_000);
    const t0 = 1_000_000;
    nodes.cutOff([node], t0);
    expect(nodes.isCutOff(node)).toBe(true);
    expect(nodes.sync(t0 + 49_000)).toBe(1000);
    const readyOf = () =>
      (store.get('Node', undefined, node)!.status as { conditions: Condition[] }).conditions.find(
        (c) => c.type === 'Ready',
      );
    expect(readyOf()?.status).toBe('True');
    nodes.sync(t0 + 50_000);
    expect(readyOf()).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown' });
    const taints = (store.get('Node', undefined, node)!.spec as { taints: { key: string; effect: string }[] })
      .taints;
    expect(taints.map((t) => `${t.key}:${t.effect}`)).toEqual([
      'node.kubernetes.io/unreachable:NoSchedule',
      'node.kubernetes.io/unreachable:NoExecute',
    ]);
    const pod = store.get('Pod', NS, 'ai-worker-1') as Pod;
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    nodes.reconnect();
    expect(readyOf()?.status).toBe('True');
    expect((store.get('Node', undefined, node)!.spec as { taints?: unknown }).taints).toBeUndefined();
  });
});
