import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { health } from './health.ts';
import { asNewUser, closeProbeAgent } from './http.ts';
import { createTestRun } from './testing/context.ts';

// Each TCP connection the server accepts gets a number; /health answers with it.
let accepted = 0;
const server = createServer((req, res) => {
  const n = (req.socket as { n?: number }).n;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: 'ok', connection: n }));
});
server.on('connection', (socket) => {
  accepted += 1;
  (socket as { n?: number }).n = accepted;
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

afterAll(async () => {
  await closeProbeAgent();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function connectionsOf(probe: ReturnType<typeof health>, checks: number): Promise<number> {
  const before = accepted;
  const run = createTestRun({});
  for (let i = 0; i < checks; i += 1) {
    const outcome = await probe.check(run.ctx, { signal: AbortSignal.timeout(5_000) });
    expect(outcome.ok).toBe(true);
  }
  return accepted - before;
}

describe('asNewUser', () => {
  it('opens new connections for every check, where the shared pool reuses one (the control)', async () => {
    const probe = health({ url, name: 'h' });
    expect(await connectionsOf(probe, 4)).toBeLessThan(4);
    expect(await connectionsOf(asNewUser(probe), 4)).toBe(4);
  });
});
