import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../lab/app/testing/postgres.ts';
import { Link } from '../lab/net/link.ts';
import { freePort } from '../lab/net/ports.ts';
import { canary } from './canary.ts';
import { createTestRun } from './testing/context.ts';

let db: ThrowawayPostgres;
let link: Link;
let linkUrl: string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  db = await startThrowawayPostgres();
  link = new Link({
    name: 'db-eu-west-1',
    target: { host: '127.0.0.1', port: db.port },
    cutMode: 'blackhole',
  });
  const port = await link.start();
  const u = new URL(db.url);
  u.port = String(port);
  linkUrl = u.toString();
});
afterAll(async () => {
  await link?.close();
  await db?.destroy();
});

describe('canary write ledger on a real PostgreSQL', () => {
  it('writes one acknowledged row every interval and finds them all on the primary', async () => {
    const t = createTestRun({}, 'run-canary-steady');
    const ledger = canary({ databaseUrl: () => db.url, interval: '100ms', reportedLag: async () => 42 });
    await ledger.start(t.ctx);
    await sleep(1_050);
    await ledger.stop(t.ctx);
    const { writes, survivors, reportedLagMs } = await ledger.collect(t.ctx);
    expect(writes.length).toBeGreaterThanOrEqual(9);
    expect(writes.length).toBeLessThanOrEqual(12);
    expect(writes.every((w) => w.ackedAt !== null && w.ackedAt >= w.sentAt)).toBe(true);
    expect(survivors).toEqual(writes.map((w) => w.seq));
    expect(reportedLagMs).toBe(42);
    // one write per 100 ms slot
    const gaps = writes.slice(1).map((w, i) => w.sentAt - writes[i]!.sentAt);
    expect(Math.min(...gaps)).toBeGreaterThan(50);
    // A slot is late only by how long the previous write took to be acknowledged (plus timer slack on a busy machine).
    gaps.forEach((gap, i) => {
      const ackMs = writes[i]!.ackedAt! - writes[i]!.sentAt;
      expect(gap, `gap after write #${writes[i]!.seq} (acked in ${Math.round(ackMs)} ms)`).toBeLessThan(
        Math.max(200, ackMs + 100 + 100),
      );
    });
    const csv = t.attachments.get('canary-ledger.csv');
    expect(csv?.contentType).toBe('text/csv');
    const lines = String(csv?.body).trim().split('\n');
    expect(lines[0]).toBe('seq,sent_at_ms,acked_at_ms,sent_at_wall,acked_at_wall,acked,survived');
    expect(lines).toHaveLength(writes.length + 1);
    expect(lines[1]).toMatch(
      /^1,\d+\.\d,\d+\.\d,\d{4}-\d\d-\d\dT[\d:.]+Z,\d{4}-\d\d-\d\dT[\d:.]+Z,true,true$/,
    );
    expect(t.logs).toEqual([
      `info canary "canary": writing one row every 100ms to 127.0.0.1:${db.port}/luneo`,
    ]);
    expect(String(csv?.body)).not.toContain(new URL(db.url).password);
  });

  it('keeps trying through a cut network, records the failed writes unacknowledged, and resumes', async () => {
    const t = createTestRun({}, 'run-canary-outage');
    const ledger = canary({
      databaseUrl: linkUrl,
      interval: '100ms',
      connectTimeout: '300ms',
      writeTimeout: '300ms',
    });
    await ledger.start(t.ctx);
    await sleep(500);
    link.cut();
    await sleep(1_200);
    link.restore();
    await sleep(900);
    await ledger.stop(t.ctx);
    const { writes, survivors } = await ledger.collect(t.ctx);
    const unacked = writes.filter((w) => w.ackedAt === null).map((w) => w.seq);
    expect(unacked.length).toBeGreaterThanOrEqual(2);
    expect(writes.at(-1)?.ackedAt).not.toBeNull(); // acknowledged again after the network came back
    // every acknowledged write is on the primary; an unacknowledged one may be too (committed, ack lost)
    const acked = writes.filter((w) => w.ackedAt !== null).map((w) => w.seq);
    expect(acked.every((seq) => survivors.includes(seq))).toBe(true);
    const password = new URL(db.url).password;
    expect(t.logs.join('\n')).not.toContain(password);
    expect(t.logs[1]).toMatch(/^warn canary: write \d+ was not acknowledged: .+; still trying every 100ms$/);
    expect(t.logs[2]).toMatch(/^info canary: writes acknowledged again from seq \d+$/);
  });

  it('refuses to start when the writer is unreachable, naming where and what to check, without the password', async () => {
    const t = createTestRun({}, 'run-canary-refused');
    const port = await freePort();
    const ledger = canary({ databaseUrl: `postgres://luneo:s3cret-pw@127.0.0.1:${port}/luneo` });
    await expect(ledger.start(t.ctx)).rejects.toMatchObject({
      code: 'E_PREFLIGHT',
      message: `canary "canary" cannot write to 127.0.0.1:${port}/luneo: connect ECONNREFUSED 127.0.0.1:${port}; check the database URL and that the writer accepts connections`,
    });
    expect(t.redactor.redactText('x s3cret-pw y')).toBe('x *** y');
  });

  it('keeps going when the reported lag cannot be read, and says why', async () => {
    const t = createTestRun({}, 'run-canary-lag');
    const ledger = canary({
      databaseUrl: db.url,
      reportedLag: async () => {
        throw new Error('CloudWatch GetMetricData: AccessDenied');
      },
    });
    await ledger.start(t.ctx);
    await sleep(250);
    await ledger.stop(t.ctx);
    const { reportedLagMs, writes } = await ledger.collect(t.ctx);
    expect(reportedLagMs).toBeNull();
    expect(writes.length).toBeGreaterThanOrEqual(2);
    expect(t.logs).toContain(
      'warn canary "canary": could not read the reported replication lag: CloudWatch GetMetricData: AccessDenied',
    );
  });

  it('stamps its writes off the engine event loop: writes are sent and acknowledged while that loop is blocked', async () => {
    const t = createTestRun({}, 'run-canary-busy-loop');
    const ledger = canary({ databaseUrl: () => db.url, interval: '100ms' });
    await ledger.start(t.ctx);
    await sleep(300);
    // The engine's loop busy for 600 ms (six canary intervals), as a loaded engine is.
    const blockedFrom = t.ctx.clock.now();
    while (t.ctx.clock.now() < blockedFrom + 600) {}
    const blockedUntil = t.ctx.clock.now();
    await sleep(300);
    await ledger.stop(t.ctx);
    const { writes } = await ledger.collect(t.ctx);
    // A writer on the engine's loop can neither send nor stamp an acknowledgement while it is blocked.
    const during = writes.filter(
      (w) => w.sentAt > blockedFrom && w.ackedAt !== null && w.ackedAt < blockedUntil,
    );
    expect(during.length, JSON.stringify({ blockedFrom, blockedUntil, writes })).toBeGreaterThan(0);
  });

  it('rejects a table name that is not a plain SQL name', () => {
    expect(() => canary({ databaseUrl: 'x', table: 'drill; drop table orders' })).toThrow(
      'canary table must be a plain lower-case SQL name, got "drill; drop table orders"',
    );
  });
});
