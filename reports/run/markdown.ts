// The run report as Markdown (fits a PR comment or $GITHUB_STEP_SUMMARY); the chart is the SVG beside it.
import { formatDuration } from '../../core/duration.ts';
import type { RunResult } from '../../core/runner/result-schema.ts';
import {
  achievedText,
  findingsByStep,
  lossesOf,
  offsetText,
  personWaitIn,
  type RunBundle,
  rtoPhasesThatRan,
  stepSinceT0,
  targetText,
} from './facts.ts';
import { noDeviationsText, notMeasuredText, outcomeView } from './outcome-view.ts';
import type { RunbookLinker } from './runbook-links.ts';

/** Table cells cannot hold pipes or line breaks. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function metText(m: { met: boolean } | null): string {
  return m ? (m.met ? '✅ met' : '❌ BREACHED') : '— not measured';
}

/** The objectives table shared with the post-mortem. */
export function objectivesMarkdown(r: RunResult): string[] {
  const rpo = r.rpo;
  return [
    '| | achieved | objective | |',
    '|---|---|---|---|',
    `| RTO | ${achievedText(r.rto)} | ${r.rto ? formatDuration(r.rto.objectiveMs) : r.objectives.rto} | ${metText(r.rto)} |`,
    `| RPO | ${achievedText(rpo)} | ${rpo ? formatDuration(rpo.objectiveMs) : r.objectives.rpo} | ${metText(rpo)} |`,
    '',
    ...(rpo
      ? [
          `Lost writes: ${rpo.lostCount} of ${rpo.acknowledgedCount} acknowledged${rpo.lostSeqs.length ? ` (${rpo.lostSeqs.map((s) => `#${s}`).join(', ')}${rpo.lostCount > rpo.lostSeqs.length ? ', …' : ''})` : ''}${rpo.reportedLagMs === null ? '' : `; the platform reported ${formatDuration(rpo.reportedLagMs)} of lag before T0`}.`,
        ]
      : []),
    ...lossesOf(r).map(
      (l) =>
        `${l.kind === 'backlog' ? 'Backlog' : 'Lost'}: ${l.count} ${l.what}${l.items?.length ? ` (${l.items.join(', ')})` : ''}${l.bytes === undefined ? '' : `, ${l.bytes} bytes`} — probe ${l.probe} (${l.stage}).`,
    ),
  ];
}

export function phaseSplitMarkdown(r: RunResult): string[] {
  const phases = rtoPhasesThatRan(r);
  if (!phases.length) return [];
  const waits = phases.map((p) => personWaitIn(r, p));
  if (waits.every((w) => w === undefined)) {
    return [
      '| RTO phase | from | duration |',
      '|---|---|---|',
      ...phases.map(
        (p) => `| ${cell(p.name)} | ${offsetText(p.startMs)} | ${formatDuration(p.durationMs)} |`,
      ),
    ];
  }
  return [
    '| RTO phase | from | duration | of which waiting for a person |',
    '|---|---|---|---|',
    ...phases.map(
      (p, i) =>
        `| ${cell(p.name)} | ${offsetText(p.startMs)} | ${formatDuration(p.durationMs)} | ${
          waits[i] === undefined ? '' : formatDuration(waits[i])
        } |`,
    ),
  ];
}

const KIND_LINE = {
  'DRY RUN': '**DRY RUN** (nothing executed).',
  'NOT EXECUTED': '**NOT EXECUTED** (nothing was injected: no evidence).',
  SIMULATION: '**SIMULATION** (lab target: proves the automation, not AWS).',
  LIVE: '**LIVE** evidence.',
} as const;

export interface RunMarkdownOptions {
  link?: RunbookLinker;
  /** Relative path of the timeline SVG written beside the Markdown. */
  timelineFile?: string;
}

export function renderRunMarkdown(bundle: RunBundle, opts: RunMarkdownOptions = {}): string {
  const r = bundle.result;
  const view = outcomeView(r);
  const findings = findingsByStep(r);
  const ref = (runbook: string | undefined) => {
    if (!runbook) return '';
    const l = opts.link?.(runbook);
    return l ? `[${runbook}](${l.url})` : runbook;
  };
  const lines = [
    `# Drill ${r.scenario.name} on ${targetText(r)}: ${view.label}`,
    '',
    `${KIND_LINE[view.kind]} ${r.scenario.summary}`,
    '',
    `Run \`${r.runId}\`, started ${r.startedAt}, T0 ${r.t0 ?? 'never'}, took ${formatDuration(r.durationMs)}.${r.clockOffset ? ` Clock shifted by ${r.clockOffset.offset} (really started ${r.clockOffset.realStartedAt}): not evidence.` : ''}`,
    '',
    `**Verdict: ${view.label}** — ${r.reason}`,
    '',
    view.meaning,
    '',
    ...(view.reasons.length ? [...view.reasons.map((x) => `- ${x}`), ''] : []),
    '## Objectives',
    '',
    ...objectivesMarkdown(r),
    ...(notMeasuredText(view) === null ? [] : [notMeasuredText(view) as string]),
    '',
    ...phaseSplitMarkdown(r),
    '',
    '## Timeline',
    '',
    ...(opts.timelineFile ? [`![timeline](${opts.timelineFile})`, ''] : []),
    '| runbook | step | status | done at | planned by (§13) | late by | took |',
    '|---|---|---|---|---|---|---|',
    ...r.steps.map((s) => {
      const span = stepSinceT0(r, s);
      return `| ${ref(s.runbook)} | ${cell(s.title)} | ${s.status} | ${span ? offsetText(span.end) : '—'} | ${s.plannedAtMs === undefined ? '—' : offsetText(s.plannedAtMs)} | ${s.lateByMs ? formatDuration(s.lateByMs) : ''} | ${formatDuration(s.durationMs)} |`;
    }),
    '',
    '## Deviations',
    '',
    ...(r.deviations.length
      ? r.deviations.map((d) => `- ${d.stepId ? `**${d.stepId}** ` : ''}${d.kind}: ${d.message}`)
      : [noDeviationsText(r, view)]),
    '',
    '## Runbook findings',
    '',
    ...(r.findings.length
      ? [...findings.entries()].flatMap(([step, fs]) =>
          fs.map(
            (f) =>
              `- ${ref(f.runbook)} (${f.severity}, step \`${step}\`): says ${f.says}; actually: ${f.actually}`,
          ),
        )
      : ['None.']),
    '',
    '## Undo and irreversible steps',
    '',
    ...r.undo.map(
      (u) =>
        `- ${u.kind} **${u.title}**: ${u.status}${u.error ? ` — ${u.error}` : ''}${u.note ? ` — ${u.note}` : ''}`,
    ),
    ...r.irreversible.map((i) => `- **irreversible**: ${i.title}: ${i.reason}; way back: \`${i.wayBack}\``),
    ...(r.undo.length + r.irreversible.length === 0 ? ['Nothing to undo.'] : []),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
