// PostgreSQL primary (eu-west-1) + streaming standby (us-east-1) across the WAN Link: the lab's "Aurora global
// database". One WAN Link carries replication from the standby to whichever region is the writer (setTarget
// on promotion); each region has a client Link ("db-<region>") that apps use. See lab/README.md.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Link, type LinkStats } from '../net/link.ts';
import { freePort } from '../net/ports.ts';
import { otherRegion, type Region } from '../regions.ts';
import { findPostgres, type PgBinaries } from './binaries.ts';
import { PgLabError } from './errors.ts';
import { DbNode, type DbRole, nodeDirs, type SyncStatus } from './node.ts';
import { replicationLagMs, waitForStreaming } from './replication.ts';
import { chownTree, type RunAs, run, serverUser } from './run.ts';
import { PgServer } from './server.ts';
import { query } from './sql.ts';
import { copyTemplate, type UpstreamAccess, writeStandbyConfig } from './standby.ts';
import { ensureTemplate } from './template.ts';
import { failover, rejoin, switchover, type Transitions } from './transitions.ts';

export { DbStateError, PgLabError } from './errors.ts';
export type { DbRole, SyncStatus } from './node.ts';

export interface ReplicatedDatabaseOptions {
  /** Data dirs, logs (<dir>/<region>/log) and sockets live here. */
  dir: string;
  primary: Region;
  secondary: Region;
  /** One-way latency of the WAN Link (each direction). Default 50. */
  wanLatencyMs?: number;
  /** Schema, run once on the primary as `luneo`. */
  initSql?: string;
  log?: (msg: string) => void;
}

const secret = () => randomBytes(18).toString('base64url');

export class ReplicatedDatabase {
  /** When true, reconnect() (or restart()) of a fenced old writer rebuilds it as a replica in the background. */
  autoRejoin = true;
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

  constructor(private readonly opts: ReplicatedDatabaseOptions) {
    this.log = opts.log ?? (() => {});
  }

  /** Primary up with the schema, standby streaming from it through the WAN Link, both client Links up. */
  async start(): Promise<void> {
    const began = performance.now();
    const mark = (what: string) => this.log(`start: ${what} at ${Math.round(performance.now() - began)} ms`);
    const { dir, primary, secondary } = this.opts;
    this.bins = findPostgres();
    this.runAs = serverUser();
    await mkdir(dir, { recursive: true });
    await this.checkReachable(dir);
    const template = await ensureTemplate(this.bins, this.runAs, this.log);
    mark('template ready');
    const [primaryPort, secondaryPort] = [await freePort(), await freePort()];
    this.wan = new Link({
      name: 'wan',
      target: { host: '127.0.0.1', port: primaryPort },
      latencyMs: this.opts.wanLatencyMs ?? 50,
    });
    await this.wan.start();
    mark('wan up');
    const prepared = await Promise.all([
      this.prepareNode(primary, primaryPort, template),
      this.prepareNode(secondary, secondaryPort, template),
    ]);
    for (const node of prepared) this.nodes.set(node.region, node);
    const primaryNode = this.node(primary);
    const secondaryNode = this.node(secondary);
    await writeStandbyConfig(secondaryNode.dirs.data, this.upstream(secondary), this.runAs);
    mark('dirs ready');
    await primaryNode.server.start();
    mark('primary started');
    await this.setPasswords(primaryNode);
    mark('passwords set');
    this.currentWriter = primary;
    // The standby replays the password change from WAL, so it can start now; the schema follows it.
    await Promise.all([secondaryNode.server.start(), this.runInitSql(primaryNode)]);
    mark('standby started, schema done');
    await waitForStreaming(primaryNode, secondary, { timeoutMs: 30_000, signal: this.stopping.signal });
    this.startedInMs = Math.round(performance.now() - began);
    this.log(
      `database up in ${this.startedInMs} ms: writer ${primary}, standby ${secondary} streaming via wan`,
    );
  }

  /** postgres://luneo:<pw>@127.0.0.1:<port of the region's client Link>/luneo */
  url(region: Region): string {
    const { port } = this.endpoint(region);
    return `postgres://luneo:${this.passwords.luneo}@127.0.0.1:${port}/luneo`;
  }

  endpoint(region: Region): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.node(region).clientLink.port };
  }

  /** The region promoted last (null before start). */
  writer(): Region | null {
    return this.currentWriter;
  }

  role(region: Region): Promise<DbRole> {
    return this.node(region).role();
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

  /** End of the outage. A fenced-to-be old writer is stopped before clients can reach it again. */
  reconnect(region: Region): void {
    const node = this.node(region);
    node.isolated = false;
    this.applyWanState();
    this.log(`${region} reconnected`);
    const isOldWriter = node.sync === 'pending-resync' && region !== this.currentWriter;
    if (!isOldWriter) {
      node.clientLink.restore();
      return;
    }
    this.inBackground(`fence and rejoin ${region}`, async () => {
      if (node.server.running && !node.fenced) await this.fence(node);
      node.clientLink.restore();
      if (this.autoRejoin) await this.rejoin(region);
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

  /** Back in its previous role; an old writer that lost its role is rejoined instead of coming back as writer. */
  async restart(region: Region): Promise<void> {
    const node = this.node(region);
    if (node.sync === 'pending-resync' && region !== this.currentWriter) {
      node.fenced = true;
      if (!node.isolated && this.autoRejoin) await this.rejoin(region);
      return;
    }
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

  /** Resolves when background work (fence, rejoin) started by reconnect()/failover() has finished. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  linkStats(): LinkStats[] {
    return [
      ...[...this.nodes.values()].map((n) => n.clientLink.stats()),
      ...(this.wan ? [this.wan.stats()] : []),
    ];
  }

  /** Stops both servers and every link; no process is left behind. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.settled();
    const nodes = [...this.nodes.values()];
    await Promise.all([...nodes.map((n) => n.clientLink.close()), this.wan?.close()]);
    await Promise.all(nodes.map((n) => n.server.stop()));
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

  private async prepareNode(region: Region, port: number, template: string): Promise<DbNode> {
    const root = join(this.opts.dir, region);
    await rm(root, { recursive: true, force: true });
    // A unix socket path must stay under ~100 bytes: fall back to a short private dir when `dir` is deep.
    let socketDir = join(root, 'run');
    if (socketDir.length > 80) socketDir = join(tmpdir(), `drill-pg-${randomBytes(4).toString('hex')}`);
    const dirs = nodeDirs(this.opts.dir, region, socketDir);
    await Promise.all([dirs.log, dirs.socket].map((d) => mkdir(d, { recursive: true, mode: 0o700 })));
    await Promise.all([chownTree(root, this.runAs), chownTree(socketDir, this.runAs)]);
    await copyTemplate(template, dirs.data, this.runAs);
    const server = new PgServer({
      name: region,
      bins: this.bins!,
      runAs: this.runAs,
      dataDir: dirs.data,
      socketDir,
      logFile: join(dirs.log, 'postgres.log'),
      port,
    });
    const clientLink = new Link({ name: `db-${region}`, target: { host: '127.0.0.1', port } });
    await clientLink.start();
    return new DbNode(region, server, clientLink, dirs, this.passwords.postgres);
  }

  private async setPasswords(node: DbNode): Promise<void> {
    const statements = Object.entries(this.passwords)
      .map(([role, password]) => `ALTER ROLE ${role} PASSWORD '${password}';`)
      .join('\n');
    await query(node.server.socketTarget(), statements);
  }

  private async runInitSql(node: DbNode): Promise<void> {
    if (!this.opts.initSql) return;
    const target = { ...node.admin('luneo'), user: 'luneo', password: this.passwords.luneo };
    await query(target, this.opts.initSql, [], 60_000);
  }

  /** The directory must be reachable by the server user (root's home is not, for `postgres`). */
  private async checkReachable(dir: string): Promise<void> {
    if (!this.runAs) return;
    // Our own lab dir may be private (mkdtemp makes 0700): let the server user pass through it.
    const { mode } = await stat(dir);
    await chmod(dir, (mode & 0o7777) | 0o001);
    try {
      await run('test', ['-x', dir], { runAs: this.runAs });
    } catch (error) {
      throw new PgLabError(
        'DirNotAccessible',
        `${dir} is not reachable by the user ${this.runAs.name}: allow it (chmod o+x on each parent) or use a dir under /tmp`,
        { cause: error },
      );
    }
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
        if (this.autoRejoin) this.inBackground(`rejoin ${region}`, () => this.rejoin(region));
      },
      signal: this.stopping.signal,
      log: this.log,
    };
  }
}
