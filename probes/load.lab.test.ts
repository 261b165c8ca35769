import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../lab/net/ports.ts';
import { k6Load, NO_K6_NOTE } from './k6.ts';
import { load } from './load.ts';
import { LoadGenerator } from './load-generator.ts';
import { createTestRun } from './testing/context.ts';

let server: Server;
let base: string;
/** Requests the server received, by path: the truth the generator's counts are checked against. */
const received = new Map<string, number>();
const answered = new Map<string, Record<string, number>>();

// /health: 200 at once. /flaky: every 4th request 503. /graded: request i waits (i % 5) × 100 ms,
// so latencies fall in five equal buckets 0, 100, 200, 300, 400 ms. /hang: never answers.
beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    const i = (received.get(path) ?? 0) + 1;
    received.set(path, i);
    if (path === '/hang') return;
    const status = path === '/flaky' && i % 4 === 0 ? 503 : 200;
    const reply = () => {
      const counts = answered.get(path) ?? {};
      counts[status] = (counts[status] ?? 0) + 1;
      answered.set(path, counts);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    };
    if (path === '/graded') setTimeout(reply, (i % 5) * 100);
    else reply();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function run(settings: ConstructorParameters<typeof LoadGenerator>[0]) {
  const generator = new LoadGenerator(settings);
  generator.start();
  await generator.finished();
  return generator.stop();
}

describe('built-in load generator', () => {
  it('holds its arrival rate for its duration and summarises latency and statuses', async () => {
    const summary = await run({ url: `${base}/health`, rate: 100, durationMs: 1_000 });
    // Every arrival due in the second is accounted for: sent, dropped (16 in flight) or missed (busy loop).
    expect(summary.requests + summary.dropped + summary.missed).toBe(100);
    // How many were sent rather than dropped depends on this shared machine's load: `pnpm bench probes` measures it.
    expect(summary.requests).toBeGreaterThan(0);
    expect(summary.requests).toBe(received.get('/health'));
    expect(summary.statusHistogram).toEqual({ '200': summary.requests });
    expect(summary).toMatchObject({ engine: 'builtin-undici', errors: 0, errorRate: 0, concurrency: 16 });
    const { p50, p95, p99, max } = summary.latencyMs;
    expect(p50).toBeGreaterThan(0);
    expect(p50!).toBeLessThanOrEqual(p95!);
    expect(p95!).toBeLessThanOrEqual(p99!);
    expect(p99!).toBeLessThanOrEqual(max!);
    expect(summary.achievedRate).toBeGreaterThan(0);
  });

  it('reports latency percentiles that match a server of known latency', async () => {
    received.delete('/graded');
    const s = await run({ url: `${base}/graded`, rate: 50, concurrency: 32, durationMs: 1_000 });
    expect(s.requests).toBe(received.get('/graded'));
    expect(s.statusHistogram).toEqual({ '200': s.requests });
    // Five equal buckets: the median lies in the 200 ms one, p95, p99 and max in the 400 ms one. A
    // response is never faster than its bucket; the bound above leaves 100 ms for a loaded machine.
    const { p50, p95, p99, max } = s.latencyMs;
    expect(p50).toBeGreaterThanOrEqual(200);
    expect(p50).toBeLessThan(300);
    for (const p of [p95, p99, max]) {
      expect(p).toBeGreaterThanOrEqual(400);
      expect(p).toBeLessThan(500);
    }
  });

  it('counts error statuses exactly as the server sent them, back to back on every connection', async () => {
    received.delete('/flaky');
    answered.delete('/flaky');
    const s = await run({ url: `${base}/flaky`, rate: 'max', concurrency: 4, durationMs: 300 });
    const sent = answered.get('/flaky')!;
    expect(s.requests).toBe(received.get('/flaky'));
    expect(s.requests).toBeGreaterThanOrEqual(8); // more than one request per connection
    expect(s.statusHistogram).toEqual({ '200': sent['200'], '503': sent['503'] });
    expect(s.errors).toBe(Math.floor(s.requests / 4));
    expect(s.ok).toBe(s.requests - s.errors);
    expect(s.errorRate).toBe(s.errors / s.requests);
  });

  it('counts network errors and timeouts by code, with no latency', async () => {
    const port = await freePort();
    const d = await run({ url: `http://127.0.0.1:${port}/health`, rate: 50, durationMs: 200 });
    expect(d.statusHistogram).toEqual({ ECONNREFUSED: d.requests });
    expect(d.errorRate).toBe(1);
    expect(d.latencyMs).toEqual({ p50: null, p95: null, p99: null, max: null });

    received.delete('/hang');
    const h = await run({ url: `${base}/hang`, rate: 20, durationMs: 200, timeoutMs: 300 });
    expect(h.requests).toBeGreaterThan(0);
    expect(h.requests).toBe(received.get('/hang'));
    expect(h.statusHistogram).toEqual({ TIMEOUT: h.requests });
    expect(h).toMatchObject({ ok: 0, errors: h.requests, errorRate: 1 });
  });

  it('runs as a background activity and attaches its summary', async () => {
    const t = createTestRun({ publicUrl: base });
    const activity = load<{ publicUrl: string }>({ url: (ctx) => ctx.target.resources.publicUrl, rate: 40 });
    await activity.start(t.ctx);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const summary = (await activity.stop(t.ctx)) as { requests: number; url: string };
    expect(summary.url).toBe(`${base}/health`);
    expect(summary.requests).toBeGreaterThanOrEqual(15);
    expect(JSON.parse(String(t.attachments.get('load-summary.json')?.body))).toEqual(summary);
  });

  it('refuses a rate that is not positive', async () => {
    const t = createTestRun({});
    await expect(load({ url: base, rate: 0 }).start(t.ctx)).rejects.toThrow(
      'load rate must be a positive number of requests per second, got 0',
    );
  });
});

describe('k6 load', () => {
  it('falls back to the built-in generator without k6, and says so', async () => {
    const t = createTestRun({});
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    let activity: ReturnType<typeof k6Load>;
    try {
      activity = k6Load({ url: base, rate: 40 });
      await activity.start(t.ctx);
    } finally {
      process.env.PATH = saved;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const summary = (await activity.stop(t.ctx)) as Record<string, unknown>;
    expect(summary.engine).toBe('builtin-undici');
    expect(summary.note).toBe(NO_K6_NOTE);
    expect(t.logs).toEqual([`info load "load": ${NO_K6_NOTE}`]);
  });

  it('runs k6 with the script and settings, stops it with SIGINT and folds its summary', async () => {
    // A stand-in k6 executable (k6 itself is not installable here): records its arguments, writes a
    // summary in k6's --summary-export shape when interrupted, as k6 does.
    const dir = await mkdtemp(join(tmpdir(), 'fake-k6-'));
    const k6Path = join(dir, 'k6');
    await writeFile(
      k6Path,
      `#!/bin/sh
echo "$@" > "${dir}/args"
out=""
while [ $# -gt 0 ]; do [ "$1" = "--summary-export" ] && out="$2"; shift; done
trap 'echo "{\\"metrics\\":{\\"http_reqs\\":{\\"count\\":120,\\"rate\\":39.9},\\"http_req_failed\\":{\\"passes\\":3,\\"fails\\":117,\\"value\\":0.025},\\"http_req_duration\\":{\\"avg\\":4.2,\\"min\\":1.1,\\"med\\":3.9,\\"max\\":40.5,\\"p(95)\\":8.04,\\"p(99)\\":21.77},\\"checks\\":{\\"passes\\":117,\\"fails\\":3,\\"value\\":0.975}}}" > "$out"; exit 0' INT
while :; do sleep 0.05; done
`,
    );
    await chmod(k6Path, 0o755);
    try {
      const t = createTestRun({});
      const activity = k6Load({ url: base, rate: 40, k6Path, duration: '90s' });
      await activity.start(t.ctx);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const summary = await activity.stop(t.ctx);
      expect(summary).toEqual({
        engine: 'k6',
        requests: 120,
        errors: 3,
        errorRate: 0.025,
        achievedRate: 39.9,
        latencyMs: { p50: 3.9, p95: 8, p99: 21.8, max: 40.5 },
        checksPassed: 117,
        checksFailed: 3,
        exitCode: 0,
      });
      const args = (await readFile(join(dir, 'args'), 'utf8')).trim();
      expect(args).toMatch(
        new RegExp(
          `^run --quiet --no-color --summary-export \\S+/summary\\.json -e TARGET_URL=${base}/health -e RATE=40 -e VUS=16 -e DURATION=90s -e TIMEOUT=2000ms \\S+/probes/load\\.k6\\.ts$`,
        ),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
