// How fast the lab's kubelet and controllers act. `fast` keeps `pnpm test` quick; `realistic` uses the
// values of a real cluster (kubelet and kube-controller-manager defaults), for a dedicated test and for drills.

export interface KubeTiming {
  /** Upper bound on the SIGTERM→SIGKILL wait; undefined = the pod's whole grace period, as the kubelet does. */
  stopGraceCapMs: number | undefined;
  /** CrashLoopBackOff: first delay and cap (kubelet: 10 s doubling to 300 s). */
  backoffStartMs: number;
  backoffCapMs: number;
  /** How long after a spec change the deployment controller observes the new generation. */
  observeLagMs: number;
  /** Bound on an autoscaler's polling interval (KEDA's pollingInterval, 30 s by default); undefined = its own. */
  autoscalerPollCapMs: number | undefined;
  /** How long a node may not report before the node lifecycle controller marks it Ready=Unknown. */
  nodeMonitorGraceMs: number;
}

export const FAST_TIMING: KubeTiming = {
  stopGraceCapMs: 2000,
  backoffStartMs: 500,
  backoffCapMs: 4000,
  observeLagMs: 50,
  autoscalerPollCapMs: 250,
  nodeMonitorGraceMs: 2000,
};

// https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-restarts (10 s doubling, 5 min cap)
// https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination (grace period, 30 s default)
export const REALISTIC_TIMING: KubeTiming = {
  stopGraceCapMs: undefined,
  backoffStartMs: 10_000,
  backoffCapMs: 300_000,
  observeLagMs: 1000,
  autoscalerPollCapMs: undefined,
  // kube-controller-manager --node-monitor-grace-period: 50 s since v1.29 (kubernetes/kubernetes#121793), was 40 s.
  nodeMonitorGraceMs: 50_000,
};

export type KubeTimingMode = 'fast' | 'realistic';

export function timingFor(mode: KubeTimingMode | undefined, override: Partial<KubeTiming> = {}): KubeTiming {
  return { ...(mode === 'realistic' ? REALISTIC_TIMING : FAST_TIMING), ...override };
}

/** LAB_K8S_TIMING=realistic|fast picks the mode of clusters that do not set one (e.g. `LAB_K8S_TIMING=realistic pnpm lab up`). */
export function timingModeFromEnv(env: NodeJS.ProcessEnv = process.env): KubeTimingMode | undefined {
  const mode = env.LAB_K8S_TIMING;
  if (mode === undefined || mode === '') return undefined;
  if (mode === 'fast' || mode === 'realistic') return mode;
  throw new Error(`LAB_K8S_TIMING=${mode}: use fast or realistic`);
}
