// Whether a scale-to-0 really stopped the workers: the pods themselves must be gone. `status.replicas` drops to 0 at
// once while terminating pods run out their grace period, and a kubelet cut off from the API server (its subnets
// down while the EKS public endpoint still answers the drill) never learns of the deletion at all: its pods stay
// Terminating in the API and keep running. The API cannot tell a slow drain from a cut-off node before the grace
// period ends, so the fence is proven only when the pods are gone, and otherwise says what it saw.
// https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
// https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html
import { sleep } from '../../clients/abort.ts';
import type { KubeClient, NodeInfo, PodInfo } from '../../clients/kube/kube.ts';
import { formatDuration } from '../../core/duration.ts';

/** How long after a pod's deletionTimestamp its kubelet may take to report it gone before the drill stops hoping. */
export const KUBELET_REPORT_SLACK_MS = 5000;

export interface FenceReport {
  proven: boolean;
  /** Scale → last pod gone (proven), or scale → the moment the drill stopped waiting (at least this long). */
  overlapMs: number;
  detail: string;
}

function describePod(p: PodInfo, nodes: Map<string, NodeInfo>, now: number): string {
  const node = p.node ? nodes.get(p.node) : undefined;
  const where = p.node ? `node ${p.node} Ready=${node?.readyStatus ?? 'gone'}` : 'no node';
  if (!p.deletionTimestamp) return `${p.name} (${p.phase}, not terminating, ${where})`;
  const left = Date.parse(p.deletionTimestamp) - now;
  const grace =
    left >= 0
      ? `grace period ends in ${formatDuration(left)}`
      : `grace period ended ${formatDuration(-left)} ago`;
  return `${p.name} (Terminating, ${grace}, ${where})`;
}

/** A pod whose kubelet is known not to be carrying out its deletion: past the grace period, or on a silent node. */
function stuck(p: PodInfo, nodes: Map<string, NodeInfo>, now: number): boolean {
  const node = p.node ? nodes.get(p.node) : undefined;
  if (node && node.readyStatus !== 'True') return true;
  return p.deletionTimestamp !== undefined && now > Date.parse(p.deletionTimestamp) + KUBELET_REPORT_SLACK_MS;
}

/**
 * Waits up to `budgetMs` for no pod to match `selector`. Not proven when the budget ends first, or earlier once
 * every pod left is stuck (past its grace period or on a node that stopped reporting).
 */
export async function awaitFence(
  kube: KubeClient,
  opts: {
    namespace: string;
    name: string;
    selector: string;
    scaledAt: number;
    budgetMs: number;
    signal: AbortSignal;
  },
): Promise<FenceReport> {
  const deadline = Date.now() + opts.budgetMs;
  let pause = 250;
  for (;;) {
    const pods = await kube.listPods(opts.namespace, opts.selector, { signal: opts.signal });
    const now = Date.now();
    if (pods.length === 0) {
      const overlapMs = now - opts.scaledAt;
      return {
        proven: true,
        overlapMs,
        detail: `its pods ran ${formatDuration(overlapMs)} after the scale: that is how long old workers could still write`,
      };
    }
    const nodes = new Map((await kube.listNodes({ signal: opts.signal })).map((n) => [n.name, n]));
    const allStuck = pods.every((p) => stuck(p, nodes, now));
    if (allStuck || now >= deadline) {
      const overlapMs = now - opts.scaledAt;
      const why = allStuck
        ? 'Their kubelet is not carrying out the deletion: a node cut off from the API server (its subnets down while the EKS public endpoint still answers) never learns of it, and its pods keep running until it is back in touch or the node is deleted'
        : `The API cannot tell whether their kubelet is still draining them or is cut off from the API server (then they keep running); the drill stopped waiting after ${formatDuration(opts.budgetMs)}`;
      return {
        proven: false,
        overlapMs,
        detail: `FENCE NOT PROVEN: ${opts.name} reports 0 replicas but ${pods.length === 1 ? '1 of its pods still exists' : `${pods.length} of its pods still exist`} ${formatDuration(overlapMs)} after the scale: ${pods.map((p) => describePod(p, nodes, now)).join(', ')}. ${why}. Old workers may still write while the database is promoted: overlap at least ${formatDuration(overlapMs)}`,
      };
    }
    await sleep(
      Math.min(pause, Math.max(deadline - Date.now(), 0)),
      kube.caller.site('list pods'),
      opts.signal,
    );
    pause = Math.min(pause * 2, 1000);
  }
}
