// luneo-frontend: the pod process of deployment luneo-frontend (`node --import tsx lab/app/frontend.ts`).
import { readPodEnv } from './config.ts';
import { AppError, describeError } from './errors.ts';
import { shopPage } from './frontend/page.ts';
import { sendJson } from './http/respond.ts';
import { Router } from './http/router.ts';
import { createAppServer, listen, onShutdown, startupCost } from './http/server.ts';

async function main(): Promise<void> {
  const pod = readPodEnv();
  const html = shopPage({ region: pod.region, version: pod.version });
  const health = () => ({
    status: 'ok',
    service: 'luneo-frontend',
    region: pod.region,
    pod: pod.pod,
    version: pod.version,
    dr_mode: pod.drMode,
  });
  const router = new Router()
    .on('GET', '/', (_req, res) => {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': Buffer.byteLength(html),
        'cache-control': 'no-store',
      });
      res.end(html);
    })
    .on('GET', '/healthz', (_req, res) => sendJson(res, 200, health()))
    .on('GET', '/health', (_req, res) => sendJson(res, 200, health()))
    .on('GET', '/favicon.ico', (_req, res) => {
      res.writeHead(204);
      res.end();
    });
  const server = createAppServer((req, res) => router.handle(req, res));
  const port = await listen(server, pod.port);
  onShutdown(server, async () => {});
  console.log(
    `luneo-frontend ready on 127.0.0.1:${port} region=${pod.region} pod=${pod.pod} version=${pod.version} ${startupCost()}`,
  );
}

main().catch((error: unknown) => {
  const code = error instanceof AppError ? error.code : 'STARTUP_FAILED';
  const text = error instanceof AppError ? error.message : describeError(error);
  console.error(`luneo-frontend failed to start [${code}]: ${text}`);
  process.exit(1);
});
