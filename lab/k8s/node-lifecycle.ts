// Nodes whose kubelet cannot reach the API server (their subnets cut off): the kubelet keeps its pods running and
// learns of nothing, the control plane's node lifecycle controller marks the node Ready=Unknown after
// --node-monitor-grace-period, taints it unreachable and marks its pods NotReady. Pods deleted meanwhile stay
// Terminating: only their kubelet removes them once their processes are gone.
// https://kubernetes.io/docs/concepts/architecture/nodes/#condition (Unknown: "node controller has not heard from the node in the last node-monitor-grace-period")
// https://kubernetes.io/docs/reference/labels-annotations-taints/#node-kubernetes-io-unreachable
// Not modelled: the NoExecute eviction after tolerationSeconds (300 s; it only marks the pods for deletion too).
import type { ObjectStore } from './store.ts';
import type { Condition, KubeObject, Pod } from './types.ts';

const UNREACHABLE = 'node.kubernetes.io/unreachable';

function stamp(at: number): string {
  return new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
}

export class NodeReachability {
  /** Cut-off node → when its kubelet last reached the API server. */
  private readonly cutSince = new Map<string, number>();

  constructor(
    private readonly store: ObjectStore,
    private readonly graceMs: number,
  ) {}

  isCutOff(node: string | undefined): boolean {
    return node !== undefined && this.cutSince.has(node);
  }

  cutOff(nodes: string[], at = Date.now()): void {
    for (const n of nodes) if (!this.cutSince.has(n)) this.cutSince.set(n, at);
  }

  /** The kubelets reach the API server again: they post Ready and the taints go. */
  reconnect(): string[] {
    const nodes = [...this.cutSince.keys()];
    this.cutSince.clear();
    for (const name of nodes) {
      const node = this.store.get('Node', undefined, name);
      if (!node) continue;
      const at = Date.now();
      this.setReady(
        node,
        { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
        at,
      );
      const spec = (node.spec ?? {}) as { taints?: { key: string }[] };
      node.spec = { ...spec, taints: (spec.taints ?? []).filter((t) => t.key !== UNREACHABLE) };
      if ((node.spec as { taints: unknown[] }).taints.length === 0)
        delete (node.spec as { taints?: unknown }).taints;
      this.store.update(node);
    }
    return nodes;
  }

  /** Marks nodes silent past the grace period Unknown (and their pods NotReady); returns ms until the next is due. */
  sync(now = Date.now()): number | undefined {
    let next: number | undefined;
    for (const [name, since] of this.cutSince) {
      const due = since + this.graceMs;
      if (now < due) {
        next = next === undefined ? due - now : Math.min(next, due - now);
        continue;
      }
      const node = this.store.get('Node', undefined, name);
      const ready = (node?.status as { conditions?: Condition[] } | undefined)?.conditions?.find(
        (c) => c.type === 'Ready',
      );
      if (!node || ready?.status === 'Unknown') continue;
      this.setReady(
        node,
        { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' },
        now,
      );
      const spec = (node.spec ?? {}) as { taints?: object[] };
      node.spec = {
        ...spec,
        taints: [
          ...(spec.taints ?? []),
          { key: UNREACHABLE, effect: 'NoSchedule', timeAdded: stamp(now) },
          { key: UNREACHABLE, effect: 'NoExecute', timeAdded: stamp(now) },
        ],
      };
      this.store.update(node);
      this.markPodsNotReady(name, now);
    }
    return next;
  }

  private setReady(
    node: KubeObject,
    ready: Pick<Condition, 'status' | 'reason' | 'message'>,
    at: number,
  ): void {
    const status = (node.status ?? {}) as { conditions?: Condition[] };
    status.conditions = (status.conditions ?? []).map((c) =>
      c.type === 'Ready' ? { ...c, ...ready, lastTransitionTime: stamp(at) } : c,
    );
    node.status = status;
    delete node.metadata.resourceVersion;
  }

  private markPodsNotReady(node: string, at: number): void {
    for (const pod of this.store.list('Pod') as Pod[]) {
      if (pod.spec.nodeName !== node || !pod.status?.conditions) continue;
      pod.status.conditions = pod.status.conditions.map((c) =>
        c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: stamp(at) } : c,
      );
      delete pod.metadata.resourceVersion;
      this.store.update(pod);
    }
  }
}
