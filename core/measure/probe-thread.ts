// A recovery probe's own worker thread (probe-thread-worker.ts), seen from the engine: booted ahead (its module
// imported) so that sampling starts at T0 without a boot's delay; samples come back stamped on the worker.
import { Worker } from 'node:worker_threads';
import type { FromThread, ThreadBoot, ThreadSample, ThreadSampling } from './off-thread.ts';

export class ProbeThread {
  readonly #worker: Worker;
  readonly #ready: Promise<void>;
  readonly #done: Promise<void>;
  #onSample: (sample: ThreadSample) => void = () => {};
  #started = false;
  #raised = false;

  /** Spawns the worker and has it import the probe's module; `originAbsMs` puts it on the run's clock. */
  constructor(boot: ThreadBoot) {
    this.#worker = new Worker(new URL('./probe-thread-worker-boot.mjs', import.meta.url), {
      workerData: boot,
    });
    const worker = this.#worker;
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    this.#ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromThread) => {
        if (message.type === 'ready') {
          this.#raised = message.raised;
          resolve();
        } else if (message.type === 'boot-failed') reject(new Error(message.message));
        else if (message.type === 'sample') this.#onSample(message.sample);
        else if (message.type === 'done') void worker.terminate();
      });
      worker.once('error', reject);
      void exited.then((code) => reject(new Error(`the probe thread exited (${code}) before it was ready`)));
    });
    this.#ready.catch(() => {}); // awaited by start(); a thread never started is only terminated
    this.#done = exited.then(() => {});
  }

  /** Whether the thread runs ahead of normal work (known once ready; false without the privilege). */
  get raised(): boolean {
    return this.#raised;
  }

  /** Starts sampling once the thread is ready; rejects if it could not boot (the caller samples on its own thread). */
  async start(sampling: ThreadSampling, onSample: (sample: ThreadSample) => void): Promise<void> {
    await this.#ready;
    this.#onSample = onSample;
    this.#started = true;
    this.#worker.postMessage({ type: 'start', sampling });
  }

  /** Stops sending; resolves once every check already sent has answered (or timed out) and the thread ended. */
  async stop(): Promise<void> {
    if (!this.#started) return this.terminate();
    this.#worker.postMessage({ type: 'stop' });
    await this.#done;
  }

  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }
}
