// One region of the Luneo app for probe lab tests: throwaway PostgreSQL, Secrets Manager stand-in,
// luneo-api + ai-worker + luneo-frontend processes, and a load balancer routing like the public URL.

import { startThrowawayPostgres, type ThrowawayPostgres } from '../../lab/app/testing/postgres.ts';
import { type AppProcess, startAppProcess } from '../../lab/app/testing/processes.ts';
import { startThrowawayRedis } from '../../lab/app/testing/redis.ts';
import { type SecretsStub, startSecretsStub } from '../../lab/app/testing/secrets-stub.ts';
import { RegionalLoadBalancer } from '../../lab/edge/alb.ts';

export const SECRET_ID = 'prod/luneo/DATABASE_URL';
export const REGION = 'eu-west-1';
export const APP_VERSION = '2.7.0-lab';

export interface ProbePlatform {
  /** Routes /health, /version, /api/* to luneo-api and the rest to luneo-frontend. */
  publicUrl: string;
  pg: ThrowawayPostgres;
  secrets: SecretsStub;
  /** The database password: it must never appear in a probe's detail, log or attachment. */
  password: string;
  pods: Partial<Record<'api' | 'worker' | 'frontend', AppProcess>>;
  stopPod(entry: 'api' | 'worker' | 'frontend'): Promise<void>;
  close(): Promise<void>;
}

export async function startProbePlatform(
  entries: ('api' | 'worker' | 'frontend')[] = ['api', 'worker', 'frontend'],
): Promise<ProbePlatform> {
  // Render jobs go through BullMQ: the api and the worker read REDIS_URL too.
  const [pg, redis] = await Promise.all([startThrowawayPostgres(), startThrowawayRedis()]);
  const secrets = await startSecretsStub({ [SECRET_ID]: pg.url, 'prod/luneo/REDIS_URL': redis.url });
  const pods: ProbePlatform['pods'] = {};
  const started = await Promise.allSettled(
    entries.map(async (entry) => {
      pods[entry] = await startAppProcess(entry, {
        REGION,
        POD_NAME: `${entry}-probe-test`,
        AWS_ENDPOINT_URL: secrets.endpoint,
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: 'AKIALABTEST',
        AWS_SECRET_ACCESS_KEY: 'lab-secret',
        DATABASE_URL_SECRET_ID: SECRET_ID,
        REDIS_URL_SECRET_ID: 'prod/luneo/REDIS_URL',
        APP_VERSION,
      });
    }),
  );
  const alb = new RegionalLoadBalancer({
    region: REGION,
    endpoints: (deployment) => {
      const pod =
        deployment === 'luneo-api' ? pods.api : deployment === 'luneo-frontend' ? pods.frontend : undefined;
      return pod && pod.child.exitCode === null && pod.child.signalCode === null
        ? [{ pod: pod.name, port: pod.port }]
        : [];
    },
  });
  const port = await alb.start();
  const close = async () => {
    await alb.close().catch(() => {});
    await Promise.all(Object.values(pods).map((p) => p.stop()));
    await secrets.close();
    await pg.destroy();
    await redis.destroy();
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await close();
    throw (failed as PromiseRejectedResult).reason;
  }
  return {
    publicUrl: `http://127.0.0.1:${port}`,
    pg,
    secrets,
    password: new URL(pg.url).password,
    pods,
    stopPod: async (entry) => void (await pods[entry]?.stop()),
    close,
  };
}
