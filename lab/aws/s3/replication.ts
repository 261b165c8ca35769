// Asynchronous cross-region replication: each new version under an enabled rule is PENDING until a worker has
// copied it to the destination bucket over the transport (in the lab: HTTP across the s3-wan Link), then COMPLETED.
// Failed copies (link cut) stay PENDING and are retried with backoff; FIS pauses hold them.
import { ruleFor } from './replication-config.ts';
import type { ObjectVersion, S3Store, StoredObject } from './store.ts';

export interface ReplicationTransport {
  /** Copy one version into `destinationBucket`; rejects when the path is down. */
  send(destinationBucket: string, object: StoredObject, signal: AbortSignal): Promise<void>;
}

/** What aws:s3:bucket-pause-replication pauses: replication from `sourceBucket`, optionally narrowed. */
export interface PauseFilter {
  sourceBucket: string;
  /** Only rules towards these destination buckets (names); absent = every destination. */
  destinationBuckets?: string[];
  /** Only objects under these key prefixes. */
  prefixes?: string[];
}

interface Task {
  bucket: string;
  key: string;
  versionId: string;
  attempts: number;
  notBefore: number;
}

export interface ReplicationOptions {
  /** Copies in flight at once (default 8): the WAN latency would otherwise cap throughput. */
  concurrency?: number;
  /** Give up one copy attempt after this long (default 15 s). */
  attemptTimeoutMs?: number;
  log?: (line: string) => void;
}

export class S3Replication {
  readonly #queue: Task[] = [];
  readonly #pauses = new Set<PauseFilter>();
  readonly #inFlight = new Set<Task>();
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #completed = 0;

  constructor(
    private readonly store: S3Store,
    private readonly transport: ReplicationTransport,
    private readonly opts: ReplicationOptions = {},
  ) {}

  /** The status a new version of `key` in `bucket` gets: PENDING under an enabled rule, none otherwise. */
  statusFor(bucket: string, key: string): 'PENDING' | undefined {
    const rule = ruleFor(this.store.bucket(bucket).replication, key);
    return rule?.status === 'Enabled' ? 'PENDING' : undefined;
  }

  /** A version was written with status PENDING: queue its copy. */
  written(bucket: string, version: ObjectVersion): void {
    if (version.replicationStatus !== 'PENDING') return;
    this.#queue.push({ bucket, key: version.key, versionId: version.versionId, attempts: 0, notBefore: 0 });
    this.pump();
  }

  /** Pause until the returned function is called (FIS stops the action, or the experiment ends). */
  pause(filter: PauseFilter): () => void {
    this.#pauses.add(filter);
    this.opts.log?.(`s3: replication from ${filter.sourceBucket} paused`);
    return () => {
      if (!this.#pauses.delete(filter)) return;
      this.opts.log?.(`s3: replication from ${filter.sourceBucket} resumed`);
      this.pump();
    };
  }

  get paused(): PauseFilter[] {
    return [...this.#pauses];
  }

  /** Versions still PENDING (queued or being copied). */
  get pending(): number {
    return this.#queue.length + this.#inFlight.size;
  }

  get completed(): number {
    return this.#completed;
  }

  /** Start every copy that may start now; schedule a retry for the rest. Safe to call any time. */
  pump(): void {
    if (this.#stopped) return;
    const concurrency = this.opts.concurrency ?? 8;
    const now = Date.now();
    let wakeAt = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.#queue.length && this.#inFlight.size < concurrency; ) {
      const task = this.#queue[i] as Task;
      const destination = this.#destination(task);
      if (destination === undefined) {
        i++;
        continue;
      }
      if (task.notBefore > now) {
        wakeAt = Math.min(wakeAt, task.notBefore);
        i++;
        continue;
      }
      this.#queue.splice(i, 1);
      this.#inFlight.add(task);
      void this.#copy(task, destination);
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (Number.isFinite(wakeAt)) this.#timer = setTimeout(() => this.pump(), Math.max(0, wakeAt - now));
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
  }

  /** The destination bucket when the task may be copied now; undefined while its rule is disabled or paused. */
  #destination(task: Task): string | undefined {
    const rule = ruleFor(this.store.find(task.bucket)?.replication, task.key);
    if (rule?.status !== 'Enabled') return undefined;
    for (const p of this.#pauses) {
      if (p.sourceBucket !== task.bucket) continue;
      if (p.destinationBuckets && !p.destinationBuckets.includes(rule.destinationBucket)) continue;
      if (p.prefixes?.length && !p.prefixes.some((prefix) => task.key.startsWith(prefix))) continue;
      return undefined;
    }
    return rule.destinationBucket;
  }

  async #copy(task: Task, destination: string): Promise<void> {
    try {
      const version = this.store.version(task.bucket, task.key, task.versionId);
      const body = await this.store.read(task.bucket, version);
      const signal = AbortSignal.any([
        this.#abort.signal,
        AbortSignal.timeout(this.opts.attemptTimeoutMs ?? 15_000),
      ]);
      await this.transport.send(destination, { version, body }, signal);
      version.replicationStatus = 'COMPLETED';
      this.#completed++;
    } catch (error) {
      if (this.#stopped) return;
      task.attempts++;
      // Stepped backoff, as S3 retries a transient failure: 250 ms, 500 ms, 1 s, then every 2 s.
      task.notBefore = Date.now() + Math.min(2000, 250 * 2 ** (task.attempts - 1));
      if (task.attempts === 1 || task.attempts % 20 === 0)
        this.opts.log?.(
          `s3: replicating ${task.bucket}/${task.key} (${task.versionId}) failed (attempt ${task.attempts}): ${(error as Error).message}`,
        );
      this.#queue.unshift(task);
    } finally {
      this.#inFlight.delete(task);
      this.pump();
    }
  }
}
