// The fidelity harness: drills through the real engine against an HTTP service and a PostgreSQL that fail in a
// known way at known instants, recorded by the harness itself (the ground truth, outside the code under test).
// Failures that HANG, as production outages do: a blackholed network, a load balancer that accepts and never
// answers, a DNS flip that lands while requests to the dark region wait for their timeout; and a fast one (reset).

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { FAULT_EFFECTIVE_AT } from '../core/measure/index.ts';
import type { LedgerWrite, RunContext } from '../core/model.ts';
import { defineScenario, defineTarget } from '../core/model.ts';
import type { RunResult } from '../core/runner/result-schema.ts';
import { runScenario } from '../core/runner/run-scenario.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../lab/app/testing/postgres.ts';
import { Link } from '../lab/net/link.ts';
import { availability } from './availability.ts';
import { canary } from './canary.ts';
import { health } from './health.ts';
import { closeProbeAgent } from './http.ts';

/**
 * - reset: connections refused at once (the fast failure).
 * - blackhole: packets dropped (requests and writes hang); at recovery the path forwards again.
 * - lb-never-answers: the load balancer accepts and never answers; at recovery it answers new requests.
 * - dns-flip: the name still points at the dark region (which never answers) until it flips to the healthy
 *   one at recovery; requests already sent to the dark region keep waiting for their timeout.
 */
export type FidelityFailure = 'reset' | 'blackhole' | 'lb-never-answers' | 'dns-flip';
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

/** An HTTP endpoint that answers /health, or accepts and never answers (its requests are kept to end later). */
class Endpoint {
  answering = true;
  readonly #held = new Set<ServerResponse>();
  readonly server: Server;

  constructor(region: string) {
    this.server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      if (!this.answering) {
        this.#held.add(res);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"status":"ok","region":"${region}","database":{"role":"writer"}}`);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  /** Answers again and drops the requests it held (their clients timed out long ago). */
  reset(): void {
    this.answering = true;
    for (const res of this.#held) res.socket?.destroy();
    this.#held.clear();
  }

  close(): Promise<void> {
    this.reset();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

type CutMode = 'reset' | 'blackhole';

/** The writer's and the public URL's network paths, for one way of cutting them. */
interface Paths {
  db: Link;
  public: Link;
  resources: Resources;
}

export class FidelityHarness {
  private constructor(
    private readonly db: ThrowawayPostgres,
    private readonly paths: Record<CutMode, Paths>,
    private readonly primary: Endpoint,
    private readonly standby: Endpoint,
    private readonly ports: { primary: number; standby: number },
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
    const primary = new Endpoint('eu-west-1');
    const standby = new Endpoint('us-east-1');
    const ports = { primary: await primary.listen(), standby: await standby.listen() };
    const paths = async (cutMode: CutMode): Promise<Paths> => {
      const dbLink = new Link({
        name: `db-${cutMode}`,
        target: { host: '127.0.0.1', port: db.port },
        cutMode,
      });
      const publicLink = new Link({
        name: `public-${cutMode}`,
        target: { host: '127.0.0.1', port: ports.primary },
        cutMode,
      });
      const writer = new URL(db.url);
      writer.port = String(await dbLink.start());
      const publicUrl = `http://127.0.0.1:${await publicLink.start()}`;
      return {
        db: dbLink,
        public: publicLink,
        resources: { publicUrl, writerUrl: writer.toString(), newPrimaryUrl: db.url },
      };
    };
    const outDir = await mkdtemp(join(tmpdir(), 'drill-fidelity-'));
    const all = { reset: await paths('reset'), blackhole: await paths('blackhole') };
    return new FidelityHarness(db, all, primary, standby, ports, outDir);
  }

  async close(): Promise<void> {
    await closeProbeAgent();
    for (const path of Object.values(this.paths)) {
      await path.public.close();
      await path.db.close();
    }
    await this.primary.close();
    await this.standby.close();
    await this.db.destroy();
    await rm(this.outDir, { recursive: true, force: true });
  }

  /** Back to healthy: links forward to the primary, both endpoints answer. */
  private heal(): void {
    for (const path of Object.values(this.paths)) {
      path.db.restore();
      path.public.setTarget({ host: '127.0.0.1', port: this.ports.primary });
      path.public.restore();
    }
    this.primary.reset();
    this.standby.reset();
  }

  /** The public URL stops serving the way `failure` says. */
  private breakPublic(failure: FidelityFailure, path: Paths): void {
    if (failure === 'reset' || failure === 'blackhole') path.public.cut();
    else this.primary.answering = false;
  }

  /** The public URL serves again the way `failure` says. */
  private restorePublic(failure: FidelityFailure, path: Paths): void {
    if (failure === 'reset' || failure === 'blackhole') path.public.restore();
    else if (failure === 'lb-never-answers') this.primary.answering = true;
    else path.public.setTarget({ host: '127.0.0.1', port: this.ports.standby });
  }

  /**
   * One drill: the writes committed in the `lossMs` before the cut are lost (the standby froze then), the public
   * URL is down from the cut for `outageMs`, failing as `failure` says.
   */
  async drill(failure: FidelityFailure, lossMs: number, outageMs: number): Promise<FidelityDrill> {
    this.heal();
    const path = this.paths[failure === 'reset' ? 'reset' : 'blackhole'];
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
          // The standby's last state: the newest row visible now, and now on the database's clock.
          const [frozen] = await query<{ max: string | null; at: number }>(
            db.url,
            'select max(seq) as max, extract(epoch from clock_timestamp()) * 1000 as at from drill_canary where run_id = $1',
            [ctx.runId],
          );
          truth.frozenSeq = Number(frozen?.max ?? 0);
          freezeDbMs = Number(frozen?.at);
          await sleep(lossMs);
          truth.cutAt = ctx.clock.now();
          path.db.cut();
          this.breakPublic(failure, path);
          return { measurements: { [FAULT_EFFECTIVE_AT]: truth.cutAt } };
        },
        revert: async () => this.heal(),
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
            this.restorePublic(failure, path);
            truth.upAt = ctx.clock.now();
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
      resources: path.resources,
    });
    const result = await runScenario(scenario, target, { outDir: this.outDir });
    this.heal();
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
