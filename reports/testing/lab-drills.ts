// Test helper: `pnpm drill ...` against a lab that is up, into a shared out dir (as a real process, or its
// run command in this process), and the result.json of the run it made (the run dir that was not there before).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vi } from 'vitest';
import { type RunCommandOptions, runCommand } from '../../core/cli/run-command.ts';
import { runDrill } from '../../core/cli/spawn-drill.ts';
import { RESULT_FILE } from '../../core/runner/report.ts';
import type { RunResult } from '../../core/runner/result-schema.ts';

export interface LabDrill {
  code: number | null;
  output: string;
  runDir: string;
  result: RunResult;
}

const runIds = (outDir: string): string[] =>
  existsSync(join(outDir, 'runs')) ? readdirSync(join(outDir, 'runs')) : [];

function madeRun(outDir: string, before: Set<string>, args: string[], code: number | null, output: string) {
  const made = runIds(outDir).filter((id) => !before.has(id));
  if (made.length !== 1) {
    throw new Error(`pnpm drill ${args.join(' ')} made ${made.length} run dirs (exit ${code}):\n${output}`);
  }
  const runDir = join(outDir, 'runs', made[0] as string);
  if (!existsSync(join(runDir, RESULT_FILE))) {
    throw new Error(`pnpm drill ${args.join(' ')} wrote no ${RESULT_FILE} (exit ${code}):\n${output}`);
  }
  const result = JSON.parse(readFileSync(join(runDir, RESULT_FILE), 'utf8')) as RunResult;
  return { code, output, runDir, result };
}

/** `pnpm drill <args> --out <outDir>` as a process. */
export async function drillInto(outDir: string, args: string[], env: NodeJS.ProcessEnv): Promise<LabDrill> {
  const before = new Set(runIds(outDir));
  const { code, output } = await runDrill([...args, '--out', outDir], env);
  return madeRun(outDir, before, args, code, output);
}

/** The process-wide settings the run command reads or sets (the CLI sets them for its own process). */
const RUN_ENV = ['LAB_DIR', 'DRILL_CLOCK_OFFSET', 'DRILL_APPROVER', 'DRILL_PARTICIPANTS', 'CI'] as const;

/**
 * What `pnpm drill <scenario> --in-process ...` runs after parsing its arguments, in this process: no start-up
 * (seconds per run on a loaded machine). `env` applies for the run only; the drill's output is captured.
 */
export async function drillInThisProcess(
  outDir: string,
  scenario: string,
  opts: Omit<RunCommandOptions, 'out' | 'inProcess'>,
  env: Partial<Record<(typeof RUN_ENV)[number], string>>,
): Promise<LabDrill> {
  const before = new Set(runIds(outDir));
  const saved = RUN_ENV.map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, env);
  let output = '';
  const capture = (chunk: unknown) => {
    output += String(chunk);
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  let code: number | null;
  try {
    code = await runCommand(scenario, { ...opts, out: outDir, inProcess: true });
  } catch (error) {
    output += `\n${(error as Error).stack}`;
    code = null;
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return madeRun(outDir, before, [scenario], code, output);
}
