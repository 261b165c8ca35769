// A throwaway redis-server for the app's lab tests (BullMQ's Redis), with a password like the lab's.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../net/ports.ts';
import { RedisServer } from '../../redis/server.ts';

export interface ThrowawayRedis {
  port: number;
  /** redis://:<password>@127.0.0.1:<port> */
  url: string;
  password: string;
  destroy(): Promise<void>;
}

export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'app-redis-'));
  const password = randomBytes(12).toString('base64url');
  const server = new RedisServer({ name: 'app-test-redis', dir, port: await freePort(), password });
  await server.start();
  return {
    port: server.port,
    url: `redis://:${password}@127.0.0.1:${server.port}`,
    password,
    async destroy() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
