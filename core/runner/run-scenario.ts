// runScenario: plan → preflight → inject (T0) → failover → recover → verify → restore → report.
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { createClock } from '../clock.ts';
import { DrillError, errorMessage, isDrillError } from '../errors.ts';
import { JournalSnapshot } from '../journal.ts';
import type { Phase, Scenario, Target } from '../model.ts';
import { Redactor } from '../redact.ts';
import type { Reporter } from '../reporters/reporter.ts';
import { assertValid, validateScenario, validateTarget } from '../validate/index.ts';
import { DrillRun } from './drill-run.ts';
import { Emitter } from './emitter.ts';
import { EVENTS_FILE, EventLog } from './event-log.ts';
import { createRunId } from './ids.ts';
import { failoverPhase, injectPhase, planPhase, preflightPhase, verifyPhase } from './phases.ts';
import { RecoverySampler } from './probes.ts';
import { recoverPhase } from './recover.ts';
import { verdictOf, writeReport } from './report.ts';
import { restorePhase, stopBackground } from './restore.ts';
import type { RunResult } from './result-schema.ts';
import {
  dryRunSafety,
  releaseSafety,
  safetyGates,
  startAbortConditions,
  stopAbortConditions,
} from './safety.ts';

export interface RunOptions {
  runId?: string;
  /** Results go to `<outDir>/runs/<runId>/`. */
  outDir: string;
  dryRun?: boolean;
  signal?: AbortSignal;
  reporters?: Reporter[];
  scenarioFile?: string;
  targetFile?: string;
  /** Share one redactor with the caller's console output; secrets registered on it are masked everywhere. */
  redactor?: Redactor;
}

/** Codes that mean "the drill ran and found a problem" (verdict failed), as opposed to a bug (error). */
const FAILURE_CODES = ['E_STEP_FAILED', 'E_PREFLIGHT', 'E_PROBE_FAILED', 'E_TIMEOUT', 'E_GUARDRAIL'] as const;

/**
 * Runs one drill. Throws ValidationError (nothing executed, nothing written) when the scenario or
 * target is invalid; otherwise always resolves with the result, whatever the verdict.
 */
export async function runScenario<R>(
  scenario: Scenario<R>,
  target: Target<R>,
  opts: RunOptions,
): Promise<RunResult> {
  const scenarioFile = opts.scenarioFile ?? `scenarios/${scenario.name}.ts`;
  const targetFile = opts.targetFile ?? `targets/${target.name}.ts`;
  assertValid([...validateScenario(scenario, scenarioFile), ...validateTarget(target, targetFile)]);

  const runId = opts.runId ?? createRunId(scenario.name);
  const runDir = join(opts.outDir, 'runs', runId);
  const clock = createClock();
  const controller = new AbortController();
  // Probes, samplers and a live target's readiness checks all listen on the run's signal at once: not a leak.
  setMaxListeners(256, controller.signal);
  const onAbort = () => controller.abort(opts.signal?.reason);
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const journal = new JournalSnapshot(runDir);
  const run = new DrillRun<R>({
    runId,
    runDir,
    scenario,
    target,
    scenarioFile,
    targetFile,
    dryRun: opts.dryRun ?? false,
    clock,
    redactor: opts.redactor ?? new Redactor(),
    emitter: new Emitter(opts.reporters ?? [], new EventLog(join(runDir, EVENTS_FILE)), [
      (event) => journal.apply(event),
    ]),
    controller,
  });
  run.emit({
    kind: 'run-start',
    runId,
    scenario: scenario.name,
    target: target.name,
    dryRun: run.dryRun,
    runDir,
    objectives: { rto: run.objectives.rto, rpo: run.objectives.rpo, stableFor: run.objectives.stableFor },
  });

  run.emit({
    kind: 'process',
    pid: process.pid,
    role: 'run',
    scenarioFile,
    targetKind: target.kind,
    targetFile,
  });
  const sampler = new RecoverySampler(run);
  let error: DrillError | undefined;
  try {
    await phase(run, 'plan', async () => planPhase(run));
    if (run.dryRun) await phase(run, 'preflight', async () => dryRunSafety(run));
    else {
      await phase(run, 'preflight', async () => {
        await safetyGates(run);
        await preflightPhase(run);
      });
      await phase(run, 'inject', () => injectPhase(run, sampler));
      startAbortConditions(run);
      await phase(run, 'failover', () => failoverPhase(run));
      await phase(run, 'recover', () => recoverPhase(run, sampler));
      await phase(run, 'verify', () => verifyPhase(run));
    }
  } catch (e) {
    if (!run.signal.aborted && !isDrillError(e, ...FAILURE_CODES)) {
      error = isDrillError(e)
        ? e
        : new DrillError('E_INTERNAL', `unexpected error: ${errorMessage(e)}`, { cause: e });
    } else if (!run.signal.aborted && run.failures.length === 0) {
      run.fail(errorMessage(e));
    }
  }
  await sampler.stop();
  stopAbortConditions(run);
  try {
    if (!run.dryRun) {
      await stopBackground(run);
      await phase(run, 'restore', () => restorePhase(run), { evenIfAborted: true });
    }
  } finally {
    // Every exit path, abort and error included: the lock goes only after the undo stack ran.
    await releaseSafety(run);
  }
  opts.signal?.removeEventListener('abort', onAbort);
  let verdict = verdictOf(run, error);
  await phase(
    run,
    'report',
    async () => {
      verdict = verdictOf(run, error);
    },
    { evenIfAborted: true },
  );
  const result = await writeReport(run, error, verdict);
  await run.emitter.flush();
  run.emitter.close();
  return result;
}

/** Runs one phase between its phase-start and phase-end events (the record folds them); ok, failed or aborted. */
async function phase<R>(
  run: DrillRun<R>,
  name: Phase,
  body: () => Promise<void>,
  opts: { evenIfAborted?: boolean } = {},
): Promise<void> {
  if (run.signal.aborted && !opts.evenIfAborted) throw new DrillError('E_ABORTED', `aborted before ${name}`);
  const startedAt = run.emit({ kind: 'phase-start', phase: name }).at;
  let status: 'ok' | 'failed' | 'aborted' = 'ok';
  let detail: string | undefined;
  try {
    await body();
  } catch (e) {
    status = run.signal.aborted && name !== 'restore' && name !== 'report' ? 'aborted' : 'failed';
    detail = run.redactor.redactText(errorMessage(e));
    throw e;
  } finally {
    const endedAt = run.clock.now();
    run.emit(
      {
        kind: 'phase-end',
        phase: name,
        status,
        durationMs: Math.round(endedAt - startedAt),
        ...(detail ? { detail } : {}),
      },
      endedAt,
    );
  }
}
