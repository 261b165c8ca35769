// Graceful pod deletion, shared by the API (DELETE pod) and the controllers: the pod gets a
// deletionTimestamp, the kubelet stops its processes and then removes the object.
import type { ObjectStore } from './store.ts';
import type { Pod } from './types.ts';

// PodSpec.terminationGracePeriodSeconds defaults to 30.
// https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#lifecycle
export const DEFAULT_GRACE_SECONDS = 30;

/** Marks a pod for deletion and returns it as stored; the kubelet finishes the job. */
export function deletePodGracefully(store: ObjectStore, pod: Pod, graceSeconds?: number): Pod {
  if (pod.metadata.deletionTimestamp) return pod;
  const spec = Number(pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS);
  graceSeconds ??= Number.isFinite(spec) ? spec : DEFAULT_GRACE_SECONDS;
  const marked: Pod = structuredClone(pod);
  delete marked.metadata.resourceVersion;
  marked.metadata.deletionTimestamp = new Date(Date.now() + graceSeconds * 1000)
    .toISOString()
    .replace(/\.\d+Z$/, 'Z');
  marked.metadata.deletionGracePeriodSeconds = graceSeconds;
  return store.update(marked) as Pod;
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** Order in which a controller removes surplus pods: not ready first, then the newest. */
export function deletionOrder(a: Pod, b: Pod): number {
  const ra = isPodReady(a) ? 1 : 0;
  const rb = isPodReady(b) ? 1 : 0;
  if (ra !== rb) return ra - rb;
  return (
    (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') ||
    b.metadata.name.localeCompare(a.metadata.name)
  );
}
