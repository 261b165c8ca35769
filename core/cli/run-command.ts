// `pnpm drill <scenario>`: validate everything, apply the live-target guardrail, then run.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { serveLiveRun } from '../../live/cli.ts';
import { applyClockOffset } from '../clock.ts';
import { autoConfirmOf, setAutoConfirm } from '../control/auto-confirm.ts';
import { claimRun } from '../control/owner.ts';
import { promptCheckpoints } from '../control/terminal-prompt.ts';
import { DrillError } from '../errors.ts';
import { type LoadedDrill, loadDrill } from '../load-drill.ts';
import type { Target } from '../model.ts';
import { CONSOLE_LOG_FILE } from '../output/console-log.ts';
import { processConsoleLog } from '../output/stdio.ts';
import { createRunId } from '../runner/ids.ts';
import { RESULT_FILE } from '../runner/report.ts';
import type { RunResult } from '../runner/result-schema.ts';
import { wayBackScenario } from '../safety/way-back.ts';
import { applySignOffFlags } from '../sign-off.ts';
import { EXIT } from './exit-codes.ts';

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
  /** Manual checkpoints confirm at once (true), or wait for a person (false); default: the target's kind decides. */
  autoConfirm?: boolean;
  /** After an abort that left an irreversible step (a promotion), run its way back (the switchback) at once. */
  restoreOnAbort?: boolean;
  /** How the way back is run (tests); default: runCommand. */
  runWayBack?: (scenario: string, opts: RunCommandOptions) => Promise<number>;
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
  // The live page follows the run from its events.jsonl, in this process whatever runs the engine.
  const liveView = opts.dryRun ? undefined : await serveLiveRun(join(outDir, 'runs', runId));
  let code: number;
  try {
    code = await runOnce(drill, runId, outDir, opts);
  } finally {
    await liveView?.close();
  }
  return afterAbort(code, join(outDir, 'runs', runId, RESULT_FILE), opts);
}

async function runOnce(
  drill: LoadedDrill,
  runId: string,
  outDir: string,
  opts: RunCommandOptions,
): Promise<number> {
  // From here on, everything this process and the vitest worker print is also in the run's console.log.
  const runDir = join(outDir, 'runs', runId);
  processConsoleLog.attach(join(runDir, CONSOLE_LOG_FILE));
  claimRun(runDir, runId);
  if (opts.autoConfirm !== undefined) setAutoConfirm(runDir, opts.autoConfirm);
  // This process owns the terminal: a checkpoint asks here, wherever the engine runs.
  const stopPrompt =
    !opts.dryRun && process.stdin.isTTY && !autoConfirmOf(runDir, drill.target).auto
      ? promptCheckpoints(runDir, { input: process.stdin, output: process.stderr })
      : undefined;
  try {
    return await runEngine(drill, runId, outDir, opts);
  } finally {
    stopPrompt?.();
  }
}

async function runEngine(
  drill: LoadedDrill,
  runId: string,
  outDir: string,
  opts: RunCommandOptions,
): Promise<number> {
  // Each path loads only what it runs: the vitest path never needs the engine nor OpenTelemetry in this process.
  if (!opts.inProcess) {
    const { runThroughVitest } = await import('./vitest-runner.ts');
    return runThroughVitest({
      scenario: drill.scenario.name,
      target: drill.target.name,
      runId,
      outDir,
      dryRun: opts.dryRun ?? false,
      prepareAhead: drill.target.prepareAhead?.bind(drill.target),
    });
  }
  const [{ Redactor }, { ConsoleReporter }, { runScenario }, { telemetryReporters }, { handleInterrupts }] =
    await Promise.all([
      import('../redact.ts'),
      import('../reporters/console.ts'),
      import('../runner/run-scenario.ts'),
      import('../telemetry/index.ts'),
      import('./interrupt.ts'),
    ]);
  const redactor = new Redactor();
  const controller = new AbortController();
  const release = handleInterrupts({
    runId,
    runDir: join(outDir, 'runs', runId),
    onFirst: (reason) => controller.abort(reason),
  });
  try {
    const result = await runScenario(drill.scenario, drill.target, {
      runId,
      outDir,
      dryRun: opts.dryRun,
      signal: controller.signal,
      scenarioFile: drill.scenarioFile,
      targetFile: drill.targetFile,
      redactor,
      reporters: [new ConsoleReporter({ redactor }), ...telemetryReporters({ redactor })],
    });
    return result.exitCode;
  } finally {
    release();
  }
}

/** The scenario's own restore steps (its way back) all ran: nothing is left to say or run. */
const wayBackRan = (result: RunResult) => {
  const restore = (result.steps ?? []).filter((s) => s.phase === 'restore');
  return restore.length > 0 && restore.every((s) => s.status === 'ok');
};

/**
 * An aborted drill that started an irreversible step left the target failed over: its abort path is the way
 * back (the switchback). With --restore-on-abort it runs now, on the same target; otherwise the command is printed.
 */
export async function afterAbort(
  code: number,
  resultFile: string,
  opts: RunCommandOptions,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  if (!existsSync(resultFile)) return code;
  const result = JSON.parse(readFileSync(resultFile, 'utf8')) as RunResult;
  const step = result.irreversible[0];
  if (result.verdict !== 'aborted' || !step || wayBackRan(result)) return code;
  const scenario = wayBackScenario(step.wayBack);
  if (!opts.restoreOnAbort || !scenario) {
    write(
      `‼ aborted after "${step.title}", which cannot be undone: the abort path is the way back: ${step.wayBack}${scenario ? ' (or pass --restore-on-abort to run it at once)' : ''}`,
    );
    return code;
  }
  write(`--restore-on-abort: "${step.title}" cannot be undone; running its way back: ${step.wayBack}`);
  // The operator confirmed this target for the aborted drill already.
  const back = await (opts.runWayBack ?? runCommand)(scenario, {
    ...opts,
    restoreOnAbort: false,
    yes: true,
    target: result.target.name,
  });
  write(
    back === EXIT.passed
      ? `--restore-on-abort: ${scenario} passed: the target is back on its primary`
      : `--restore-on-abort: ${scenario} ended with exit ${back}: the target is NOT back; see its run above and ${resultFile}`,
  );
  return code;
}
