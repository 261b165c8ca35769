// A step of .github/workflows/dr-drill.yml run as GitHub's runner runs a `shell: bash` step: its `run:` script in
// `bash --noprofile --norc -eo pipefail <file>`, in a process group of its own (the group a cancellation signals).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../core/registry.ts';
import { WORKFLOWS_DIR } from '../../reports/compliance/workflow-checks.ts';

export const DRILL_WORKFLOW = join(PROJECT_ROOT, WORKFLOWS_DIR, 'dr-drill.yml');

interface Step {
  id?: string;
  run?: string;
}

/** The `run:` script of the step with this id in dr-drill.yml. */
export function workflowStepScript(id: string): string {
  const wf = parse(readFileSync(DRILL_WORKFLOW, 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
  const step = Object.values(wf.jobs)
    .flatMap((job) => job.steps)
    .find((s) => s.id === id);
  if (!step?.run) throw new Error(`${DRILL_WORKFLOW} has no step with id "${id}" and a run script`);
  return step.run;
}

export interface StepProcess {
  /** The step's process group (bash's pid). */
  pgid: number;
  output(): string;
  /** bash's exit code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether any process of the group is left. */
  alive(): boolean;
  signalGroup(signal: NodeJS.Signals): void;
  /**
   * SIGKILLs bash and every process below it, also those in groups of their own (the drill's vitest worker) and
   * those that were below it when the group was signalled.
   */
  killTree(): void;
}

/** Every live process below `root` (Linux /proc), `root` included. */
function processTree(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // After "pid (name) ": state, ppid (the name may hold spaces and parentheses).
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parentOf) if (ppid === tree[i]) tree.push(pid);
  }
  return tree.filter((pid) => parentOf.has(pid));
}

/** Runs step `id` of dr-drill.yml from the project root, its script in `dir`. */
export function runWorkflowStep(id: string, env: NodeJS.ProcessEnv, dir: string): StepProcess {
  const file = join(dir, `step-${id}.sh`);
  writeFileSync(file, workflowStepScript(id));
  const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
    cwd: PROJECT_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const pgid = child.pid as number;
  // The tree as it was when signalled: a process whose parent died meanwhile is no longer found below bash.
  const seen = new Set<number>();
  const alive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  return {
    pgid,
    output: () => text,
    exited: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal }))),
    alive,
    signalGroup: (signal) => {
      for (const pid of processTree(pgid)) seen.add(pid);
      if (alive()) process.kill(-pgid, signal);
    },
    killTree: () => {
      for (const pid of new Set([...seen, ...processTree(pgid)])) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}
