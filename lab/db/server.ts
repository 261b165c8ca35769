// One PostgreSQL server process (postmaster in its own process group) over a data directory.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import type { PgBinaries } from './binaries.ts';
import { PgLabError } from './errors.ts';
import type { RunAs } from './run.ts';
import { type ConnectTarget, query, waitFor } from './sql.ts';

export interface PgServerOptions {
  name: string;
  bins: PgBinaries;
  runAs: RunAs | undefined;
  dataDir: string;
  socketDir: string;
  logFile: string;
  port: number;
}

const live = new Set<PgServer>();
let exitHookInstalled = false;

/** If our process exits without stop(), take the servers down with it (immediate shutdown). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const server of live) server.signal('SIGQUIT');
  });
}

export class PgServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly opts: PgServerOptions) {}

  get port(): number {
    return this.opts.port;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** The unix-socket superuser connection (trust, socket dir owned by the server user): bootstrap only. */
  socketTarget(database = 'luneo'): ConnectTarget {
    return { host: this.opts.socketDir, port: this.opts.port, user: 'postgres', database };
  }

  /** Spawn the postmaster and wait until it accepts connections (a standby: read-only ones). */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.child) return;
    const { bins, runAs, dataDir, socketDir, logFile, port, name } = this.opts;
    const log = openSync(logFile, 'a');
    // Per-server settings on the command line: pg_rewind and base backups copy the config files.
    const args = ['-D', dataDir, '-p', String(port), '-k', socketDir, '-c', `cluster_name=${name}`];
    const child = spawn(bins.bin('postgres'), args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
      cwd: '/',
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
    });
    closeSync(log);
    this.child = child;
    live.add(this);
    installExitHook();
    const gaveUp = new AbortController();
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        if (this.child === child) this.child = undefined;
        live.delete(this);
        gaveUp.abort();
        resolve();
      });
      child.once('error', () => resolve());
    });
    try {
      const died = this.exited.then(() => {
        throw new PgLabError('ServerStartFailed', `postgres ${name} exited during start: ${this.logTail()}`);
      });
      const ready = waitFor(
        `${name} to accept connections on port ${port}`,
        async () =>
          (await query(this.socketTarget('template1'), 'SELECT 1', [], 1_000)).length > 0 || undefined,
        { timeoutMs, signal: gaveUp.signal },
      );
      died.catch(() => {});
      await Promise.race([ready, died]);
    } catch (error) {
      gaveUp.abort();
      if (this.child) await this.kill();
      if (error instanceof PgLabError && error.code === 'WaitTimeout') {
        throw new PgLabError('ServerStartFailed', `${error.message}; log: ${this.logTail()}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** Fast shutdown (clean: a checkpoint, WAL handed to the walsenders); escalates if it hangs. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.child) return;
    this.signal('SIGINT');
    const stopped = await Promise.race([
      this.exited.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
    ]);
    if (!stopped) await this.kill();
  }

  /** kill -9 the whole process group: a crash, as a power loss would leave it. */
  async kill(): Promise<void> {
    if (!this.child) return;
    this.signal('SIGKILL');
    await this.exited;
  }

  /** Signal the postmaster's process group (best effort). */
  signal(sig: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // Already gone.
    }
  }

  /** The postmaster and every process under it (backends, walsender, walreceiver...). */
  pids(): number[] {
    const root = this.child?.pid;
    if (!root) return [];
    return [root, ...descendants(root)];
  }

  logTail(lines = 8): string {
    if (!existsSync(this.opts.logFile)) return '(no log)';
    return readFileSync(this.opts.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
  }
}

function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the ")" that closes the command name.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop();
    for (const [pid, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(pid);
        frontier.push(pid);
      }
    }
  }
  return found;
}
