import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './respond.ts';

export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string>,
) => Promise<void> | void;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

/** Method + path matching with `:name` segments; 404 for unknown paths, 405 for a known path with another method. */
export class Router {
  readonly #routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.#routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const segments = path.split('/').filter(Boolean);
    let pathKnown = false;
    for (const route of this.#routes) {
      const params = match(route.parts, segments);
      if (!params) continue;
      pathKnown = true;
      if (route.method === req.method || (route.method === 'GET' && req.method === 'HEAD')) {
        await route.handler(req, res, params);
        return;
      }
    }
    if (pathKnown) throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${path}`);
    throw new HttpError(404, 'not_found', `no route for ${req.method} ${path}`);
  }
}

function match(parts: string[], segments: string[]): Record<string, string> | null {
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i]!;
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        return null;
      }
    } else if (part !== segment) {
      return null;
    }
  }
  return params;
}
