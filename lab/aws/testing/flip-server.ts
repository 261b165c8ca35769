// A real HTTP health endpoint on 127.0.0.1 whose answer a test flips between 200 and 503.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FlipServer {
  port: number;
  status: number;
  hits: number;
  close(): Promise<void>;
}

export async function startFlipServer(initialStatus = 200): Promise<FlipServer> {
  const state = { status: initialStatus, hits: 0 };
  const server = createServer((_req, res) => {
    state.hits += 1;
    res.writeHead(state.status, { 'content-type': 'text/plain', connection: 'close' });
    res.end(state.status === 200 ? 'ok' : 'unavailable');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
