// `drill rollback`'s half of the roll-forward rule (core/runner/roll-forward.ts), read from and written to the journal.
import { parseDuration } from '../duration.ts';
import { errorMessage } from '../errors.ts';
import type { Journal, JournalData } from '../journal.ts';
import type { RunContext, Scenario } from '../model.ts';
import type { Redactor } from '../redact.ts';
import { exactWayBack } from '../safety/way-back.ts';
import { withDeadline } from './deadline.ts';
import { stepId } from './ids.ts';
import { probeOnce } from './probes.ts';
import {
  executeRollForward,
  planRollForward,
  type RollForwardOutcome,
  rollForwardFailure,
  rollForwardStartMessage,
  rollForwardSummary,
} from './roll-forward.ts';

import { awaitServing } from './serving.ts';
import { DEFAULT_STEP_TIMEOUT } from './step-runner.ts';

/** The exact way back from the run's first irreversible failover step. */
export function wayBackOf(data: JournalData, target: { name: string; kind: 'lab' | 'live' }): string {
  const step = data.steps.find((s) => s.phase === 'failover' && s.irreversible);
  return exactWayBack(step?.irreversible?.wayBack ?? '', data.runId, target);
}

/**
 * The journal's last word after a rollback: a killed run had no verdict (it is `aborted`, with what the rollback
 * did); a finished run keeps its verdict, and its reason gains the roll forward, if there was one.
 */
export function rollbackReason(
  d: JournalData,
  state: 'rolled-back' | 'rollback-incomplete',
  forward: RollForwardOutcome | undefined,
  wayBack: string,
): Pick<JournalData, 'verdict' | 'reason'> | undefined {
  const did = forward
    ? `\`drill rollback\` ${rollForwardSummary(forward)}, then rolled back the rest`
    : 'rolled back by `drill rollback`';
  const loud = forward ? rollForwardFailure(forward, d.runId, wayBack) : '';
  const parts = [
    state === 'rolled-back' ? did : `${did}: incomplete, run \`pnpm drill rollback ${d.runId}\` again`,
    ...(loud ? [loud] : []),
  ];
  if (d.verdict === undefined) {
    return { verdict: 'aborted', reason: [`killed (pid ${d.pid}) during ${d.phase}`, ...parts].join('; ') };
  }
  if (!forward) return undefined;
  return { verdict: d.verdict, reason: [d.reason ?? d.verdict, ...parts].join('; ') };
}

/**
 * The runner's roll-forward rule, from the journal: a run killed (or aborted) after an irreversible step started
 * and before its failover finished gets its remaining failover steps first, each under its own deadline. Their undos
 * are not journaled: the irreversible step keeps every failover step anyway.
 */
/** The failover steps a killed or aborted run still owes its target, from its journal (undefined: none). */
export function rollForwardPlanOf<R>(data: JournalData, scenario: Scenario<R>) {
  // A run that passed or crashed on a bug keeps its failover as it is; a failed one may have stopped after the
  // promotion with its own roll forward failing (its message tells the operator to run this command).
  if (data.dryRun || data.verdict === 'passed' || data.verdict === 'error') return undefined;
  const irreversible = data.steps.find((s) => s.phase === 'failover' && s.irreversible);
  return planRollForward(
    scenario.failover,
    (id) => data.steps.findLast((s) => s.phase === 'failover' && s.id === id)?.status,
    irreversible ? { stepId: irreversible.id, title: irreversible.title } : undefined,
  );
}

export async function rollForwardFromJournal<R>(
  journal: Journal,
  scenario: Scenario<R>,
  context: (signal: AbortSignal, id: string) => RunContext<R>,
  say: (line: string) => void,
  redactor: Redactor,
): Promise<RollForwardOutcome | undefined> {
  const data = journal.data;
  const plan = rollForwardPlanOf(data, scenario);
  if (!plan) return undefined;
  say(`⚠ ${rollForwardStartMessage(plan)}`);
  const outcome = await executeRollForward(plan, {
    ...(data.verdict === 'failed' ? { cause: 'failure' as const } : {}),
    runOne: async ({ index, step }) => {
      const id = stepId(step);
      journal.update((d) => {
        d.steps.push({
          id,
          title: step.title,
          phase: 'failover',
          status: 'running',
          startedAt: new Date().toISOString(),
          ...(step.irreversible ? { irreversible: step.irreversible } : {}),
        });
      });
      let error: string | undefined;
      try {
        await withDeadline((signal) => step.run(context(signal, id)), {
          ms: parseDuration(step.timeout ?? DEFAULT_STEP_TIMEOUT),
          what: `step "${step.title}"`,
          setting: `failover[${index}].timeout`,
          file: data.scenario.file,
        });
      } catch (e) {
        error = redactor.redactText(errorMessage(e));
      }
      const status = error === undefined ? 'ok' : step.bestEffort ? 'deviation' : 'failed';
      journal.update((d) => {
        const entry = d.steps.findLast((s) => s.id === id && s.phase === 'failover');
        if (!entry) return;
        entry.status = status;
        entry.endedAt = new Date().toISOString();
        if (error !== undefined) entry.error = error;
      });
      say(
        `${status === 'ok' ? '✔' : status === 'deviation' ? '⚠' : '✖'} roll forward ${step.title}: ${status}${error ? `: ${error}` : ''}`,
      );
      if (status === 'failed') throw new Error(error);
    },
    serving: () => servingFromJournal(scenario, context, say, redactor, data.scenario.file),
    redact: (text) => redactor.redactText(text),
  });
  say(rollForwardFailure(outcome, data.runId, wayBackOf(data, data.target)) || rollForwardSummary(outcome));
  return outcome;
}

/** The run's rule after a roll forward: the recovery probes pass before the fault is reverted. */
function servingFromJournal<R>(
  scenario: Scenario<R>,
  context: (signal: AbortSignal, id: string) => RunContext<R>,
  say: (line: string) => void,
  redactor: Redactor,
  file: string | undefined,
) {
  const host = { context, redactor, ...(file ? { file } : {}) };
  return awaitServing({
    probes: scenario.recovery,
    check: (probe, i) => probeOnce(probe, `recovery[${i}]`, host),
    recoveryTimeout: scenario.recoveryTimeout ?? scenario.objectives.rto,
    now: () => performance.now(),
    say,
  });
}
