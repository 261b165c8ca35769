// Scale a deployment. Scaling to 0 (fencing) records the count it replaces on the deployment (in `recordAnnotation`),
// pauses any KEDA ScaledObject targeting it (else KEDA scales it back up at its next poll), and waits for the pods
// themselves to be gone: `status.replicas` drops to 0 at once, while terminating pods keep running for their grace
// period (30 s by default), and pods on a node cut off from the API server never stop (see fence.ts). A fence it
// cannot prove fails the step, saying why and how long the overlap was (a deviation where the fence is best effort).
// `replicas: 'recorded'` restores the count the fence recorded (then forgets it) and resumes what it paused.
import { isClientError } from '../../clients/errors.ts';
import { planAnnotateDeployment, planScaleDeployment } from '../../clients/kube/kube.ts';
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
import { connection } from '../connection.ts';
import { declaredStep } from '../declared.ts';
import type { StepMeta } from '../select.ts';
import type { DeploymentRef } from './deployment.ts';
import { awaitFence } from './fence.ts';

export function scaleDeployment<R>(
  meta: StepMeta<R>,
  opts: {
    deployment: DeploymentRef<R>;
    replicas: number | 'recorded';
    /** With `replicas: 'recorded'`: the count when none was recorded (default 1), said in the detail. */
    fallbackReplicas?: number;
    /** The deployment annotation that keeps its count from before the fence, for the way back (another run). */
    recordAnnotation: string;
  },
): StepDefinition<R> {
  const fallback = opts.fallbackReplicas ?? 1;
  const id = meta.id ?? meta.title;
  const RECORD = opts.recordAnnotation;
  const timeoutMs = parseDuration(meta.timeout ?? '2m');
  return declaredStep<R>({
    ...meta,
    timeout: meta.timeout ?? '2m',
    calls: (ctx) => {
      const r = ctx.target.resources;
      const context = opts.deployment.context(r);
      const namespace = opts.deployment.namespace(r);
      const name = opts.deployment.name(r);
      if (opts.replicas === 'recorded')
        return [
          // What the fence paused is resumed, and the count it recorded is used, then forgotten.
          planPauseScaledObject(context, namespace, `<ScaledObjects targeting ${name}>`),
          planKube(context, `scale deployment/${name}`, {
            namespace: namespace,
            name,
            replicas: `${RECORD} (else ${fallback})`,
          }),
          planAnnotateDeployment(context, namespace, name, [RECORD]),
        ];
      return [
        ...(opts.replicas === 0
          ? [
              planAnnotateDeployment(context, namespace, name, [RECORD]),
              planPauseScaledObject(context, namespace, `<ScaledObjects targeting ${name}>`),
            ]
          : []),
        planScaleDeployment(context, namespace, name, opts.replicas),
      ];
    },
    async run(ctx) {
      const started = Date.now();
      const conn = await connection(ctx);
      const context = opts.deployment.context(conn.r);
      const kube = conn.kube(context);
      const ns = opts.deployment.namespace(conn.r);
      const name = opts.deployment.name(conn.r);
      const workload = await readWorkload(kube, ns, name, { signal: ctx.signal }).catch((err: unknown) => {
        // A private-only EKS endpoint goes dark with the cluster's subnets: nothing stopped the workers.
        if (opts.replicas === 0 && (isClientError(err, 'E_UNAVAILABLE') || isClientError(err, 'E_TIMEOUT')))
          throw new DrillError(
            'E_STEP_FAILED',
            `FENCE NOT DONE: the API server of ${context} does not answer (${(err as Error).message}): ${name} was not scaled, and if its nodes still run they keep writing until the database refuses them`,
            { cause: err },
          );
        throw err;
      });
      if (workload.kind !== 'Deployment') throw new DrillError('E_STEP_FAILED', rolloutRefusal(workload));
      const before = await kube.getDeployment(ns, name, { signal: ctx.signal });
      const recorded = before.annotations[RECORD];
      const scaledObjects = await scaledObjectsTargeting(kube, ns, name, { signal: ctx.signal });
      let replicas: number;
      let why = '';
      if (opts.replicas !== 'recorded') replicas = opts.replicas;
      else if (recorded !== undefined && /^\d+$/.test(recorded)) {
        replicas = Number(recorded);
        why = ` (recorded before the failover in ${RECORD})`;
      } else {
        replicas = fallback;
        why = ` (NO count recorded before the failover: ${RECORD} is not on the deployment; the runbook's ${fallback})`;
      }
      // Recorded once: fencing an already fenced deployment must not overwrite the count with 0.
      const record = replicas === 0 && before.replicas > 0 && recorded === undefined;
      if (record)
        await kube.annotateDeployment(
          ns,
          name,
          { [RECORD]: String(before.replicas) },
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
        await kube.annotateDeployment(ns, name, { [RECORD]: null }, { signal: ctx.signal });
      const keda = [
        paused.length ? `; KEDA paused at 0 (${KEDA_PAUSED_REPLICAS}) on ${paused.join(', ')}` : '',
        resumed.length ? `; KEDA resumed on ${resumed.join(', ')}` : '',
      ].join('');
      return {
        detail: `${name} ${result.previousReplicas} → ${replicas} replicas${why} in ${context}${result.alreadyDone ? ' (already)' : ''}${keda}${fence}`,
        measurements,
        undoData,
      };
    },
    async undo(ctx, undoData) {
      const data = (undoData ?? ctx.state.get(undoKey(id))) as
        | { previousReplicas?: number; recordedNow?: boolean; paused?: string[] }
        | undefined;
      if (data?.previousReplicas === undefined) return;
      const conn = await connection(ctx);
      const context = opts.deployment.context(conn.r);
      const kube = conn.kube(context);
      const ns = opts.deployment.namespace(conn.r);
      const name = opts.deployment.name(conn.r);
      await kube.scaleDeployment(ns, name, data.previousReplicas, { signal: ctx.signal });
      for (const so of await scaledObjectsTargeting(kube, ns, name, { signal: ctx.signal }))
        if (data.paused?.includes(so.name)) await resumeScaledObject(kube, ns, so, { signal: ctx.signal });
      if (data.recordedNow)
        await kube.annotateDeployment(ns, name, { [RECORD]: null }, { signal: ctx.signal });
    },
  });
}

function undoKey(stepId: string): string {
  return `kubernetes:undo:${stepId}`;
}
