// Runbook §6.2, §6.4, §9.1: the Kubernetes steps (scale, rollout restart, the dr-overrides configmap).

import { isClientError } from '../../clients/errors.ts';
import {
  type ConfigMapState,
  planAnnotateDeployment,
  planPatchConfigMap,
  planRolloutRestart,
  planScaleDeployment,
} from '../../clients/kube/kube.ts';
import { planKube } from '../../clients/kube/kube-call.ts';
import {
  KEDA_PAUSED_REPLICAS,
  pauseScaledObject,
  planPauseScaledObject,
  resumeScaledObject,
  scaledObjectsTargeting,
} from '../../clients/kube/managers.ts';
import { readWorkload, rolloutRefusal } from '../../clients/kube/workloads.ts';
import { parseDuration } from '../../core/duration.ts';
import { DrillError } from '../../core/errors.ts';
import type { StepDefinition } from '../../core/model.ts';
import { declaredStep } from '../declared.ts';
import { luneo, type Side } from './context.ts';
import { awaitFence } from './fence.ts';
import { FINDINGS } from './findings.ts';
import type { LuneoResources } from './resources.ts';

type Deployment = keyof LuneoResources['deployments'];

/** On a fenced deployment: its replica count before the fence, for the switchback (another run) to restore. */
export const REPLICAS_BEFORE_FENCE = 'drill.luneo.io/replicas-before-fence';
/** On dr-overrides: the keys' values before dr_mode=true (JSON, null = absent), for the switchback to restore. */
export const DR_OVERRIDES_BEFORE = 'drill.luneo.io/before-dr-mode';

/**
 * §6.2: scale a deployment. Scaling to 0 (fencing) records the count it replaces on the deployment, pauses any KEDA
 * ScaledObject targeting it (else KEDA scales it back up at its next poll), and waits for the pods themselves to be
 * gone: `status.replicas` drops to 0 at once, while terminating pods keep running for their grace period (30 s by
 * default), and pods on a node cut off from the API server never stop (see fence.ts). A fence it cannot prove fails
 * the step, saying why and how long the overlap was (a deviation where the fence is best effort).
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
  const fallback = opts.fallbackReplicas ?? 1;
  const shown = opts.replicas === 'recorded' ? 'its count before the failover' : String(opts.replicas);
  const id = opts.id ?? `scale-${opts.side}-${opts.deployment}`;
  const timeoutMs = parseDuration(opts.timeout ?? '2m');
  return declaredStep<LuneoResources>({
    id,
    title: `Scale ${opts.deployment} in ${opts.side} to ${shown}`,
    runbook: opts.runbook ?? '§6.2',
    plannedAt: opts.plannedAt,
    timeout: opts.timeout ?? '2m',
    bestEffort: opts.bestEffort ?? false,
    findings: opts.replicas === 0 ? [FINDINGS.fencingOrder] : undefined,
    calls: (ctx) => {
      const r = ctx.target.resources;
      const context = r[opts.side].kubeContext;
      const name = r.deployments[opts.deployment];
      if (opts.replicas === 'recorded')
        return [
          // What the fence paused is resumed, and the count it recorded is used, then forgotten.
          planPauseScaledObject(context, r.kube.namespace, `<ScaledObjects targeting ${name}>`),
          planKube(context, `scale deployment/${name}`, {
            namespace: r.kube.namespace,
            name,
            replicas: `${REPLICAS_BEFORE_FENCE} (else ${fallback})`,
          }),
          planAnnotateDeployment(context, r.kube.namespace, name, [REPLICAS_BEFORE_FENCE]),
        ];
      return [
        ...(opts.replicas === 0
          ? [
              planAnnotateDeployment(context, r.kube.namespace, name, [REPLICAS_BEFORE_FENCE]),
              planPauseScaledObject(context, r.kube.namespace, `<ScaledObjects targeting ${name}>`),
            ]
          : []),
        planScaleDeployment(context, r.kube.namespace, name, opts.replicas),
      ];
    },
    async run(ctx) {
      const started = Date.now();
      const l = await luneo(ctx);
      const kube = l.kube(opts.side);
      const ns = l.r.kube.namespace;
      const name = l.r.deployments[opts.deployment];
      const workload = await readWorkload(kube, ns, name, { signal: ctx.signal }).catch((err: unknown) => {
        // A private-only EKS endpoint goes dark with the cluster's subnets: nothing stopped the workers.
        if (opts.replicas === 0 && (isClientError(err, 'E_UNAVAILABLE') || isClientError(err, 'E_TIMEOUT')))
          throw new DrillError(
            'E_STEP_FAILED',
            `FENCE NOT DONE: the API server of ${l.r[opts.side].kubeContext} does not answer (${(err as Error).message}): ${name} was not scaled, and if its nodes still run they keep writing until the database refuses them`,
            { cause: err },
          );
        throw err;
      });
      if (workload.kind !== 'Deployment') throw new DrillError('E_STEP_FAILED', rolloutRefusal(workload));
      const before = await kube.getDeployment(ns, name, { signal: ctx.signal });
      const recorded = before.annotations[REPLICAS_BEFORE_FENCE];
      const scaledObjects = await scaledObjectsTargeting(kube, ns, name, { signal: ctx.signal });
      let replicas: number;
      let why = '';
      if (opts.replicas !== 'recorded') replicas = opts.replicas;
      else if (recorded !== undefined && /^\d+$/.test(recorded)) {
        replicas = Number(recorded);
        why = ` (recorded before the failover in ${REPLICAS_BEFORE_FENCE})`;
      } else {
        replicas = fallback;
        why = ` (NO count recorded before the failover: ${REPLICAS_BEFORE_FENCE} is not on the deployment; the runbook's ${fallback})`;
      }
      // Recorded once: fencing an already fenced deployment must not overwrite the count with 0.
      const record = replicas === 0 && before.replicas > 0 && recorded === undefined;
      if (record)
        await kube.annotateDeployment(
          ns,
          name,
          { [REPLICAS_BEFORE_FENCE]: String(before.replicas) },
          {
            signal: ctx.signal,
          },
        );
      const paused: string[] = [];
      const resumed: string[] = [];
      for (const so of scaledObjects) {
        // KEDA puts the deployment back to minReplicaCount at its next poll: pause it at 0 while fenced.
        if (replicas === 0 && (await pauseScaledObject(kube, ns, so, 0, { signal: ctx.signal })).pausedNow)
          paused.push(so.name);
        if (
          opts.replicas === 'recorded' &&
          (await resumeScaledObject(kube, ns, so, { signal: ctx.signal })).resumed
        )
          resumed.push(so.name);
      }
      const undoData = { previousReplicas: before.replicas, recordedNow: record, paused };
      const scaledAt = Date.now();
      const result = await kube.scaleDeployment(ns, name, replicas, { signal: ctx.signal });
      const left = () => Math.max(timeoutMs - (Date.now() - started) - 2000, 1000);
      // A fence is judged by its pods (awaitFence below), which outlast what the rollout status counts.
      if (replicas !== 0)
        await kube.waitForRollout(ns, name, {
          signal: ctx.signal,
          intervalMs: 250,
          maxIntervalMs: 1000,
          timeoutMs: Math.min(110_000, left()),
        });
      const measurements: Record<string, number> = {};
      let fence = '';
      if (replicas === 0) {
        const report = await awaitFence(kube, {
          namespace: ns,
          name,
          selector: workload.selector,
          scaledAt,
          budgetMs: Math.min(100_000, left()),
          signal: ctx.signal,
        });
        measurements.fenceOverlapMs = report.overlapMs;
        if (!report.proven) {
          // A failed step journals no undoData: the undo finds it here (the deployment keeps the recorded count).
          ctx.state.set(undoKey(id), undoData);
          throw new DrillError('E_STEP_FAILED', report.detail);
        }
        fence = `; ${report.detail}`;
      }
      // The record is used: a later drill records afresh.
      if (opts.replicas === 'recorded' && recorded !== undefined)
        await kube.annotateDeployment(ns, name, { [REPLICAS_BEFORE_FENCE]: null }, { signal: ctx.signal });
      const keda = [
        paused.length ? `; KEDA paused at 0 (${KEDA_PAUSED_REPLICAS}) on ${paused.join(', ')}` : '',
        resumed.length ? `; KEDA resumed on ${resumed.join(', ')}` : '',
      ].join('');
      return {
        detail: `${name} ${result.previousReplicas} → ${replicas} replicas${why} in ${l.r[opts.side].kubeContext}${result.alreadyDone ? ' (already)' : ''}${keda}${fence}`,
        measurements,
        undoData,
      };
    },
    async undo(ctx, undoData) {
      const data = (undoData ?? ctx.state.get(undoKey(id))) as
        | { previousReplicas?: number; recordedNow?: boolean; paused?: string[] }
        | undefined;
      if (data?.previousReplicas === undefined) return;
      const l = await luneo(ctx);
      const kube = l.kube(opts.side);
      const ns = l.r.kube.namespace;
      const name = l.r.deployments[opts.deployment];
      await kube.scaleDeployment(ns, name, data.previousReplicas, { signal: ctx.signal });
      for (const so of await scaledObjectsTargeting(kube, ns, name, { signal: ctx.signal }))
        if (data.paused?.includes(so.name)) await resumeScaledObject(kube, ns, so, { signal: ctx.signal });
      if (data.recordedNow)
        await kube.annotateDeployment(ns, name, { [REPLICAS_BEFORE_FENCE]: null }, { signal: ctx.signal });
    },
  });
}

function undoKey(stepId: string): string {
  return `kubernetes:undo:${stepId}`;
}

/** §6.4: `rollout restart` deployments so they re-read DATABASE_URL and the configmap; wait for the rollout. */
export function rolloutRestart(opts: {
  side: Side;
  deployments: Deployment[];
  runbook?: '§6.4' | '§9.1';
  plannedAt?: string;
  id?: string;
}): StepDefinition<LuneoResources> {
  return declaredStep<LuneoResources>({
    id: opts.id ?? 'kubernetes',
    title: `Rollout restart ${opts.deployments.join(', ')} in ${opts.side} (fresh DATABASE_URL and dr-overrides)`,
    runbook: opts.runbook ?? '§6.4',
    plannedAt: opts.plannedAt,
    timeout: '5m',
    findings: opts.deployments.includes('worker') ? [FINDINGS.workerSecret] : undefined,
    calls: (ctx) => {
      const r = ctx.target.resources;
      return opts.deployments.map((d) =>
        planRolloutRestart(r[opts.side].kubeContext, r.kube.namespace, r.deployments[d]),
      );
    },
    async run(ctx) {
      const l = await luneo(ctx);
      const kube = l.kube(opts.side);
      const names = opts.deployments.map((d) => l.r.deployments[d]);
      // Every workload is read first: a kind the drill does not restart is refused before anything changes.
      for (const name of names) {
        const workload = await readWorkload(kube, l.r.kube.namespace, name, { signal: ctx.signal });
        if (workload.kind !== 'Deployment') throw new DrillError('E_STEP_FAILED', rolloutRefusal(workload));
      }
      for (const name of names) await kube.rolloutRestart(l.r.kube.namespace, name, { signal: ctx.signal });
      const done = await Promise.all(
        names.map((name) =>
          kube.waitForRollout(l.r.kube.namespace, name, {
            signal: ctx.signal,
            intervalMs: 250,
            maxIntervalMs: 1000,
            timeoutMs: 290_000,
          }),
        ),
      );
      return {
        detail: done.map((d) => `${d.name} ${d.readyReplicas}/${d.replicas} ready`).join(', '),
        measurements: { restartedAt: ctx.clock.now() },
      };
    },
  });
}

type KeyValues = Record<string, string | null>;

function parseRecord(text: string | undefined): KeyValues | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as KeyValues) : undefined;
  } catch {
    return undefined;
  }
}

function valuesOf(state: ConfigMapState | null, keys: string[]): KeyValues {
  return Object.fromEntries(keys.map((k) => [k, state?.data[k] ?? null]));
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
  const data: KeyValues = {
    dr_mode: String(opts.drMode),
    ...Object.fromEntries((opts.unset ?? []).map((k) => [k, null])),
  };
  const unsetText = opts.unset?.length ? `, without ${opts.unset.join(', ')}` : '';
  return declaredStep<LuneoResources>({
    id: `dr-overrides-${opts.side}-${opts.drMode ? 'on' : 'off'}`,
    title: opts.restoreRecorded
      ? `Restore dr-overrides in ${opts.side} to what it was before the failover (else dr_mode=${opts.drMode})`
      : `Set dr_mode=${opts.drMode}${unsetText} in configmap dr-overrides in ${opts.side}`,
    runbook: opts.runbook ?? '§6.4',
    plannedAt: opts.plannedAt,
    timeout: '1m',
    findings: [FINDINGS.configmapOrder],
    calls: (ctx) => {
      const r = ctx.target.resources;
      return [
        planPatchConfigMap(
          r[opts.side].kubeContext,
          r.kube.namespace,
          r.kube.drOverridesConfigMap,
          Object.keys(data),
        ),
      ];
    },
    async run(ctx) {
      const l = await luneo(ctx);
      let told = '';
      let recordedNow = false;
      const result = await l.kube(opts.side).patchConfigMap(
        l.r.kube.namespace,
        l.r.kube.drOverridesConfigMap,
        (current) => {
          const record = parseRecord(current?.annotations[DR_OVERRIDES_BEFORE]);
          if (opts.restoreRecorded) {
            told = record
              ? ` (restored from ${DR_OVERRIDES_BEFORE})`
              : ` (nothing recorded in ${DR_OVERRIDES_BEFORE}: dr_mode=${opts.drMode})`;
            return record ? { data: record, annotations: { [DR_OVERRIDES_BEFORE]: null } } : { data };
          }
          recordedNow = opts.drMode && !record;
          return {
            data,
            ...(recordedNow
              ? {
                  annotations: {
                    [DR_OVERRIDES_BEFORE]: JSON.stringify(valuesOf(current, Object.keys(data))),
                  },
                }
              : {}),
          };
        },
        { signal: ctx.signal },
      );
      const was = valuesOf(result.before, ['dr_mode']).dr_mode;
      const kept = Object.keys(result.before?.data ?? {}).filter((k) => !(k in data));
      const now = opts.restoreRecorded ? '' : `dr_mode=${opts.drMode}${unsetText}`;
      return {
        detail: `${now}${told}${result.changed ? '' : ' (unchanged)'}; was ${was ?? 'absent'}${kept.length ? `; other keys kept: ${kept.join(', ')}` : ''}`,
        undoData: {
          previous: valuesOf(result.before, Object.keys(data)),
          recordedNow,
          changed: result.changed,
        },
      };
    },
    async undo(ctx, undoData) {
      const u = undoData as { previous?: KeyValues; recordedNow?: boolean; changed?: boolean } | undefined;
      if (!u?.previous || !u.changed) return;
      const l = await luneo(ctx);
      await l.kube(opts.side).patchConfigMap(
        l.r.kube.namespace,
        l.r.kube.drOverridesConfigMap,
        () => ({
          data: u.previous!,
          ...(u.recordedNow ? { annotations: { [DR_OVERRIDES_BEFORE]: null } } : {}),
        }),
        { signal: ctx.signal },
      );
    },
  });
}
