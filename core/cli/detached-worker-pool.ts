// The vitest pool that runs a drill: vitest's forks worker (its own entry point, child_process + IPC), started in a
// process group of its own. A terminal's Ctrl-C or hang-up goes to its foreground process group: the CLI gets it and
// relays it to the worker once (vitest-runner.ts), so the worker sees one abort, and never dies of a signal that lands
// before the harness installed its handler (Node's default action would end it then).
import { type ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';
import type { PoolOptions, PoolRunnerInitializer, PoolWorker, WorkerRequest } from 'vitest/node';

const STOP_GRACE_MS = 500;

export const DETACHED_WORKER_POOL = 'drill-detached-forks';

class DetachedForksWorker implements PoolWorker {
  readonly name = DETACHED_WORKER_POOL;
  readonly cacheFs = true;
  readonly #options: PoolOptions;
  #child: ChildProcess | undefined;

  constructor(options: PoolOptions) {
    this.#options = options;
  }

  get #process(): ChildProcess {
    if (!this.#child) throw new Error('the drill worker is not running');
    return this.#child;
  }

  on(event: string, callback: (arg: unknown) => void): void {
    this.#process.on(event, callback);
  }

  off(event: string, callback: (arg: unknown) => void): void {
    this.#process.off(event, callback);
  }

  send(message: WorkerRequest): void {
    this.#process.send(message);
  }

  deserialize(data: unknown): unknown {
    return data;
  }

  async start(): Promise<void> {
    if (this.#child) return;
    const { logger } = this.#options.project.vitest;
    this.#child = fork(resolve(this.#options.distPath, 'workers/forks.js'), [], {
      env: this.#options.env,
      execArgv: this.#options.execArgv,
      stdio: 'pipe',
      serialization: 'advanced',
      detached: true,
    });
    this.#child.stdout?.pipe(logger.outputStream, { end: false });
    this.#child.stderr?.pipe(logger.errorStream, { end: false });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const exited = new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) done();
      else child.once('exit', () => done());
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.kill();
    await exited;
    clearTimeout(kill);
    child.stdout?.unpipe();
    child.stderr?.unpipe();
    this.#child = undefined;
  }
}

export const detachedWorkerPool: PoolRunnerInitializer = {
  name: DETACHED_WORKER_POOL,
  createPoolWorker: (options) => new DetachedForksWorker(options),
};
