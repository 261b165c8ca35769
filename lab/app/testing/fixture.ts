// Shared fixture of the app's lab tests: a throwaway PostgreSQL, a Secrets Manager stand-in, and app pods.

import { startThrowawayPostgres, type ThrowawayPostgres } from './postgres.ts';
import { type AppProcess, startAppProcess } from './processes.ts';
import { startThrowawayRedis, type ThrowawayRedis } from './redis.ts';
import { type SecretsStub, startSecretsStub } from './secrets-stub.ts';

export const SECRET_ID = 'prod/luneo/DATABASE_URL';
export const REDIS_SECRET_ID = 'prod/luneo/REDIS_URL';

export interface AppFixture {
  pg: ThrowawayPostgres;
  /** BullMQ's Redis (REDIS_URL). */
  redis: ThrowawayRedis;
  secrets: SecretsStub;
  /** The password in the DATABASE_URL secret: it must never appear in a pod's output. */
  password: string;
  start(
    entry: 'api' | 'worker' | 'frontend',
    pod: string,
    extraEnv?: Record<string, string>,
  ): Promise<AppProcess>;
  close(): Promise<void>;
}

export async function startAppFixture(): Promise<AppFixture> {
  const [pg, redis] = await Promise.all([startThrowawayPostgres(), startThrowawayRedis()]);
  const secrets = await startSecretsStub({ [SECRET_ID]: pg.url, [REDIS_SECRET_ID]: redis.url });
  const processes: AppProcess[] = [];
  return {
    pg,
    redis,
    secrets,
    password: new URL(pg.url).password,
    async start(entry, pod, extraEnv = {}) {
      const started = await startAppProcess(entry, {
        REGION: 'eu-west-1',
        POD_NAME: pod,
        AWS_ENDPOINT_URL: secrets.endpoint,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIALABTEST',
        AWS_SECRET_ACCESS_KEY: 'lab-secret',
        DATABASE_URL_SECRET_ID: SECRET_ID,
        REDIS_URL_SECRET_ID: REDIS_SECRET_ID,
        APP_VERSION: '2.7.0-lab',
        ...extraEnv,
      });
      processes.push(started);
      return started;
    },
    async close() {
      await Promise.all(processes.map((p) => p.stop()));
      await secrets.close();
      await pg.destroy();
      await redis.destroy();
    },
  };
}

/** Polls `check` every 100 ms until it returns a value, or throws naming what it waited for. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
