// The fidelity harness: drills through the real engine against an HTTP service and a PostgreSQL that fail in a
// known way at known instants, recorded by the harness itself (the ground truth, outside the code under test).
// Failures that HANG, as production outages do: a blackholed network, a load balancer that accepts and never
// answers, a DNS flip that lands while requests to the dark region wait for their timeout; and a fast one (reset).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { FAULT_EFFECTIVE_AT } from '../core/measure/index.ts';
import type { LedgerWrite, RunContext } from '../core/model.ts';
import { defineScenario, defineTarget } from '../core/model.ts';
import type { RunResult } from '../core/runner/result-schema.ts';
import { runScenario } from '../core/runner/run-scenario.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../lab/app/testing/postgres.ts';
import { availability } from './availability.ts';
import { canary } from './canary.ts';
import type { WorldCommand, WorldData, WorldFailure, WorldPaths, WorldReply } from './fidelity-world.ts';
import { health } from './health.ts';
import { closeProbeAgent } from './http.ts';

/**
 * - reset: connections refused at once (the fast failure).
 * - blackhole: packets dropped (requests and writes hang); at recovery the path forwards again.
 * - lb-never-answers: the load balancer accepts and never answers; at recovery it answers new requests.
 * - dns-flip: the name still points at the dark region (which never answers) until it flips to the healthy
 *   one at recovery; requests already sent to the dark region keep waiting for their timeout.
 */
export type FidelityFailure = WorldFailure;
export const HANGING_FAILURES: FidelityFailure[] = ['blackhole', 'lb-never-answers', 'dns-flip'];

interface Resources {
  publicUrl: string;
  writerUrl: string;
  newPrimaryUrl: string;
}

/** What the harness itself recorded (run-clock ms; the database's own clock for the RPO). */
export interface FidelityTruth {
  /** The instant the harness cut the writer and the public URL (reported to the engine as the fault's effect). */
  cutAt: number;
  /** The instant the public URL served again. */
  upAt: number;
  rtoMs: number;
  /** Newest lost acknowledged commit − the standby's freeze, both on the database clock; 0 if none was lost. */
  rpoMs: number;
  frozenSeq: number;
  /** Rows the failover lost (seq > frozenSeq), acknowledged or not. */
  deleted: number[];
}

export interface FidelityDrill {
  result: RunResult;
  truth: FidelityTruth;
  writes: LedgerWrite[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The world thread (fidelity-world.ts) seen from the engine: one awaited command at a time. */
class WorldThread {
  #next = 1;
  readonly #pending = new Map<number, (reply: WorldReply) => void>();

  private constructor(
    private readonly worker: Worker,
    readonly paths: Record<'reset' | 'blackhole', WorldPaths>,
  ) {
    worker.on('message', (reply: WorldReply) => this.#pending.get(reply.id)?.(reply));
  }

  static async start(dbPort: number): Promise<WorldThread> {
    const worker = new Worker(new URL('./fidelity-world-boot.mjs', import.meta.url), {
      workerData: { dbPort } satisfies WorldData,
    });
    const started = await new Promise<WorldReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (started.type !== 'started')
      throw new Error(`the fidelity world did not start: ${JSON.stringify(started)}`);
    return new WorldThread(worker, started.paths);
  }

  /** Runs one command; resolves with the instant it took effect, when it has one. */
  async send(command: DistributiveOmit<WorldCommand, 'id'>): Promise<number | undefined> {
    const id = this.#next++;
    const reply = await new Promise<WorldReply>((resolve) => {
      this.#pending.set(id, resolve);
      this.worker.postMessage({ ...command, id });
    });
    this.#pending.delete(id);
    if (reply.type === 'error') throw new Error(`fidelity world: ${reply.message}`);
    return reply.type === 'done' ? reply.at : undefined;
  }

  async close(): Promise<void> {
    await this.send({ type: 'close' });
    await this.worker.terminate();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Absolute monotonic ms of the run clock's 0, for the world thread to stamp instants on it. */
function originOf(ctx: RunContext<Resources>): number {
  return performance.timeOrigin + performance.now() - ctx.clock.now();
}

export class FidelityHarness {
  private constructor(
    private readonly db: ThrowawayPostgres,
    private readonly world: WorldThread,
    private readonly outDir: string,
  ) {}

  static async start(): Promise<FidelityHarness> {
    const db = await startThrowawayPostgres();
    // The canary's table, with the commit instant on the database's own clock: the RPO's ground truth.
    await query(
      db.url,
      'create table if not exists drill_canary (run_id text not null, seq bigint not null, sent_at timestamptz not null, committed_at timestamptz not null default clock_timestamp(), primary key (run_id, seq))',
      [],
    );
    const world = await WorldThread.start(db.port);
    const outDir = await mkdtemp(join(tmpdir(), 'drill-fidelity-'));
    return new FidelityHarness(db, world, outDir);
  }

  async close(): Promise<void> {
    await closeProbeAgent();
    await this.world.close();
    await this.db.destroy();
    await rm(this.outDir, { recursive: true, force: true });
  }

  /** The URLs a drill of `failure` uses: the public URL and the writer through their links, the new primary direct. */
  private resources(failure: FidelityFailure): Resources {
    const paths = this.world.paths[failure === 'reset' ? 'reset' : 'blackhole'];
    const writer = new URL(this.db.url);
    writer.port = String(paths.writerPort);
    return { publicUrl: paths.publicUrl, writerUrl: writer.toString(), newPrimaryUrl: this.db.url };
  }

  /**
   * One drill: the writes committed in the `lossMs` before the cut are lost (the standby froze then), the public
   * URL is down from the cut for `outageMs`, failing as `failure` says.
   */
  async drill(failure: FidelityFailure, lossMs: number, outageMs: number): Promise<FidelityDrill> {
    await this.world.send({ type: 'heal' });
    const resources = this.resources(failure);
    const truth: FidelityTruth = { cutAt: 0, upAt: 0, rtoMs: 0, rpoMs: 0, frozenSeq: 0, deleted: [] };
    let freezeDbMs = 0;
    let runCtx: RunContext<Resources> | undefined;
    const db = this.db;
    const ledger = canary<Resources>({
      databaseUrl: (ctx) => ctx.target.resources.writerUrl,
      survivorUrl: (ctx) => ctx.target.resources.newPrimaryUrl,
      reportedLag: async () => 0,
    });
    const scenario = defineScenario<Resources>({
      name: `fidelity-${failure}`,
      summary: 'known outage and known lost writes',
      objectives: { rto: '1m', rpo: '1m', stableFor: '1s' },
      steadyState: [health({ url: (ctx) => ctx.target.resources.publicUrl })],
      fault: {
        title: `freeze the standby, keep writing, then cut the writer and the public URL (${failure})`,
        inject: async (ctx) => {
          await sleep(600); // writes that will survive
          // The standby's last state: the newest row visible now, and now on the database's clock: the statement's
          // start, which precedes its snapshot (clock_timestamp() came after it: at load average 40 a row committed
          // in between, invisible to the snapshot, put the freeze after that row's commit and the truth RPO 23 ms low).
          const [frozen] = await query<{ max: string | null; at: number }>(
            db.url,
            'select max(seq) as max, extract(epoch from statement_timestamp()) * 1000 as at from drill_canary where run_id = $1',
            [ctx.runId],
          );
          truth.frozenSeq = Number(frozen?.max ?? 0);
          freezeDbMs = Number(frozen?.at);
          await sleep(lossMs);
          truth.cutAt = (await this.world.send({ type: 'cut', failure, originAbsMs: originOf(ctx) }))!;
          return { measurements: { [FAULT_EFFECTIVE_AT]: truth.cutAt } };
        },
        revert: async () => void (await this.world.send({ type: 'heal' })),
      },
      failover: [
        {
          title:
            'Fail over: the new primary lacks the writes after the freeze; service back after the outage',
          run: async (ctx) => {
            runCtx = ctx;
            const rows = await query<{ seq: string; committed: number }>(
              db.url,
              'delete from drill_canary where run_id = $1 and seq > $2 returning seq, extract(epoch from committed_at) * 1000 as committed',
              [ctx.runId, truth.frozenSeq],
            );
            truth.deleted = rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
            const committed = new Map(rows.map((r) => [Number(r.seq), Number(r.committed)]));
            await sleep(truth.cutAt + outageMs - ctx.clock.now());
            truth.upAt = (await this.world.send({ type: 'restore', failure, originAbsMs: originOf(ctx) }))!;
            const acked = ledger.writes(ctx).filter((w) => w.ackedAt !== null && committed.has(w.seq));
            const newestLost = Math.max(...acked.map((w) => committed.get(w.seq)!));
            truth.rpoMs = acked.length === 0 ? 0 : newestLost - freezeDbMs;
            return undefined;
          },
        },
      ],
      recovery: [availability({ url: (ctx) => ctx.target.resources.publicUrl })],
      verify: [],
      ledger,
      recoveryTimeout: '30s',
    });
    const target = defineTarget<Resources>({
      name: 'fidelity',
      description: 'in-process HTTP endpoints and a throwaway PostgreSQL behind cuttable links',
      kind: 'lab',
      aws: { regions: ['eu-west-1'] },
      resources,
    });
    const result = await runScenario(scenario, target, { outDir: this.outDir });
    await this.world.send({ type: 'heal' });
    if (!runCtx) throw new Error(`the drill stopped before failover: ${result.reason}`);
    truth.rtoMs = truth.upAt - truth.cutAt;
    return { result, truth, writes: ledger.writes(runCtx) };
  }
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Whether `value` lies in [lower, upper] (upper null: unbounded). */
export function inside(
  value: number,
  lower: number | null | undefined,
  upper: number | null | undefined,
): boolean {
  return (
    lower !== null &&
    lower !== undefined &&
    value >= lower &&
    (upper === null || upper === undefined || value <= upper)
  );
}
