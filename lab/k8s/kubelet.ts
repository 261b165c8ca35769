// The kubelet (and scheduler) of every node of one cluster: places pods on nodes, runs their containers
// as processes, writes pod status (phase, Ready, containerStatuses), and finishes graceful deletions.
import { join } from 'node:path';
import { freePort } from '../net/ports.ts';
import { ContainerRuntime, STOP_GRACE_MS } from './container.ts';
import type { EventRecorder } from './events.ts';
import { resolveContainerEnv } from './pod-env.ts';
import type { ObjectStore } from './store.ts';
import type { KubeTiming } from './timing.ts';
import type { Condition, Pod } from './types.ts';

/** The pod annotation that tells which 127.0.0.1 port the kubelet gave the pod (its PORT). */
export const POD_PORT_ANNOTATION = 'lab.drill/port';

export interface PodIdentity {
  name: string;
  namespace: string;
  deployment: string;
}

export interface KubeletOptions {
  store: ObjectStore;
  /** Pod logs go under `<dir>/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log`. */
  dir: string;
  nodeNames: string[];
  podEnv?: (pod: PodIdentity) => Record<string, string>;
  timing: KubeTiming;
  events: EventRecorder;
  /** Nodes whose kubelet cannot reach the API server: it neither sees changes to their pods nor reports. */
  isCutOff?: (node: string | undefined) => boolean;
  log?: (line: string) => void;
}

interface PodRuntime {
  uid: string;
  namespace: string;
  name: string;
  node: string | undefined;
  port: number | undefined;
  startTime: string;
  containers: ContainerRuntime[];
  stopping: Promise<void> | undefined;
  statusQueued: boolean;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export class Kubelet {
  private readonly runtimes = new Map<string, PodRuntime>();

  constructor(private readonly opts: KubeletOptions) {}

  private cutOff(node: string | undefined): boolean {
    return this.opts.isCutOff?.(node) ?? false;
  }

  /** Level-triggered: make the processes match the stored pods. Called after every store change. */
  sync(): void {
    const { store } = this.opts;
    const pods = store.list('Pod') as Pod[];
    const live = new Set<string>();
    // The scheduler places pods only on nodes that report Ready.
    const schedulable = this.opts.nodeNames.filter((n) => {
      const node = store.get('Node', undefined, n);
      const conditions = (node?.status as { conditions?: { type: string; status: string }[] } | undefined)
        ?.conditions;
      return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? true;
    });
    const load = new Map(schedulable.map((n) => [n, 0]));
    for (const p of pods)
      if (p.spec.nodeName && load.has(p.spec.nodeName))
        load.set(p.spec.nodeName, load.get(p.spec.nodeName)! + 1);
    for (const pod of pods) {
      const uid = pod.metadata.uid!;
      live.add(uid);
      if (!pod.spec.nodeName) {
        // The scheduler's part: the node with the fewest pods.
        const node = [...load.entries()].sort((a, b) => a[1] - b[1])[0]?.[0];
        if (!node) continue;
        load.set(node, load.get(node)! + 1);
        const placed = store.update({ ...pod, spec: { ...pod.spec, nodeName: node } });
        this.opts.events.record(
          placed,
          { component: 'default-scheduler' },
          'Normal',
          'Scheduled',
          `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`,
        );
        continue;
      }
      // A kubelet cut off from the API server learns of no deletion and starts nothing new.
      if (this.cutOff(pod.spec.nodeName)) continue;
      const runtime = this.runtimes.get(uid);
      if (pod.metadata.deletionTimestamp) {
        // The grace period the API server stamped (DELETE's gracePeriodSeconds or terminationGracePeriodSeconds).
        const grace = Number(pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
        const cap = this.opts.timing.stopGraceCapMs;
        if (!runtime) store.delete('Pod', pod.metadata.namespace, pod.metadata.name);
        else if (!runtime.stopping) {
          for (const c of pod.spec.containers)
            this.opts.events.record(
              pod,
              { component: 'kubelet', host: pod.spec.nodeName },
              'Normal',
              'Killing',
              `Stopping container ${c.name}`,
              `spec.containers{${c.name}}`,
            );
          this.finishDeletion(runtime, cap === undefined ? grace : Math.min(grace, cap));
        }
        continue;
      }
      if (!runtime) void this.startPod(pod);
    }
    for (const runtime of this.runtimes.values()) {
      if (!live.has(runtime.uid) && !runtime.stopping && !this.cutOff(runtime.node))
        runtime.stopping = this.stopPod(runtime, STOP_GRACE_MS);
    }
  }

  /** Reports every pod's status again (a kubelet back in touch with the API server). */
  reportAll(): void {
    for (const runtime of this.runtimes.values()) this.queueStatus(runtime);
  }

  /** The port of a running pod, or undefined while it has none. */
  portOf(namespace: string, name: string): number | undefined {
    for (const r of this.runtimes.values())
      if (r.namespace === namespace && r.name === name && !r.stopping) return r.port;
    return undefined;
  }

  /** Where a container's current (or previous) log is, for pods/log. */
  logFileOf(uid: string, container: string | undefined, previous: boolean): string | undefined {
    const runtime = this.runtimes.get(uid);
    const index = container ? runtime?.containers.findIndex((c) => c.status().name === container) : 0;
    if (!runtime || index === undefined || index < 0) return undefined;
    return runtime.containers[index]?.logFile(previous);
  }

  pids(): number[] {
    const out: number[] = [];
    for (const r of this.runtimes.values()) for (const c of r.containers) if (c.pid) out.push(c.pid);
    return out;
  }

  /** Last resort when the host process exits without stop(): SIGKILL every pod's process group, synchronously. */
  killAllNow(): void {
    for (const pid of this.pids()) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Stop every pod process (SIGTERM, SIGKILL after the grace period) and wait until all are gone. */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.runtimes.values()].map((r) => (r.stopping ??= this.stopPod(r, STOP_GRACE_MS))),
    );
  }

  private async startPod(pod: Pod): Promise<void> {
    const namespace = pod.metadata.namespace ?? 'default';
    const runtime: PodRuntime = {
      uid: pod.metadata.uid!,
      namespace,
      name: pod.metadata.name,
      node: pod.spec.nodeName,
      port: undefined,
      startTime: now(),
      containers: [],
      stopping: undefined,
      statusQueued: false,
    };
    this.runtimes.set(runtime.uid, runtime);
    const port = await freePort();
    if (runtime.stopping) return;
    runtime.port = port;
    const current = this.opts.store.get('Pod', namespace, pod.metadata.name) as Pod | undefined;
    if (!current || current.metadata.uid !== runtime.uid) return;
    current.metadata.annotations = { ...current.metadata.annotations, [POD_PORT_ANNOTATION]: String(port) };
    this.opts.store.update(current);
    const deployment = pod.metadata.labels?.app ?? pod.metadata.ownerReferences?.[0]?.name ?? '';
    const extra = this.opts.podEnv?.({ name: pod.metadata.name, namespace, deployment }) ?? {};
    const podDir = join(this.opts.dir, 'pods', `${namespace}_${pod.metadata.name}_${runtime.uid}`);
    for (const container of pod.spec.containers) {
      runtime.containers.push(
        new ContainerRuntime({
          podName: pod.metadata.name,
          container,
          port,
          logDir: join(podDir, container.name),
          resolveEnv: () => {
            const latest =
              (this.opts.store.get('Pod', namespace, pod.metadata.name) as Pod | undefined) ?? current;
            return resolveContainerEnv({ store: this.opts.store, pod: latest, container, port, extra });
          },
          onChange: () => this.queueStatus(runtime),
          onEvent: (type, reason, message) =>
            !this.cutOff(runtime.node) &&
            this.opts.events.record(
              current,
              { component: 'kubelet', ...(current.spec.nodeName ? { host: current.spec.nodeName } : {}) },
              type,
              reason,
              message,
              `spec.containers{${container.name}}`,
            ),
          backoff: { startMs: this.opts.timing.backoffStartMs, capMs: this.opts.timing.backoffCapMs },
          ...(this.opts.log ? { log: this.opts.log } : {}),
        }),
      );
    }
    for (const c of runtime.containers) c.start();
    this.queueStatus(runtime);
  }

  private finishDeletion(runtime: PodRuntime, graceMs: number): void {
    runtime.stopping = this.stopPod(runtime, graceMs).then(() => {
      const pod = this.opts.store.get('Pod', runtime.namespace, runtime.name);
      if (pod && pod.metadata.uid === runtime.uid)
        this.opts.store.delete('Pod', runtime.namespace, runtime.name);
    });
  }

  private async stopPod(runtime: PodRuntime, graceMs: number): Promise<void> {
    this.opts.log?.(`pod ${runtime.name}: stopping`);
    await Promise.all(runtime.containers.map((c) => c.stop(graceMs)));
    this.runtimes.delete(runtime.uid);
  }

  private queueStatus(runtime: PodRuntime): void {
    if (runtime.statusQueued) return;
    runtime.statusQueued = true;
    setImmediate(() => {
      runtime.statusQueued = false;
      this.writeStatus(runtime);
    });
  }

  private writeStatus(runtime: PodRuntime): void {
    const { store } = this.opts;
    if (this.cutOff(runtime.node)) return;
    const pod = store.get('Pod', runtime.namespace, runtime.name) as Pod | undefined;
    if (!pod || pod.metadata.uid !== runtime.uid) return;
    const statuses = runtime.containers.map((c) => c.status());
    const allReady =
      statuses.length > 0 && runtime.containers.every((c) => c.isReady) && !pod.metadata.deletionTimestamp;
    const allStarted = statuses.length > 0 && runtime.containers.every((c) => c.hasStarted);
    const previous = pod.status?.conditions ?? [];
    const condition = (type: string, ok: boolean, reason?: string): Condition => {
      const status = ok ? 'True' : 'False';
      const before = previous.find((c) => c.type === type);
      return {
        type,
        status,
        lastProbeTime: null,
        lastTransitionTime:
          before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : now(),
        ...(ok || !reason ? {} : { reason }),
      };
    };
    pod.status = {
      phase: allStarted ? 'Running' : 'Pending',
      conditions: [
        condition('PodReadyToStartContainers', true),
        condition('Initialized', true),
        condition('Ready', allReady, 'ContainersNotReady'),
        condition('ContainersReady', allReady, 'ContainersNotReady'),
        condition('PodScheduled', true),
      ],
      hostIP: '127.0.0.1',
      podIP: '127.0.0.1',
      podIPs: [{ ip: '127.0.0.1' }],
      startTime: runtime.startTime,
      containerStatuses: statuses,
      qosClass: 'BestEffort',
    };
    store.update(pod);
  }
}
