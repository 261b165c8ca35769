import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { describeError } from '../errors.ts';
import { HttpError, sendError, sendJson } from './respond.ts';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** An http server that logs one line per request (method path status ms) and turns thrown errors into JSON. */
export function createAppServer(handler: RequestHandler): Server {
  return createServer((req, res) => {
    const started = performance.now();
    res.on('finish', () => {
      const ms = Math.round(performance.now() - started);
      console.log(`${req.method} ${req.url} ${res.statusCode} ${ms}ms`);
    });
    handler(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        sendError(res, error);
      } else {
        console.error(`${req.method} ${req.url}: ${describeError(error)}`);
        sendJson(res, 500, { error: 'internal_error', message: describeError(error) });
      }
    });
  });
}

/** Listens on 127.0.0.1:port (0 = any free port) and resolves the bound port. */
export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** SIGTERM/SIGINT → stop accepting, let in-flight requests finish (≤ graceMs), run `cleanup`, exit 0. */
export function onShutdown(server: Server, cleanup: () => Promise<void>, graceMs = 5000): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal} received: closing`);
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      cleanup()
        .catch((error: unknown) => console.error(`shutdown: ${describeError(error)}`))
        .finally(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** Start-up cost so far, for the ready line: wall ms since the process started and CPU ms it used. */
export function startupCost(): string {
  const { userCPUTime, systemCPUTime } = process.resourceUsage();
  return `startup_ms=${Math.round(performance.now())} cpu_ms=${Math.round((userCPUTime + systemCPUTime) / 1000)}`;
}
