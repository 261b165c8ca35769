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

/** Forwards one request to `upstream` and streams the answer back; 502 if it cannot connect, 504 on timeout. */
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
    if (res.headersSent) {
      res.destroy();
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
      const code = (error as { code?: string }).code ?? error.message;
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
  req.pipe(outgoing);
}
