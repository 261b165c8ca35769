// The runner's side of core/safety: gates before the steady state, abort conditions from T0 to restore,
// the lock released on every exit path, and what result.json records about all of it.

import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { DrillError, errorMessage } from '../errors.ts';
import type { RunContext, Target } from '../model.ts';
import {
  type AbortMonitor,
  DEFAULT_ABORT_ALARM_GRACE,
  DEFAULT_ABORT_CHECK_EVERY,
  startAbortMonitor,
} from '../safety/abort-conditions.ts';
import { runPreflightGates } from '../safety/gates.ts';
import { checkPlaceholderAccount } from '../safety/guardrails.ts';
import { defaultLockStore } from '../safety/lock.ts';
import type { LockStore, SafetyCheck, SafetyPlatform } from '../safety/types.ts';
import type { DrillRun } from './drill-run.ts';
import { isProcessAlive } from './rollback.ts';

export interface SafetyRecord {
  checks: SafetyCheck[];
  lock: {
    where: string;
    status: 'held' | 'released' | 'not-taken' | 'release-failed';
    detail?: string;
  } | null;
  abort: { condition: 'operator' | 'rto-budget' | 'alarm'; reason: string; sinceT0Ms: number | null } | null;
}

/** Per-run safety state, kept on the DrillRun. */
export class RunSafety {
  readonly record: SafetyRecord = { checks: [], lock: null, abort: null };
  platform: SafetyPlatform | undefined;
  lockStore: LockStore | undefined;
  monitor: AbortMonitor | undefined;
}

/** `<outDir>` of a run directory `<outDir>/runs/<run-id>`. */
export const outDirOf = (runDir: string) => dirname(dirname(runDir));

async function platformOf<R>(run: DrillRun<R>): Promise<SafetyPlatform | undefined> {
  const make = run.target.safety?.platform;
  if (!make) return undefined;
  return make(run.contextWith(run.signal, { phase: 'preflight', stepId: 'safety' }));
}

/** Guardrails and gates; throws E_GUARDRAIL or E_PREFLIGHT (verdict failed, exit 1) when the drill may not start. */
export async function safetyGates<R>(run: DrillRun<R>): Promise<void> {
  const s = run.safety;
  const targetFile = run.targetFile ?? `targets/${run.target.name}.ts`;
  const placeholder = checkPlaceholderAccount(run.target, targetFile);
  if (placeholder) {
    s.record.checks.push(placeholder);
    return refuse(run, 'E_GUARDRAIL', [placeholder.detail]);
  }
  try {
    s.platform = await platformOf(run);
  } catch (error) {
    return refuse(run, 'E_GUARDRAIL', [
      `the safety platform of target "${run.target.name}" could not be built: ${errorMessage(error)}`,
    ]);
  }
  s.lockStore = s.platform?.lock ?? defaultLockStore(outDirOf(run.runDir), run.target.name);
  const outcome = await runPreflightGates({
    target: run.target,
    targetFile,
    plan: run.plan,
    platform: s.platform,
    signal: run.signal,
    runId: run.runId,
    scenarioName: run.scenario.name,
    rpo: { ms: run.ms(run.objectives.rpo), text: run.objectives.rpo },
    lock: s.lockStore,
    facts: { host: hostname(), isAlive: isProcessAlive, outDir: outDirOf(run.runDir) },
  });
  s.record.checks.push(...outcome.checks);
  s.record.lock = { where: s.lockStore.where, status: outcome.lockTaken ? 'held' : 'not-taken' };
  for (const c of outcome.checks) {
    run.emit({
      kind: 'log',
      level: c.status === 'refused' || c.status === 'unknown' ? 'warn' : 'info',
      message: `safety ${c.name}: ${c.status}: ${c.detail}`,
    });
  }
  if (outcome.refusals.length > 0) {
    const guardrail = outcome.checks.some(
      (c) => c.status === 'refused' && ['aws-account', 'aws-regions', 'kube-contexts'].includes(c.name),
    );
    refuse(run, guardrail ? 'E_GUARDRAIL' : 'E_PREFLIGHT', outcome.refusals);
  }
}

function refuse<R>(run: DrillRun<R>, code: 'E_GUARDRAIL' | 'E_PREFLIGHT', refusals: string[]): never {
  const message = `refused to start, nothing was injected: ${refusals.join('; ')}`;
  run.failures.push(run.redactor.redactText(message));
  throw new DrillError(code, message);
}

/** From T0: the RTO budget and the target's abort alarms; meeting one aborts the run (undo stack, verdict aborted). */
export function startAbortConditions<R>(run: DrillRun<R>): void {
  const safety = run.target.safety;
  const s = run.safety;
  s.monitor = startAbortMonitor({
    rto: { ms: run.ms(run.objectives.rto), text: run.objectives.rto },
    alarms: safety?.abortAlarms ?? [],
    graceMs: run.ms(safety?.abortAlarmGrace ?? DEFAULT_ABORT_ALARM_GRACE),
    everyMs: run.ms(safety?.checkEvery ?? DEFAULT_ABORT_CHECK_EVERY),
    ...(s.platform ? { platform: s.platform } : {}),
    sinceT0: () => run.sinceT0(),
    recovered: () => run.rto !== null,
    signal: run.signal,
    onAbort: (trigger) => {
      s.record.abort = {
        condition: trigger.condition,
        reason: trigger.reason,
        sinceT0Ms: run.sinceT0() ?? null,
      };
      run.emit({ kind: 'log', level: 'warn', message: `${trigger.reason}: aborting, rolling back` });
      run.controller.abort(new DrillError('E_ABORTED', trigger.reason));
    },
    onWarning: (message) => run.emit({ kind: 'log', level: 'warn', message }),
  });
}

/** Stops the abort conditions (before restore) and records an operator abort. */
export function stopAbortConditions<R>(run: DrillRun<R>): void {
  const s = run.safety;
  s.monitor?.stop();
  if (run.signal.aborted && !s.record.abort) {
    const reason = run.signal.reason instanceof Error ? run.signal.reason.message : 'aborted by the operator';
    s.record.abort = { condition: 'operator', reason, sinceT0Ms: run.sinceT0() ?? null };
  }
}

/** Releases the lock this run took (every exit path) and closes the platform; never throws. */
export async function releaseSafety<R>(run: DrillRun<R>): Promise<void> {
  const s = run.safety;
  const held = s.record.lock?.status === 'held';
  // An abort while the lock was being taken may have left it ours: release(runId) frees only our own.
  const maybeOurs = !held && run.signal.aborted;
  if (s.lockStore && (held || maybeOurs)) {
    const where = s.lockStore.where;
    try {
      const released = await s.lockStore.release(run.runId, AbortSignal.timeout(30_000));
      if (released === 'released') s.record.lock = { where, status: 'released' };
      else if (held) s.record.lock = { where, status: 'release-failed', detail: released };
    } catch (error) {
      const detail = `${errorMessage(error)}; release it with \`pnpm drill rollback ${run.runId}\``;
      if (!held) run.emit({ kind: 'log', level: 'warn', message: `the drill lock may be left: ${detail}` });
      else s.record.lock = { where, status: 'release-failed', detail };
      if (held)
        run.deviations.push({
          kind: 'lock-release-failed',
          message: `the drill lock was not released: ${detail}`,
        });
    }
  }
  try {
    await s.platform?.close?.();
  } catch {
    // closing sockets must not change the verdict
  }
}

export interface LockReleaseOutcome {
  where: string;
  status: 'released' | 'not-held' | 'held-by-other' | 'kept' | 'failed';
  detail?: string;
}

/** `drill rollback`: releases the lock a killed run left, once its undos are done (kept while the target is dirty). */
export async function releaseLockOf<R>(
  target: Target<R>,
  ctx: RunContext<R>,
  runId: string,
  outDir: string,
  opts: { keep?: string } = {},
): Promise<LockReleaseOutcome> {
  let where = defaultLockStore(outDir, target.name).where;
  try {
    const platform = await target.safety?.platform?.(ctx);
    const store = platform?.lock ?? defaultLockStore(outDir, target.name);
    where = store.where;
    if (opts.keep) return { where, status: 'kept', detail: opts.keep };
    const status = await store.release(runId, ctx.signal);
    return { where, status };
  } catch (error) {
    return { where, status: 'failed', detail: errorMessage(error) };
  }
}
