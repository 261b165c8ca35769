// `pnpm drill <scenario>`: validate everything, apply the live-target guardrail, then run.
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { applyClockOffset } from '../clock.ts';
import { DrillError, errorMessage, type Problem, ValidationError } from '../errors.ts';
import type { Scenario, Target } from '../model.ts';
import { Redactor } from '../redact.ts';
import { loadModule } from '../registry.ts';
import { ConsoleReporter } from '../reporters/console.ts';
import { createRunId } from '../runner/ids.ts';
import { runScenario } from '../runner/run-scenario.ts';
import { applySignOffFlags } from '../sign-off.ts';
import { validateScenario, validateTarget } from '../validate/index.ts';
import { handleInterrupts } from './interrupt.ts';
import { runThroughVitest } from './vitest-runner.ts';

export interface RunCommandOptions {
  target?: string;
  dryRun?: boolean;
  execute?: boolean;
  yes?: boolean;
  out: string;
  /** Run the engine in this process, without vitest and Allure. */
  inProcess?: boolean;
  /** Recorded in result.json's signOff. */
  approver?: string;
  participants?: string;
  /** Shift of the recorded wall time ("-200d"); recorded as clockOffset, refused on live targets. */
  clockOffset?: string;
}

export interface LoadedDrill {
  scenario: Scenario<unknown>;
  target: Target<unknown>;
  scenarioFile: string;
  targetFile: string;
}

/** Loads and validates a scenario and its target; throws ValidationError with every problem of both. */
export async function loadDrill(scenarioName: string, targetName: string | undefined): Promise<LoadedDrill> {
  const scenarioModule = await loadModule('scenario', scenarioName);
  const scenarioProblems = validateScenario(scenarioModule.value, scenarioModule.file);
  const declared = (scenarioModule.value as { defaultTarget?: unknown }).defaultTarget;
  const name = targetName ?? (typeof declared === 'string' ? declared : 'lab');
  let targetModule: { file: string; value: unknown };
  try {
    targetModule = await loadModule('target', name);
  } catch (error) {
    // Report the unknown target together with the scenario's own problems.
    const problems: Problem[] = [
      ...scenarioProblems,
      { file: '--target', path: '', message: errorMessage(error) },
    ];
    throw new ValidationError(problems);
  }
  const problems = [...scenarioProblems, ...validateTarget(targetModule.value, targetModule.file)];
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    scenario: scenarioModule.value as Scenario<unknown>,
    target: targetModule.value as Target<unknown>,
    scenarioFile: scenarioModule.file,
    targetFile: targetModule.file,
  };
}

/** Live targets: a real run needs --execute, and --execute without --yes asks to type the target name. */
export async function guardLiveTarget(target: Target<unknown>, opts: RunCommandOptions): Promise<void> {
  if (target.kind !== 'live' || opts.dryRun) return;
  if (!opts.execute) {
    throw new DrillError(
      'E_USAGE',
      `target "${target.name}" is live: add --execute to run against it, or --dry-run to print the plan`,
    );
  }
  if (opts.yes) return;
  if (!process.stdin.isTTY) {
    throw new DrillError(
      'E_USAGE',
      `target "${target.name}" is live and stdin is not a terminal: confirm with --yes`,
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const typed = await rl.question(
    `This drill changes live resources of "${target.name}". Type the target name to go on: `,
  );
  rl.close();
  if (typed.trim() !== target.name)
    throw new DrillError(
      'E_USAGE',
      `confirmation "${typed.trim()}" does not match "${target.name}": nothing was run`,
    );
}

export async function runCommand(scenarioName: string, opts: RunCommandOptions): Promise<number> {
  if (opts.dryRun && opts.execute)
    throw new DrillError('E_USAGE', '--dry-run and --execute exclude each other: pick one');
  const drill = await loadDrill(scenarioName, opts.target);
  applyClockOffset(opts.clockOffset, drill.target);
  applySignOffFlags(opts);
  await guardLiveTarget(drill.target, opts);
  const runId = createRunId(drill.scenario.name);
  const outDir = resolve(opts.out);
  if (!opts.inProcess) {
    return runThroughVitest({
      scenario: drill.scenario.name,
      target: drill.target.name,
      runId,
      outDir,
      dryRun: opts.dryRun ?? false,
    });
  }
  const redactor = new Redactor();
  const controller = new AbortController();
  const release = handleInterrupts({ runId, onFirst: (reason) => controller.abort(reason) });
  try {
    const result = await runScenario(drill.scenario, drill.target, {
      runId,
      outDir,
      dryRun: opts.dryRun,
      signal: controller.signal,
      scenarioFile: drill.scenarioFile,
      targetFile: drill.targetFile,
      redactor,
      reporters: [new ConsoleReporter({ redactor })],
    });
    return result.exitCode;
  } finally {
    release();
  }
}
