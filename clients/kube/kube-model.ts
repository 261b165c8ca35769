// Kubernetes shapes and pure helpers: deployment info, the rollout-complete test, planned calls.

import type { V1Deployment, V1LabelSelector } from '@kubernetes/client-node';
import { planKube } from './kube-call.ts';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

export interface DeploymentInfo {
  namespace: string;
  name: string;
  /** spec.replicas (desired). */
  replicas: number;
  generation: number;
  observedGeneration: number;
  statusReplicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  restartedAt?: string;
  /** spec.selector (matchLabels and matchExpressions) as a label selector, e.g. "app=ai-worker". */
  selector: string;
  annotations: Record<string, string>;
  /** Reason of the Progressing condition, e.g. "ProgressDeadlineExceeded". */
  progressing?: string;
}

export interface PodInfo {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  node: string | undefined;
  /** metadata.deletionTimestamp: set on a terminating pod, the end of its grace period. */
  deletionTimestamp?: string;
}

export interface NodeInfo {
  name: string;
  ready: boolean;
  /** The Ready condition's status: Unknown once the node lifecycle controller stopped hearing from its kubelet. */
  readyStatus: string;
}

export function toDeploymentInfo(d: V1Deployment): DeploymentInfo {
  const s = d.status ?? {};
  const restartedAt = d.spec?.template?.metadata?.annotations?.[RESTARTED_AT];
  const progressing = s.conditions?.find((c) => c.type === 'Progressing')?.reason;
  return {
    namespace: d.metadata?.namespace ?? '',
    name: d.metadata?.name ?? '',
    replicas: d.spec?.replicas ?? 1,
    generation: d.metadata?.generation ?? 0,
    observedGeneration: s.observedGeneration ?? 0,
    statusReplicas: s.replicas ?? 0,
    updatedReplicas: s.updatedReplicas ?? 0,
    readyReplicas: s.readyReplicas ?? 0,
    availableReplicas: s.availableReplicas ?? 0,
    ...(restartedAt ? { restartedAt } : {}),
    selector: labelSelectorString(d.spec?.selector),
    annotations: { ...d.metadata?.annotations },
    ...(progressing ? { progressing } : {}),
  };
}

/**
 * A LabelSelector in the string syntax of `?labelSelector=` (metav1.FormatLabelSelector): matchLabels as `k=v`,
 * matchExpressions as `k in (a,b)`, `k notin (a)`, `k`, `!k`. Empty when the selector selects nothing.
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 */
export function labelSelectorString(selector: V1LabelSelector | undefined): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const expressions = (selector?.matchExpressions ?? []).map((e) => {
    const values = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') return `${e.key} in (${values})`;
    if (e.operator === 'NotIn') return `${e.key} notin (${values})`;
    if (e.operator === 'Exists') return e.key;
    return `!${e.key}`;
  });
  return [...labels, ...expressions].join(',');
}

/** Same test as `kubectl rollout status`: new generation observed, all replicas updated, ready and available, no old ones. */
export function rolloutComplete(d: DeploymentInfo): boolean {
  return (
    d.observedGeneration >= d.generation &&
    d.updatedReplicas === d.replicas &&
    d.statusReplicas === d.replicas &&
    d.readyReplicas === d.replicas &&
    d.availableReplicas === d.replicas
  );
}

export const planScaleDeployment = (context: string, ns: string, name: string, replicas: number) =>
  planKube(context, `scale deployment/${name}`, { namespace: ns, name, replicas });
export const planRolloutRestart = (context: string, ns: string, name: string) =>
  planKube(context, `rollout restart deployment/${name}`, { namespace: ns, name });
export const planApplyConfigMap = (context: string, ns: string, name: string, data: Record<string, string>) =>
  planKube(context, `apply configmap/${name}`, { namespace: ns, name, keys: Object.keys(data).sort() });
export const planPatchConfigMap = (context: string, ns: string, name: string, keys: string[]) =>
  planKube(context, `patch configmap/${name}`, { namespace: ns, name, keys: [...keys].sort() });
export const planAnnotateDeployment = (context: string, ns: string, name: string, keys: string[]) =>
  planKube(context, `annotate deployment/${name}`, { namespace: ns, name, keys: [...keys].sort() });
export const planDeleteConfigMap = (context: string, ns: string, name: string) =>
  planKube(context, `delete configmap/${name}`, { namespace: ns, name });
export const planDeletePod = (context: string, ns: string, name: string) =>
  planKube(context, `delete pod/${name}`, { namespace: ns, name });
