// One redis-server process (Debian's redis-server 7) on a free port, configured by a 0600 file so the password
// never shows in `ps`. The control plane talks to it on its own port; clients go through the region's Link.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from '../net/ports.ts';
import { RedisLabError } from './errors.ts';

export interface RedisServerOptions {
  /** e.g. 'redis-eu-west-1', shown in logs and errors. */
  name: string;
  dir: string;
  port: number;
  password: string;
  log?: (line: string) => void;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** If our process exits without stop(), take the servers down with it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** Path of Debian's redis-server, or a RedisLabError saying what to install. */
export function findRedisServer(): string {
  for (const candidate of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    if (existsSync(candidate)) return candidate;
  }
  throw new RedisLabError(
    'RedisNotInstalled',
    'redis-server is not installed: run `apt-get install -y redis-server` (or bash scripts/setup.sh)',
  );
}

export class RedisServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private controlClient: Redis | undefined;

  constructor(readonly opts: RedisServerOptions) {}

  get port(): number {
    return this.opts.port;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /**
   * Spawn redis-server and wait until it answers PING (a replica answers too, before it has synced).
   * A port picked free can be taken by another lab booting at the same moment: then it takes another.
   */
  async start(timeoutMs = 10_000): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startOnce(timeoutMs);
      } catch (error) {
        const log = await readFile(join(this.opts.dir, 'redis.log'), 'utf8').catch(() => '');
        if (attempt >= 3 || this.child || !log.includes(`${this.opts.port}: bind: Address already in use`))
          throw error;
        this.controlClient?.disconnect();
        this.controlClient = undefined;
        this.opts.port = await freePort();
      }
    }
  }

  private async startOnce(timeoutMs: number): Promise<void> {
    if (this.child) return;
    const { dir, port, password, name } = this.opts;
    await mkdir(dir, { recursive: true });
    const conf = join(dir, 'redis.conf');
    // No persistence: the lab's caches live in memory, as a failover test of replication needs.
    const lines = [
      `port ${port}`,
      'bind 127.0.0.1',
      'protected-mode no',
      `dir ${dir}`,
      'save ""',
      'appendonly no',
      `logfile ${join(dir, 'redis.log')}`,
      `requirepass ${password}`,
      `masterauth ${password}`,
      'repl-diskless-sync yes',
      'repl-diskless-sync-delay 0',
      'repl-ping-replica-period 1',
      'repl-timeout 5',
      'replica-serve-stale-data yes',
      'replica-read-only yes',
    ];
    await writeFile(conf, `${lines.join('\n')}\n`, { mode: 0o600 });
    installExitHook();
    const child = spawn(findRedisServer(), [conf], { stdio: 'ignore' });
    this.child = child;
    live.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        live.delete(child);
        if (this.child === child) this.child = undefined;
        resolve();
      }),
    );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await this.control()
        .ping()
        .catch((error: Error) => error);
      if (answer === 'PONG') break;
      if (!this.child || Date.now() > deadline) {
        throw new RedisLabError(
          'RedisStartFailed',
          `${name} did not answer PING on port ${port} within ${timeoutMs} ms: see ${join(dir, 'redis.log')}`,
        );
      }
      await sleep(50);
    }
    this.opts.log?.(`${name} up on 127.0.0.1:${port}`);
  }

  /** The control plane's connection on the server's own port (not the clients' Link). */
  control(): Redis {
    if (!this.controlClient) {
      this.controlClient = new Redis({
        host: '127.0.0.1',
        port: this.opts.port,
        password: this.opts.password,
        lazyConnect: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 1000,
        commandTimeout: 5000,
        retryStrategy: () => 100,
      });
      this.controlClient.on('error', () => {});
    }
    return this.controlClient;
  }

  /** `INFO replication` as a map (role, master_repl_offset, master_link_status...). */
  async replicationInfo(): Promise<Map<string, string>> {
    const text = await this.control().info('replication');
    const out = new Map<string, string>();
    for (const line of text.split(/\r?\n/)) {
      const at = line.indexOf(':');
      if (at > 0) out.set(line.slice(0, at), line.slice(at + 1));
    }
    return out;
  }

  async stop(): Promise<void> {
    this.controlClient?.disconnect();
    this.controlClient = undefined;
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(killer);
  }
}
