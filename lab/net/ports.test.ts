import { connect, createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { belowEphemeralRange, freePort, portIsFree } from './ports.ts';

describe('freePort', () => {
  it('picks below the ephemeral range, where outgoing connections never land', () => {
    expect(belowEphemeralRange('32768\t60999\n')).toEqual({ from: 20_768, to: 32_768 });
    expect(belowEphemeralRange('15000 60999')).toEqual({ from: 10_000, to: 15_000 });
  });

  it('falls back to a kernel-picked port when the range is unknown or leaves no room under it', () => {
    expect(belowEphemeralRange(null)).toBeUndefined();
    expect(belowEphemeralRange('1024 65535')).toBeUndefined();
    expect(belowEphemeralRange('garbage')).toBeUndefined();
  });

  it('returns a port a server can then listen on', async () => {
    const port = await freePort();
    const range = belowEphemeralRange();
    if (range) expect(port >= range.from && port < range.to).toBe(true);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('portIsFree', () => {
  const listen = (server: Server, port = 0) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
  const close = (server: Server) => new Promise((resolve) => server.close(resolve));

  it('is false while a live listener holds the port, true once it is closed', async () => {
    const holder = createServer();
    const port = await listen(holder);
    expect(await portIsFree(port)).toBe(false);
    await close(holder);
    expect(await portIsFree(port)).toBe(true);
  });

  it('is true for a port whose closed server left connections in TIME_WAIT (a restart may bind it)', async () => {
    const server = createServer((socket) => socket.end()); // the server closes first: its side goes to TIME_WAIT
    const port = await listen(server);
    await new Promise<void>((resolve, reject) => {
      const client = connect(port, '127.0.0.1');
      client.on('error', reject);
      client.on('end', () => client.end());
      client.on('close', () => resolve());
      client.resume();
    });
    await close(server);
    expect(await portIsFree(port)).toBe(true);
    // And a server really binds it again.
    const again = createServer();
    expect(await listen(again, port)).toBe(port);
    await close(again);
  });
});
