// Test helper: `pnpm drill ...` as a real process against a lab that is up, into a shared out dir, and the
// result.json of the run it made (found as the run directory that was not there before).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

export async function drillInto(outDir: string, args: string[], env: NodeJS.ProcessEnv): Promise<LabDrill> {
  const before = new Set(runIds(outDir));
  const { code, output } = await runDrill([...args, '--out', outDir], env);
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
