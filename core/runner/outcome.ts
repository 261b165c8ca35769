// What kind of run a result records: the one classification the console, reports and compliance share.
import type { RunResult } from './result-schema.ts';

export type RunOutcome = 'planned' | 'refused' | 'passed' | 'failed' | 'aborted' | 'interrupted' | 'error';

type Classified = Pick<RunResult, 'dryRun' | 'verdict' | 't0' | 'phases'> &
  Partial<Pick<RunResult, 'interrupted'>>;

export function runOutcome(result: Classified): RunOutcome {
  if (result.dryRun) return 'planned';
  // Killed (no verdict of its own), then finished by `drill rollback`: an executed drill that never concluded.
  if (result.interrupted) return 'interrupted';
  // A gate said no (guardrail, IAM, lock, steady state, quota...): nothing was injected and the inject phase never
  // ran. A crash of the tool stays an error.
  if (result.verdict === 'failed' && result.t0 === null && !injectStarted(result)) return 'refused';
  return result.verdict;
}

const injectStarted = (result: Classified): boolean =>
  result.phases.some((p) => p.phase === 'inject' && p.status !== 'skipped');

/**
 * Only runs that executed are drills: planned and refused runs are no evidence and move no due date, nor is a run
 * killed before its inject phase started (it touched nothing); an interrupted run that got to inject is.
 */
export const isExecutedDrill = (result: Classified): boolean => {
  const outcome = runOutcome(result);
  if (outcome === 'interrupted') return injectStarted(result);
  return outcome !== 'planned' && outcome !== 'refused';
};

/** The word every report shows for an outcome, e.g. "INTERRUPTED". */
export const outcomeLabel = (outcome: RunOutcome): string => outcome.toUpperCase();
