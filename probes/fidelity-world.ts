// The fidelity harness's world on its own thread: the HTTP endpoints and the cuttable links (the service and its
// network) run here, off the engine's event loop, as they run on other machines in production; so a busy engine
// (the bench's event-loop hog) slows the drill's measurement, not the service it measures; and it runs ahead of the
// machine's other work where the OS allows (thread-priority.ts): at load average 15 a thread of normal priority
// answered 300 ms after its restore, a service starved by work of other machines. Messages: WorldCommand
// in, WorldReply out. Instants are on the run's monotonic clock (performance.timeOrigin + now() − originAbsMs).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { raiseThisThread } from '../core/measure/thread-priority.ts';
import { Link } from '../lab/net/link.ts';

export type WorldFailure = 'reset' | 'blackhole' | 'lb-never-answers' | 'dns-flip';
type CutMode = 'reset' | 'blackhole';

export interface WorldData {
  dbPort: number;
}

export interface WorldPaths {
  publicUrl: string;
  /** host:port of the writer's link. */
  writerPort: number;
}

export type WorldCommand =
  | { id: number; type: 'heal' }
  | { id: number; type: 'cut' | 'restore'; failure: WorldFailure; originAbsMs: number }
  | { id: number; type: 'close' };

export type WorldReply =
  | { id: number; type: 'started'; paths: Record<CutMode, WorldPaths> }
  | { id: number; type: 'done'; at?: number }
  | { id: number; type: 'error'; message: string };

/** An HTTP endpoint that answers /health, or accepts and never answers (its requests are kept to end later). */
class Endpoint {
  answering = true;
  readonly #held = new Set<ServerResponse>();
  readonly server: Server;

  constructor(region: string) {
    this.server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      if (!this.answering) {
        this.#held.add(res);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"status":"ok","region":"${region}","database":{"role":"writer"}}`);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  /** Answers again and drops the requests it held (their clients timed out long ago). */
  reset(): void {
    this.answering = true;
    for (const res of this.#held) res.socket?.destroy();
    this.#held.clear();
  }

  close(): Promise<void> {
    this.reset();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Paths {
  db: Link;
  public: Link;
}

const data = workerData as WorldData;
raiseThisThread();
const port = parentPort!;
const primary = new Endpoint('eu-west-1');
const standby = new Endpoint('us-east-1');
const ports = { primary: await primary.listen(), standby: await standby.listen() };
const target = (p: number) => ({ host: '127.0.0.1', port: p });
const links: Record<CutMode, Paths> = {
  reset: {
    db: new Link({ name: 'db-reset', target: target(data.dbPort), cutMode: 'reset' }),
    public: new Link({ name: 'public-reset', target: target(ports.primary), cutMode: 'reset' }),
  },
  blackhole: {
    db: new Link({ name: 'db-blackhole', target: target(data.dbPort), cutMode: 'blackhole' }),
    public: new Link({ name: 'public-blackhole', target: target(ports.primary), cutMode: 'blackhole' }),
  },
};
const paths = {} as Record<CutMode, WorldPaths>;
for (const mode of ['reset', 'blackhole'] as const) {
  paths[mode] = {
    writerPort: await links[mode].db.start(),
    publicUrl: `http://127.0.0.1:${await links[mode].public.start()}`,
  };
}

const pathOf = (failure: WorldFailure) => links[failure === 'reset' ? 'reset' : 'blackhole'];
const runClock = (originAbsMs: number) => performance.timeOrigin + performance.now() - originAbsMs;

/** Back to healthy: links forward to the primary, both endpoints answer. */
function heal(): void {
  for (const path of Object.values(links)) {
    path.db.restore();
    path.public.setTarget(target(ports.primary));
    path.public.restore();
  }
  primary.reset();
  standby.reset();
}

/** Cuts the writer and breaks the public URL the way `failure` says; the instant is read as the cut lands. */
function cut(failure: WorldFailure, originAbsMs: number): number {
  const path = pathOf(failure);
  const at = runClock(originAbsMs);
  path.db.cut();
  if (failure === 'reset' || failure === 'blackhole') path.public.cut();
  else primary.answering = false;
  return at;
}

/** The public URL serves again the way `failure` says. */
function restore(failure: WorldFailure, originAbsMs: number): number {
  const path = pathOf(failure);
  const at = runClock(originAbsMs);
  if (failure === 'reset' || failure === 'blackhole') path.public.restore();
  else if (failure === 'lb-never-answers') primary.answering = true;
  else path.public.setTarget(target(ports.standby));
  return at;
}

async function close(): Promise<void> {
  for (const path of Object.values(links)) {
    await path.public.close();
    await path.db.close();
  }
  await primary.close();
  await standby.close();
}

port.on('message', (command: WorldCommand) => {
  const reply = (r: WorldReply) => port.postMessage(r);
  try {
    if (command.type === 'heal') heal();
    else if (command.type === 'cut')
      return reply({ id: command.id, type: 'done', at: cut(command.failure, command.originAbsMs) });
    else if (command.type === 'restore')
      return reply({ id: command.id, type: 'done', at: restore(command.failure, command.originAbsMs) });
    else if (command.type === 'close') {
      void close().then(() => reply({ id: command.id, type: 'done' }));
      return;
    }
    reply({ id: command.id, type: 'done' });
  } catch (error) {
    reply({ id: command.id, type: 'error', message: (error as Error).message });
  }
});
port.postMessage({ id: 0, type: 'started', paths } satisfies WorldReply);
