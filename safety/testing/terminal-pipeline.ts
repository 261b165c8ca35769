// `pnpm drill … 2>&1 | tee <file>` as a terminal runs it: a shell pipeline in a process group of its own, so a
// signal to the group reaches pnpm, the drill, its vitest worker and tee at once, as Ctrl-C or a hang-up does.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DrillProcess } from '../../core/cli/spawn-drill.ts';
import { PROJECT_ROOT } from '../../core/registry.ts';

export interface TerminalPipeline extends DrillProcess {
  /** The pipeline's process group (the shell's pid). */
  pgid: number;
  /** What reached tee's file. */
  teeFile: string;
  /** Sends `signal` to every process of the group, as the terminal does. */
  signalGroup(signal: NodeJS.Signals): void;
  /** The group's processes now, and their children that left it. */
  processes(): PipelineProcess[];
}

export interface PipelineProcess {
  pid: number;
  ppid: number;
  pgid: number;
  command: string;
}

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/** Resolves once no process of the group is left (the drill, its worker, pnpm, tee: all of them). */
async function groupEnded(pgid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The processes of group `pgid` and their children, which may have left it (Linux /proc). */
function groupProcesses(pgid: number): PipelineProcess[] {
  const all: PipelineProcess[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // After "pid (name) ": state, ppid, pgrp (the name may hold spaces and parentheses).
      const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      all.push({ pid: Number(pid), ppid: Number(ppid), pgid: Number(pgrp), command });
    } catch {
      // gone meanwhile
    }
  }
  const members = new Set(all.filter((p) => p.pgid === pgid).map((p) => p.pid));
  return all.filter((p) => members.has(p.pid) || members.has(p.ppid));
}

export function spawnTeePipeline(args: string[], env: NodeJS.ProcessEnv, dir: string): TerminalPipeline {
  const teeFile = join(dir, 'tee.log');
  const command = `pnpm drill ${args.map(quote).join(' ')} 2>&1 | tee ${quote(teeFile)}`;
  const child = spawn('sh', ['-c', command], { cwd: PROJECT_ROOT, env, detached: true, stdio: 'ignore' });
  const pgid = child.pid as number;
  const output = () => {
    try {
      return readFileSync(teeFile, 'utf8');
    } catch {
      return '';
    }
  };
  // The pipeline's own status is tee's: the drill's verdict is read from its run directory instead.
  const exited = groupEnded(pgid).then(() => null);
  return {
    child,
    pgid,
    teeFile,
    output,
    exited,
    signalGroup: (signal) => process.kill(-pgid, signal),
    processes: () => groupProcesses(pgid),
  };
}
