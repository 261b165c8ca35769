// Test helper: runs `pnpm drill ...` as a real process (node --import tsx core/cli/main.ts), no shell between.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalData } from '../journal.ts';
import { PROJECT_ROOT } from '../registry.ts';

export interface DrillProcess {
  child: ChildProcess;
  /** Everything written so far to stdout and stderr. */
  output(): string;
  exited: Promise<number | null>;
}

export interface Sandbox {
  dir: string;
  outDir: string;
  stateFile: string;
  env: NodeJS.ProcessEnv;
}

/** A private out dir and memory-platform state file, so tests can run side by side. */
export function sandbox(extraEnv: NodeJS.ProcessEnv = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'drill-cli-'));
  const stateFile = join(dir, 'memory-state.json');
  return {
    dir,
    outDir: join(dir, 'out'),
    stateFile,
    env: { ...process.env, CI: '1', DRILL_MEMORY_STATE: stateFile, ...extraEnv },
  };
}

export function spawnDrill(args: string[], env: NodeJS.ProcessEnv): DrillProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(PROJECT_ROOT, 'core/cli/main.ts'), ...args],
    {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

export async function runDrill(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  const p = spawnDrill(args, env);
  const code = await p.exited;
  return { code, output: p.output() };
}

/** The only run directory under `outDir` (undefined until the run has created it). */
export function runDirIn(outDir: string): string | undefined {
  const runs = join(outDir, 'runs');
  if (!existsSync(runs)) return undefined;
  const [first] = readdirSync(runs);
  return first === undefined ? undefined : join(runs, first);
}

export function readJournal(runDir: string): JournalData | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, 'journal.json'), 'utf8')) as JournalData;
  } catch {
    return undefined;
  }
}

/** Polls the journal until `predicate` holds (or the process exits first, which fails). */
export async function waitForJournal(
  outDir: string,
  p: DrillProcess,
  predicate: (journal: JournalData) => boolean,
  timeoutMs = 60_000,
): Promise<JournalData> {
  let exited = false;
  void p.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const runDir = runDirIn(outDir);
    const journal = runDir ? readJournal(runDir) : undefined;
    if (journal && predicate(journal)) return journal;
    if (exited) throw new Error(`drill exited before the journal matched; output:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 15));
  }
  throw new Error(`journal never matched within ${timeoutMs}ms; output:\n${p.output()}`);
}
