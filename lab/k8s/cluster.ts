// One Kubernetes cluster of the lab: API server + store + deployment controller + kubelet, where
// pods are real processes on 127.0.0.1.
import { KubeApi } from './api.ts';
import { Authorizer } from './authorization.ts';
import { DeploymentController } from './deployment-controller.ts';
import { KubeApiError } from './errors.ts';
import { EventRecorder } from './events.ts';
import { KedaController } from './keda-controller.ts';
import { Kubelet, type PodIdentity } from './kubelet.ts';
import { NodeReachability } from './node-lifecycle.ts';
import { nodeNames, nodeObject } from './nodes.ts';
import { isPodReady } from './pod-delete.ts';
import { type CustomResourceName, resourceByKind, servedBy } from './resources.ts';
import { selectorMatches } from './selectors.ts';
import { ApiServer } from './server.ts';
import { ObjectStore } from './store.ts';
import { type KubeTiming, type KubeTimingMode, timingFor, timingModeFromEnv } from './timing.ts';
import type { Deployment, KubeObject, Pod } from './types.ts';

export interface KubeClusterOptions {
  /** EKS cluster name, e.g. luneo-prod-eks-primary. */
  name: string;
  region: string;
  /** Pod logs go under `<dir>/pods`. */
  dir: string;
  /** Worker nodes (default 2). */
  nodes?: number;
  /** API server port on 127.0.0.1 (default: any free port). */
  port?: number;
  /** Extra environment for every pod's containers (the pod spec's env wins over it). */
  podEnv?: (pod: PodIdentity) => Record<string, string>;
  log?: (line: string) => void;
  /** `fast` (default, for tests) or `realistic` (grace periods, 10 s→300 s backoff): see timing.ts; else $LAB_K8S_TIMING. */
  timing?: KubeTimingMode;
  timingOverrides?: Partial<KubeTiming>;
  /** Log every API request through `log` (debugging kubectl compatibility). */
  traceRequests?: boolean;
  /** CRDs installed (Argo Rollouts, Argo CD, KEDA): their resources are served, others answer 404. */
  customResources?: CustomResourceName[];
}

export class KubeCluster {
  readonly name: string;
  readonly region: string;
  private readonly store = new ObjectStore();
  private readonly api = new KubeApi(this.store);
  private readonly controller: DeploymentController;
  private readonly kubelet: Kubelet;
  private readonly keda: KedaController;
  private readonly nodes: NodeReachability;
  private readonly nodeList: string[];
  private readonly installed: ReadonlySet<string>;
  private readonly server: ApiServer;
  /** Who may do what on this cluster's API server (AlwaysAllow unless a test sets ABAC policies). */
  readonly authorizer = new Authorizer();
  private listenPort = 0;
  private running = false;
  private syncQueued = false;
  private requeueTimer: NodeJS.Timeout | undefined;
  private requeueDue = 0;
  private unsubscribe: (() => void) | undefined;
  private readonly killOnExit = () => this.kubelet.killAllNow();

  constructor(private readonly opts: KubeClusterOptions) {
    this.name = opts.name;
    this.region = opts.region;
    const log = opts.log ? (line: string) => opts.log!(`[${opts.name}] ${line}`) : undefined;
    const names = nodeNames(opts.region, opts.nodes ?? 2);
    for (const [i, n] of names.entries()) this.store.create(nodeObject(n, opts.region, opts.name, i));
    for (const ns of ['default', 'kube-system']) this.store.create(this.namespaceObject(ns));
    const timing = timingFor(opts.timing ?? timingModeFromEnv(), opts.timingOverrides);
    const events = new EventRecorder(this.store);
    this.nodeList = names;
    this.installed = new Set(opts.customResources ?? []);
    this.nodes = new NodeReachability(this.store, timing.nodeMonitorGraceMs);
    this.keda = new KedaController({
      store: this.store,
      events,
      pollCapMs: timing.autoscalerPollCapMs,
      ...(log ? { log } : {}),
    });
    this.controller = new DeploymentController(this.store, log, {
      events,
      observeLagMs: timing.observeLagMs,
      requeue: (ms) => this.requeueAfter(ms),
    });
    this.kubelet = new Kubelet({
      store: this.store,
      dir: opts.dir,
      nodeNames: names,
      timing,
      events,
      isCutOff: (node) => this.nodes.isCutOff(node),
      ...(opts.podEnv ? { podEnv: opts.podEnv } : {}),
      ...(log ? { log } : {}),
    });
    this.server = new ApiServer({
      store: this.store,
      api: this.api,
      authorizer: this.authorizer,
      logFileOf: (uid, container, previous) => this.kubelet.logFileOf(uid, container, previous),
      customResources: this.installed,
      ...(opts.traceRequests && log ? { trace: log } : {}),
    });
  }

  /** Starts the API server on 127.0.0.1 and the controllers; returns the port. */
  async start(): Promise<number> {
    if (this.running) return this.listenPort;
    this.listenPort = await this.server.listen(this.opts.port ?? 0);
    this.running = true;
    // Pods run in their own process groups, so they would outlive a host that exits without stop().
    process.once('exit', this.killOnExit);
    this.unsubscribe = this.store.subscribe((e) => {
      if (e.object.kind !== 'Event') this.queueSync();
    });
    this.queueSync();
    return this.listenPort;
  }

  get port(): number {
    return this.listenPort;
  }

  /** Create or replace an object (Namespace, Deployment, ConfigMap, Secret, Pod) as given in API shape. */
  async apply(manifest: object): Promise<void> {
    const obj = manifest as KubeObject;
    const found = resourceByKind(obj.kind);
    const resource = found && servedBy(this.installed)(found) ? found : undefined;
    if (!resource)
      throw new KubeApiError(
        'BadRequest',
        `apply: kind "${String(obj.kind)}" is not served by the lab (use Namespace, Deployment, ConfigMap, Secret or Pod)`,
      );
    const namespace = resource.namespaced ? (obj.metadata?.namespace ?? 'default') : undefined;
    const query = new URLSearchParams();
    const existing = this.store.get(resource.kind, namespace, obj.metadata?.name ?? '');
    if (existing)
      this.api.replace(
        { resource, namespace, name: existing.metadata.name },
        { ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } },
        query,
      );
    else this.api.create(resource, namespace, obj, query);
  }

  /** Ready, not terminating pods of a deployment, with the 127.0.0.1 port each serves on. */
  readyEndpoints(namespace: string, deployment: string): { pod: string; port: number }[] {
    const d = this.store.get('Deployment', namespace, deployment) as Deployment | undefined;
    if (!d) return [];
    const out: { pod: string; port: number }[] = [];
    for (const pod of this.store.list('Pod', namespace) as Pod[]) {
      if (
        pod.metadata.deletionTimestamp ||
        !isPodReady(pod) ||
        !selectorMatches(d.spec.selector, pod.metadata.labels)
      )
        continue;
      const port = this.kubelet.portOf(namespace, pod.metadata.name);
      if (port) out.push({ pod: pod.metadata.name, port });
    }
    return out;
  }

  /**
   * The nodes' subnets lose their network: every kubelet loses the API server (whatever the endpoint access:
   * node traffic leaves the subnets either way). Their pods keep running; deletions are not carried out.
   */
  cutOffNodes(): void {
    this.nodes.cutOff(this.nodeList);
    this.queueSync();
  }

  /** The kubelets reach the API server again and catch up (deletions made meanwhile are carried out). */
  reconnectNodes(): void {
    this.nodes.reconnect();
    this.kubelet.reportAll();
    this.queueSync();
  }

  podPids(): number[] {
    return this.kubelet.pids();
  }

  /** Stops the API server and kills every pod process (SIGTERM, then SIGKILL after 2 s); resolves when none is left. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.requeueTimer);
    process.off('exit', this.killOnExit);
    this.unsubscribe?.();
    await Promise.all([this.server.close(), this.kubelet.stopAll()]);
  }

  /** One timer for the earliest resync a controller asked for. */
  private requeueAfter(ms: number): void {
    const due = Date.now() + ms;
    if (this.requeueTimer && due >= this.requeueDue) return;
    clearTimeout(this.requeueTimer);
    this.requeueDue = due;
    this.requeueTimer = setTimeout(() => {
      this.requeueTimer = undefined;
      this.queueSync();
    }, ms);
    this.requeueTimer.unref();
  }

  private queueSync(): void {
    if (this.syncQueued || !this.running) return;
    this.syncQueued = true;
    setImmediate(() => {
      this.syncQueued = false;
      if (!this.running) return;
      try {
        this.controller.sync();
        const kedaDue = this.keda.sync();
        const nodeDue = this.nodes.sync();
        this.kubelet.sync();
        for (const due of [kedaDue, nodeDue]) if (due !== undefined) this.requeueAfter(Math.max(due, 1));
      } catch (error) {
        this.opts.log?.(`[${this.name}] sync failed: ${(error as Error).stack ?? error}`);
      }
    });
  }

  private namespaceObject(name: string): KubeObject {
    return {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
  }
}
