import {
  type Agent,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
  type ServerResponse,
} from 'node:http';
import { sendProxyError, withoutHopByHop } from './http.ts';

export interface Upstream {
  host: string;
  port: number;
}

export interface ForwardOptions {
  agent: Agent;
  /** No response headers from the upstream within this time → 504. */
  timeoutMs: number;
  /** Added to (and overriding) the upstream's response headers, and to the proxy's own errors. */
  responseHeaders: OutgoingHttpHeaders;
  /** Names the upstream in error messages, e.g. "luneo-api pod luneo-api-7f9c". */
  label: string;
}

/** Request bodies are buffered (so a send on a stale keep-alive socket can be replayed) up to this size. */
export const MAX_PROXY_BODY_BYTES = 8 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PROXY_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Forwards one request to `upstream` and streams the answer back; 502 if it cannot connect, 504 when
 * no response headers arrive in time. A reset on a reused keep-alive socket before any answer means the
 * upstream closed that idle socket as we sent: the request is replayed once on a fresh connection.
 */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: Upstream,
  options: ForwardOptions,
): void {
  const headers = withoutHopByHop(req.headers);
  const client = req.socket.remoteAddress ?? 'unknown';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${prior}, ${client}` : client;
  headers['x-forwarded-proto'] ??= 'http';

  readBody(req).then(
    (body) => {
      if (body === null) {
        const message = `request body exceeds ${MAX_PROXY_BODY_BYTES} bytes`;
        sendProxyError(res, 413, { error: 'body_too_large', message }, options.responseHeaders);
        return;
      }
      if (body.length > 0 || headers['content-length'] !== undefined) headers['content-length'] = body.length;
      send(req, res, upstream, options, headers, body, false);
    },
    () => res.destroy(),
  );
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: Upstream,
  options: ForwardOptions,
  headers: OutgoingHttpHeaders,
  body: Buffer,
  isRetry: boolean,
): void {
  let timedOut = false;
  const outgoing = request({
    host: upstream.host,
    port: upstream.port,
    method: req.method,
    path: req.url,
    headers,
    agent: options.agent,
  });
  const timer = setTimeout(() => {
    timedOut = true;
    outgoing.destroy();
  }, options.timeoutMs);

  outgoing.on('response', (answer) => {
    clearTimeout(timer);
    res.writeHead(answer.statusCode ?? 502, {
      ...withoutHopByHop(answer.headers),
      ...options.responseHeaders,
    });
    answer.pipe(res);
    answer.on('error', () => res.destroy());
  });
  outgoing.on('error', (error) => {
    clearTimeout(timer);
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const code = (error as { code?: string }).code ?? error.message;
    if (!timedOut && !isRetry && outgoing.reusedSocket && code === 'ECONNRESET') {
      send(req, res, upstream, options, headers, body, true);
      return;
    }
    if (timedOut) {
      sendProxyError(
        res,
        504,
        {
          error: 'upstream_timeout',
          message: `${options.label} did not answer within ${options.timeoutMs} ms`,
        },
        options.responseHeaders,
      );
    } else {
      sendProxyError(
        res,
        502,
        {
          error: 'upstream_unreachable',
          message: `${options.label} at ${upstream.host}:${upstream.port} failed: ${code}`,
        },
        options.responseHeaders,
      );
    }
  });
  // The client went away before the answer was complete: stop the upstream request too.
  res.on('close', () => {
    if (!res.writableFinished) outgoing.destroy();
  });
  outgoing.end(body);
}
