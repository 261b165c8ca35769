// Runbook §6.2, §6.4, §9.1: the Kubernetes steps (scale, rollout restart, the dr-overrides configmap).
import { planApplyConfigMap, planRolloutRestart, planScaleDeployment } from '../../clients/kube/kube.ts';
import { defineStep, type StepDefinition } from '../../core/model.ts';
import { luneo, type Side } from './context.ts';
import { FINDINGS } from './findings.ts';
import type { LuneoResources } from './resources.ts';

type Deployment = keyof LuneoResources['deployments'];

/** §6.2: scale a deployment (e.g. the primary ai-worker to 0: fencing). Undo scales it back. */
export function scaleDeployment(opts: {
  side: Side;
  deployment: Deployment;
  replicas: number;
  runbook?: '§6.2' | '§9.1';
  plannedAt?: string;
  bestEffort?: boolean;
  id?: string;
  /** Default "2m"; keep it short where the cluster may be unreachable (best effort in a regional outage). */
  timeout?: string;
}): StepDefinition<LuneoResources> {
  return defineStep<LuneoResources>({
    id: opts.id ?? `scale-${opts.side}-${opts.deployment}`,
    title: `Scale ${opts.deployment} in ${opts.side} to ${opts.replicas}`,
    runbook: opts.runbook ?? '§6.2',
    plannedAt: opts.plannedAt,
    timeout: opts.timeout ?? '2m',
    bestEffort: opts.bestEffort ?? false,
    findings: opts.replicas === 0 ? [FINDINGS.fencingOrder] : undefined,
    plan: (ctx) => {
      const r = ctx.target.resources;
      return [
        planScaleDeployment(
          r[opts.side].kubeContext,
          r.kube.namespace,
          r.deployments[opts.deployment],
          opts.replicas,
        ),
      ];
    },
    async run(ctx) {
      const l = await luneo(ctx);
      const kube = l.kube(opts.side);
      const name = l.r.deployments[opts.deployment];
      const result = await kube.scaleDeployment(l.r.kube.namespace, name, opts.replicas, {
        signal: ctx.signal,
      });
      await kube.waitForRollout(l.r.kube.namespace, name, {
        signal: ctx.signal,
        intervalMs: 250,
        maxIntervalMs: 1000,
        timeoutMs: 110_000,
      });
      return {
        detail: `${name} ${result.previousReplicas} → ${opts.replicas} replicas in ${l.r[opts.side].kubeContext}${result.alreadyDone ? ' (already)' : ''}`,
        undoData: { previousReplicas: result.previousReplicas },
      };
    },
    async undo(ctx, undoData) {
      const previous = (undoData as { previousReplicas?: number } | undefined)?.previousReplicas;
      if (previous === undefined) return;
      const l = await luneo(ctx);
      await l
        .kube(opts.side)
        .scaleDeployment(l.r.kube.namespace, l.r.deployments[opts.deployment], previous, {
          signal: ctx.signal,
        });
    },
  });
}

/** §6.4: `rollout restart` deployments so they re-read DATABASE_URL and the configmap; wait for the rollout. */
export function rolloutRestart(opts: {
  side: Side;
  deployments: Deployment[];
  runbook?: '§6.4' | '§9.1';
  plannedAt?: string;
  id?: string;
}): StepDefinition<LuneoResources> {
  return defineStep<LuneoResources>({
    id: opts.id ?? 'kubernetes',
    title: `Rollout restart ${opts.deployments.join(', ')} in ${opts.side} (fresh DATABASE_URL and dr-overrides)`,
    runbook: opts.runbook ?? '§6.4',
    plannedAt: opts.plannedAt,
    timeout: '5m',
    findings: opts.deployments.includes('worker') ? [FINDINGS.workerSecret] : undefined,
    plan: (ctx) => {
      const r = ctx.target.resources;
      return opts.deployments.map((d) =>
        planRolloutRestart(r[opts.side].kubeContext, r.kube.namespace, r.deployments[d]),
      );
    },
    async run(ctx) {
      const l = await luneo(ctx);
      const kube = l.kube(opts.side);
      const names = opts.deployments.map((d) => l.r.deployments[d]);
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

/** §6.4: the dr-overrides configmap (feature flag dr_mode), applied before the restart that reads it. */
export function applyDrOverrides(opts: {
  side: Side;
  drMode: boolean;
  runbook?: '§6.4' | '§9.1';
  plannedAt?: string;
}): StepDefinition<LuneoResources> {
  const data = { dr_mode: String(opts.drMode) };
  return defineStep<LuneoResources>({
    id: `dr-overrides-${opts.side}-${opts.drMode ? 'on' : 'off'}`,
    title: `Apply configmap dr-overrides with dr_mode=${opts.drMode} in ${opts.side}`,
    runbook: opts.runbook ?? '§6.4',
    plannedAt: opts.plannedAt,
    timeout: '1m',
    findings: [FINDINGS.configmapOrder],
    plan: (ctx) => {
      const r = ctx.target.resources;
      return [
        planApplyConfigMap(r[opts.side].kubeContext, r.kube.namespace, r.kube.drOverridesConfigMap, data),
      ];
    },
    async run(ctx) {
      const l = await luneo(ctx);
      const result = await l
        .kube(opts.side)
        .applyConfigMap(l.r.kube.namespace, l.r.kube.drOverridesConfigMap, data, { signal: ctx.signal });
      return { detail: `dr_mode=${opts.drMode}${result.changed ? '' : ' (unchanged)'}` };
    },
  });
}
