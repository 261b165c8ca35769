// What kind of run a result records: the one classification the console, reports and compliance share.
import type { RunResult } from './result-schema.ts';

export type RunOutcome = 'planned' | 'refused' | 'passed' | 'failed' | 'aborted' | 'error';

/** Errors by which a run refuses before anything mutating: bad input, a guardrail, a preflight gate. */
const REFUSAL_CODES = new Set(['E_VALIDATION', 'E_USAGE', 'E_GUARDRAIL', 'E_PREFLIGHT']);

type Classified = Pick<RunResult, 'dryRun' | 'verdict' | 't0' | 'error' | 'safety'>;

export function runOutcome(result: Classified): RunOutcome {
  if (result.dryRun) return 'planned';
  const refusedCheck = result.safety?.checks.some((c) => c.status === 'refused') ?? false;
  const refusedError = result.error !== undefined && REFUSAL_CODES.has(result.error.code);
  // Nothing was injected (no T0) and a gate said no: the drill never took place.
  if (result.t0 === null && result.verdict !== 'passed' && (refusedCheck || refusedError)) return 'refused';
  return result.verdict;
}

/** Only runs that executed are drills: planned and refused runs are no evidence and move no due date. */
export const isExecutedDrill = (result: Classified): boolean => {
  const outcome = runOutcome(result);
  return outcome !== 'planned' && outcome !== 'refused';
};
