import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { belowEphemeralRange, freePort } from './ports.ts';

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
