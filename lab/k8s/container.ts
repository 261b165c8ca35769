// One container of a pod as a real process: spawn, log to a file, probe readiness over HTTP every
// 250 ms, restart on exit with a capped backoff (CrashLoopBackOff), SIGTERM then SIGKILL on stop.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Container, ContainerState, ContainerStatus } from './types.ts';

export const PROBE_INTERVAL_MS = 250;
const PROBE_TIMEOUT_MS = 1000;
// A container that ran this long before exiting restarts without accumulated backoff.
const BACKOFF_RESET_AFTER_MS = 10_000;
const CONFIG_RETRY_MS = 1000;
export const STOP_GRACE_MS = 2000;

/** Thrown by resolveEnv when a referenced configmap/secret key is missing (CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  readonly code = 'CreateContainerConfigError';
}

export interface ContainerRunOptions {
  podName: string;
  container: Container;
  port: number;
  /** Folder for this container's logs: one file per start, `<restartCount>.log`, as the kubelet keeps them. */
  logDir: string;
  /** Resolved at every start, so configmap values are read when the container starts. */
  resolveEnv: () => Record<string, string>;
  onChange: () => void;
  /** The kubelet's events for this container (Pulled, Created, Started, BackOff). */
  onEvent?: (type: 'Normal' | 'Warning', reason: string, message: string) => void;
  /** CrashLoopBackOff first delay and cap. */
  backoff: { startMs: number; capMs: number };
  log?: (line: string) => void;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export class ContainerRuntime {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private state: ContainerState = { waiting: { reason: 'ContainerCreating' } };
  private lastState: ContainerState = {};
  private restartCount = 0;
  private ready = false;
  private started = false;
  private probeFailures = 0;
  private probing = false;
  private stopping = false;
  private startedAtMs = 0;
  private backoffMs: number;
  private timer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ContainerRunOptions) {
    this.backoffMs = opts.backoff.startMs;
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  get isReady(): boolean {
    return this.ready;
  }

  get hasStarted(): boolean {
    return this.started || this.restartCount > 0;
  }

  /** Where the current (or `previous`) run of the container logs. */
  logFile(previous = false): string {
    const run = previous ? this.restartCount - 1 : this.restartCount;
    return join(this.opts.logDir, `${Math.max(run, 0)}.log`);
  }

  status(): ContainerStatus {
    const c = this.opts.container;
    const image = c.image ?? c.command?.[0] ?? '';
    return {
      name: c.name,
      image,
      imageID: image,
      ...(this.child?.pid ? { containerID: `process://${this.child.pid}` } : {}),
      ready: this.ready,
      started: this.started,
      restartCount: this.restartCount,
      state: structuredClone(this.state),
      lastState: structuredClone(this.lastState),
    };
  }

  start(): void {
    this.launch();
  }

  /** SIGTERM to the container's process group, SIGKILL after the grace period; resolves when it is gone. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    clearInterval(this.probeTimer);
    const child = this.child;
    if (child?.pid && this.pid) {
      signalGroup(child.pid, 'SIGTERM');
      const killer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(killer);
    }
    if (child?.pid) signalGroup(child.pid, 'SIGKILL'); // stragglers the main process left in its group
  }

  private setState(state: ContainerState): void {
    this.state = state;
    this.opts.onChange();
  }

  private launch(): void {
    if (this.stopping) return;
    const { container, podName } = this.opts;
    if (!container.command?.length) {
      this.setState({
        waiting: {
          reason: 'CreateContainerError',
          message: `container "${container.name}" has no command: the lab runs processes, not images; set spec.containers[].command`,
        },
      });
      return;
    }
    let env: Record<string, string>;
    try {
      env = this.opts.resolveEnv();
    } catch (error) {
      if (!(error instanceof ContainerConfigError)) throw error;
      this.setState({ waiting: { reason: error.code, message: error.message } });
      this.timer = setTimeout(() => this.launch(), CONFIG_RETRY_MS);
      return;
    }
    // Reasons and wording of pkg/kubelet/events and kuberuntime_container.go.
    const image = container.image ?? container.command[0]!;
    this.opts.onEvent?.('Normal', 'Pulled', `Container image "${image}" already present on machine`);
    this.opts.onEvent?.('Normal', 'Created', `Created container: ${container.name}`);
    mkdirSync(this.opts.logDir, { recursive: true });
    const fd = openSync(this.logFile(), 'a');
    const [file, ...rest] = container.command;
    const child = spawn(file!, [...rest, ...(container.args ?? [])], {
      cwd: process.cwd(),
      env,
      stdio: ['ignore', fd, fd],
      detached: true, // own process group: stop() reaches the children the container spawns too
    });
    closeSync(fd);
    this.child = child;
    this.startedAtMs = Date.now();
    const startedAt = now();
    this.exited = new Promise((resolve) => {
      let done = false;
      const finish = (exitCode: number, signal: NodeJS.Signals | null, reason: string) => {
        if (done) return;
        done = true;
        this.onExit(exitCode, signal, reason, startedAt);
        resolve();
      };
      child.once('exit', (code, signal) => finish(code ?? 128, signal, code === 0 ? 'Completed' : 'Error'));
      child.once('error', (error) => {
        this.opts.log?.(`pod ${podName}: container ${container.name} failed to start: ${error.message}`);
        finish(128, null, 'StartError');
      });
    });
    if (child.pid === undefined) return; // 'error' follows
    this.started = true;
    this.opts.log?.(
      `pod ${podName}: container ${container.name} started, pid ${child.pid}, port ${this.opts.port}`,
    );
    this.opts.onEvent?.('Normal', 'Started', `Started container ${container.name}`);
    this.setState({ running: { startedAt } });
    if (container.readinessProbe?.httpGet) {
      this.probeTimer = setInterval(() => this.probe(), PROBE_INTERVAL_MS);
      this.probe();
    } else {
      this.ready = true;
      this.opts.onChange();
    }
  }

  private onExit(exitCode: number, signal: NodeJS.Signals | null, reason: string, startedAt: string): void {
    clearInterval(this.probeTimer);
    this.ready = false;
    this.started = false;
    this.probeFailures = 0;
    const signalNumber = signal ? { SIGTERM: 15, SIGKILL: 9, SIGINT: 2 }[signal as string] : undefined;
    const terminated = {
      exitCode: signal ? 128 + (signalNumber ?? 0) : exitCode,
      ...(signalNumber ? { signal: signalNumber } : {}),
      reason,
      startedAt,
      finishedAt: now(),
    };
    if (this.stopping) {
      this.state = { terminated };
      return;
    }
    const ranMs = Date.now() - this.startedAtMs;
    if (ranMs > BACKOFF_RESET_AFTER_MS) this.backoffMs = this.opts.backoff.startMs;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.backoff.capMs);
    this.restartCount++;
    this.lastState = { terminated };
    this.opts.log?.(
      `pod ${this.opts.podName}: container ${this.opts.container.name} exited (${terminated.exitCode}), restart ${this.restartCount} in ${delay} ms`,
    );
    this.opts.onEvent?.(
      'Warning',
      'BackOff',
      `Back-off restarting failed container ${this.opts.container.name} in pod ${this.opts.podName}`,
    );
    this.setState({
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${goDuration(delay)} restarting failed container=${this.opts.container.name} pod=${this.opts.podName}`,
      },
    });
    this.timer = setTimeout(() => this.launch(), delay);
  }

  private probe(): void {
    const httpGet = this.opts.container.readinessProbe?.httpGet;
    if (!httpGet || this.probing || !this.pid) return;
    this.probing = true;
    const threshold = this.opts.container.readinessProbe?.failureThreshold ?? 3;
    const req = request(
      {
        host: '127.0.0.1',
        port: this.opts.port,
        path: httpGet.path ?? '/',
        timeout: PROBE_TIMEOUT_MS,
        agent: false,
      },
      (res) => {
        res.resume();
        const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400;
        this.probed(ok, threshold);
      },
    );
    req.on('timeout', () => req.destroy(new Error('probe timeout')));
    req.on('error', () => this.probed(false, threshold));
    req.end();
  }

  private probed(ok: boolean, threshold: number): void {
    this.probing = false;
    if (this.stopping || !this.pid) return;
    if (ok) {
      this.probeFailures = 0;
      if (!this.ready) {
        this.ready = true;
        this.opts.onChange();
      }
    } else if (++this.probeFailures >= threshold && this.ready) {
      this.ready = false;
      this.opts.onChange();
    }
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

/** A duration as Go's time.Duration.String() prints it (the kubelet's back-off message): 500ms, 10s, 2m40s, 5m0s. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const seconds = ms / 1000;
  const minutes = Math.floor(seconds / 60);
  const rest = Number((seconds - minutes * 60).toFixed(3));
  return minutes > 0 ? `${minutes}m${rest}s` : `${rest}s`;
}
