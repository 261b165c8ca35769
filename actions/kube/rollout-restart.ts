// `kubectl rollout restart` of deployments, so they re-read their secrets and configmaps; waits for each rollout.
// Every workload is read first: a kind the drill does not restart (a StatefulSet, an Argo Rollout) is refused before
// anything changes.
import { planRolloutRestart } from '../../clients/kube/kube.ts';
import { readWorkload, rolloutRefusal } from '../../clients/kube/workloads.ts';
import { DrillError } from '../../core/errors.ts';
import type { StepDefinition } from '../../core/model.ts';
import { connection } from '../connection.ts';
import { declaredStep } from '../declared.ts';
import type { Select, StepMeta } from '../select.ts';

export function rolloutRestart<R>(
  meta: StepMeta<R>,
  opts: { context: Select<R, string>; namespace: Select<R, string>; deployments: Select<R, string[]> },
): StepDefinition<R> {
  return declaredStep<R>({
    ...meta,
    calls: (ctx) => {
      const r = ctx.target.resources;
      return opts.deployments(r).map((name) => planRolloutRestart(opts.context(r), opts.namespace(r), name));
    },
    async run(ctx) {
      const { r, kube: kubeOf } = await connection(ctx);
      const kube = kubeOf(opts.context(r));
      const ns = opts.namespace(r);
      const names = opts.deployments(r);
      for (const name of names) {
        const workload = await readWorkload(kube, ns, name, { signal: ctx.signal });
        if (workload.kind !== 'Deployment') throw new DrillError('E_STEP_FAILED', rolloutRefusal(workload));
      }
      for (const name of names) await kube.rolloutRestart(ns, name, { signal: ctx.signal });
      const done = await Promise.all(
        names.map((name) =>
          kube.waitForRollout(ns, name, {
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
