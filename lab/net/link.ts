// A TCP proxy that stands for one network path of the lab: latency per direction, cuts that really lose
// the bytes in flight, and counters. See lab/README.md "Network: every cross-boundary path is a Link".
import { createServer, type Server, type Socket } from 'node:net';
import { type LinkCounters, type LinkTarget, ProxiedConnection } from './link-connection.ts';

export type { LinkTarget } from './link-connection.ts';

export interface LinkOptions {
  /** Shown in stats and errors, e.g. "wan" or "db-eu-west-1". */
  name: string;
  target: LinkTarget;
  /** One-way delay applied to every chunk, in each direction. Default 0. */
  latencyMs?: number;
  /** While cut, new connections are held silent ("blackhole", like a NACL drop) or reset. Default blackhole. */
  cutMode?: 'blackhole' | 'reset';
  /** Port to listen on (127.0.0.1); default: picked by the kernel. */
  listenPort?: number;
}

export interface LinkStats {
  name: string;
  /** Connections being forwarded now (held connections of a blackhole cut are not counted). */
  connections: number;
  /** Connections accepted since start. */
  opened: number;
  bytesForwarded: number;
  /** Bytes discarded because the path was cut (or a side failed) while they were queued. */
  bytesDropped: number;
  isCut: boolean;
  latencyMs: number;
}

export class LinkError extends Error {
  constructor(
    readonly code: 'LinkNotStarted' | 'LinkClosed' | 'LinkInvalidLatency',
    message: string,
  ) {
    super(message);
    this.name = 'LinkError';
  }
}

export class Link implements LinkCounters {
  readonly name: string;
  private target: LinkTarget;
  private latency: number;
  private readonly cutMode: 'blackhole' | 'reset';
  private readonly listenPort: number;
  private server: Server | undefined;
  private listeningPort = 0;
  private cutNow = false;
  private closing = false;
  private readonly active = new Set<ProxiedConnection>();
  private readonly held = new Set<Socket>();
  private opened = 0;
  private forwarded = 0;
  private dropped = 0;

  constructor(opts: LinkOptions) {
    this.name = opts.name;
    this.target = { ...opts.target };
    this.latency = checkedLatency(opts.name, opts.latencyMs ?? 0);
    this.cutMode = opts.cutMode ?? 'blackhole';
    this.listenPort = opts.listenPort ?? 0;
  }

  /** Listen on 127.0.0.1; resolves with the port. */
  start(): Promise<number> {
    if (this.closing) return Promise.reject(new LinkError('LinkClosed', `link ${this.name} is closed`));
    if (this.server) return Promise.resolve(this.listeningPort);
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) =>
      this.accept(socket),
    );
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        this.listeningPort = typeof address === 'object' && address ? address.port : 0;
        resolve(this.listeningPort);
      });
    });
  }

  get port(): number {
    if (!this.server)
      throw new LinkError('LinkNotStarted', `link ${this.name}: call start() before reading port`);
    return this.listeningPort;
  }

  get latencyMs(): number {
    return this.latency;
  }

  /** Applies to bytes that arrive from now on; order is kept (a later chunk never overtakes). */
  setLatency(ms: number): void {
    this.latency = checkedLatency(this.name, ms);
  }

  /** New connections go to the new target; open ones stay where they are (cut() to move them). */
  setTarget(target: LinkTarget): void {
    this.target = { ...target };
  }

  get currentTarget(): LinkTarget {
    return { ...this.target };
  }

  /** Destroy open connections and discard the bytes still queued; hold or reset new ones until restore(). */
  cut(): void {
    this.cutNow = true;
    for (const connection of [...this.active]) connection.destroy(this.cutMode === 'reset');
  }

  /** Forward again; connections held silent during a blackhole cut now reach the target. */
  restore(): void {
    this.cutNow = false;
    for (const socket of [...this.held]) {
      this.held.delete(socket);
      if (!socket.destroyed) this.proxy(socket);
    }
  }

  get isCut(): boolean {
    return this.cutNow;
  }

  stats(): LinkStats {
    return {
      name: this.name,
      connections: this.active.size,
      opened: this.opened,
      bytesForwarded: this.forwarded,
      bytesDropped: this.dropped,
      isCut: this.cutNow,
      latencyMs: this.latency,
    };
  }

  /** Stop listening and destroy every connection (held ones too). */
  async close(): Promise<void> {
    this.closing = true;
    for (const connection of [...this.active]) connection.destroy(false);
    for (const socket of this.held) socket.destroy();
    this.held.clear();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** @internal */
  countForwarded(bytes: number): void {
    this.forwarded += bytes;
  }

  /** @internal */
  countDropped(bytes: number): void {
    this.dropped += bytes;
  }

  private accept(socket: Socket): void {
    this.opened += 1;
    socket.on('error', () => socket.destroy());
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (!this.cutNow) {
      this.proxy(socket);
      return;
    }
    if (this.cutMode === 'reset') {
      socket.resetAndDestroy();
      return;
    }
    // Blackhole: accepted but silent; whatever the client sends waits in the kernel until restore().
    this.held.add(socket);
    socket.once('close', () => this.held.delete(socket));
  }

  private proxy(socket: Socket): void {
    const connection = new ProxiedConnection(this, socket, this.target, (c) => this.active.delete(c));
    this.active.add(connection);
  }
}

function checkedLatency(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new LinkError('LinkInvalidLatency', `link ${name}: latency must be a number of ms >= 0, got ${ms}`);
  }
  return ms;
}
