// KEDA's operator for ScaledObjects (keda.sh/v1alpha1), as far as it undoes a drill: every pollingInterval it puts
// the target Deployment back to at least minReplicaCount, unless the ScaledObject is paused. The lab has no metric
// source, so triggers are never active (no scale-out, and the cooldown scale-to-zero is not modelled).
// https://keda.sh/docs/2.16/reference/scaledobject-spec/ (pollingInterval 30 s, minReplicaCount 0)
// https://keda.sh/docs/2.16/concepts/scaling-deployments/#pause-autoscaling (paused-replicas, paused)
import type { EventRecorder } from './events.ts';
import type { ObjectStore } from './store.ts';
import type { Condition, Deployment, KubeObject } from './types.ts';

export const KEDA_PAUSED_REPLICAS = 'autoscaling.keda.sh/paused-replicas';
export const KEDA_PAUSED = 'autoscaling.keda.sh/paused';

export interface ScaledObject extends KubeObject {
  spec: {
    scaleTargetRef: { name: string; kind?: string; apiVersion?: string };
    pollingInterval?: number;
    minReplicaCount?: number;
    maxReplicaCount?: number;
  };
  status?: Record<string, unknown>;
}

export interface KedaOptions {
  store: ObjectStore;
  events: EventRecorder;
  /** Upper bound on the polling interval (fast timing); undefined = each ScaledObject's own pollingInterval. */
  pollCapMs: number | undefined;
  log?: (line: string) => void;
}

export class KedaController {
  /** When each ScaledObject (by uid) polls its target next. */
  private readonly nextPoll = new Map<string, number>();

  constructor(private readonly opts: KedaOptions) {}

  /** Acts on every ScaledObject whose poll is due (a pause applies at once); returns ms until the next poll. */
  sync(now = Date.now()): number | undefined {
    const { store } = this.opts;
    let next: number | undefined;
    for (const so of store.list('ScaledObject') as ScaledObject[]) {
      const uid = so.metadata.uid!;
      const interval = this.intervalMs(so);
      const paused = this.pausedReplicas(so);
      const due = this.nextPoll.get(uid) ?? now;
      if (paused !== undefined || now >= due) {
        this.reconcile(so, paused);
        this.nextPoll.set(uid, now + interval);
      }
      const wait = (this.nextPoll.get(uid) ?? now) - now;
      next = next === undefined ? wait : Math.min(next, wait);
    }
    return next;
  }

  private intervalMs(so: ScaledObject): number {
    const own = (so.spec.pollingInterval ?? 30) * 1000;
    return this.opts.pollCapMs === undefined ? own : Math.min(own, this.opts.pollCapMs);
  }

  /** The replica count a pause pins, 'current' for `paused: "true"`, undefined when not paused. */
  private pausedReplicas(so: ScaledObject): number | 'current' | undefined {
    const a = so.metadata.annotations ?? {};
    const pinned = a[KEDA_PAUSED_REPLICAS];
    if (pinned !== undefined && /^\d+$/.test(pinned)) return Number(pinned);
    if (a[KEDA_PAUSED] === 'true') return 'current';
    return undefined;
  }

  private reconcile(so: ScaledObject, paused: number | 'current' | undefined): void {
    const { store } = this.opts;
    const ns = so.metadata.namespace;
    const kind = so.spec.scaleTargetRef.kind ?? 'Deployment';
    const target = store.get(kind, ns, so.spec.scaleTargetRef.name) as Deployment | undefined;
    this.writeStatus(so, paused, target !== undefined);
    if (!target || paused === 'current') return;
    const current = target.spec.replicas ?? 1;
    const wanted = paused ?? Math.max(current, so.spec.minReplicaCount ?? 0);
    if (wanted === current) return;
    target.spec.replicas = wanted;
    delete target.metadata.resourceVersion;
    store.update(target);
    this.opts.log?.(
      `keda: ${so.metadata.name} scaled ${kind.toLowerCase()}/${target.metadata.name} ${current} → ${wanted}`,
    );
    this.opts.events.record(
      so,
      { component: 'keda-operator' },
      'Normal',
      'KEDAScaleTargetActivated',
      `Scaled ${kind.toLowerCase()} ${ns}/${target.metadata.name} from ${current} to ${wanted}`,
    );
  }

  private writeStatus(so: ScaledObject, paused: number | 'current' | undefined, targetFound: boolean): void {
    const condition = (type: string, ok: boolean, reason: string, message: string): Condition => ({
      type,
      status: ok ? 'True' : 'False',
      reason,
      message,
    });
    const status = {
      scaleTargetKind: `apps/v1.${so.spec.scaleTargetRef.kind ?? 'Deployment'}`,
      ...(typeof paused === 'number' ? { pausedReplicaCount: paused } : {}),
      conditions: [
        targetFound
          ? condition(
              'Ready',
              true,
              'ScaledObjectReady',
              'ScaledObject is defined correctly and is ready for scaling',
            )
          : condition(
              'Ready',
              false,
              'ScaledObjectCheckFailed',
              "ScaledObject doesn't have correct scaleTargetRef specification",
            ),
        condition(
          'Active',
          false,
          'ScalerNotActive',
          'Scaling is not performed because triggers are not active',
        ),
        paused !== undefined
          ? condition('Paused', true, 'ScaledObjectPaused', 'ScaledObject is paused')
          : condition('Paused', false, 'ScaledObjectUnpaused', 'ScaledObject is not paused'),
      ],
    };
    if (JSON.stringify(so.status ?? {}) === JSON.stringify(status)) return;
    delete so.metadata.resourceVersion;
    this.opts.store.update({ ...so, status });
  }
}
