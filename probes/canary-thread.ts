// The canary writer on a worker thread (canary-worker.ts), seen from the engine: the same start/stop/done/writes
// as CanaryWriter, with instants stamped on the worker where pg acknowledges the write.
import { Worker } from 'node:worker_threads';
import type { LedgerWrite, Logger } from '../core/model.ts';
import type { CanaryWriterOptions } from './canary-writer.ts';

export interface CanaryWorkerData {
  writer: Omit<CanaryWriterOptions, 'clock' | 'log' | 'onWrite'>;
  startTimeoutMs: number;
  /** performance.timeOrigin + performance.now() at the run clock's 0: the worker reads the same clock. */
  originAbsMs: number;
  /** Wall time of the run clock's 0 (for the sent_at column, display only). */
  wallAnchorMs: number;
}

export type FromWorker =
  | { type: 'started' }
  | { type: 'start-failed'; message: string }
  | { type: 'write'; write: LedgerWrite }
  | { type: 'log'; level: 'info' | 'warn' | 'debug'; message: string }
  | { type: 'done' };

export class CanaryThread {
  readonly #bySeq = new Map<number, LedgerWrite>();
  readonly #options: CanaryWriterOptions;
  #worker: Worker | undefined;
  #done: Promise<void> | undefined;

  constructor(options: CanaryWriterOptions) {
    this.#options = options;
  }

  /** Every write so far, in seq order (the worker's stamps). */
  get writes(): LedgerWrite[] {
    return [...this.#bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Starts the worker; rejects like CanaryWriter.start when the first connection or the table fails. */
  async start(signal: AbortSignal, startTimeoutMs: number): Promise<void> {
    const { clock, log, onWrite: _onWrite, ...writer } = this.#options;
    const data: CanaryWorkerData = {
      writer,
      startTimeoutMs,
      originAbsMs: performance.timeOrigin + performance.now() - clock.now(),
      wallAnchorMs: clock.wall(0).getTime(),
    };
    const worker = new Worker(new URL('./canary-worker-boot.mjs', import.meta.url), { workerData: data });
    this.#worker = worker;
    let settleDone: () => void = () => {};
    this.#done = new Promise<void>((resolve) => {
      settleDone = resolve;
    });
    worker.once('exit', () => settleDone());
    const started = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'started') resolve();
        else if (message.type === 'start-failed') reject(new Error(message.message));
        else if (message.type === 'write') this.#bySeq.set(message.write.seq, message.write);
        else if (message.type === 'log') logTo(log, message.level, message.message);
        else if (message.type === 'done') void worker.terminate();
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`canary worker exited (${code}) before it started`)));
    });
    const onAbort = () => void worker.terminate();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await started;
    } catch (error) {
      await worker.terminate();
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Stops scheduling writes; `done()` resolves once the in-flight write settled and the worker ended. */
  stop(): void {
    this.#worker?.postMessage({ type: 'stop' });
  }

  done(): Promise<void> {
    return this.#done ?? Promise.resolve();
  }
}

function logTo(log: Logger, level: 'info' | 'warn' | 'debug', message: string): void {
  log[level](message);
}
