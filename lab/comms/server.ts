// The lab's communication endpoints (runbook §7): a Slack-style incoming webhook and a Statuspage-style API,
// both recording what they are sent so a drill's messages can be read back. 127.0.0.1 only.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StatuspageError, StatuspagePage } from './statuspage.ts';

export interface CommsOptions {
  /** The secret last segment of the incoming-webhook URL (`/services/<team>/<bot>/<token>`). */
  chatToken: string;
  statuspage: { pageId: string; apiKey: string; components: Record<string, string> };
  log?: (line: string) => void;
}

/** One message the chat webhook accepted. The URL's token is not kept. */
export interface ChatMessage {
  receivedAt: string;
  /** `/services/<team>/<bot>` */
  hook: string;
  text: string;
  payload: Record<string, unknown>;
}

export interface CommsServer {
  url: string;
  /** The full incoming-webhook URL, token included: a secret. */
  chatWebhookUrl: string;
  chat: ChatMessage[];
  page: StatuspagePage;
  close(): Promise<void>;
}

const CHAT_HOOK = '/services/T0LUNEO/B0DRILL';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type':
      typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export async function startCommsServer(options: CommsOptions): Promise<CommsServer> {
  const log = options.log ?? (() => {});
  const chat: ChatMessage[] = [];
  const sp = options.statuspage;
  const page = new StatuspagePage(sp.pageId, sp.components);

  // Slack answers 200 "ok", 400 invalid_payload / no_text, 404 no_service for a URL it does not know.
  async function chatWebhook(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    if (!sameSecret(token, options.chatToken)) return send(res, 404, 'no_service');
    const payload = parseObject(await readBody(req));
    if (!payload) return send(res, 400, 'invalid_payload');
    const text = typeof payload.text === 'string' ? payload.text : '';
    if (text.trim() === '' && !Array.isArray(payload.blocks)) return send(res, 400, 'no_text');
    chat.push({ receivedAt: new Date().toISOString(), hook: CHAT_HOOK, text, payload });
    log(`comms: chat message ${JSON.stringify(text.slice(0, 80))}`);
    send(res, 200, 'ok');
  }

  async function statuspage(req: IncomingMessage, res: ServerResponse, path: string[]): Promise<void> {
    // path: ['v1', 'pages', pageId, 'incidents', id?]
    const [, , pageId, collection, id] = path;
    const auth = /^OAuth (.+)$/.exec(req.headers.authorization ?? '');
    if (!auth || !sameSecret(auth[1]!, sp.apiKey)) return send(res, 401, { error: 'Could not authenticate' });
    if (pageId !== sp.pageId || collection !== 'incidents' || path.length > 5) {
      return send(res, 404, { error: 'The requested resource could not be found.' });
    }
    const method = req.method ?? 'GET';
    if (method === 'GET' && id === undefined) return send(res, 200, page.incidents);
    if (method === 'GET' && id === 'unresolved') return send(res, 200, page.unresolved());
    if (method === 'GET' && id) return send(res, 200, page.get(id));
    if (method !== 'POST' && method !== 'PATCH' && method !== 'PUT') {
      return send(res, 405, { error: `${method} is not allowed here` });
    }
    const body = parseObject(await readBody(req));
    if (!body) return send(res, 400, { error: 'the body must be a JSON object' });
    if (method === 'POST' && id === undefined) {
      const incident = page.create(body);
      log(`comms: statuspage incident ${incident.id} ${incident.status} "${incident.name}"`);
      return send(res, 201, incident);
    }
    if (id && method !== 'POST') {
      const incident = page.update(id, body);
      log(`comms: statuspage incident ${incident.id} → ${incident.status}`);
      return send(res, 200, incident);
    }
    send(res, 405, { error: `${method} is not allowed here` });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://comms.lab');
    const parts = url.pathname.split('/').filter(Boolean);
    const handle = async () => {
      if (req.method === 'POST' && url.pathname.startsWith(`${CHAT_HOOK}/`) && parts.length === 4) {
        return chatWebhook(req, res, parts[3]!);
      }
      if (req.method === 'GET' && url.pathname === '/lab/chat/messages') return send(res, 200, chat);
      if (parts[0] === 'v1' && parts[1] === 'pages') return statuspage(req, res, parts);
      send(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
    };
    handle().catch((error: unknown) => {
      if (error instanceof StatuspageError) return send(res, error.status, { error: error.message });
      send(res, 500, { error: (error as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    chatWebhookUrl: `${url}${CHAT_HOOK}/${options.chatToken}`,
    chat,
    page,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
