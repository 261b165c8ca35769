// A port picked free can be taken before redis-server binds it (two labs booting at once): it moves on.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { RedisServer } from './server.ts';

it('starts on another free port when its port was taken in the meantime', async () => {
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  const taken = (squatter.address() as { port: number }).port;
  const server = new RedisServer({
    name: 'redis-test',
    dir: mkdtempSync(join(tmpdir(), 'redis-port-')),
    port: taken,
    password: 'port-test-pw',
  });
  try {
    await server.start();
    expect(server.port).not.toBe(taken);
    expect(await server.control().ping()).toBe('PONG');
  } finally {
    await server.stop();
    squatter.close();
  }
});
