// How a run report states what kind of run it was: one badge from runOutcome(), and what that outcome means.
import { isExecutedDrill, outcomeLabel, type RunOutcome, runOutcome } from '../../core/runner/outcome.ts';
import type { RunResult } from '../../core/runner/result-schema.ts';

export interface OutcomeView {
  outcome: RunOutcome;
  /** What the run is as evidence: DRY RUN, NOT EXECUTED (refused, or killed before its fault), SIMULATION or LIVE. */
  kind: 'DRY RUN' | 'NOT EXECUTED' | 'SIMULATION' | 'LIVE';
  /** "PLANNED", "REFUSED", "INTERRUPTED", … */
  label: string;
  /** Whether anything was executed on the target (a drill took place). */
  executed: boolean;
  /** One line under the badge on what this outcome means. */
  meaning: string;
  /** Why it was refused (each refused gate), or what the rollback of a killed run did. */
  reasons: string[];
}

const MEANING: Record<RunOutcome, string> = {
  planned:
    'Dry run: the plan only. Nothing was executed, nothing was measured: this is no drill and no evidence.',
  refused:
    'Refused before the fault: a gate said no, nothing was injected. This is no drill and no evidence.',
  passed: 'The drill ran and every objective and check held.',
  failed: 'The drill ran and did not meet an objective or a check.',
  aborted: 'The drill was stopped and rolled back (or rolled forward) before it concluded.',
  interrupted:
    'The drill process was killed; `drill rollback` finished it from its journal. It never concluded: nothing after the kill was measured.',
  error: 'The drill tool failed: this says nothing about the target.',
};

function interruptedReasons(r: RunResult): string[] {
  const i = r.interrupted;
  if (!i) return [];
  const settled = (status: string) => r.undo.filter((u) => u.status === status).map((u) => u.title);
  const kept = r.undo.filter((u) => u.status === 'skipped' && u.note?.startsWith('kept'));
  return [
    `killed (pid ${i.pid}) during ${i.phase}; last sign of life ${i.lastSeenAt}`,
    ...(i.rollback.rolledForward.length
      ? [`rolled forward first: ${i.rollback.rolledForward.join(', ')}`]
      : []),
    ...(i.rollback.rollForwardFailed ? [i.rollback.rollForwardFailed] : []),
    `undone: ${settled('done').join(', ') || 'nothing'}`,
    ...kept.map((u) => `${u.title}: ${u.note}`),
    ...settled('failed').map((t) => `undo FAILED: ${t}`),
    `\`drill rollback\` at ${i.rollback.at}: ${i.rollback.state}`,
  ];
}

export function outcomeView(r: RunResult): OutcomeView {
  const outcome = runOutcome(r);
  const refused = (r.safety?.checks ?? []).filter((c) => c.status === 'refused').map((c) => c.detail);
  const reasons =
    outcome === 'interrupted'
      ? interruptedReasons(r)
      : outcome === 'refused' || outcome === 'planned'
        ? refused
        : [];
  const wouldRefuse = outcome === 'planned' && r.verdict !== 'passed';
  const executed = isExecutedDrill(r);
  return {
    outcome,
    kind: r.dryRun ? 'DRY RUN' : !executed ? 'NOT EXECUTED' : r.target.kind === 'lab' ? 'SIMULATION' : 'LIVE',
    label: outcomeLabel(outcome),
    executed,
    meaning: wouldRefuse
      ? 'Dry run: the real run would refuse, for the reasons below. Nothing was executed: this is no drill and no evidence.'
      : MEANING[outcome],
    reasons,
  };
}

/** Why nothing could be lost: nothing ran, or the run was killed before anything was measured. */
export function notMeasuredText(view: OutcomeView): string | null {
  if (!view.executed) return `Not measured: nothing was executed (${view.label}).`;
  if (view.outcome === 'interrupted') return 'Not measured: the run was killed before it measured anything.';
  return null;
}

/** "Every step ran as written" only when steps ran in a drill that concluded. */
export function noDeviationsText(r: RunResult, view: OutcomeView): string {
  if (r.steps.length === 0) return 'None: no step ran.';
  if (view.outcome === 'interrupted')
    return 'Not checked: the run was killed (its steps up to then are listed above).';
  return 'None: every step ran as written.';
}
