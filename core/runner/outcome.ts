// What kind of run a result records: the one classification the console, reports and compliance share.
import type { RunResult } from './result-schema.ts';

export type RunOutcome = 'planned' | 'refused' | 'passed' | 'failed' | 'aborted' | 'error';

type Classified = Pick<RunResult, 'dryRun' | 'verdict' | 't0' | 'phases'>;

export function runOutcome(result: Classified): RunOutcome {
  if (result.dryRun) return 'planned';
  // A gate said no (guardrail, IAM, lock, steady state, quota...): nothing was injected and the inject phase never
  // ran. A crash of the tool stays an error.
  const injected = result.phases.some((p) => p.phase === 'inject' && p.status !== 'skipped');
  if (result.verdict === 'failed' && result.t0 === null && !injected) return 'refused';
  return result.verdict;
}

/** Only runs that executed are drills: planned and refused runs are no evidence and move no due date. */
export const isExecutedDrill = (result: Classified): boolean => {
  const outcome = runOutcome(result);
  return outcome !== 'planned' && outcome !== 'refused';
};
