// A tiny pod program for the k8s tests: serves its environment as JSON on PORT.
// GET /ready answers 200 (the readiness probe); EXIT_AFTER_MS=<n> makes it exit 3 after n ms (crash loop);
// DRAIN_MS=<n> makes it keep running n ms after SIGTERM (a worker finishing its jobs).
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  if (req.url === '/ready') {
    res.end('ok');
    return;
  }
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ pid: process.pid, env: process.env }));
});
server.listen(Number(process.env.PORT), '127.0.0.1', () =>
  console.log(`listening on ${process.env.PORT} as ${process.env.POD_NAME}`),
);
if (process.env.EXIT_AFTER_MS) setTimeout(() => process.exit(3), Number(process.env.EXIT_AFTER_MS));
process.on('SIGTERM', () => {
  console.log('SIGTERM: shutting down');
  const drainMs = Number(process.env.DRAIN_MS ?? 0);
  if (drainMs > 0) {
    setTimeout(() => process.exit(0), drainMs);
    return;
  }
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 200).unref();
});
