// One PostgreSQL server process (postmaster in its own process group) over a data directory.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { freePort, portIsFree } from '../net/ports.ts';
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
  /** The first port; start() moves to a fresh one when something else holds it (onPortChange says so). */
  port: number;
}

const START_ATTEMPTS = 3;

/** What postgres logs when another socket holds its port: "could not bind ... Address already in use" + the hint. */
function lostTheBind(startError: unknown, port: number): boolean {
  const message = startError instanceof Error ? startError.message : '';
  return (
    message.includes('Address already in use') &&
    message.includes(`Is another postmaster already running on port ${port}?`)
  );
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
  private readonly portListeners: ((port: number, previous: number) => void)[] = [];

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

  /** Called with the new port whenever start() had to leave the old one (whoever points at the server follows). */
  onPortChange(listener: (port: number, previous: number) => void): void {
    this.portListeners.push(listener);
  }

  /**
   * Spawn the postmaster and wait until it accepts connections (a standby: read-only ones). A port is never
   * reused while something holds it: between a stop and this start another lab may have taken it (or an
   * outgoing connection, or a process we did not start), so a held port, or a bind lost to a racer, moves
   * the server to a fresh port.
   */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.child) return;
    for (let attempt = 1; ; attempt++) {
      if (!(await portIsFree(this.port))) this.movePort(await freePort());
      const port = this.port;
      try {
        return await this.startOnce(timeoutMs);
      } catch (error) {
        if (attempt >= START_ATTEMPTS || !lostTheBind(error, port)) throw error;
        this.movePort(await freePort());
      }
    }
  }

  private movePort(port: number): void {
    const previous = this.opts.port;
    this.opts.port = port;
    for (const listener of this.portListeners) listener(port, previous);
  }

  private async startOnce(timeoutMs: number): Promise<void> {
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
        throw new PgLabError(
          'ServerStartFailed',
          `postgres ${name} exited during start on port ${port}: ${this.logTail()}`,
        );
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
    const processes = this.pids();
    this.signal('SIGINT');
    const stopped = await Promise.race([
      this.exited.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
    ]);
    if (!stopped) await this.kill();
    await allGone(processes);
  }

  /** kill -9 the whole process group: a crash, as a power loss would leave it. */
  async kill(): Promise<void> {
    if (!this.child) return;
    const processes = this.pids();
    this.signal('SIGKILL');
    await this.exited;
    // A backend outliving its postmaster by a moment still holds the shared memory a restart needs.
    await allGone(processes);
  }

  /** Re-read the configuration files (SIGHUP to the postmaster, as pg_ctl reload sends). */
  reload(): void {
    const pid = this.child?.pid;
    if (pid) process.kill(pid, 'SIGHUP');
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

/** Until none of `pids` runs any more (a zombie has let go of everything), at most `timeoutMs`. */
async function allGone(pids: number[], timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
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
