// The deployment + replicaset controllers in one: pods per template hash, rolling updates that
// honour maxSurge/maxUnavailable, status and conditions as kubectl rollout status reads them, and
// garbage collection of replicasets and pods whose owner is gone.

import { EventRecorder } from './events.ts';
import { podTemplateHash, randomSuffix } from './names.ts';
import { deletePodGracefully, deletionOrder, isPodReady } from './pod-delete.ts';
import { rollingLimits } from './rollout-math.ts';
import type { ObjectStore } from './store.ts';
import type { Condition, Deployment, KubeObject, OwnerReference, Pod, PodTemplate } from './types.ts';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
const HASH_LABEL = 'pod-template-hash';

interface ReplicaSet extends KubeObject {
  spec: { replicas: number; selector: Deployment['spec']['selector']; template: PodTemplate };
  status?: Record<string, unknown>;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function ownerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((o) => o.controller);
}

function ownerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function revisionOf(obj: KubeObject): number {
  return Number(obj.metadata.annotations?.[REVISION_ANNOTATION] ?? 0);
}

export interface DeploymentControllerOptions {
  events?: EventRecorder;
  /** How long after a spec change the controller observes the new generation (default 0). */
  observeLagMs?: number;
  /** Asks for another sync after `ms` (a lag or a progress deadline is due). */
  requeue?: (ms: number) => void;
}

// DeploymentSpec.progressDeadlineSeconds defaults to 600.
// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#progress-deadline-seconds
const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

export class DeploymentController {
  private readonly events: EventRecorder;
  /** Deployment uid → the generation first seen unobserved, and when. */
  private readonly unobserved = new Map<string, { generation: number; at: number }>();

  constructor(
    private readonly store: ObjectStore,
    private readonly log?: (line: string) => void,
    private readonly opts: DeploymentControllerOptions = {},
  ) {
    this.events = opts.events ?? new EventRecorder(store);
  }

  sync(): void {
    for (const d of this.store.list('Deployment') as Deployment[]) this.reconcile(d);
    this.collectGarbage();
  }

  private collectGarbage(): void {
    const uidsOf = (kind: string) => new Set(this.store.list(kind).map((o) => o.metadata.uid!));
    const deployments = uidsOf('Deployment');
    for (const rs of this.store.list('ReplicaSet')) {
      const owner = ownerOf(rs);
      if (owner && !deployments.has(owner.uid))
        this.store.delete('ReplicaSet', rs.metadata.namespace, rs.metadata.name);
    }
    const replicaSets = uidsOf('ReplicaSet');
    for (const pod of this.store.list('Pod') as Pod[]) {
      const owner = ownerOf(pod);
      if (owner?.kind === 'ReplicaSet' && !replicaSets.has(owner.uid)) deletePodGracefully(this.store, pod);
    }
  }

  /** True while a new generation waits out the observation lag (the status stays the previous one). */
  private lagging(d: Deployment): boolean {
    const lag = this.opts.observeLagMs ?? 0;
    const generation = d.metadata.generation ?? 1;
    if (lag <= 0 || (d.status?.observedGeneration ?? 0) >= generation) return false;
    const uid = d.metadata.uid!;
    let seen = this.unobserved.get(uid);
    if (!seen || seen.generation !== generation) {
      seen = { generation, at: Date.now() };
      this.unobserved.set(uid, seen);
    }
    const left = seen.at + lag - Date.now();
    if (left <= 0) return false;
    this.opts.requeue?.(left);
    return true;
  }

  private reconcile(d: Deployment): void {
    if (this.lagging(d)) return;
    const ns = d.metadata.namespace!;
    const template = d.spec.template;
    const hash = podTemplateHash(template);
    const owned = (this.store.list('ReplicaSet', ns) as ReplicaSet[]).filter(
      (rs) => ownerOf(rs)?.uid === d.metadata.uid,
    );
    let newRs = owned.find((rs) => rs.metadata.labels?.[HASH_LABEL] === hash);
    // A paused deployment does not roll out a changed template: it only scales its newest replicaset.
    const paused = d.spec.paused === true && !newRs && owned.length > 0;
    if (paused) newRs = [...owned].sort((a, b) => revisionOf(b) - revisionOf(a))[0];
    const oldRss = owned.filter((rs) => rs !== newRs);
    const maxOldRevision = Math.max(0, ...oldRss.map(revisionOf));
    if (!newRs) newRs = this.createReplicaSet(d, hash, maxOldRevision + 1);
    else if (revisionOf(newRs) <= maxOldRevision) newRs = this.setRevision(newRs, maxOldRevision + 1);

    const rsUids = new Set(owned.map((rs) => rs.metadata.uid!).concat(newRs.metadata.uid!));
    const pods = (this.store.list('Pod', ns) as Pod[]).filter((p) => {
      const owner = ownerOf(p);
      return owner && rsUids.has(owner.uid) && !p.metadata.deletionTimestamp;
    });
    const isNew = (p: Pod) => ownerOf(p)?.uid === newRs.metadata.uid;
    let newPods = pods.filter(isNew);
    let oldPods = pods.filter((p) => !isNew(p));
    const desired = d.spec.replicas ?? 1;
    const { maxSurge, maxUnavailable } = rollingLimits(d.spec.strategy, desired);

    const remove = (victims: Pod[]) => {
      for (const p of victims) {
        deletePodGracefully(this.store, p);
        const rs = owned.find((r) => r.metadata.uid === ownerOf(p)?.uid);
        if (rs) this.replicaSetEvent(rs, 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
      }
      const gone = new Set(victims.map((p) => p.metadata.uid));
      newPods = newPods.filter((p) => !gone.has(p.metadata.uid));
      oldPods = oldPods.filter((p) => !gone.has(p.metadata.uid));
    };

    if (newPods.length > desired) remove([...newPods].sort(deletionOrder).slice(0, newPods.length - desired));
    if (oldPods.length > 0) {
      // Old pods that are not ready give no availability: they can always go.
      remove(oldPods.filter((p) => !isPodReady(p)));
      const available = [...newPods, ...oldPods].filter(isPodReady).length;
      const canKill = Math.max(0, available - (desired - maxUnavailable));
      remove([...oldPods].sort(deletionOrder).slice(0, canKill));
    }
    const room = Math.min(desired - newPods.length, desired + maxSurge - newPods.length - oldPods.length);
    for (let i = 0; i < room; i++) newPods.push(this.createPod(newRs));

    for (const rs of [...oldRss, newRs]) {
      const mine = (rs === newRs ? newPods : oldPods).filter((p) => ownerOf(p)?.uid === rs.metadata.uid);
      this.writeReplicaSetStatus(d, rs, mine);
    }
    this.writeDeploymentStatus(d, newRs, newPods, oldPods, desired, maxUnavailable, d.spec.paused === true);
  }

  private createReplicaSet(d: Deployment, hash: string, revision: number): ReplicaSet {
    const name = `${d.metadata.name}-${hash}`;
    const labels = { ...d.spec.template.metadata?.labels, [HASH_LABEL]: hash };
    this.log?.(`deployment ${d.metadata.name}: new replicaset ${name} (revision ${revision})`);
    return this.store.create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: d.metadata.namespace!,
        labels,
        annotations: {
          [REVISION_ANNOTATION]: String(revision),
          'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas ?? 1),
        },
        ownerReferences: [ownerRef(d)],
      },
      spec: {
        replicas: 0,
        selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector.matchLabels, [HASH_LABEL]: hash } },
        template: { ...d.spec.template, metadata: { ...d.spec.template.metadata, labels } },
      },
    }) as ReplicaSet;
  }

  private setRevision(rs: ReplicaSet, revision: number): ReplicaSet {
    rs.metadata.annotations = { ...rs.metadata.annotations, [REVISION_ANNOTATION]: String(revision) };
    return this.store.update(rs) as ReplicaSet;
  }

  private replicaSetEvent(rs: ReplicaSet, reason: string, message: string): void {
    // pkg/controller/replicaset: SuccessfulCreate / SuccessfulDelete on the replicaset.
    this.events.record(rs, { component: 'replicaset-controller' }, 'Normal', reason, message);
  }

  private createPod(rs: ReplicaSet): Pod {
    const name = `${rs.metadata.name}-${randomSuffix(5)}`;
    const template = rs.spec.template;
    this.replicaSetEvent(rs, 'SuccessfulCreate', `Created pod: ${name}`);
    return this.store.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: rs.metadata.namespace!,
        generateName: `${rs.metadata.name}-`,
        labels: { ...template.metadata?.labels },
        ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ownerReferences: [ownerRef(rs)],
      },
      spec: structuredClone(template.spec),
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    }) as Pod;
  }

  private writeReplicaSetStatus(d: Deployment, rs: ReplicaSet, pods: Pod[]): void {
    const ready = pods.filter(isPodReady).length;
    const from = rs.spec.replicas;
    if (from !== pods.length)
      // pkg/controller/deployment/sync.go scaleReplicaSet: ScalingReplicaSet on the deployment.
      this.events.record(
        d,
        { component: 'deployment-controller' },
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${pods.length > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${pods.length}`,
      );
    const next = structuredClone(rs);
    next.spec.replicas = pods.length;
    delete next.metadata.resourceVersion;
    const updated = this.store.update(next) as ReplicaSet;
    updated.status = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}),
      observedGeneration: updated.metadata.generation,
    };
    delete updated.metadata.resourceVersion;
    this.store.update(updated);
  }

  private writeDeploymentStatus(
    d: Deployment,
    newRs: ReplicaSet,
    newPods: Pod[],
    oldPods: Pod[],
    desired: number,
    maxUnavailable: number,
    paused: boolean,
  ): void {
    const replicas = newPods.length + oldPods.length;
    const updated = newPods.length;
    const ready = [...newPods, ...oldPods].filter(isPodReady).length;
    const complete = updated === desired && replicas === desired && ready === desired;
    const previous = d.status?.conditions ?? [];
    const condition = (
      type: string,
      ok: boolean | 'Unknown',
      reason: string,
      message: string,
      touched = false,
    ): Condition => {
      const status = ok === 'Unknown' ? 'Unknown' : ok ? 'True' : 'False';
      const before = previous.find((c) => c.type === type);
      const same = before?.status === status && before.reason === reason && before.message === message;
      return {
        type,
        status,
        lastUpdateTime: same && !touched && before?.lastUpdateTime ? before.lastUpdateTime : now(),
        lastTransitionTime:
          before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : now(),
        reason,
        message,
      };
    };
    const minAvailable = ready >= desired - maxUnavailable;
    const rsName = newRs.metadata.name;
    const next = structuredClone(d);
    delete next.metadata.resourceVersion;
    next.metadata.annotations = {
      ...next.metadata.annotations,
      [REVISION_ANNOTATION]: String(revisionOf(newRs)),
    };
    next.status = {
      observedGeneration: d.metadata.generation ?? 1,
      ...(replicas ? { replicas } : {}),
      ...(updated ? { updatedReplicas: updated } : {}),
      ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}),
      ...(replicas > ready ? { unavailableReplicas: replicas - ready } : {}),
      conditions: [
        minAvailable
          ? condition('Available', true, 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
          : condition(
              'Available',
              false,
              'MinimumReplicasUnavailable',
              'Deployment does not have minimum availability.',
            ),
        this.progressing(d, condition, { paused, complete, rsName, updated, ready, replicas }),
      ],
    };
    this.store.update(next);
  }

  /**
   * The Progressing condition (pkg/controller/deployment/progress.go): progress = a new generation, more
   * updated/ready/available replicas or fewer old ones; none for progressDeadlineSeconds → False,
   * ProgressDeadlineExceeded, which stays until the next progress.
   */
  private progressing(
    d: Deployment,
    condition: (
      type: string,
      ok: boolean | 'Unknown',
      reason: string,
      message: string,
      touched?: boolean,
    ) => Condition,
    now: {
      paused: boolean;
      complete: boolean;
      rsName: string;
      updated: number;
      ready: number;
      replicas: number;
    },
  ): Condition {
    if (now.paused) return condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused');
    if (now.complete)
      return condition(
        'Progressing',
        true,
        'NewReplicaSetAvailable',
        `ReplicaSet "${now.rsName}" has successfully progressed.`,
      );
    const s = d.status ?? {};
    const oldBefore = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
    const progressed =
      (s.observedGeneration ?? 0) < (d.metadata.generation ?? 1) ||
      now.updated > (s.updatedReplicas ?? 0) ||
      now.ready > (s.readyReplicas ?? 0) ||
      now.replicas - now.updated < oldBefore;
    const before = s.conditions?.find((c) => c.type === 'Progressing');
    // A complete rollout stays complete until the next generation (pods failing later do not undo it).
    if (before?.reason === 'NewReplicaSetAvailable' && !progressed) return before;
    const updating = `ReplicaSet "${now.rsName}" is progressing.`;
    if (progressed) return condition('Progressing', true, 'ReplicaSetUpdated', updating, true);
    if (before?.reason === 'ProgressDeadlineExceeded') return before;
    const deadlineMs = Number(d.spec.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS) * 1000;
    const since = Date.parse(before?.lastUpdateTime ?? '') || Date.now();
    const left = since + deadlineMs - Date.now();
    if (left <= 0)
      return condition(
        'Progressing',
        false,
        'ProgressDeadlineExceeded',
        `ReplicaSet "${now.rsName}" has timed out progressing.`,
      );
    this.opts.requeue?.(left);
    return condition('Progressing', true, 'ReplicaSetUpdated', updating);
  }
}
