import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../lab/net/ports.ts';
import { health, version } from './health.ts';
import { closeProbeAgent } from './http.ts';
import { createTestRun } from './testing/context.ts';

let server: Server;
let base: string;
const held: (() => void)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/slow/health') {
      held.push(() => res.end());
      return; // never answers in time
    }
    if (req.url === '/html/health') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>\n<body>maintenance</body></html>');
      return;
    }
    if (req.url === '/version') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"region":"eu-west-1"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ status: 'ok', region: 'us-east-1', pod: 'p1', version: '1.2.3', dr_mode: true }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const release of held) release();
  await closeProbeAgent();
  await new Promise((resolve) => server.close(resolve));
});

const check = (probe: ReturnType<typeof health>) => {
  const { ctx } = createTestRun({});
  return probe.check(ctx, { signal: ctx.signal });
};

describe('health probe failure messages', () => {
  it('says a missing field is missing', async () => {
    const outcome = await check(health({ url: base, expect: { role: 'writer', region: 'us-east-1' } }));
    expect(outcome).toMatchObject({
      ok: false,
      detail: `GET ${base}/health returned 200 but database.role is missing (expected "writer")`,
      data: { status: 200, region: 'us-east-1', pod: 'p1', version: '1.2.3', role: null, drMode: true },
    });
  });

  it('names the URL and the cause when nothing listens', async () => {
    const port = await freePort();
    const outcome = await check(health({ url: `http://127.0.0.1:${port}` }));
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toBe(
      `GET http://127.0.0.1:${port}/health failed: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('times out on its own timeout, naming the setting', async () => {
    const outcome = await check(health({ url: `${base}/slow`, timeout: '150ms', name: 'public-health' }));
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toBe(
      `public-health timed out after 150ms while GET ${base}/slow/health; raise it with \`public-health.timeout\``,
    );
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(140);
  });

  it('quotes a body that is not JSON', async () => {
    const outcome = await check(health({ url: `${base}/html` }));
    expect(outcome.detail).toBe(
      `GET ${base}/html/health returned 200 with a body that is not a JSON object: <html> <body>maintenance</body></html>`,
    );
  });

  it('masks credentials in the URL', async () => {
    const port = await freePort();
    const outcome = await check(health({ url: `http://ops:t0psecret@127.0.0.1:${port}` }));
    expect(outcome.detail).toBe(
      `GET http://ops:***@127.0.0.1:${port}/health failed: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('rethrows when the run is aborted instead of reporting a failed sample', async () => {
    const t = createTestRun({});
    const pending = health({ url: `${base}/slow` }).check(t.ctx, { signal: t.ctx.signal });
    t.abort(new Error('operator abort'));
    await expect(pending).rejects.toThrow();
  });

  it('requires a version string', async () => {
    const { ctx } = createTestRun({});
    const outcome = await version({ url: base }).check(ctx, { signal: ctx.signal });
    expect(outcome.detail).toBe(
      `GET ${base}/version returned 200 but version is missing (expected "a non-empty string")`,
    );
  });
});
