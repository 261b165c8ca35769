// Runbook §6.2, §6.4, §9.1: the Kubernetes steps (scale, rollout restart, the dr-overrides configmap): the generic
// steps (actions/kube/) bound to Luneo's clusters, namespace and deployments.

import * as kube from '../../../actions/kube/index.ts';
import type { StepDefinition } from '../../../core/model.ts';
import type { Side } from '../context.ts';
import { FINDINGS } from '../findings.ts';
import type { LuneoResources } from '../resources.ts';

type Deployment = keyof LuneoResources['deployments'];

/** On a fenced deployment: its replica count before the fence, for the switchback (another run) to restore. */
export const REPLICAS_BEFORE_FENCE = 'drill.luneo.io/replicas-before-fence';
/** On dr-overrides: the keys' values before dr_mode=true (JSON, null = absent), for the switchback to restore. */
export const DR_OVERRIDES_BEFORE = 'drill.luneo.io/before-dr-mode';

const cluster = (side: Side) => ({
  context: (r: LuneoResources) => r[side].kubeContext,
  namespace: (r: LuneoResources) => r.kube.namespace,
});

/**
 * §6.2: scale a deployment; to 0 it is a fence (recorded, KEDA paused, pods proven gone: actions/kube/scale.ts).
 * `replicas: 'recorded'` (§9.1) restores the count the fence recorded and resumes what it paused.
 */
export function scaleDeployment(opts: {
  side: Side;
  deployment: Deployment;
  replicas: number | 'recorded';
  /** With `replicas: 'recorded'`: the count when none was recorded (default 1), said in the detail. */
  fallbackReplicas?: number;
  runbook?: '§6.2' | '§9.1';
  plannedAt?: string;
  bestEffort?: boolean;
  id?: string;
  /** Default "2m"; keep it short where the cluster may be unreachable (best effort in a regional outage). */
  timeout?: string;
}): StepDefinition<LuneoResources> {
  const shown = opts.replicas === 'recorded' ? 'its count before the failover' : String(opts.replicas);
  return kube.scaleDeployment<LuneoResources>(
    {
      id: opts.id ?? `scale-${opts.side}-${opts.deployment}`,
      title: `Scale ${opts.deployment} in ${opts.side} to ${shown}`,
      runbook: opts.runbook ?? '§6.2',
      plannedAt: opts.plannedAt,
      timeout: opts.timeout ?? '2m',
      bestEffort: opts.bestEffort ?? false,
      findings: opts.replicas === 0 ? [FINDINGS.fencingOrder] : undefined,
    },
    {
      deployment: { ...cluster(opts.side), name: (r) => r.deployments[opts.deployment] },
      replicas: opts.replicas,
      ...(opts.fallbackReplicas === undefined ? {} : { fallbackReplicas: opts.fallbackReplicas }),
      recordAnnotation: REPLICAS_BEFORE_FENCE,
    },
  );
}

/** §6.4: `rollout restart` deployments so they re-read DATABASE_URL and the configmap; wait for the rollout. */
export function rolloutRestart(opts: {
  side: Side;
  deployments: Deployment[];
  runbook?: '§6.4' | '§9.1';
  plannedAt?: string;
  id?: string;
}): StepDefinition<LuneoResources> {
  return kube.rolloutRestart<LuneoResources>(
    {
      id: opts.id ?? 'kubernetes',
      title: `Rollout restart ${opts.deployments.join(', ')} in ${opts.side} (fresh DATABASE_URL and dr-overrides)`,
      runbook: opts.runbook ?? '§6.4',
      plannedAt: opts.plannedAt,
      timeout: '5m',
      findings: opts.deployments.includes('worker') ? [FINDINGS.workerSecret] : undefined,
    },
    { ...cluster(opts.side), deployments: (r) => opts.deployments.map((d) => r.deployments[d]) },
  );
}

/**
 * §6.4: the dr-overrides configmap (feature flag dr_mode), applied before the restart that reads it. Only
 * dr_mode changes (a merge patch: keys the drill never managed stay, as with `kubectl apply`). Turning DR mode on
 * records the previous value on the configmap; `restoreRecorded` (§9.1 switchback, another run) puts it back.
 */
export function applyDrOverrides(opts: {
  side: Side;
  drMode: boolean;
  /** Restore what dr_mode=true recorded; `drMode` is the value when nothing was recorded. */
  restoreRecorded?: boolean;
  /** Keys to remove as well (§5: the bad key a broken release added). */
  unset?: string[];
  runbook?: '§6.4' | '§9.1';
  plannedAt?: string;
}): StepDefinition<LuneoResources> {
  const unsetText = opts.unset?.length ? `, without ${opts.unset.join(', ')}` : '';
  return kube.applyConfigMap<LuneoResources>(
    {
      id: `dr-overrides-${opts.side}-${opts.drMode ? 'on' : 'off'}`,
      title: opts.restoreRecorded
        ? `Restore dr-overrides in ${opts.side} to what it was before the failover (else dr_mode=${opts.drMode})`
        : `Set dr_mode=${opts.drMode}${unsetText} in configmap dr-overrides in ${opts.side}`,
      runbook: opts.runbook ?? '§6.4',
      plannedAt: opts.plannedAt,
      timeout: '1m',
      findings: [FINDINGS.configmapOrder],
    },
    {
      ...cluster(opts.side),
      name: (r) => r.kube.drOverridesConfigMap,
      data: {
        dr_mode: String(opts.drMode),
        ...Object.fromEntries((opts.unset ?? []).map((k) => [k, null])),
      },
      record: opts.drMode,
      ...(opts.restoreRecorded ? { restoreRecorded: true } : {}),
      recordAnnotation: DR_OVERRIDES_BEFORE,
    },
  );
}
