// Small text pieces shared by the HTML and Markdown renderings.
import { formatDuration } from '../../core/duration.ts';
import { outcomeLabel } from '../../core/runner/outcome.ts';
import type { RunSummary } from './record.ts';
import type { ScenarioStatus } from './summary.ts';

export const day = (iso: string | null): string => (iso ? iso.slice(0, 10) : '—');

/** "18.1s ± 1.0s / 30m ✔" for a run's RTO or RPO. */
export function achievedVsTarget(run: RunSummary | null, metric: 'rto' | 'rpo'): string {
  if (!run) return '—';
  const objective = formatDuration(run.objectives[metric === 'rto' ? 'rtoMs' : 'rpoMs']);
  const m = run[metric];
  if (!m) return `not measured / ${objective}`;
  if (m.achievedMs === null) return `${metric === 'rto' ? 'never recovered' : 'total loss'} / ${objective} ✘`;
  return `${formatDuration(m.achievedMs)} ± ${formatDuration(m.uncertaintyMs)} / ${objective} ${m.met ? '✔' : '✘'}`;
}

/** The run's outcome ("INTERRUPTED", "ABORTED", …); records from before outcomes were kept show their verdict. */
export const verdictText = (run: RunSummary | null): string =>
  run ? outcomeLabel(run.outcome ?? run.verdict) : '—';

/** Only a passed run is shown as a pass: an interrupted or aborted drill never is. */
export const passClass = (run: RunSummary): 'pass' | 'fail' => (run.verdict === 'passed' ? 'pass' : 'fail');

/** "killed during failover; `drill rollback` rolled back: 2 undone, 1 kept (cannot be undone); rolled forward: b, c". */
export function interruptedText(run: RunSummary): string | null {
  const i = run.interrupted;
  if (!i) return null;
  const counts = [
    `${i.undone} undone`,
    ...(i.kept ? [`${i.kept} kept`] : []),
    ...(i.failed ? [`${i.failed} FAILED`] : []),
  ];
  const forward = i.rolledForward.length ? `; rolled forward first: ${i.rolledForward.join(', ')}` : '';
  const state = i.rollback === 'rolled-back' ? 'rolled back' : 'rollback INCOMPLETE';
  return `killed during ${i.phase}; \`drill rollback\` ${state}: ${counts.join(', ')}${forward}`;
}

export function dueText(s: ScenarioStatus): string {
  if (s.nextDue === null) return 'OVERDUE (never completed)';
  if (s.overdue) return `OVERDUE since ${day(s.nextDue)} (${-(s.daysUntilDue ?? 0)} days)`;
  return `${day(s.nextDue)} (in ${s.daysUntilDue} days)`;
}

export function signOffText(run: RunSummary): string {
  const { approver, participants, recordedBy } = run.signOff;
  if (recordedBy === 'none') return 'not recorded';
  const people = `approver ${approver ?? 'not recorded'}; participants ${participants.length ? participants.join(', ') : 'none recorded'}`;
  return recordedBy === 'ingest' ? `${people} (given at ingest, not by the run)` : people;
}

export function clockOffsetText(run: RunSummary): string | null {
  const o = run.clockOffset;
  return o ? `clock shifted by ${o.offset} (real start ${o.realStartedAt})` : null;
}

/** The trend of the last run per quarter, e.g. "2026-Q2 2.1s ✔ → 2026-Q3 no run → 2026-Q4 3.0s ✘". */
export function trendText(s: ScenarioStatus, metric: 'rto' | 'rpo'): string {
  return s.quarters
    .map((q) => {
      const m = q.last?.[metric];
      if (!q.last) return `${q.quarter} no run`;
      if (!m || m.achievedMs === null) return `${q.quarter} — ✘`;
      return `${q.quarter} ${formatDuration(m.achievedMs)} ${m.met ? '✔' : '✘'}`;
    })
    .join(' → ');
}
