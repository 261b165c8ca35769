// ai-worker: the pod process of deployment ai-worker (`node --import tsx lab/app/worker.ts`).
import { readAwsEnv, readPodEnv } from './config.ts';
import { createPool } from './db.ts';
import { AppError, describeError } from './errors.ts';
import { sendJson } from './http/respond.ts';
import { createAppServer, listen, onShutdown, startupCost } from './http/server.ts';
import { describeDatabaseUrl, describeRedisUrl, loadDatabaseUrl, loadRedisUrl } from './secret.ts';
import { initialWorkerState, runWorker } from './worker/loop.ts';

// Ready while the last database round trip succeeded recently (it checks every 500 ms) and Redis is connected.
const READY_WITHIN_MS = 3000;

async function main(): Promise<void> {
  const pod = readPodEnv();
  const aws = readAwsEnv();
  const [databaseUrl, redisUrl] = await Promise.all([loadDatabaseUrl(aws), loadRedisUrl(aws)]);
  const database = describeDatabaseUrl(databaseUrl);
  const redisHost = describeRedisUrl(redisUrl);
  const pool = await createPool(databaseUrl, `ai-worker/${pod.pod}`);
  const state = initialWorkerState();
  const stop = new AbortController();
  const loop = runWorker(pool, { pod: pod.pod, redisUrl }, state, stop.signal);

  const server = createAppServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/health' && path !== '/healthz') {
      sendJson(res, 404, { error: 'not_found', message: 'ai-worker serves only /health' });
      return;
    }
    const dbOk = state.lastOkAt !== null && Date.now() - state.lastOkAt < READY_WITHIN_MS;
    const ready = dbOk && state.redis() === 'ready';
    sendJson(res, ready ? 200 : 503, {
      status: ready ? 'ok' : 'degraded',
      service: 'ai-worker',
      region: pod.region,
      pod: pod.pod,
      version: pod.version,
      dr_mode: pod.drMode,
      database: {
        host: database.host,
        role: dbOk ? state.role : 'unreachable',
        ...(state.lastError ? { error: state.lastError } : {}),
      },
      queue: { redis: redisHost, status: state.redis() },
      processed: state.processed,
      failed: state.failed,
    });
  });
  const port = await listen(server, pod.port);
  onShutdown(server, async () => {
    stop.abort();
    await loop; // the job in hand is finished or abandoned before the pool closes
    await pool.end();
  });
  console.log(
    `ai-worker ready on 127.0.0.1:${port} region=${pod.region} pod=${pod.pod} version=${pod.version} ` +
      `database=${database.host}/${database.name} redis=${redisHost} ${startupCost()}`,
  );
}

main().catch((error: unknown) => {
  const code = error instanceof AppError ? error.code : 'STARTUP_FAILED';
  const text = error instanceof AppError ? error.message : describeError(error);
  console.error(`ai-worker failed to start [${code}]: ${text}`);
  process.exit(1);
});
