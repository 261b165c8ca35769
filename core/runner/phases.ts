// The phases between plan and restore: plan, preflight, inject (T0), failover, recover, verify.
import { DrillError, errorMessage, isDrillError } from '../errors.ts';
import type { PlannedCall, ProbeDefinition } from '../model.ts';
import { sleep, withDeadline } from './deadline.ts';
import type { DrillRun } from './drill-run.ts';
import { type PlanOf, scenarioPlanEntries } from './plan-entries.ts';
import { checkProbe, emitCheck, type RecoverySampler } from './probes.ts';
import { faultStep, runStep } from './step-runner.ts';

const LEDGER_TIMEOUT_MS = 120_000;

/** Every call the run would make, from each fault/step plan(); a dry run also lists them in actions.jsonl. */
export function planPhase<R>(run: DrillRun<R>): void {
  const { scenario } = run;
  const planned = (id: string, title: string, plan: PlanOf<R> | undefined) => {
    let calls: PlannedCall[] = [];
    try {
      calls = plan?.(run.ctx) ?? [];
    } catch (error) {
      throw new DrillError(
        'E_VALIDATION',
        `${run.scenarioFile ?? scenario.name}: ${id}.plan() threw: ${errorMessage(error)}`,
        {
          cause: error,
        },
      );
    }
    return { stepId: id, title, calls: run.redactor.redact(calls) };
  };
  run.emit({ kind: 'plan', steps: scenarioPlanEntries(scenario, planned) });
  if (run.dryRun) {
    for (const entry of run.plan) {
      for (const call of entry.calls)
        if (call.mutating) run.audit.bind({ phase: 'plan', stepId: entry.stepId }).planned(call);
    }
  }
}

/** Steady state must be green before anything is injected; then the ledger and background start. */
export async function preflightPhase<R>(run: DrillRun<R>): Promise<void> {
  // A probe whose plan mutates (a FIS target preview creates a template and a skip-all experiment) runs only once
  // every read-only probe is green: a target the drill must refuse (a wrong cluster id) is refused untouched.
  const mutates = (probe: ProbeDefinition<R>) =>
    run.plan.some((e) => e.stepId === `steady-state:${probe.name}` && e.calls.some((c) => c.mutating));
  const check = (probe: ProbeDefinition<R>) =>
    checkProbe(run, probe, 'preflight', `steadyState[${run.scenario.steadyState.indexOf(probe)}]`);
  const readOnly = await Promise.all(run.scenario.steadyState.filter((p) => !mutates(p)).map(check));
  const checks = readOnly.every((c) => c.ok)
    ? [...readOnly, ...(await Promise.all(run.scenario.steadyState.filter(mutates).map(check)))]
    : readOnly;
  for (const check of checks) emitCheck(run, 'preflight', check, 'steady-state');
  const red = checks.filter((c) => !c.ok);
  if (red.length > 0) {
    const message = `steady state is not green, nothing was injected: ${red
      .map((c) => `probe "${c.name}" failed${c.detail ? `: ${c.detail}` : ''}`)
      .join('; ')}`;
    run.fail(message);
    throw new DrillError('E_PREFLIGHT', message);
  }
  const ledger = run.scenario.ledger;
  if (ledger) {
    // Marked before start() returns, so cleanup stops a ledger whose start was interrupted.
    run.emit({ kind: 'background', name: ledger.name, role: 'ledger', state: 'starting' });
    await withDeadline(
      (signal) => ledger.start(run.contextWith(signal, { phase: 'preflight', stepId: ledger.name })),
      {
        ms: LEDGER_TIMEOUT_MS,
        what: `ledger "${ledger.name}" start`,
        setting: 'ledger.start (fixed at 2m)',
        parent: run.signal,
      },
    );
    run.emit({ kind: 'background', name: ledger.name, role: 'ledger', state: 'started' });
  }
  for (const activity of run.scenario.background ?? []) {
    await activity.start(run.contextWith(run.signal, { phase: 'preflight', stepId: activity.name }));
    run.emit({ kind: 'background', name: activity.name, role: 'activity', state: 'started' });
  }
  // Writes (and load) must be flowing when the fault lands, or the RPO has nothing to measure.
  if (ledger) await sleep(run.ms(ledger.warmup ?? DEFAULT_LEDGER_WARMUP), run.signal);
}

const DEFAULT_LEDGER_WARMUP = '2s';

/** Injects the fault, a step whose success marks T0 (when it took effect, see t0Of); stops the ledger, starts sampling. */
export async function injectPhase<R>(run: DrillRun<R>, sampler: RecoverySampler<R>): Promise<void> {
  const { fault } = run.scenario;
  try {
    await runStep(run, faultStep(fault), { phase: 'inject', path: 'fault' });
  } catch (error) {
    if (!isDrillError(error, 'E_STEP_FAILED')) throw error;
    const message = run.steps.at(-1)?.error ?? errorMessage(error);
    run.fail(`fault injection failed: ${message}`);
    throw new DrillError('E_STEP_FAILED', `fault "${fault.title}" could not be injected: ${message}`, {
      cause: error.cause,
    });
  }
  sampler.start();
  const ledger = run.scenario.ledger;
  if (ledger && run.ledgerRunning) {
    run.emit({ kind: 'background', name: ledger.name, role: 'ledger', state: 'stopping' });
    await ledger.stop(run.contextWith(run.signal, { phase: 'inject', stepId: ledger.name }));
  }
}

export async function failoverPhase<R>(run: DrillRun<R>): Promise<void> {
  for (const [i, step] of run.scenario.failover.entries()) {
    try {
      await runStep(run, step, { phase: 'failover', path: `failover[${i}]` });
    } catch (error) {
      if (!run.signal.aborted) run.fail(errorMessage(error));
      throw error;
    }
  }
}

export async function verifyPhase<R>(run: DrillRun<R>): Promise<void> {
  for (const [i, probe] of run.scenario.verify.entries()) {
    const check = await checkProbe(run, probe, 'verify', `verify[${i}]`);
    emitCheck(run, 'verify', check, 'verify');
    if (!check.ok)
      run.fail(`verification probe "${check.name}" failed${check.detail ? `: ${check.detail}` : ''}`);
  }
}
