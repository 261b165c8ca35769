// Redis primary (eu-west-1) + replica (us-east-1) replicating across a WAN Link: the lab's "ElastiCache Global
// Datastore". As with the database, one WAN Link carries replication to whichever region is the primary, and each
// region has a client Link ("redis-<region>") that apps use. Cutting the WAN loses the bytes in flight, so an
// unplanned failover really loses the last acknowledged writes.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Link } from '../net/link.ts';
import { freePort } from '../net/ports.ts';
import { otherRegion, type Region } from '../regions.ts';
import { RedisLabError } from './errors.ts';
import { RedisServer } from './server.ts';

export type CacheRole = 'primary' | 'replica' | 'down';

export interface ReplicatedCacheOptions {
  dir: string;
  primary: Region;
  secondary: Region;
  /** One-way latency of the WAN Link. Default 250. */
  wanLatencyMs?: number;
  log?: (line: string) => void;
}

interface CacheNode {
  region: Region;
  server: RedisServer;
  clientLink: Link;
  isolated: boolean;
  /** An old primary that must become a replica of the new one once it is reachable again. */
  pendingRejoin: boolean;
}

export class ReplicatedCache {
  private readonly password = randomBytes(18).toString('base64url');
  private readonly nodes = new Map<Region, CacheNode>();
  private readonly log: (line: string) => void;
  private wan: Link | undefined;
  private current: Region;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ReplicatedCacheOptions) {
    this.log = opts.log ?? (() => {});
    this.current = opts.primary;
  }

  /** Primary up, replica syncing from it through the WAN Link, both client Links up. */
  async start(): Promise<void> {
    const { primary, secondary } = this.opts;
    for (const region of [primary, secondary]) {
      const server = new RedisServer({
        name: `redis-${region}`,
        dir: join(this.opts.dir, region),
        port: await freePort(),
        password: this.password,
        log: this.log,
      });
      const clientLink = new Link({
        name: `redis-${region}`,
        target: { host: '127.0.0.1', port: server.port },
        cutMode: 'reset',
      });
      this.nodes.set(region, { region, server, clientLink, isolated: false, pendingRejoin: false });
    }
    this.wan = new Link({
      name: 'wan-redis',
      target: { host: '127.0.0.1', port: this.node(primary).server.port },
      latencyMs: this.opts.wanLatencyMs ?? 250,
    });
    await this.wan.start();
    await Promise.all(
      [...this.nodes.values()].map((n) => Promise.all([n.server.start(), n.clientLink.start()])),
    );
    // A server that had to take another port (see RedisServer.start): point its links at it.
    for (const n of this.nodes.values()) n.clientLink.setTarget({ host: '127.0.0.1', port: n.server.port });
    this.wan.setTarget({ host: '127.0.0.1', port: this.node(primary).server.port });
    await this.node(secondary).server.control().replicaof('127.0.0.1', this.wan.port);
    await this.waitForSync(20_000);
    this.log(`cache up: primary ${primary}, replica ${secondary} via wan-redis`);
  }

  /** redis://:<password>@127.0.0.1:<port of the region's client Link> */
  url(region: Region): string {
    return `redis://:${this.password}@127.0.0.1:${this.endpoint(region).port}`;
  }

  endpoint(region: Region): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.node(region).clientLink.port };
  }

  /** The region promoted last. */
  primary(): Region {
    return this.current;
  }

  /** What the server itself says (INFO replication); 'down' when it does not answer. */
  async role(region: Region): Promise<CacheRole> {
    const info = await this.node(region)
      .server.replicationInfo()
      .catch(() => null);
    if (!info) return 'down';
    return info.get('role') === 'master' ? 'primary' : 'replica';
  }

  /** Replication offsets of the primary and the replica (bytes); lag = primary - replica. */
  async offsets(): Promise<{ primary: number; replica: number; linkUp: boolean }> {
    const [p, r] = await Promise.all([
      this.node(this.current).server.replicationInfo(),
      this.node(otherRegion(this.current)).server.replicationInfo(),
    ]);
    return {
      primary: Number(p.get('master_repl_offset') ?? 0),
      replica: Number(r.get('master_repl_offset') ?? 0),
      linkUp: r.get('master_link_status') === 'up',
    };
  }

  /** A network outage of the region: its client Link and the WAN Link are cut (redis keeps running). */
  isolate(region: Region): void {
    const node = this.node(region);
    node.isolated = true;
    node.clientLink.cut();
    this.wanLink().cut();
    this.log(`cache ${region} isolated`);
  }

  /** End of the outage. An old primary becomes a replica of the new one before clients can reach it again. */
  async reconnect(region: Region): Promise<void> {
    const node = this.node(region);
    node.isolated = false;
    if ([...this.nodes.values()].every((n) => !n.isolated)) this.wanLink().restore();
    if (node.pendingRejoin) await this.serialised(() => this.rejoin(node));
    node.clientLink.restore();
    this.log(`cache ${region} reconnected`);
  }

  /**
   * Make `to` the primary. When the old primary is reachable, writes pause on it until the replica has every
   * byte (no loss); when it is not, the replica is promoted as it is (what was in flight is lost) and the old
   * primary rejoins as a replica on reconnect().
   */
  failover(to: Region): Promise<{ dataLossPossible: boolean }> {
    return this.serialised(async () => {
      if (to === this.current) {
        throw new RedisLabError(
          'InvalidGlobalReplicationGroupState',
          `the cache in ${to} is already the primary`,
        );
      }
      const from = this.node(this.current);
      const target = this.node(to);
      const reachable =
        !from.isolated && !this.wanLink().isCut && (await this.role(from.region)) === 'primary';
      if (reachable) await this.promoteCaughtUp(from, target);
      else await this.promoteAsIs(from, target);
      return { dataLossPossible: !reachable };
    });
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.nodes.values()].map((n) => n.server.stop()));
    await Promise.allSettled([...this.nodes.values()].map((n) => n.clientLink.close()));
    await this.wan?.close();
  }

  private async promoteCaughtUp(from: CacheNode, to: CacheNode): Promise<void> {
    const control = from.server.control();
    await control.call('CLIENT', 'PAUSE', '10000', 'WRITE');
    try {
      await this.waitForSync(8_000);
      await to.server.control().replicaof('NO', 'ONE');
      this.follow(to.region);
      await control.replicaof('127.0.0.1', this.wanLink().port);
    } finally {
      await control.call('CLIENT', 'UNPAUSE').catch(() => {});
    }
    this.log(`cache failover ${from.region} → ${to.region}: replica caught up first (no loss)`);
  }

  private async promoteAsIs(from: CacheNode, to: CacheNode): Promise<void> {
    await to.server.control().replicaof('NO', 'ONE');
    this.follow(to.region);
    from.pendingRejoin = true;
    this.log(`cache failover ${from.region} → ${to.region}: old primary unreachable, promoted as is`);
    if (!from.isolated) await this.rejoin(from);
  }

  /** The old primary drops what the new one never got: a full resync as its replica. */
  private async rejoin(node: CacheNode): Promise<void> {
    if (!node.pendingRejoin) return;
    await node.server.control().replicaof('127.0.0.1', this.wanLink().port);
    node.pendingRejoin = false;
    this.log(`cache ${node.region} rejoined as replica of ${this.current}`);
  }

  /** Replication follows the primary: new WAN connections go to its server; old ones are dropped. */
  private follow(region: Region): void {
    this.current = region;
    const wan = this.wanLink();
    wan.setTarget({ host: '127.0.0.1', port: this.node(region).server.port });
    if (!wan.isCut) {
      wan.cut();
      wan.restore();
    }
  }

  /** Until the replica's link is up and its offset equals the primary's. */
  private async waitForSync(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      const o = await this.offsets().catch((e: Error) => e);
      if (!(o instanceof Error)) {
        if (o.linkUp && o.replica >= o.primary) return;
        last = `link ${o.linkUp ? 'up' : 'down'}, primary offset ${o.primary}, replica offset ${o.replica}`;
      } else last = o.message;
      await sleep(25);
    }
    throw new RedisLabError(
      'ReplicaNotCaughtUp',
      `the cache replica did not catch up within ${timeoutMs} ms (${last})`,
    );
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.then(
      () => {},
      () => {},
    );
    return result;
  }

  private wanLink(): Link {
    if (!this.wan) throw new RedisLabError('NotStarted', 'the cache WAN link exists after start()');
    return this.wan;
  }

  private node(region: Region): CacheNode {
    const node = this.nodes.get(region);
    if (!node) throw new RedisLabError('NotStarted', `no cache node in ${region}: call start() first`);
    return node;
  }
}
