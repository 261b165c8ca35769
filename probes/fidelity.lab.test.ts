// Fidelity: drills through the real engine against an HTTP service that is down for a known interval and a
// PostgreSQL that loses a known window of writes; the measured RTO and RPO must match the truth.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunContext } from '../core/model.ts';
import { defineScenario, defineTarget } from '../core/model.ts';
import { runScenario } from '../core/runner/run-scenario.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../lab/app/testing/postgres.ts';
import { Link } from '../lab/net/link.ts';
import { availability } from './availability.ts';
import { canary } from './canary.ts';
import { health } from './health.ts';
import { closeProbeAgent } from './http.ts';

interface Resources {
  publicUrl: string;
  writerUrl: string;
  newPrimaryUrl: string;
}

let db: ThrowawayPostgres;
let dbLink: Link;
let httpLink: Link;
let server: Server;
let outDir: string;
let resources: Resources;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  db = await startThrowawayPostgres();
  dbLink = new Link({ name: 'db', target: { host: '127.0.0.1', port: db.port }, cutMode: 'reset' });
  const dbPort = await dbLink.start();
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok","region":"eu-west-1","database":{"role":"writer"}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  httpLink = new Link({
    name: 'public',
    target: { host: '127.0.0.1', port: (server.address() as { port: number }).port },
    cutMode: 'reset',
  });
  const httpPort = await httpLink.start();
  const writer = new URL(db.url);
  writer.port = String(dbPort);
  resources = {
    publicUrl: `http://127.0.0.1:${httpPort}`,
    writerUrl: writer.toString(),
    newPrimaryUrl: db.url,
  };
  outDir = await mkdtemp(join(tmpdir(), 'drill-fidelity-'));
});

afterAll(async () => {
  await closeProbeAgent();
  await httpLink?.close();
  await dbLink?.close();
  await new Promise((resolve) => server?.close(resolve));
  await db?.destroy();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** One drill: writes are lost from `freeze` to the cut (`lossMs`), the public URL is down for `outageMs` from T0. */
async function drill(lossMs: number, outageMs: number) {
  const truth = { freezeAt: 0, cutAt: 0, t0: 0, upAt: 0, frozenSeq: 0, deleted: [] as number[] };
  let runCtx: RunContext<Resources> | undefined;
  const ledger = canary<Resources>({
    databaseUrl: (ctx) => ctx.target.resources.writerUrl,
    survivorUrl: (ctx) => ctx.target.resources.newPrimaryUrl,
    interval: '100ms',
    writeTimeout: '500ms',
    connectTimeout: '300ms',
    reportedLag: async () => 0,
  });
  const scenario = defineScenario<Resources>({
    name: 'fidelity',
    summary: 'known outage and known lost writes',
    objectives: { rto: '1m', rpo: '1m', stableFor: '1s' },
    steadyState: [health({ url: (ctx) => ctx.target.resources.publicUrl })],
    fault: {
      title: 'freeze the standby, keep writing, then cut the writer and the public URL',
      async inject(ctx) {
        await sleep(600); // some writes that will survive
        // The standby's last state: the newest row visible at this instant (connected first, so the
        // snapshot is taken within a millisecond of freezeAt). Everything committed later is lost.
        const standby = new pg.Client({ connectionString: db.url });
        await standby.connect();
        truth.freezeAt = ctx.clock.now();
        const { rows } = await standby.query<{ max: string | null }>(
          'select max(seq) from drill_canary where run_id = $1',
          [ctx.runId],
        );
        await standby.end();
        truth.frozenSeq = Number(rows[0]?.max ?? 0);
        await sleep(lossMs);
        dbLink.cut();
        httpLink.cut();
        truth.cutAt = ctx.clock.now();
        return undefined;
      },
      async revert() {
        dbLink.restore();
        httpLink.restore();
      },
    },
    failover: [
      {
        title: 'Fail over: the new primary lacks the writes after the freeze; service back after the outage',
        async run(ctx) {
          runCtx = ctx;
          truth.t0 = ctx.clock.t0!;
          const rows = await query<{ seq: string }>(
            'delete from drill_canary where run_id = $1 and seq > $2 returning seq',
            [ctx.runId, truth.frozenSeq],
          );
          truth.deleted = rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
          await sleep(truth.t0 + outageMs - ctx.clock.now());
          httpLink.restore();
          truth.upAt = ctx.clock.now();
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
    description: 'in-process HTTP service and throwaway PostgreSQL behind cuttable links',
    kind: 'lab',
    aws: { regions: ['eu-west-1'] },
    resources,
  });
  const result = await runScenario(scenario, target, { outDir });
  dbLink.restore();
  httpLink.restore();
  if (!runCtx) throw new Error(`the drill stopped before failover: ${result.reason}`);
  const writes = ledger.writes(runCtx);
  return { result, truth, writes };
}

describe('fidelity of the measured RTO and RPO', () => {
  const cases = [
    { lossMs: 450, outageMs: 1_180 },
    { lossMs: 730, outageMs: 2_040 },
    { lossMs: 1_010, outageMs: 3_110 },
  ];
  const errors = { rto: [] as number[], rpo: [] as number[] };
  const slack: number[] = [];

  it.each(cases)('loses $lossMs ms of writes and is down $outageMs ms', async ({ lossMs, outageMs }) => {
    const { result, truth, writes } = await drill(lossMs, outageMs);
    expect({ verdict: result.verdict, reason: result.reason }).toMatchObject({ verdict: 'passed' });

    // RTO: T0 → first instant the public URL answers again, within ± one probe interval (250 ms).
    const trueRto = truth.upAt - truth.t0;
    const rto = result.rto!;
    expect(rto.recovered).toBe(true);
    expect(rto.uncertaintyMs).toBe(250);
    errors.rto.push(rto.achievedMs! - trueRto);
    // The first passing sample is taken at most one interval after the service is back while the sampler keeps
    // its schedule; it can also start a few ms before `upAt`. On a starved machine the sampler runs late, and
    // the bound is then the real gap between the last sample before `upAt` and the first one after it.
    expect(rto.achievedMs! - trueRto).toBeGreaterThanOrEqual(-50);
    const sampledAt = (result.probes.samples ?? []).map((s) => s.atMs).sort((a, b) => a - b);
    const before = sampledAt.filter((at) => at < truth.upAt).at(-1) ?? truth.t0;
    const after = sampledAt.find((at) => at >= truth.upAt) ?? Number.POSITIVE_INFINITY;
    expect(after, 'a recovery sample after the service came back').toBeLessThan(Number.POSITIVE_INFINITY);
    const samplerGap = after - before;
    expect(rto.achievedMs! - trueRto).toBeLessThanOrEqual(Math.max(250, samplerGap) + 50);

    // RPO: the writes committed between the freeze and the cut are lost, within ± one canary interval (100 ms).
    const trueRpo = truth.cutAt - truth.freezeAt;
    const rpo = result.rpo!;
    expect(rpo.uncertaintyMs).toBe(100);
    errors.rpo.push(rpo.achievedMs! - trueRpo);
    // The bound is one interval while the writer keeps its schedule; on a starved machine a write can take
    // longer than the interval, and the bound is then the longest gap between two acknowledgements.
    const acks = writes.flatMap((w) => (w.ackedAt === null ? [] : [w.ackedAt]));
    const worstGap = Math.max(...acks.slice(1).map((at, i) => at - acks[i]!));
    slack.push(Math.max(0, worstGap - 100));
    expect(Math.abs(rpo.achievedMs! - trueRpo)).toBeLessThanOrEqual(Math.max(100, worstGap) + 5);

    // The exact lost set: every acknowledged write after the frozen seq, and nothing else.
    const acked = new Set(writes.filter((w) => w.ackedAt !== null).map((w) => w.seq));
    const expectedLost = writes
      .filter((w) => w.ackedAt !== null && w.seq > truth.frozenSeq)
      .map((w) => w.seq);
    expect(rpo.lostSeqs).toEqual(expectedLost);
    expect(rpo.lostSeqs).toEqual(truth.deleted.filter((seq) => acked.has(seq)));
    // at most one deleted row was never acknowledged: the write in flight when the link was cut
    expect(truth.deleted.filter((seq) => !acked.has(seq)).length).toBeLessThanOrEqual(1);
    // one write per 100 ms slot of the true window (the sleep before the cut may overshoot lossMs)
    expect(rpo.lostCount).toBeGreaterThanOrEqual(Math.floor(trueRpo / 100) - 1 - Math.floor(worstGap / 100));
    expect(rpo.lostCount).toBeLessThanOrEqual(Math.ceil(trueRpo / 100) + 1);
    expect(rpo.reportedLagMs).toBe(0);
  });

  afterAll(() => {
    const fmt = (xs: number[]) => xs.map((x) => `${x >= 0 ? '+' : ''}${Math.round(x)}ms`).join(', ');
    console.log(
      `fidelity: RTO error (measured − truth): ${fmt(errors.rto)}; RPO error: ${fmt(errors.rpo)} (writer late by ${fmt(slack)})`,
    );
  });
});
