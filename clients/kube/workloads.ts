// What a workload name is on the cluster: a Deployment or an Argo Rollout, and its own spec.selector (the pods
// are whatever it selects, not a guessed `app=<name>`). A server without the Rollout CRD answers 404 for it.
import { CustomObjectsApi, type V1LabelSelector } from '@kubernetes/client-node';
import type { CallOptions } from '../abort.ts';
import { ClientError, isClientError } from '../errors.ts';
import type { KubeClient } from './kube.ts';
import { labelSelectorString } from './kube-model.ts';

/** Argo Rollouts' CRD: argoproj.io/v1alpha1 rollouts (https://argo-rollouts.readthedocs.io/en/stable/features/specification/). */
export const ROLLOUTS = { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts' } as const;

export interface Workload {
  kind: 'Deployment' | 'Rollout';
  namespace: string;
  name: string;
  /** spec.selector as a label selector string. */
  selector: string;
  replicas: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface RolloutObject {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { replicas?: number; selector?: V1LabelSelector };
}

function isNotFound(err: unknown): boolean {
  return isClientError(err, 'E_NOT_FOUND');
}

/** The Deployment named `name`, else the Argo Rollout named `name`; E_NOT_FOUND saying both were looked for. */
export async function readWorkload(
  kube: KubeClient,
  ns: string,
  name: string,
  opts: CallOptions = {},
): Promise<Workload> {
  try {
    const d = await kube.caller.send(
      'get deployment',
      { kind: 'deployment', id: `${ns}/${name}` },
      (o) => kube.apps.readNamespacedDeployment({ namespace: ns, name }, o),
      opts,
    );
    return {
      kind: 'Deployment',
      namespace: ns,
      name,
      selector: labelSelectorString(d.spec?.selector),
      replicas: d.spec?.replicas ?? 1,
      labels: { ...d.metadata?.labels },
      annotations: { ...d.metadata?.annotations },
    };
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const custom = kube.kubeConfig.makeApiClient(CustomObjectsApi);
  let rollout: RolloutObject;
  try {
    rollout = (await kube.caller.send(
      'get rollout',
      { kind: 'rollout', id: `${ns}/${name}` },
      (o) => custom.getNamespacedCustomObject({ ...ROLLOUTS, namespace: ns, name }, o),
      opts,
    )) as RolloutObject;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    throw new ClientError({
      code: 'E_NOT_FOUND',
      message: `no Deployment and no Argo Rollout named ${name} in ${ns} in context ${kube.context} (rollouts.argoproj.io: ${(err as Error).message})`,
      service: 'kubernetes',
      operation: 'get workload',
      scope: kube.context,
      cause: err,
    });
  }
  return {
    kind: 'Rollout',
    namespace: ns,
    name,
    selector: labelSelectorString(rollout.spec?.selector),
    replicas: rollout.spec?.replicas ?? 1,
    labels: { ...rollout.metadata?.labels },
    annotations: { ...rollout.metadata?.annotations },
  };
}

/** Why the drill does not restart or scale an Argo Rollout itself, with what an operator runs instead. */
export function rolloutRefusal(w: Workload): string {
  return `${w.name} in ${w.namespace} is an Argo Rollout (argoproj.io/v1alpha1), not a Deployment: the drill restarts and scales Deployments only. Restart it with \`kubectl argo rollouts restart ${w.name} -n ${w.namespace}\` (sets spec.restartAt; the Argo Rollouts controller replaces the pods) and watch \`kubectl argo rollouts status ${w.name} -n ${w.namespace}\``;
}
