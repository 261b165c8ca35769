// luneo-api: the pod process of deployment luneo-api (`node --import tsx lab/app/api.ts`).
import { apiRouter } from './api/routes.ts';
import { readAwsEnv, readPodEnv } from './config.ts';
import { createPool } from './db.ts';
import { AppError, describeError } from './errors.ts';
import { createAppServer, listen, onShutdown, startupCost } from './http/server.ts';
import { producerConnection, renderQueue } from './queue/render-queue.ts';
import { describeDatabaseUrl, describeRedisUrl, loadDatabaseUrl, loadRedisUrl } from './secret.ts';

async function main(): Promise<void> {
  const pod = readPodEnv();
  const aws = readAwsEnv();
  const [databaseUrl, redisUrl] = await Promise.all([loadDatabaseUrl(aws), loadRedisUrl(aws)]);
  const database = describeDatabaseUrl(databaseUrl);
  const redisHost = describeRedisUrl(redisUrl);
  const pool = await createPool(databaseUrl, `luneo-api/${pod.pod}`);
  const redis = producerConnection(redisUrl, `luneo-api/${pod.pod}`);
  const queue = renderQueue(redis);
  const router = apiRouter({ pool, pod, database, queue, redisHost });
  const server = createAppServer((req, res) => router.handle(req, res));
  const port = await listen(server, pod.port);
  onShutdown(server, async () => {
    await queue.close().catch(() => {});
    redis.disconnect();
    await pool.end();
  });
  console.log(
    `luneo-api ready on 127.0.0.1:${port} region=${pod.region} pod=${pod.pod} version=${pod.version} ` +
      `dr_mode=${pod.drMode} database=${database.host}/${database.name} redis=${redisHost} ${startupCost()}`,
  );
}

main().catch((error: unknown) => {
  const code = error instanceof AppError ? error.code : 'STARTUP_FAILED';
  const text = error instanceof AppError ? error.message : describeError(error);
  console.error(`luneo-api failed to start [${code}]: ${text}`);
  process.exit(1);
});
