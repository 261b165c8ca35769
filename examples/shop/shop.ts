// The example app: a small shop in two regions behind one front door, on 127.0.0.1. The front door sends every
// request to the active region; an admin API cuts a region off (the fault) and moves traffic (the failover), as a
// team's own platform API or cloud console would. It stands in for a real app so the example needs no lab.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const REGIONS = ['eu-west-1', 'us-east-1'] as const;
export type Region = (typeof REGIONS)[number];

export interface ShopState {
  active: Region;
  down: Region[];
  orders: number;
}

export interface RunningShop {
  url: string;
  state: ShopState;
  close(): Promise<void>;
}

const isRegion = (value: unknown): value is Region => REGIONS.includes(value as Region);

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function handler(state: ShopState) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const route = `${req.method} ${req.url}`;
    const serving = !state.down.includes(state.active);
    if (route === 'GET /health') {
      reply(res, serving ? 200 : 503, { status: serving ? 'ok' : 'unavailable', region: state.active });
    } else if (route === 'POST /orders') {
      if (!serving) return reply(res, 503, { error: `${state.active} is unreachable` });
      state.orders += 1;
      reply(res, 201, { id: state.orders, region: state.active });
    } else if (route === 'GET /admin/state') {
      reply(res, 200, state);
    } else if (route === 'POST /admin/outage' || route === 'DELETE /admin/outage') {
      const { region } = await jsonBody(req);
      if (!isRegion(region)) return reply(res, 400, { error: `unknown region ${String(region)}` });
      state.down = state.down.filter((r) => r !== region);
      if (req.method === 'POST') state.down.push(region);
      reply(res, 200, state);
    } else if (route === 'PUT /admin/route') {
      const { region } = await jsonBody(req);
      if (!isRegion(region)) return reply(res, 400, { error: `unknown region ${String(region)}` });
      const previous = state.active;
      state.active = region;
      reply(res, 200, { previous, active: region });
    } else {
      reply(res, 404, { error: `no route ${route}` });
    }
  };
}

/** Starts the shop on a free port of 127.0.0.1, serving from `eu-west-1`. */
export async function startShop(): Promise<RunningShop> {
  const state: ShopState = { active: 'eu-west-1', down: [], orders: 0 };
  const server = createServer((req, res) => {
    handler(state)(req, res).catch((error: unknown) => reply(res, 500, { error: String(error) }));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}
