// The processes a lab left in its directory when its daemon died without stopping them (kill -9, a crash, a stop
// that timed out): found, killed with their process groups, and waited for. A lab started again in that directory
// then never meets one of them still holding a port (postgres, redis-server, a pod or a process a pod started).
// Linux /proc, as the rest of the lab (its servers and pods are local processes).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

interface ProcessEntry {
  pid: number;
  pgid: number;
  command: string;
  zombie: boolean;
}

/** Servers that chdir into their data directory under the lab's (postgres -D, redis-server's `dir`). */
const SERVERS = new Set(['postgres', 'redis-server']);

/**
 * SIGKILLs every process of the lab in `dir` and every process of their groups, and waits until none runs, at most
 * `timeoutMs`; returns how many it found. A lab process is one whose output goes to a file under `dir` (pods,
 * postgres, the daemon) or a server whose working directory is under it (redis-server, postgres). Its group goes
 * with it unless that group's leader runs and is no lab process (a shell, a test runner): then only it goes. The
 * caller's own process group is never touched.
 */
export async function killLeftovers(dir: string, timeoutMs = 10_000): Promise<number> {
  const root = `${resolve(dir)}${sep}`;
  const all = processes();
  const ownGroup = all.find((p) => p.pid === process.pid)?.pgid;
  const running = new Map(all.filter((p) => !p.zombie && p.pgid !== ownGroup).map((p) => [p.pid, p]));
  const owned = [...running.values()].filter((p) => ownedByLab(p, root));
  const ownedPids = new Set(owned.map((p) => p.pid));
  // A pod's or a postmaster's group (its children), or the group of a daemon that died (its redis-servers).
  const groups = new Set(
    owned.filter((p) => !running.has(p.pgid) || ownedPids.has(p.pgid)).map((p) => p.pgid),
  );
  const doomed = [...running.values()]
    .filter((p) => ownedPids.has(p.pid) || groups.has(p.pgid))
    .map((p) => p.pid);
  for (const pgid of groups) signal(-pgid);
  for (const pid of doomed) signal(pid);
  const deadline = Date.now() + timeoutMs;
  while (doomed.some(isRunning) && Date.now() < deadline) await sleep(20);
  return doomed.length;
}

function ownedByLab(entry: ProcessEntry, root: string): boolean {
  const under = (link: string) => {
    try {
      return readlinkSync(`/proc/${entry.pid}/${link}`).startsWith(root);
    } catch {
      return false; // gone, or not ours to read
    }
  };
  return under('fd/1') || under('fd/2') || (SERVERS.has(entry.command) && under('cwd'));
}

function processes(): ProcessEntry[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      const entry = readEntry(Number(name));
      return entry ? [entry] : [];
    });
}

/** A /proc stat line's command and the fields after it ("pid (comm) state ppid pgrp ..."): comm may hold spaces
 *  and parentheses, so the fields start after the last ")". Throws when the process or thread is gone. */
function readStat(path: string): { command: string; fields: string[] } {
  const stat = readFileSync(path, 'utf8');
  return {
    command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    fields: stat.slice(stat.lastIndexOf(')') + 2).split(' '),
  };
}

function readEntry(pid: number): ProcessEntry | undefined {
  try {
    const { command, fields } = readStat(`/proc/${pid}/stat`);
    const [state, , pgid] = fields;
    return { pid, pgid: Number(pgid), command, zombie: state === 'Z' };
  } catch {
    return undefined; // ended while we looked
  }
}

/**
 * Alive and not a zombie. A killed multi-threaded process (node) shows its leader as a zombie while its other threads
 * still exit, and its sockets close only with the last of them (proc(5): /proc/<pid>/task), so every thread counts.
 */
function isRunning(pid: number): boolean {
  const entry = readEntry(pid);
  if (entry === undefined) return false;
  if (!entry.zombie) return true;
  try {
    return readdirSync(`/proc/${pid}/task`).some(
      (tid) => readStat(`/proc/${pid}/task/${tid}/stat`).fields[0] !== 'Z',
    );
  } catch {
    return false; // reaped while we looked
  }
}

function signal(target: number): void {
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    // already gone
  }
}
