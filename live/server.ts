// The live view's HTTP server: 127.0.0.1 only, a random port, every path under an unguessable token. It tails the
// run's events.jsonl and pushes each event to the page as a server-sent event whose id is its line number, so a page
// opened late (or reloaded) gets every event from the first, and a reconnecting EventSource resumes after the last
// one it saw (Last-Event-ID). Two snapshots no event carries ride along as named events: `undos` and `ledger`.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { confirmCheckpoint, requestHalt } from '../core/control/index.ts';
import type { DrillEvent } from '../core/events.ts';
import { JOURNAL_FILE } from '../core/journal.ts';
import { EVENTS_FILE } from '../core/runner/event-log.ts';
import { EventTail } from './event-tail.ts';
import { pageAssets } from './page-assets.ts';
import { readLedger, readUndos } from './run-files.ts';

export interface LiveViewOptions {
  runDir: string;
  /** `live`: a drill running now (halt and confirm accepted until it ends); `replay`: a finished run's files. */
  mode: 'live' | 'replay';
  /** How often events.jsonl and the journal are looked at (default 100 ms). */
  pollMs?: number;
}

export interface LiveViewServer {
  /** http://127.0.0.1:<port>/<token>/ */
  url: string;
  /** Sends what is left to every page, ends their streams and stops listening. */
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};
const MAX_BODY_BYTES = 4096;
/** A Host header naming the loopback address (a port forward keeps it); a DNS-rebound name never does. */
const LOOPBACK_HOST = /^127\.0\.0\.1:\d+$/;
const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#c62828"/></svg>';
const HEARTBEAT_MS = 15_000;

interface Client {
  res: ServerResponse;
  sent: number;
  ended?: boolean;
}

/** Who pressed the button, as the page sent it: one line of plain text, at most 80 characters. */
function personName(value: unknown): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const text = typeof value === 'string' ? value.replace(/[\u0000-\u001f\u007f]/g, ' ').trim() : '';
  return text.slice(0, 80) || 'someone on the live page';
}

export async function startLiveView(opts: LiveViewOptions): Promise<LiveViewServer> {
  // Bundled while the drill starts: the first page load waits for it, the drill never does.
  const assets = pageAssets();
  assets.catch(() => {}); // a failed bundle is answered per request (500), never an unhandled rejection
  const token = randomBytes(16).toString('base64url');
  const tail = new EventTail(join(opts.runDir, EVENTS_FILE));
  const clients = new Set<Client>();
  const snapshots: { undos?: string; ledger?: string } = {};
  const facts = { ended: false, recovered: false, waiting: new Set<string>() };
  let parsed = 0;
  let journalMtime = 0;
  let origin = '';

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain', `live view: ${String(error)}`);
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [first, ...rest] = url.pathname.split('/').slice(1);
    // Anything without the token, or sent to another host name (DNS rebinding), does not exist.
    if (!first || !sameToken(first, token) || !LOOPBACK_HOST.test(req.headers.host ?? ''))
      return send(res, 404, 'text/plain', 'not found');
    const route = `${req.method} /${rest.join('/')}`;
    if (route === 'GET /' && rest.length === 0) return redirect(res, `/${token}/`);
    switch (route) {
      case 'GET /':
        return send(res, 200, 'text/html; charset=utf-8', (await assets).html);
      case 'GET /app.js':
        return send(res, 200, 'text/javascript; charset=utf-8', (await assets).script);
      case 'GET /style.css':
        return send(res, 200, 'text/css; charset=utf-8', (await assets).css);
      case 'GET /favicon.svg':
        return send(res, 200, 'image/svg+xml', FAVICON);
      case 'GET /events':
        return openStream(req, res);
      case 'POST /halt':
        return post(req, res, (body) => {
          const halt = requestHalt(opts.runDir, { by: personName(body.by), via: 'page' });
          return { status: 202, body: halt };
        });
      case 'POST /checkpoints/confirm':
        return post(req, res, (body) => {
          const stepId = typeof body.stepId === 'string' ? body.stepId : '';
          if (!facts.waiting.has(stepId))
            return { status: 409, body: { error: `no checkpoint "${stepId}" is waiting` } };
          const confirmed = confirmCheckpoint(opts.runDir, stepId, { by: personName(body.by), via: 'page' });
          return { status: 200, body: confirmed };
        });
      default:
        return send(res, 404, 'text/plain', 'not found');
    }
  }

  /** A POST from this page only: same origin, JSON, small, and only while the drill runs. */
  async function post(
    req: IncomingMessage,
    res: ServerResponse,
    act: (body: Record<string, unknown>) => { status: number; body: unknown },
  ): Promise<void> {
    // The page's own origin: the scheme and the host (and port) this request was sent to.
    if (req.headers.origin !== `http://${req.headers.host}`)
      return json(res, 403, { error: 'cross-origin request refused' });
    if (!req.headers['content-type']?.startsWith('application/json'))
      return json(res, 415, { error: 'send application/json' });
    let body: Record<string, unknown>;
    try {
      body = await readJson(req);
    } catch (error) {
      return json(res, 400, { error: String(error) });
    }
    if (opts.mode !== 'live' || facts.ended)
      return json(res, 409, { error: 'the drill is over: nothing to halt or confirm' });
    const outcome = act(body);
    return json(res, outcome.status, outcome.body);
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    const last = Number(req.headers['last-event-id']);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    // Reconnect fast after a blip; resume after the last event the page has.
    res.write('retry: 1000\n\n');
    const client: Client = {
      res,
      sent: Number.isInteger(last) && last > 0 ? Math.min(last, tail.lines.length) : 0,
    };
    clients.add(client);
    req.on('close', () => clients.delete(client));
    pushLines(client);
    if (snapshots.undos) res.write(`event: undos\ndata: ${snapshots.undos}\n\n`);
    if (snapshots.ledger) res.write(`event: ledger\ndata: ${snapshots.ledger}\n\n`);
    sayEnd(client);
  }

  /** Once the page has the whole record (run-end and the last snapshots), it is told so and stops listening. */
  function sayEnd(client: Client): void {
    if (!facts.ended || client.ended || client.sent < tail.lines.length) return;
    client.ended = true;
    client.res.write('event: end\ndata: {}\n\n');
  }

  function pushLines(client: Client): void {
    let chunk = '';
    for (; client.sent < tail.lines.length; client.sent++)
      chunk += `id: ${client.sent + 1}\ndata: ${tail.lines[client.sent]}\n\n`;
    if (chunk) client.res.write(chunk);
  }

  function broadcast(name: 'undos' | 'ledger', data: string): void {
    snapshots[name] = data;
    for (const c of clients) c.res.write(`event: ${name}\ndata: ${data}\n\n`);
  }

  /** What the server itself must know from the events: the run ended, recovery done, checkpoints waiting. */
  function learn(): void {
    for (; parsed < tail.lines.length; parsed++) {
      const event = JSON.parse(tail.lines[parsed] as string) as DrillEvent;
      if (event.kind === 'run-end') facts.ended = true;
      if (event.kind === 'phase-end' && event.phase === 'recover') facts.recovered = true;
      if (event.kind === 'checkpoint') {
        if (event.state === 'waiting') facts.waiting.add(event.stepId);
        else facts.waiting.delete(event.stepId);
      }
    }
  }

  async function refresh(): Promise<void> {
    if (await tail.poll()) {
      learn();
      for (const c of clients) pushLines(c);
    }
    const mtime = await stat(join(opts.runDir, JOURNAL_FILE)).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    if (mtime !== journalMtime) {
      journalMtime = mtime;
      const undos = await readUndos(opts.runDir);
      const text = undos && JSON.stringify(undos);
      if (text && text !== snapshots.undos) broadcast('undos', text);
    }
    // The ledger is written whole before the recover phase ends: read it once, after that.
    if (!snapshots.ledger && (facts.recovered || facts.ended || opts.mode === 'replay')) {
      const ledger = await readLedger(opts.runDir);
      if (ledger) broadcast('ledger', JSON.stringify(ledger));
    }
    for (const c of clients) sayEnd(c);
  }

  let refreshing = refresh();
  await refreshing;
  const poller = setInterval(() => {
    refreshing = refreshing.then(refresh).catch(() => {});
  }, opts.pollMs ?? 100);
  poller.unref();
  const heartbeat = setInterval(() => {
    for (const c of clients) c.res.write(': still here\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  await listen(server);
  // A drill's process ends when the drill does, whoever still has the page open.
  if (opts.mode === 'live') server.unref();
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/${token}/`,
    async close() {
      clearInterval(poller);
      clearInterval(heartbeat);
      await refreshing.then(refresh).catch(() => {});
      for (const c of clients) c.res.end();
      clients.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(308, { ...SECURITY_HEADERS, location });
  res.end();
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('expected a JSON object');
  return value as Record<string, unknown>;
}
