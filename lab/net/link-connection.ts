// One proxied connection of a Link: a client socket, its upstream socket, and between them two queues that
// deliver every chunk latencyMs after it arrived, in order.
import { connect, type Socket } from 'node:net';

export interface LinkTarget {
  host: string;
  port: number;
}

/** What a connection reads from and reports to its Link. */
export interface LinkCounters {
  readonly latencyMs: number;
  countForwarded(bytes: number): void;
  countDropped(bytes: number): void;
}

const END = Symbol('end');
type Item = { due: number; chunk: Buffer | typeof END };

/** One direction of one connection: a queue that delivers each chunk latencyMs after it arrived, in order. */
class DelayedDirection {
  private readonly queue: Item[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastDue = 0;
  private dest: Socket | undefined;

  constructor(
    private readonly link: LinkCounters,
    private readonly source: Socket,
  ) {}

  attach(dest: Socket): void {
    this.dest = dest;
    this.flush();
  }

  push(chunk: Buffer | typeof END): void {
    const due = Math.max(Date.now() + this.link.latencyMs, this.lastDue);
    this.lastDue = due;
    this.queue.push({ due, chunk });
    this.flush();
  }

  /** Forget everything still queued; returns the bytes that will never arrive. */
  discard(): number {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    let bytes = 0;
    for (const item of this.queue) if (item.chunk !== END) bytes += item.chunk.length;
    this.queue.length = 0;
    return bytes;
  }

  private flush(): void {
    const dest = this.dest;
    if (!dest || this.timer) return;
    const now = Date.now();
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.due > now) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.flush();
        }, head.due - now);
        return;
      }
      this.queue.shift();
      if (dest.destroyed) return;
      if (head.chunk === END) {
        dest.end();
        continue;
      }
      this.link.countForwarded(head.chunk.length);
      if (!dest.write(head.chunk) && !this.source.isPaused()) {
        // Backpressure: stop reading until the far side drains.
        this.source.pause();
        dest.once('drain', () => this.source.resume());
      }
    }
  }
}

/** A client socket, its upstream socket and the two delayed directions between them. */
export class ProxiedConnection {
  private readonly upstream: Socket;
  private readonly toUpstream: DelayedDirection;
  private readonly toClient: DelayedDirection;
  private closed = false;

  constructor(
    private readonly link: LinkCounters,
    private readonly client: Socket,
    target: LinkTarget,
    private readonly onClosed: (c: ProxiedConnection) => void,
  ) {
    this.upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    this.upstream.setNoDelay(true);
    client.setNoDelay(true);
    this.toUpstream = new DelayedDirection(link, client);
    this.toClient = new DelayedDirection(link, this.upstream);
    this.toClient.attach(client);
    this.upstream.once('connect', () => this.toUpstream.attach(this.upstream));
    client.on('data', (chunk: Buffer) => this.toUpstream.push(chunk));
    this.upstream.on('data', (chunk: Buffer) => this.toClient.push(chunk));
    client.on('end', () => this.toUpstream.push(END));
    this.upstream.on('end', () => this.toClient.push(END));
    // A refused or failed upstream looks like a reset to the client, as a dead server would.
    this.upstream.on('error', () => this.destroy(true));
    client.on('error', () => this.destroy(false));
    const maybeClosed = () => {
      if (client.destroyed && this.upstream.destroyed) this.finish();
    };
    client.on('close', maybeClosed);
    this.upstream.on('close', maybeClosed);
    client.resume();
  }

  /** Tear both sides down now; queued bytes are lost. */
  destroy(reset: boolean): void {
    if (this.closed) return;
    this.link.countDropped(this.toUpstream.discard() + this.toClient.discard());
    if (reset && !this.client.destroyed) this.client.resetAndDestroy();
    else this.client.destroy();
    this.upstream.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.onClosed(this);
  }
}
