// The runner's side of core/safety: gates before the steady state, abort conditions from T0 to restore,
// the lock released on every exit path, and what result.json records about all of it.

import { hostname } from 'node:os';
import { DrillError, errorMessage } from '../errors.ts';
import { isProcessAlive } from '../process-alive.ts';
import {
  DEFAULT_ABORT_ALARM_GRACE,
  DEFAULT_ABORT_CHECK_EVERY,
  startAbortMonitor,
} from '../safety/abort-conditions.ts';
import { runPreflightGates } from '../safety/gates.ts';
import { defaultLockStore, outDirOf } from '../safety/lock.ts';
import { REFUSAL, staticChecks } from '../safety/static-checks.ts';
import type { SafetyCheck, SafetyPlatform } from '../safety/types.ts';
import type { DrillRun } from './drill-run.ts';

async function platformOf<R>(run: DrillRun<R>): Promise<SafetyPlatform | undefined> {
  const make = run.target.safety?.platform;
  if (!make) return undefined;
  return make(run.contextWith(run.signal, { phase: 'preflight', stepId: 'safety' }));
}

/** Refusals of these checks are guardrails (E_GUARDRAIL); every other refusal is a preflight gate (E_PREFLIGHT). */
const GUARDRAIL_CHECKS = ['aws-account', 'aws-regions', 'kube-contexts', 'safety-platform'];

const isRefused = (c: SafetyCheck) => c.status === 'refused';
const recordCheck = <R>(run: DrillRun<R>, c: SafetyCheck) =>
  run.emit({ kind: 'safety-check', name: c.name, status: c.status, detail: c.detail });
const sameCheck = (a: SafetyCheck, b: SafetyCheck) => a.name === b.name && a.detail === b.detail;

/** The checks that call nothing (core/safety/static-checks.ts), on this run's target and plan. */
function runStaticChecks<R>(run: DrillRun<R>): SafetyCheck[] {
  const checks = staticChecks({
    target: run.target,
    targetFile: run.targetFile ?? `targets/${run.target.name}.ts`,
    plan: [...run.plan],
  });
  for (const check of checks) recordCheck(run, check);
  return checks;
}

/**
 * Guardrails and gates; throws E_GUARDRAIL or E_PREFLIGHT (outcome refused) when the drill may not start. The
 * checks that call nothing go first, all of them: a refusal there names every such problem and builds no client.
 */
export async function safetyGates<R>(run: DrillRun<R>): Promise<void> {
  const s = run.safety;
  const targetFile = run.targetFile ?? `targets/${run.target.name}.ts`;
  const first = runStaticChecks(run).filter(isRefused);
  if (first.length > 0) return refuse(run, first);
  try {
    s.platform = await platformOf(run);
  } catch (error) {
    return refuse(run, [
      {
        name: 'safety-platform',
        status: 'refused',
        detail: `the safety platform of target "${run.target.name}" could not be built: ${errorMessage(error)}`,
      },
    ]);
  }
  s.lockStore = s.platform?.lock ?? defaultLockStore(outDirOf(run.runDir), run.target.name);
  const outcome = await runPreflightGates({
    target: run.target,
    targetFile,
    plan: [...run.plan],
    platform: s.platform,
    signal: run.signal,
    runId: run.runId,
    scenarioName: run.scenario.name,
    rpo: { ms: run.ms(run.objectives.rpo), text: run.objectives.rpo },
    lock: s.lockStore,
    facts: { host: hostname(), isAlive: isProcessAlive, outDir: outDirOf(run.runDir) },
  });
  // The guardrails re-run the plan-only checks on their way: record each once.
  const known = [...run.record.safetyChecks];
  for (const c of outcome.checks.filter((c) => !known.some((k) => sameCheck(k, c)))) recordCheck(run, c);
  run.emit({ kind: 'lock', where: s.lockStore.where, status: outcome.lockTaken ? 'held' : 'not-taken' });
  // Refusals are named once, in the verdict.
  for (const c of outcome.checks.filter((c) => !isRefused(c))) {
    run.emit({
      kind: 'log',
      level: c.status === 'unknown' ? 'warn' : 'info',
      message: `safety ${c.name}: ${c.status}: ${c.detail}`,
    });
  }
  const refused = outcome.checks.filter(isRefused);
  if (refused.length > 0) refuse(run, refused);
}

/** What a dry run cannot check without calling the target (the real run does, after the checks above). */
export const CHECKED_ONLY_BY_THE_REAL_RUN =
  'the AWS account (STS), the kubeconfig contexts, the drill lock, running FIS experiments, replication lag, abort alarms, IAM permissions and the steady state';

/** A dry run: the same non-calling checks as the real run; throws E_PREFLIGHT ("would refuse") when it would refuse. */
export function dryRunSafety<R>(run: DrillRun<R>): void {
  const refused = runStaticChecks(run).filter(isRefused);
  run.emit({
    kind: 'log',
    level: 'info',
    message: `dry run: not checked, as they call the target: ${CHECKED_ONLY_BY_THE_REAL_RUN}`,
  });
  if (refused.length === 0) return;
  const message = `${REFUSAL.dryRun}: ${refused.map((c) => c.detail).join('; ')}`;
  run.fail(run.redactor.redactText(message));
  throw new DrillError('E_PREFLIGHT', `${REFUSAL.dryRun}: ${problems(refused.length)}, listed below`);
}

const problems = (n: number) => `${n} problem${n === 1 ? '' : 's'}`;

function refuse<R>(run: DrillRun<R>, refused: SafetyCheck[]): never {
  const known = [...run.record.safetyChecks];
  for (const c of refused.filter((c) => !known.some((k) => sameCheck(k, c)))) recordCheck(run, c);
  const code = refused.some((c) => GUARDRAIL_CHECKS.includes(c.name)) ? 'E_GUARDRAIL' : 'E_PREFLIGHT';
  run.fail(run.redactor.redactText(`${REFUSAL.run}: ${refused.map((c) => c.detail).join('; ')}`));
  throw new DrillError(code, `${REFUSAL.run}: ${problems(refused.length)}, listed below`);
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
      run.emit({
        kind: 'abort-condition',
        condition: trigger.condition,
        reason: trigger.reason,
        metSinceT0Ms: run.sinceT0() ?? null,
      });
      // The reason itself is said once, in the verdict.
      const what = trigger.condition === 'alarm' ? 'a customer-facing alarm' : 'the RTO budget';
      run.emit({
        kind: 'log',
        level: 'warn',
        message: `abort condition met (${what}): aborting, rolling back`,
      });
      run.controller.abort(new DrillError('E_ABORTED', trigger.reason));
    },
    onWarning: (message) => run.emit({ kind: 'log', level: 'warn', message }),
  });
}

/** Stops the abort conditions (before restore) and records an operator abort. */
export function stopAbortConditions<R>(run: DrillRun<R>): void {
  const s = run.safety;
  s.monitor?.stop();
  if (run.signal.aborted && !run.record.abort) {
    const reason = run.signal.reason instanceof Error ? run.signal.reason.message : 'aborted by the operator';
    run.emit({ kind: 'abort-condition', condition: 'operator', reason, metSinceT0Ms: run.sinceT0() ?? null });
  }
}

/** Releases the lock this run took (every exit path) and closes the platform; never throws. */
export async function releaseSafety<R>(run: DrillRun<R>): Promise<void> {
  const s = run.safety;
  const held = run.record.lock?.status === 'held';
  // An abort while the lock was being taken may have left it ours: release(runId) frees only our own.
  const maybeOurs = !held && run.signal.aborted;
  if (s.lockStore && (held || maybeOurs)) {
    const where = s.lockStore.where;
    try {
      const released = await s.lockStore.release(run.runId, AbortSignal.timeout(30_000));
      if (released === 'released') run.emit({ kind: 'lock', where, status: 'released' });
      else if (held) run.emit({ kind: 'lock', where, status: 'release-failed', detail: released });
    } catch (error) {
      const detail = `${errorMessage(error)}; release it with \`pnpm drill rollback ${run.runId}\``;
      if (!held) run.emit({ kind: 'log', level: 'warn', message: `the drill lock may be left: ${detail}` });
      else run.emit({ kind: 'lock', where, status: 'release-failed', detail });
      if (held)
        run.deviate({
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
