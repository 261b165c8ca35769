// Test helper: `pnpm report` and `pnpm compliance` as the package scripts run them (node --import tsx <cli>),
// as real processes, no shell between: their exit code and output are what CI sees.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { vi } from 'vitest';
import { PROJECT_ROOT } from '../../core/registry.ts';

export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const REPORT_CLI = join('reports', 'cli.ts');

export function runCli(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, script), ...args], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A CLI's `main(argv)` in this process (no start-up cost): its exit code and what it wrote to stdout. */
export async function runMain(
  main: (argv: string[]) => Promise<number>,
  args: string[],
): Promise<Omit<CliOutcome, 'stderr'>> {
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stdout };
  } finally {
    spy.mockRestore();
  }
}
