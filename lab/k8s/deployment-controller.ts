// The deployment + replicaset controllers in one: pods per template hash, rolling updates that
// honour maxSurge/maxUnavailable, status and conditions as kubectl rollout status reads them, and
// garbage collection of replicasets and pods whose owner is gone.

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

export class DeploymentController {
  constructor(
    private readonly store: ObjectStore,
    private readonly log?: (line: string) => void,
  ) {}

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

  private reconcile(d: Deployment): void {
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
      for (const p of victims) deletePodGracefully(this.store, p);
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
      this.writeReplicaSetStatus(rs, mine);
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

  private createPod(rs: ReplicaSet): Pod {
    const name = `${rs.metadata.name}-${randomSuffix(5)}`;
    const template = rs.spec.template;
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

  private writeReplicaSetStatus(rs: ReplicaSet, pods: Pod[]): void {
    const ready = pods.filter(isPodReady).length;
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
    const condition = (type: string, ok: boolean | 'Unknown', reason: string, message: string): Condition => {
      const status = ok === 'Unknown' ? 'Unknown' : ok ? 'True' : 'False';
      const before = previous.find((c) => c.type === type);
      const same = before?.status === status && before.reason === reason && before.message === message;
      return {
        type,
        status,
        lastUpdateTime: same && before?.lastUpdateTime ? before.lastUpdateTime : now(),
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
        paused
          ? condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused')
          : complete
            ? condition(
                'Progressing',
                true,
                'NewReplicaSetAvailable',
                `ReplicaSet "${rsName}" has successfully progressed.`,
              )
            : condition('Progressing', true, 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`),
      ],
    };
    this.store.update(next);
  }
}
