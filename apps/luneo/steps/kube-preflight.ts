// Preflight: nothing on the cluster undoes what the failover changes there. A KEDA ScaledObject scales a fenced
// deployment back up within its pollingInterval (the fence pauses it, with an undo); an HPA does not (at 0 replicas
// it reports ScalingDisabled and leaves the target alone); an Argo CD application with selfHeal reverts the scale,
// the restart and dr_mode within seconds, and the drill does not change Argo CD: it refuses, saying what to do. A
// workload that is not a Deployment (an Argo Rollout) is refused too: the steps scale and restart Deployments.
// https://keda.sh/docs/2.16/concepts/scaling-deployments/#pause-autoscaling
// kube-controller-manager pkg/controller/podautoscaler/horizontal.go ("scaling is disabled since the replica count of the target is zero")
// https://argo-cd.readthedocs.io/en/stable/user-guide/auto_sync/#automatic-self-healing
import { declaredProbe } from '../../../actions/declared.ts';
import {
  APPLICATIONS,
  ARGOCD_NAMESPACE,
  argoApplicationOf,
  hpasTargeting,
  readArgoApplication,
  scaledObjectsTargeting,
} from '../../../clients/kube/managers.ts';
import { readWorkload, rolloutRefusal } from '../../../clients/kube/workloads.ts';
import type { ProbeDefinition } from '../../../core/model.ts';
import { luneo, type Side } from '../context.ts';
import type { LuneoResources } from '../resources.ts';

type Deployment = keyof LuneoResources['deployments'];

/** One object the failover changes: a deployment it scales to 0 or restarts, or the dr-overrides configmap. */
export type KubeChange =
  | { side: Side; deployment: Deployment; change: 'scale to 0' | 'restart' }
  | { side: Side; configmap: 'drOverrides'; change: 'dr_mode' };

/** What the regional failover changes on the clusters (runbook §6.2 and §6.4). */
export const REGIONAL_FAILOVER_CHANGES: KubeChange[] = [
  { side: 'primary', deployment: 'worker', change: 'scale to 0' },
  { side: 'secondary', configmap: 'drOverrides', change: 'dr_mode' },
  { side: 'secondary', deployment: 'api', change: 'restart' },
  { side: 'secondary', deployment: 'worker', change: 'restart' },
];

interface Verdict {
  refusals: string[];
  notes: string[];
}

async function argoVerdict(
  ctx: Parameters<ProbeDefinition<LuneoResources>['check']>[0],
  side: Side,
  what: string,
  meta: { labels: Record<string, string>; annotations: Record<string, string> },
  signal: AbortSignal,
  out: Verdict,
): Promise<void> {
  const appName = argoApplicationOf(meta);
  if (!appName) return;
  const l = await luneo(ctx);
  const app = await readArgoApplication(l.kube(side), appName, { signal });
  const where = `${what} in ${l.r[side].kubeContext} is managed by Argo CD application ${appName}`;
  if (!app.readable)
    out.refusals.push(
      `${where}, and the drill cannot read ${APPLICATIONS.plural}.${APPLICATIONS.group}/${appName} in ${ARGOCD_NAMESPACE} (${app.why}): if it self-heals it reverts the drill within seconds. Disable self-heal for the drill (\`argocd app set ${appName} --self-heal=false\`, back after the switchback) or let the drill read the application`,
    );
  else if (app.selfHeal)
    out.refusals.push(
      `${where} with selfHeal: it reverts the drill's change within seconds. Disable self-heal for the drill (\`argocd app set ${appName} --self-heal=false\`) and enable it again after the switchback`,
    );
  else out.notes.push(`${where} without selfHeal (it syncs only on a Git change)`);
}

/** The preflight probe: refuses, with the reason, when a controller would undo the failover's Kubernetes changes. */
export function kubeChangesHold(
  changes: KubeChange[] = REGIONAL_FAILOVER_CHANGES,
): ProbeDefinition<LuneoResources> {
  return declaredProbe<LuneoResources>({
    name: 'kube-changes-hold',
    description:
      'No GitOps or autoscaling controller undoes the failover: Deployments (not Argo Rollouts), KEDA paused by the fence, no Argo CD self-heal',
    timeout: '20s',
    calls: (ctx) => {
      const r = ctx.target.resources;
      const read = (side: Side, operation: string) => ({
        service: 'kubernetes',
        operation,
        scope: r[side].kubeContext,
        mutating: false,
      });
      const sides = [...new Set(changes.map((c) => c.side))];
      const fenced = [...new Set(changes.filter((c) => c.change === 'scale to 0').map((c) => c.side))];
      return [
        ...sides.map((side) => read(side, 'get deployments, configmaps, rollouts, applications')),
        ...fenced.map((side) => read(side, 'list horizontalpodautoscalers, scaledobjects')),
      ];
    },
    async check(ctx, { signal }) {
      const l = await luneo(ctx);
      const ns = l.r.kube.namespace;
      const out: Verdict = { refusals: [], notes: [] };
      for (const c of changes) {
        const kube = l.kube(c.side);
        if ('configmap' in c) {
          const name = l.r.kube.drOverridesConfigMap;
          const cm = await kube.caller
            .send(
              'get configmap',
              { kind: 'configmap', id: `${ns}/${name}` },
              (o) => kube.core.readNamespacedConfigMap({ namespace: ns, name }, o),
              { signal },
            )
            .catch(() => undefined);
          const meta = { labels: { ...cm?.metadata?.labels }, annotations: { ...cm?.metadata?.annotations } };
          await argoVerdict(ctx, c.side, `configmap ${name}`, meta, signal, out);
          continue;
        }
        const name = l.r.deployments[c.deployment];
        const workload = await readWorkload(kube, ns, name, { signal });
        if (workload.kind !== 'Deployment') {
          out.refusals.push(rolloutRefusal(workload));
          continue;
        }
        await argoVerdict(ctx, c.side, `deployment ${name}`, workload, signal, out);
        if (c.change !== 'scale to 0') continue;
        for (const so of await scaledObjectsTargeting(kube, ns, name, { signal }))
          out.notes.push(
            `KEDA ScaledObject ${so.name} targets ${name} (minReplicaCount ${so.minReplicaCount}): the fence pauses it at 0 and the switchback resumes it`,
          );
        for (const hpa of await hpasTargeting(kube, ns, name, { signal }))
          out.notes.push(
            `HPA ${hpa.name} targets ${name} (${hpa.minReplicas}–${hpa.maxReplicas}): it leaves a deployment at 0 replicas alone (ScalingDisabled)`,
          );
      }
      if (out.refusals.length > 0)
        return {
          ok: false,
          detail: `the failover would be undone or cannot run: ${out.refusals.join('; ')}`,
        };
      return {
        ok: true,
        detail: out.notes.length
          ? out.notes.join('; ')
          : 'no autoscaler or GitOps controller manages what the failover changes',
      };
    },
  });
}
