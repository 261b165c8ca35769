// Runbook §5 when only the workload fails: a bad configuration makes every luneo-api pod of the primary exit at
// start (CrashLoopBackOff) while the database, the load balancer and the cluster are fine. The decision is a rollout
// restart in the primary once the cause is removed, not a regional failover; the database never moves.

import { declaredFault, declaredStep } from '../../../actions/declared.ts';
import { readWorkload } from '../../../clients/kube/workloads.ts';
import { pollUntil } from '../../../clients/poll.ts';
import { DrillError } from '../../../core/errors.ts';
import type { ProbeDefinition, StepDefinition } from '../../../core/model.ts';
import { luneo, PROBE_READ } from '../context.ts';
import type { LuneoResources } from '../resources.ts';
import { classify } from './detection.ts';

/** What the bad release put in dr-overrides: a DATABASE_URL secret id that does not exist (pods exit at start). */
export const BAD_SECRET_ID = 'prod/luneo/DATABASE_URL-v2';
/** The dr-overrides key the bad release set. */
export const BAD_OVERRIDE_KEY = 'DATABASE_URL_SECRET_ID';
const WRITER_KEY = 'luneo:writer-before-t0';

/**
 * The fault: a bad dr-overrides configmap reaches the primary (as a broken deploy would apply it) and the API pods are
 * replaced (node rotation, as FIS aws:eks:pod-delete does): every new pod reads the bad value and crash-loops.
 * T0 = the pods are deleted (the decision step waits for the crash loop). Revert: the previous configmap and a rollout restart.
 */
export const badConfigCrashLoop = declaredFault<LuneoResources>({
  title: `dr-overrides in eu-west-1 gets DATABASE_URL_SECRET_ID=${BAD_SECRET_ID} and the luneo-api pods are replaced: they crash-loop`,
  runbook: '§5',
  timeout: '2m',
  calls: (ctx) => {
    const r = ctx.target.resources;
    return [
      {
        service: 'kubernetes',
        operation: `patch configmap/${r.kube.drOverridesConfigMap}`,
        scope: r.primary.kubeContext,
        mutating: true,
      },
      {
        service: 'kubernetes',
        operation: `delete pod/<pods of ${r.deployments.api} (its spec.selector)>`,
        scope: r.primary.kubeContext,
        mutating: true,
      },
    ];
  },
  async inject(ctx) {
    const l = await luneo(ctx);
    const kube = l.kube('primary');
    const ns = l.r.kube.namespace;
    // Only the bad key changes (a merge patch): other keys, and other writers' changes, stay.
    const { before } = await kube.patchConfigMap(
      ns,
      l.r.kube.drOverridesConfigMap,
      () => ({ data: { [BAD_OVERRIDE_KEY]: BAD_SECRET_ID } }),
      { signal: ctx.signal },
    );
    const previous = { [BAD_OVERRIDE_KEY]: before?.data[BAD_OVERRIDE_KEY] ?? null };
    // The pods are what the workload itself selects (its spec.selector), not a guessed label.
    const api = await readWorkload(kube, ns, l.r.deployments.api, { signal: ctx.signal });
    const pods = (await kube.listPods(ns, api.selector, { signal: ctx.signal })).filter(
      (p) => !p.deletionTimestamp,
    );
    for (const pod of pods) await kube.deletePod(ns, pod.name, { signal: ctx.signal });
    return {
      detail: `dr-overrides has DATABASE_URL_SECRET_ID=${BAD_SECRET_ID}; ${pods.length} ${l.r.deployments.api} pods deleted (replacements read the bad value)`,
      undoData: { previous },
    };
  },
  async revert(ctx, undoData) {
    const previous = (undoData as { previous?: Record<string, string | null> } | undefined)?.previous ?? {
      [BAD_OVERRIDE_KEY]: null,
    };
    const l = await luneo(ctx);
    const kube = l.kube('primary');
    const { changed } = await kube.patchConfigMap(
      l.r.kube.namespace,
      l.r.kube.drOverridesConfigMap,
      () => ({ data: previous }),
      { signal: ctx.signal },
    );
    // Pods started from the bad value keep it: restart them only when the drill had not already.
    if (changed) await kube.rolloutRestart(l.r.kube.namespace, l.r.deployments.api, { signal: ctx.signal });
  },
});

/** Steady state: remembers which cluster writes before T0, so the verify phase can prove it never moved. */
export function writerBeforeFault(): ProbeDefinition<LuneoResources> {
  return {
    name: 'writer-before-fault',
    description: 'The global cluster writer and the DATABASE_URL secret version before the fault',
    timeout: '10s',
    async check(ctx, { signal }) {
      const l = await luneo(ctx);
      const gc = await l.aws
        .rds(l.r.secondary.region)
        .describeGlobalCluster(l.r.globalClusterId, { signal, ...PROBE_READ });
      const writer = gc.members.find((m) => m.isWriter);
      const secret = await l.aws
        .secrets(l.r.primary.region)
        .getSecretValue(l.r.secrets.databaseUrl, { signal, ...PROBE_READ });
      ctx.state.set(WRITER_KEY, { cluster: writer?.clusterId, versionId: secret.versionId });
      const ok = writer?.region === l.r.primary.region;
      return {
        ok,
        detail: `writer ${writer?.clusterId ?? 'none'} (${writer?.region ?? '-'}), ${l.r.secrets.databaseUrl} version ${secret.versionId}`,
      };
    },
  };
}

/** §5 decision from evidence: the database and cluster are fine, only the API pods fail → workload only. */
export function assessWorkload(opts: { plannedAt?: string } = {}): StepDefinition<LuneoResources> {
  return declaredStep<LuneoResources>({
    id: 'decision',
    title: 'Assess: workload only (rollout restart in primary) or regional failover',
    runbook: '§5',
    plannedAt: opts.plannedAt ?? '4m',
    timeout: '1m',
    calls: (ctx) => {
      const r = ctx.target.resources;
      return [
        { service: 'rds', operation: 'DescribeGlobalClusters', scope: r.secondary.region, mutating: false },
        { service: 'http', operation: `GET ${r.publicUrl}/health`, mutating: false },
        {
          service: 'kubernetes',
          operation: 'list nodes, pods',
          scope: r.primary.kubeContext,
          mutating: false,
        },
      ];
    },
    async run(ctx) {
      const l = await luneo(ctx);
      const gc = await l.aws
        .rds(l.r.secondary.region)
        .describeGlobalCluster(l.r.globalClusterId, { signal: ctx.signal });
      const writer = gc.members.find((m) => m.isWriter);
      // The primary region's own load balancer: Route 53 may already send users to the secondary (its API still
      // writes to the primary database), so the public URL can look healthy during a workload-only failure.
      const regionUrl = l.r.regionUrls?.[l.r.primary.region] ?? l.publicUrl;
      const reply = await fetch(`${regionUrl}/health`, {
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(5000)]),
      })
        .then(async (res) => ({
          status: res.status,
          body: (await res.json().catch(() => ({}))) as Parameters<typeof classify>[1],
        }))
        .catch((error: Error) => ({
          status: 0,
          body: { error: `unreachable: ${error.message}` } as Parameters<typeof classify>[1],
        }));
      const kube = l.kube('primary');
      const nodes = await kube.listNodes({ signal: ctx.signal });
      const api = await readWorkload(kube, l.r.kube.namespace, l.r.deployments.api, { signal: ctx.signal });
      // Crash-looping: no API pod ready and the pods restarting (waited for: the kubelet backs off between restarts).
      const pods = await pollUntil({
        site: { service: 'kubernetes', operation: 'list pods', scope: l.r.primary.kubeContext },
        what: `the ${l.r.deployments.api} pods to show restarts (or to serve again)`,
        intervalMs: 250,
        maxIntervalMs: 1000,
        timeoutMs: 45_000,
        signal: ctx.signal,
        check: async () => {
          const now = await kube.listPods(l.r.kube.namespace, api.selector, { signal: ctx.signal });
          const settled = now.some((p) => p.ready) || now.some((p) => p.restarts > 0);
          const seen = now.map((p) => `${p.name} ready=${p.ready} restarts=${p.restarts}`).join(', ');
          return settled ? { done: true, value: now } : { done: false, seen: seen || 'no pod' };
        },
      });
      const evidence = [
        `writer ${writer?.clusterId ?? 'none'} in ${writer?.region ?? '-'} (${gc.status})`,
        `${l.r.primary.region} load balancer /health HTTP ${reply.status}`,
        `${nodes.filter((n) => n.ready).length}/${nodes.length} nodes Ready`,
        `${l.r.deployments.api} ${pods.filter((p) => p.ready).length}/${pods.length} ready, ${pods.reduce((s, p) => s + p.restarts, 0)} restarts`,
      ].join('; ');
      const verdict = classify(reply.status, reply.body);
      const platformFine =
        writer?.region === l.r.primary.region && nodes.length > 0 && nodes.every((n) => n.ready);
      if (verdict.kind !== 'workload' || !platformFine) {
        throw new DrillError(
          'E_STEP_FAILED',
          `not a workload-only failure (${verdict.kind}: ${verdict.why}); evidence: ${evidence}`,
        );
      }
      return {
        detail: `workload only: rollout restart in the primary, not a regional failover. Why: ${verdict.why}. Evidence: ${evidence}`,
        measurements: { decidedAt: ctx.clock.now() },
      };
    },
  });
}

/** Verify: the database never failed over (same writer cluster, same DATABASE_URL version) and users stay on the primary. */
export function noRegionalFailover(): ProbeDefinition<LuneoResources> {
  return {
    name: 'no-regional-failover',
    description: 'The global cluster writer, the DATABASE_URL secret and the serving region did not change',
    runbook: '§5',
    timeout: '10s',
    async check(ctx, { signal }) {
      const l = await luneo(ctx);
      const before = ctx.state.get(WRITER_KEY) as { cluster?: string; versionId?: string } | undefined;
      const gc = await l.aws
        .rds(l.r.secondary.region)
        .describeGlobalCluster(l.r.globalClusterId, { signal, ...PROBE_READ });
      const writer = gc.members.find((m) => m.isWriter);
      const secret = await l.aws
        .secrets(l.r.primary.region)
        .getSecretValue(l.r.secrets.databaseUrl, { signal });
      const health = (await (await fetch(`${l.publicUrl}/health`, { signal })).json().catch(() => ({}))) as {
        region?: string;
      };
      const problems = [
        writer?.clusterId !== before?.cluster &&
          `writer is ${writer?.clusterId} (was ${before?.cluster ?? 'unknown'})`,
        secret.versionId !== before?.versionId &&
          `${l.r.secrets.databaseUrl} version is ${secret.versionId} (was ${before?.versionId ?? 'unknown'})`,
        health.region !== l.r.primary.region && `users are served by ${health.region ?? 'nobody'}`,
      ].filter(Boolean);
      return problems.length
        ? { ok: false, detail: `a regional failover happened: ${problems.join('; ')}` }
        : {
            ok: true,
            detail: `writer still ${writer?.clusterId} (${writer?.region}), ${l.r.secrets.databaseUrl} version unchanged, users served by ${health.region}`,
          };
    },
  };
}
