// PostgreSQL primary (eu-west-1) + streaming standby (us-east-1) across the WAN Link: the lab's "Aurora global
// database". One WAN Link carries replication from the standby to whichever region is the writer (setTarget
// on promotion); each region has a client Link ("db-<region>") that apps use. See lab/db/README.md.
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { deferred } from '../deferred.ts';
import { Link, type LinkStats } from '../net/link.ts';
import { freePort } from '../net/ports.ts';
import { otherRegion, type Region } from '../regions.ts';
import { findPostgres, type PgBinaries } from './binaries.ts';
import { type BootContext, prepareNode, serverReachableDir, setPasswords } from './boot.ts';
import { PgLabError } from './errors.ts';
import { Heartbeat } from './heartbeat.ts';
import type { DbNode, DbRole, SyncStatus } from './node.ts';
import { replicationLagMs, waitForReplay, waitForStreaming } from './replication.ts';
import { type RunAs, serverUser } from './run.ts';
import { setUpstream, type UpstreamAccess, writeStandbyConfig } from './standby.ts';
import { ensureTemplate } from './template.ts';
import { failover, rejoin, switchover, type Transitions } from './transitions.ts';

export { DbStateError, PgLabError } from './errors.ts';
export type { DbRole, SyncStatus } from './node.ts';

export interface ReplicatedDatabaseOptions {
  /** Data dirs, logs (<dir>/<region>/log) and sockets live here (in os.tmpdir() if the server user cannot reach it). */
  dir: string;
  primary: Region;
  secondary: Region;
  /** One-way latency of the WAN Link (each direction). Default 50. */
  wanLatencyMs?: number;
  /** Schema, run as `luneo` once in the template cluster every lab copies (template.ts). */
  initSql?: string;
  log?: (msg: string) => void;
}

const secret = () => randomBytes(18).toString('base64url');

export class ReplicatedDatabase {
  /** When true, reconnect() (or restart()) of a fenced old writer rebuilds it as a replica in the background. */
  autoRejoin = true;
  /**
   * How long an old writer waits before its automatic rebuild as a replica starts (it stays pending-resync
   * meanwhile; a change applies to a rebuild already waiting): after an unplanned failover Aurora's rebuild "can take a few minutes to several hours"
   * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html).
   */
  rejoinDelayMs = 0;
  /** How long start() took, in ms (0 before). */
  startedInMs = 0;

  private readonly passwords = { postgres: secret(), luneo: secret(), replicator: secret() };
  private readonly log: (msg: string) => void;
  private readonly nodes = new Map<Region, DbNode>();
  private wan: Link | undefined;
  private wanCutByUser = false;
  private currentWriter: Region | null = null;
  private bins: PgBinaries | undefined;
  private runAs: RunAs | undefined;
  private readonly background = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private queue: Promise<void> = Promise.resolve();
  /** opts.dir, or a directory in os.tmpdir() when the server user cannot reach opts.dir (removed on stop). */
  private dataDir = '';
  private relocated = false;
  /** Regions whose fence-then-rejoin (after reconnect) is running in the background. */
  private readonly recovering = new Set<Region>();

  private readonly writerUp = deferred();

  /** Stamps the current writer, so the lag is measured as the age of the data the standby holds. */
  private readonly heartbeat = new Heartbeat(() =>
    this.currentWriter ? this.nodes.get(this.currentWriter) : undefined,
  );

  constructor(private readonly opts: ReplicatedDatabaseOptions) {
    this.log = opts.log ?? (() => {});
  }

  /** Primary up with the schema, standby streaming from it through the WAN Link, both client Links up. */
  async start(): Promise<void> {
    try {
      await this.startBoth();
    } catch (error) {
      this.writerUp.reject(error);
      throw error;
    }
  }

  /**
   * Resolves once the writer serves the apps (schema applied, client Link up) while start() still waits for the
   * standby to stream across the WAN; rejects if start() fails first.
   */
  writerReady(): Promise<void> {
    return this.writerUp.promise;
  }

  private async startBoth(): Promise<void> {
    const began = performance.now();
    const mark = (what: string) => this.log(`start: ${what} at ${Math.round(performance.now() - began)} ms`);
    const { primary, secondary } = this.opts;
    this.bins = findPostgres();
    this.runAs = serverUser();
    await mkdir(this.opts.dir, { recursive: true });
    const { dir, relocated } = await serverReachableDir(this.opts.dir, this.runAs, this.log);
    this.dataDir = dir;
    this.relocated = relocated;
    const template = await ensureTemplate(this.bins, this.runAs, this.log, { initSql: this.opts.initSql });
    mark('template ready');
    const [primaryPort, secondaryPort] = [await freePort(), await freePort()];
    this.wan = new Link({
      name: 'wan',
      target: { host: '127.0.0.1', port: primaryPort },
      latencyMs: this.opts.wanLatencyMs ?? 50,
    });
    await this.wan.start();
    mark('wan up');
    const boot = {
      dir,
      bins: this.bins,
      runAs: this.runAs,
      superuserPassword: this.passwords.postgres,
      template,
    };
    // Both servers start as soon as their copies are ready; the standby streams once the writer has its passwords.
    const standbyPrepared = this.prepare(boot, secondary, secondaryPort).then(async (node) => {
      await writeStandbyConfig(node.dirs.data, null, this.runAs);
      return node;
    });
    const standbyStarted = standbyPrepared.then(async (node) => {
      await node.server.start();
      mark('standby started');
      return node;
    });
    standbyStarted.catch(() => {}); // awaited below, after the writer
    let primaryNode: DbNode;
    try {
      primaryNode = await this.prepare(boot, primary, primaryPort);
      await primaryNode.server.start();
    } catch (error) {
      await standbyStarted.catch(() => {}); // stop() must find it, to close its Link and stop its server
      throw error;
    }
    mark('primary started');
    await setPasswords(primaryNode, this.passwords);
    mark('passwords set');
    this.currentWriter = primary;
    const [standbyNode, passwordsLsn] = await Promise.all([
      standbyStarted.then(async (node) => {
        // Now its walreceiver can authenticate on the writer (postgresql.auto.conf: a restart of the standby keeps it).
        await setUpstream(node.server, this.upstream(secondary), this.runAs);
        mark('standby pointed at the writer');
        return node;
      }),
      primaryNode
        .sql<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')
        .then(([row]) => row?.lsn ?? '0/0'),
      // The schema came with the template copy. Stamping starts now: the standby replays stamps once it streams.
      this.heartbeat.start(),
    ]);
    // The walreceiver's handshake across the WAN is under way before the apps' processes take the CPU.
    this.writerUp.resolve();
    const waiting = { timeoutMs: 30_000, signal: this.stopping.signal };
    await Promise.all([
      waitForStreaming(primaryNode, secondary, waiting).then(() => mark('standby streaming')),
      // Streaming is not caught up: the standby started from the template copy, so until it replays the writer's
      // passwords its clients are refused (a client then reads the replica as down).
      waitForReplay(standbyNode, passwordsLsn, waiting).then(() => mark('standby replayed the passwords')),
    ]);
    this.startedInMs = Math.round(performance.now() - began);
    this.log(
      `database up in ${this.startedInMs} ms: writer ${primary}, standby ${secondary} streaming via wan`,
    );
  }

  /** One region's node, known to stop() from now on; the WAN Link follows its server's port as its clients do. */
  private async prepare(boot: BootContext, region: Region, port: number): Promise<DbNode> {
    const node = await prepareNode(boot, region, port);
    this.nodes.set(region, node);
    node.server.onPortChange((moved, previous) => {
      const wan = this.wanLink();
      if (wan.currentTarget.port === previous) wan.setTarget({ host: '127.0.0.1', port: moved });
    });
    return node;
  }

  /** postgres://luneo:<pw>@127.0.0.1:<port of the region's client Link>/luneo */
  url(region: Region): string {
    const { port } = this.endpoint(region);
    return `postgres://luneo:${this.passwords.luneo}@127.0.0.1:${port}/luneo`;
  }

  endpoint(region: Region): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.node(region).clientLink.port };
  }

  /** The port the region's postgres listens on now (a start may move it); clients use endpoint(), which stays. */
  serverPort(region: Region): number {
    return this.node(region).server.port;
  }

  /** Whether the replication path between the regions is up (false: the WAN link is cut, nothing streams). */
  wanIsUp(): boolean {
    return this.wan !== undefined && !this.wan.isCut;
  }

  /** The region promoted last (null before start). */
  writer(): Region | null {
    return this.currentWriter;
  }

  /**
   * The role in the global cluster's view: an old writer that could not be fenced yet (still isolated)
   * answers as a writer, but the promoted region is the writer now.
   */
  async role(region: Region): Promise<DbRole> {
    const role = await this.node(region).role();
    return role === 'writer' && this.currentWriter !== null && this.currentWriter !== region
      ? 'fenced'
      : role;
  }

  syncStatus(region: Region): SyncStatus {
    return this.node(region).sync;
  }

  replicationLagMs(): Promise<number | null> {
    const writer = this.currentWriter;
    if (!writer) return Promise.resolve(null);
    return replicationLagMs(this.node(writer), this.node(otherRegion(writer)));
  }

  /** A network outage of the region: its client Link and the WAN Link are cut (processes keep running). */
  isolate(region: Region): void {
    const node = this.node(region);
    node.isolated = true;
    node.clientLink.cut();
    this.wanLink().cut();
    this.log(`${region} isolated`);
  }

  /**
   * The region's database subnets lose their network (FIS aws:network:disrupt-connectivity): clients are cut,
   * storage replication is not, since Aurora Global Database replicates on AWS's network, outside the VPC
   * (https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html#network-actions-reference).
   */
  isolateSubnets(region: Region): void {
    const node = this.node(region);
    node.subnetsIsolated = true;
    node.clientLink.cut();
    this.log(`${region} database subnets isolated: clients cut, replication continues`);
  }

  restoreSubnets(region: Region): void {
    const node = this.node(region);
    node.subnetsIsolated = false;
    this.restoreClientLink(node);
    this.log(`${region} database subnets restored`);
  }

  /** End of the outage. A fenced-to-be old writer is stopped before clients can reach it again. */
  reconnect(region: Region): void {
    const node = this.node(region);
    node.isolated = false;
    this.applyWanState();
    this.log(`${region} reconnected`);
    const isOldWriter = node.sync === 'pending-resync' && region !== this.currentWriter;
    if (!isOldWriter) {
      this.restoreClientLink(node);
      return;
    }
    if (this.recovering.has(region)) return; // a second reconnect while the first one's rejoin still runs
    this.recovering.add(region);
    this.inBackground(`fence and rejoin ${region}`, async () => {
      try {
        if (node.server.running && !node.fenced) await this.fence(node);
        this.restoreClientLink(node);
        if (this.autoRejoin) await this.rejoinAfterDelay(region);
      } finally {
        this.recovering.delete(region);
      }
    });
  }

  setWanLatency(ms: number): void {
    this.wanLink().setLatency(ms);
  }

  cutWan(): void {
    this.wanCutByUser = true;
    this.applyWanState();
  }

  restoreWan(): void {
    this.wanCutByUser = false;
    this.applyWanState();
  }

  /** kill -9 of that region's postgres (every process of it). */
  async crash(region: Region): Promise<void> {
    await this.node(region).server.kill();
    this.log(`${region} postgres crashed (SIGKILL)`);
  }

  /**
   * Back in its previous role (a running server is rebooted: fast shutdown, start). An old writer that lost
   * its role never comes back as a writer: it is rejoined as a replica, or stays fenced (stopped) while its
   * region is isolated or autoRejoin is off.
   */
  async restart(region: Region): Promise<void> {
    const node = this.node(region);
    if (node.sync === 'pending-resync' && region !== this.currentWriter) {
      if (node.isolated || !this.autoRejoin) await this.fence(node);
      else await this.rejoin(region);
      return;
    }
    if (node.server.running) await node.server.stop();
    await node.server.start();
    this.log(`${region} postgres restarted`);
  }

  /** Unplanned: promote `to`; refused (DbStateError) when that would lose writes and allowDataLoss is false. */
  failover(to: Region, opts: { allowDataLoss: boolean }): Promise<void> {
    return this.oneAtATime(() => failover(this.transitions(), to, opts));
  }

  /** Planned, no loss; resolves once the old writer streams again as a replica. */
  switchover(to: Region): Promise<void> {
    return this.oneAtATime(() => switchover(this.transitions(), to));
  }

  /** Rebuild `region` as a streaming replica of the writer (pg_rewind, or a base backup if that fails). */
  rejoin(region: Region): Promise<void> {
    return this.oneAtATime(() => rejoin(this.transitions(), region));
  }

  /** The automatic rebuild of an old writer: waits until rejoinDelayMs has passed (changes apply at once), then rejoins. */
  private async rejoinAfterDelay(region: Region): Promise<void> {
    const began = performance.now();
    if (this.rejoinDelayMs > 0)
      this.log(`rejoin ${region}: the rebuild waits ${this.rejoinDelayMs} ms (rejoinDelayMs)`);
    for (let left = this.rejoinDelayMs; left > 0; left = this.rejoinDelayMs - (performance.now() - began)) {
      await abortableDelay(Math.min(left, 250), this.stopping.signal);
      if (this.stopping.signal.aborted) return;
    }
    await this.rejoin(region);
  }

  /** Resolves when background work (fence, rejoin) started by reconnect()/failover() has finished. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  linkStats(): LinkStats[] {
    return [
      ...[this.opts.primary, this.opts.secondary].flatMap((r) => this.nodes.get(r)?.clientLink.stats() ?? []),
      ...(this.wan ? [this.wan.stats()] : []),
    ];
  }

  /** Stops both servers and every link; no process is left behind. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.heartbeat.stop();
    await this.settled();
    const nodes = [...this.nodes.values()];
    await Promise.all([...nodes.map((n) => n.clientLink.close()), this.wan?.close()]);
    await Promise.all(nodes.map((n) => n.server.stop()));
    // A socket dir outside the data dir is the short fallback made in os.tmpdir(): ours to remove.
    const outside = nodes.filter((n) => !n.dirs.socket.startsWith(`${this.dataDir}/`));
    await Promise.all(outside.map((n) => rm(n.dirs.socket, { recursive: true, force: true })));
    if (this.relocated) await rm(this.dataDir, { recursive: true, force: true });
    this.log('database stopped');
  }

  /** Postmasters and all their processes. */
  pids(): number[] {
    return [...this.nodes.values()].flatMap((n) => n.server.pids());
  }

  private node(region: Region): DbNode {
    const node = this.nodes.get(region);
    if (!node) {
      throw new PgLabError(
        'NotStarted',
        `no database for ${region}: call start() first (regions: ${[...this.nodes.keys()]})`,
      );
    }
    return node;
  }

  private wanLink(): Link {
    if (!this.wan) throw new PgLabError('NotStarted', 'the WAN link exists after start()');
    return this.wan;
  }

  /** Clients reach the node again unless another fault still holds its network. */
  private restoreClientLink(node: DbNode): void {
    if (!node.isolated && !node.subnetsIsolated) node.clientLink.restore();
  }

  /** The WAN is up only when no region is isolated and nobody cut it by hand. */
  private applyWanState(): void {
    const down = this.wanCutByUser || [...this.nodes.values()].some((n) => n.isolated);
    if (down) this.wanLink().cut();
    else this.wanLink().restore();
  }

  private upstream(forRegion: Region): UpstreamAccess {
    return {
      port: this.wanLink().port,
      applicationName: forRegion,
      replicatorPassword: this.passwords.replicator,
      superuserPassword: this.passwords.postgres,
    };
  }

  /** Stop an old writer so it cannot take writes; it stays pending-resync until rejoined. */
  private async fence(node: DbNode): Promise<void> {
    node.fenced = true;
    await node.server.stop();
    this.log(`${node.region} fenced (stopped)`);
  }

  /** Writer moves never interleave. */
  private oneAtATime<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.then(
      () => {},
      () => {},
    );
    return result;
  }

  private inBackground(what: string, task: () => Promise<void>): void {
    const promise = task()
      .catch((error: unknown) => {
        if (this.stopping.signal.aborted) return;
        this.log(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => this.background.delete(promise));
    this.background.add(promise);
  }

  private transitions(): Transitions {
    return {
      bins: this.bins!,
      runAs: this.runAs,
      node: (r) => this.node(r),
      writer: () => this.currentWriter,
      setWriter: (r) => {
        this.currentWriter = r;
        // Replication follows the writer: new WAN connections go to its server; old ones are dropped.
        const wan = this.wanLink();
        wan.setTarget({ host: '127.0.0.1', port: this.node(r).server.port });
        if (!wan.isCut) {
          wan.cut();
          wan.restore();
        }
      },
      wanIsUp: () => !this.wanLink().isCut,
      upstream: (r) => this.upstream(r),
      fence: (n) => this.fence(n),
      rejoinLater: (region) => {
        if (this.autoRejoin) this.inBackground(`rejoin ${region}`, () => this.rejoinAfterDelay(region));
      },
      signal: this.stopping.signal,
      log: this.log,
    };
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
