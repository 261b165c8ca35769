// Controllers that would undo what the drill changes on a workload or configmap: an HPA or a KEDA ScaledObject
// targeting the deployment, an Argo CD application tracking the object. Read-only: the steps decide what to do.
import { AutoscalingV2Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { CallOptions } from '../abort.ts';
import { isClientError } from '../errors.ts';
import type { KubeClient } from './kube.ts';
import { MERGE_PATCH, planKube } from './kube-call.ts';

/** KEDA's CRD (https://keda.sh/docs/2.16/reference/scaledobject-spec/). */
export const SCALED_OBJECTS = { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects' } as const;
/** Argo CD's Application CRD, in the namespace Argo CD is installed in (`argocd` by default). */
export const APPLICATIONS = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' } as const;
export const ARGOCD_NAMESPACE = 'argocd';
/** https://keda.sh/docs/2.16/concepts/scaling-deployments/#pause-autoscaling */
export const KEDA_PAUSED_REPLICAS = 'autoscaling.keda.sh/paused-replicas';
// Argo CD resource tracking: https://argo-cd.readthedocs.io/en/stable/user-guide/resource_tracking/
export const ARGOCD_TRACKING_ID = 'argocd.argoproj.io/tracking-id';
export const ARGOCD_INSTANCE_LABEL = 'argocd.argoproj.io/instance';
export const APP_INSTANCE_LABEL = 'app.kubernetes.io/instance';

export interface Hpa {
  name: string;
  minReplicas: number;
  maxReplicas: number;
}

export interface ScaledObjectInfo {
  name: string;
  minReplicaCount: number;
  annotations: Record<string, string>;
}

export type ArgoApplication =
  | { name: string; readable: true; selfHeal: boolean; automated: boolean }
  | { name: string; readable: false; why: string };

interface CustomList<T> {
  items?: T[];
}

interface ScaledObjectShape {
  metadata?: { name?: string; annotations?: Record<string, string> };
  spec?: { scaleTargetRef?: { name?: string; kind?: string }; minReplicaCount?: number };
}

interface ApplicationShape {
  spec?: { syncPolicy?: { automated?: { selfHeal?: boolean } | null } };
}

/** HPAs whose scaleTargetRef is the Deployment `name`. */
export async function hpasTargeting(
  kube: KubeClient,
  ns: string,
  name: string,
  opts: CallOptions = {},
): Promise<Hpa[]> {
  const api = kube.kubeConfig.makeApiClient(AutoscalingV2Api);
  const list = await kube.caller.send(
    'list horizontalpodautoscalers',
    { kind: 'namespace', id: ns },
    (o) => api.listNamespacedHorizontalPodAutoscaler({ namespace: ns }, o),
    opts,
  );
  return list.items
    .filter((h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === name)
    .map((h) => ({
      name: h.metadata?.name ?? '',
      minReplicas: h.spec.minReplicas ?? 1,
      maxReplicas: h.spec.maxReplicas,
    }));
}

/** KEDA ScaledObjects targeting the Deployment `name`; none when KEDA is not installed (404 on its resource). */
export async function scaledObjectsTargeting(
  kube: KubeClient,
  ns: string,
  name: string,
  opts: CallOptions = {},
): Promise<ScaledObjectInfo[]> {
  const custom = kube.kubeConfig.makeApiClient(CustomObjectsApi);
  let list: CustomList<ScaledObjectShape>;
  try {
    list = (await kube.caller.send(
      'list scaledobjects',
      { kind: 'namespace', id: ns },
      (o) => custom.listNamespacedCustomObject({ ...SCALED_OBJECTS, namespace: ns }, o),
      opts,
    )) as CustomList<ScaledObjectShape>;
  } catch (err) {
    if (isClientError(err, 'E_NOT_FOUND')) return [];
    throw err;
  }
  return (list.items ?? [])
    .filter(
      (so) =>
        so.spec?.scaleTargetRef?.name === name &&
        (so.spec.scaleTargetRef.kind ?? 'Deployment') === 'Deployment',
    )
    .map((so) => ({
      name: so.metadata?.name ?? '',
      minReplicaCount: so.spec?.minReplicaCount ?? 0,
      annotations: { ...so.metadata?.annotations },
    }));
}

/**
 * The Argo CD application tracking an object, from its tracking-id annotation (`<app>:<group>/<kind>:<ns>/<name>`)
 * or the `argocd.argoproj.io/instance` label; `app.kubernetes.io/instance` counts only with a tracking-id, since
 * Helm sets it too. undefined = not tracked.
 */
export function argoApplicationOf(meta: {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}): string | undefined {
  const tracking = meta.annotations[ARGOCD_TRACKING_ID];
  if (tracking) return tracking.split(':')[0];
  return meta.labels[ARGOCD_INSTANCE_LABEL];
}

/** Reads the Argo CD Application: whether selfHeal would revert a change, or why the drill cannot tell. */
export async function readArgoApplication(
  kube: KubeClient,
  name: string,
  opts: CallOptions = {},
): Promise<ArgoApplication> {
  const custom = kube.kubeConfig.makeApiClient(CustomObjectsApi);
  try {
    const app = (await kube.caller.send(
      'get application',
      { kind: 'application', id: `${ARGOCD_NAMESPACE}/${name}` },
      (o) => custom.getNamespacedCustomObject({ ...APPLICATIONS, namespace: ARGOCD_NAMESPACE, name }, o),
      opts,
    )) as ApplicationShape;
    const automated = app.spec?.syncPolicy?.automated;
    return { name, readable: true, automated: Boolean(automated), selfHeal: automated?.selfHeal === true };
  } catch (err) {
    if (isClientError(err, 'E_NOT_FOUND') || isClientError(err, 'E_ACCESS_DENIED'))
      return { name, readable: false, why: (err as Error).message };
    throw err;
  }
}

/** On a ScaledObject the drill paused: the paused-replicas value it replaced ('' = none), so it can be put back. */
export const PAUSED_BY_DRILL = 'drill.luneo.io/paused-by-drill';

export const planPauseScaledObject = (context: string, ns: string, name: string) =>
  planKube(context, `annotate scaledobject/${name}`, {
    namespace: ns,
    name,
    keys: [KEDA_PAUSED_REPLICAS, PAUSED_BY_DRILL].sort(),
  });

async function annotateScaledObject(
  kube: KubeClient,
  ns: string,
  name: string,
  annotations: Record<string, string | null>,
  opts: CallOptions,
): Promise<void> {
  const custom = kube.kubeConfig.makeApiClient(CustomObjectsApi);
  await kube.caller.mutate(planPauseScaledObject(kube.context, ns, name), () =>
    kube.caller.send(
      'annotate scaledobject',
      { kind: 'scaledobject', id: `${ns}/${name}` },
      (o) =>
        custom.patchNamespacedCustomObject(
          { ...SCALED_OBJECTS, namespace: ns, name, body: { metadata: { annotations } } },
          o,
        ),
      { ...opts, contentType: MERGE_PATCH },
    ),
  );
}

/**
 * Pauses KEDA on a ScaledObject at `replicas` (`autoscaling.keda.sh/paused-replicas`: KEDA scales the target to it
 * and stops autoscaling), recording the value it replaces; a ScaledObject the drill already paused is left as is.
 */
export async function pauseScaledObject(
  kube: KubeClient,
  ns: string,
  so: ScaledObjectInfo,
  replicas: number,
  opts: CallOptions = {},
): Promise<{ pausedNow: boolean }> {
  if (so.annotations[PAUSED_BY_DRILL] !== undefined) return { pausedNow: false };
  await annotateScaledObject(
    kube,
    ns,
    so.name,
    {
      [KEDA_PAUSED_REPLICAS]: String(replicas),
      [PAUSED_BY_DRILL]: so.annotations[KEDA_PAUSED_REPLICAS] ?? '',
    },
    opts,
  );
  return { pausedNow: true };
}

/** Puts back the paused-replicas value a drill's pause replaced (none: KEDA autoscales again). */
export async function resumeScaledObject(
  kube: KubeClient,
  ns: string,
  so: ScaledObjectInfo,
  opts: CallOptions = {},
): Promise<{ resumed: boolean }> {
  const previous = so.annotations[PAUSED_BY_DRILL];
  if (previous === undefined) return { resumed: false };
  await annotateScaledObject(
    kube,
    ns,
    so.name,
    { [KEDA_PAUSED_REPLICAS]: previous === '' ? null : previous, [PAUSED_BY_DRILL]: null },
    opts,
  );
  return { resumed: true };
}
