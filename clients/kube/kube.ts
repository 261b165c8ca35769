// Kubernetes: deployments (scale, rollout restart, rollout waiter), the dr-overrides configmap, pods and nodes.
// One KubeClient per kube context; mutations check before they act and go through the audit log.

import { AppsV1Api, CoreV1Api, KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import type { AuditLog } from '../../core/model.ts';
import type { CallOptions } from '../abort.ts';
import { ClientError, isClientError } from '../errors.ts';
import { pollUntil, type WaitOptions } from '../poll.ts';
import type { RetryPolicy } from '../retry.ts';
import { retryOnConflict } from './conflict.ts';
import { KubeCaller, MERGE_PATCH } from './kube-call.ts';

import {
  type DeploymentInfo,
  type NodeInfo,
  type PodInfo,
  planAnnotateDeployment,
  planApplyConfigMap,
  planDeleteConfigMap,
  planDeletePod,
  planPatchConfigMap,
  planRolloutRestart,
  planScaleDeployment,
  RESTARTED_AT,
  rolloutComplete,
  toDeploymentInfo,
} from './kube-model.ts';

export * from './kube-model.ts';

/** A configmap as the drill reads it before changing some of its keys. */
export interface ConfigMapState {
  data: Record<string, string>;
  annotations: Record<string, string>;
}

/** What to change: null deletes a key (JSON merge patch, RFC 7386). */
export interface ConfigMapChange {
  data: Record<string, string | null>;
  annotations?: Record<string, string | null>;
}

export interface KubeClientOptions {
  audit?: AuditLog;
  retry?: RetryPolicy;
}

export class KubeClient {
  readonly apps: AppsV1Api;
  readonly core: CoreV1Api;
  readonly caller: KubeCaller;

  constructor(
    readonly kubeConfig: KubeConfig,
    readonly context: string,
    readonly opts: KubeClientOptions = {},
  ) {
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.caller = new KubeCaller(context, opts.audit, opts.retry);
  }

  /** The same kubeconfig and context, with calls recorded in `audit`: one view per step or probe. */
  withAudit(audit: AuditLog): KubeClient {
    return new KubeClient(this.kubeConfig, this.context, { ...this.opts, audit });
  }

  /** Loads the kubeconfig (a file, or the default chain: $KUBECONFIG, ~/.kube/config, in-cluster) and selects `context`. */
  static fromKubeconfig(input: { kubeconfigPath?: string; context: string } & KubeClientOptions): KubeClient {
    const kc = new KubeConfig();
    if (input.kubeconfigPath) kc.loadFromFile(input.kubeconfigPath);
    else kc.loadFromDefault();
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(input.context)) {
      throw new ClientError({
        code: 'E_CONFIG',
        message: `kube context "${input.context}" not found in ${input.kubeconfigPath ?? 'the default kubeconfig'} (contexts: ${names.join(', ') || 'none'})`,
        service: 'kubernetes',
        operation: 'load kubeconfig',
        scope: input.context,
      });
    }
    kc.setCurrentContext(input.context);
    return new KubeClient(kc, input.context, input);
  }

  async getDeployment(ns: string, name: string, opts: CallOptions = {}): Promise<DeploymentInfo> {
    const d = await this.caller.send(
      'get deployment',
      { kind: 'deployment', id: `${ns}/${name}` },
      (o) => this.apps.readNamespacedDeployment({ namespace: ns, name }, o),
      opts,
    );
    return toDeploymentInfo(d);
  }

  /** Sets spec.replicas through the scale subresource (like `kubectl scale`); no-op if already there. */
  async scaleDeployment(
    ns: string,
    name: string,
    replicas: number,
    opts: CallOptions = {},
  ): Promise<{ alreadyDone: boolean; previousReplicas: number }> {
    const current = await this.getDeployment(ns, name, opts);
    if (current.replicas === replicas) return { alreadyDone: true, previousReplicas: current.replicas };
    return this.caller.mutate(planScaleDeployment(this.context, ns, name, replicas), async () => {
      await this.caller.send(
        'scale deployment',
        { kind: 'deployment', id: `${ns}/${name}` },
        (o) =>
          this.apps.patchNamespacedDeploymentScale({ namespace: ns, name, body: { spec: { replicas } } }, o),
        { ...opts, contentType: MERGE_PATCH },
      );
      return { alreadyDone: false, previousReplicas: current.replicas };
    });
  }

  /** `kubectl rollout restart`: stamps the pod template so every replica is replaced. */
  async rolloutRestart(
    ns: string,
    name: string,
    opts: CallOptions & { now?: Date } = {},
  ): Promise<{ restartedAt: string }> {
    const restartedAt = (opts.now ?? new Date()).toISOString();
    return this.caller.mutate(planRolloutRestart(this.context, ns, name), async () => {
      await this.caller.send(
        'rollout restart deployment',
        { kind: 'deployment', id: `${ns}/${name}` },
        (o) =>
          this.apps.patchNamespacedDeployment(
            {
              namespace: ns,
              name,
              body: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } } },
            },
            o,
          ),
        { ...opts, contentType: MERGE_PATCH },
      );
      return { restartedAt };
    });
  }

  /** Polls until the rollout is complete; stops early on ProgressDeadlineExceeded of the observed generation. */
  waitForRollout(ns: string, name: string, wait: WaitOptions = {}): Promise<DeploymentInfo> {
    return pollUntil({
      site: this.caller.site('get deployment'),
      what: `deployment "${ns}/${name}" to finish its rollout in context ${this.context}`,
      timeoutMs: wait.timeoutMs ?? 300_000,
      intervalMs: wait.intervalMs ?? 1_000,
      ...(wait.maxIntervalMs ? { maxIntervalMs: wait.maxIntervalMs } : {}),
      ...(wait.signal ? { signal: wait.signal } : {}),
      check: async () => {
        const d = await this.getDeployment(ns, name, { signal: wait.signal });
        if (rolloutComplete(d)) return { done: true, value: d };
        const seen = `generation ${d.observedGeneration}/${d.generation}, ${d.updatedReplicas} updated, ${d.readyReplicas} ready, ${d.availableReplicas} available, ${d.statusReplicas} total of ${d.replicas} desired`;
        // kubectl rollout_status.go reads conditions only once the controller observed this generation:
        // before that they are the previous rollout's.
        const failed = d.observedGeneration >= d.generation && d.progressing === 'ProgressDeadlineExceeded';
        return { done: false, seen: failed ? `${seen} (ProgressDeadlineExceeded)` : seen, failed };
      },
    });
  }

  /** The configmap's data, or null when it does not exist. */
  async getConfigMap(
    ns: string,
    name: string,
    opts: CallOptions = {},
  ): Promise<Record<string, string> | null> {
    const cm = await this.#readConfigMap(ns, name, opts);
    return cm ? (cm.data ?? {}) : null;
  }

  async #readConfigMap(ns: string, name: string, opts: CallOptions): Promise<V1ConfigMap | null> {
    try {
      return await this.caller.send(
        'get configmap',
        { kind: 'configmap', id: `${ns}/${name}` },
        (o) => this.core.readNamespacedConfigMap({ namespace: ns, name }, o),
        opts,
      );
    } catch (err) {
      if (isClientError(err, 'E_NOT_FOUND')) return null;
      throw err;
    }
  }

  /**
   * Creates the configmap, or replaces its data if it exists (no-op when equal).
   * Returns the previous data for undo: null means it did not exist (undo = deleteConfigMap).
   */
  async applyConfigMap(
    ns: string,
    name: string,
    data: Record<string, string>,
    opts: CallOptions = {},
  ): Promise<{ changed: boolean; previousData: Record<string, string> | null }> {
    // A 409 (someone wrote in between) re-reads and replaces again, as client-go's RetryOnConflict.
    return retryOnConflict(() => this.#replaceConfigMap(ns, name, data, opts), opts.signal);
  }

  async #replaceConfigMap(
    ns: string,
    name: string,
    data: Record<string, string>,
    opts: CallOptions,
  ): Promise<{ changed: boolean; previousData: Record<string, string> | null }> {
    const existing = await this.#readConfigMap(ns, name, opts);
    const previousData = existing ? (existing.data ?? {}) : null;
    if (previousData && sameData(previousData, data)) return { changed: false, previousData };
    const resource = { kind: 'configmap', id: `${ns}/${name}` };
    return this.caller.mutate(planApplyConfigMap(this.context, ns, name, data), async () => {
      if (existing) {
        // resourceVersion makes the replace fail (409) rather than overwrite a concurrent change.
        const body: V1ConfigMap = { ...existing, data };
        await this.caller.send(
          'replace configmap',
          resource,
          (o) => this.core.replaceNamespacedConfigMap({ namespace: ns, name, body }, o),
          opts,
        );
      } else {
        const body: V1ConfigMap = {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, namespace: ns },
          data,
        };
        await this.caller.send(
          'create configmap',
          resource,
          (o) => this.core.createNamespacedConfigMap({ namespace: ns, body }, o),
          opts,
        );
      }
      return { changed: true, previousData };
    });
  }

  /**
   * Changes only the given keys (and annotations) of a configmap, keeping every other key as `kubectl apply`
   * keeps keys it never managed: a JSON merge patch carrying the resourceVersion it was computed from, so a
   * concurrent write makes it 409, and then `change` is computed again from a fresh read. Creates the
   * configmap when missing. Returns the state before the change (null: it did not exist).
   */
  async patchConfigMap(
    ns: string,
    name: string,
    change: (current: ConfigMapState | null) => ConfigMapChange,
    opts: CallOptions = {},
  ): Promise<{ changed: boolean; before: ConfigMapState | null }> {
    const resource = { kind: 'configmap', id: `${ns}/${name}` };
    return retryOnConflict(async () => {
      const existing = await this.#readConfigMap(ns, name, opts);
      const before = existing
        ? { data: { ...existing.data }, annotations: { ...existing.metadata?.annotations } }
        : null;
      const wanted = change(before);
      const differs = (now: Record<string, string>, next: Record<string, string | null> = {}) =>
        Object.entries(next).some(([k, v]) => (now[k] ?? null) !== v);
      if (before && !differs(before.data, wanted.data) && !differs(before.annotations, wanted.annotations))
        return { changed: false, before };
      const keys = Object.keys(wanted.data);
      return this.caller.mutate(planPatchConfigMap(this.context, ns, name, keys), async () => {
        if (!existing) {
          const present = (m: Record<string, string | null> = {}) =>
            Object.fromEntries(Object.entries(m).filter((e): e is [string, string] => e[1] !== null));
          const body: V1ConfigMap = {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name, namespace: ns, annotations: present(wanted.annotations) },
            data: present(wanted.data),
          };
          await this.caller.send(
            'create configmap',
            resource,
            (o) => this.core.createNamespacedConfigMap({ namespace: ns, body }, o),
            opts,
          );
          return { changed: true, before };
        }
        const body = {
          metadata: {
            resourceVersion: existing.metadata?.resourceVersion,
            ...(wanted.annotations ? { annotations: wanted.annotations } : {}),
          },
          data: wanted.data,
        };
        await this.caller.send(
          'patch configmap',
          resource,
          (o) => this.core.patchNamespacedConfigMap({ namespace: ns, name, body }, o),
          { ...opts, contentType: MERGE_PATCH },
        );
        return { changed: true, before };
      });
    }, opts.signal);
  }

  /** Sets (or, with null, removes) annotations on a deployment with a merge patch. */
  async annotateDeployment(
    ns: string,
    name: string,
    annotations: Record<string, string | null>,
    opts: CallOptions = {},
  ): Promise<void> {
    await this.caller.mutate(planAnnotateDeployment(this.context, ns, name, Object.keys(annotations)), () =>
      this.caller.send(
        'annotate deployment',
        { kind: 'deployment', id: `${ns}/${name}` },
        (o) =>
          this.apps.patchNamespacedDeployment(
            { namespace: ns, name, body: { metadata: { annotations } } },
            o,
          ),
        { ...opts, contentType: MERGE_PATCH },
      ),
    );
  }

  /** Deletes the configmap; no-op if it is already gone. */
  async deleteConfigMap(ns: string, name: string, opts: CallOptions = {}): Promise<{ alreadyDone: boolean }> {
    return this.caller.mutate(planDeleteConfigMap(this.context, ns, name), () =>
      this.#deleteIgnoringMissing(
        'delete configmap',
        { kind: 'configmap', id: `${ns}/${name}` },
        (o) => this.core.deleteNamespacedConfigMap({ namespace: ns, name }, o),
        opts,
      ),
    );
  }

  async listPods(ns: string, labelSelector?: string, opts: CallOptions = {}): Promise<PodInfo[]> {
    const list = await this.caller.send(
      'list pods',
      { kind: 'namespace', id: ns },
      (o) => this.core.listNamespacedPod({ namespace: ns, ...(labelSelector ? { labelSelector } : {}) }, o),
      opts,
    );
    return list.items.map((p) => ({
      name: p.metadata?.name ?? '',
      phase: p.status?.phase ?? 'Unknown',
      ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      restarts: (p.status?.containerStatuses ?? []).reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
      node: p.spec?.nodeName,
      ...(p.metadata?.deletionTimestamp
        ? { deletionTimestamp: new Date(p.metadata.deletionTimestamp).toISOString() }
        : {}),
    }));
  }

  /** Deletes one pod (its controller replaces it); no-op if it is already gone. */
  async deletePod(ns: string, name: string, opts: CallOptions = {}): Promise<{ alreadyDone: boolean }> {
    return this.caller.mutate(planDeletePod(this.context, ns, name), () =>
      this.#deleteIgnoringMissing(
        'delete pod',
        { kind: 'pod', id: `${ns}/${name}` },
        (o) => this.core.deleteNamespacedPod({ namespace: ns, name }, o),
        opts,
      ),
    );
  }

  async listNodes(opts: CallOptions = {}): Promise<NodeInfo[]> {
    const list = await this.caller.send('list nodes', undefined, (o) => this.core.listNode({}, o), opts);
    return list.items.map((n) => {
      const readyStatus = n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
      return { name: n.metadata?.name ?? '', ready: readyStatus === 'True', readyStatus };
    });
  }

  async #deleteIgnoringMissing(
    operation: string,
    resource: { kind: string; id: string },
    call: Parameters<KubeCaller['send']>[2],
    opts: CallOptions,
  ): Promise<{ alreadyDone: boolean }> {
    try {
      await this.caller.send(operation, resource, call, opts);
      return { alreadyDone: false };
    } catch (err) {
      if (isClientError(err, 'E_NOT_FOUND')) return { alreadyDone: true };
      throw err;
    }
  }
}

function sameData(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
