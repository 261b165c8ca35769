// Markdown compliance report, compact enough for $GITHUB_STEP_SUMMARY (limit 1 MiB per step).
import {
  achievedVsTarget,
  clockOffsetText,
  day,
  dueText,
  interruptedText,
  signOffText,
  trendText,
  verdictText,
} from './format.ts';
import type { ComplianceSummary, ScenarioStatus } from './summary.ts';
import type { VerifyReport } from './verify.ts';

/** Remediation items listed per scenario; the rest are counted. */
const MAX_ITEMS = 10;
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function table(rows: ScenarioStatus[]): string[] {
  const lines = [
    '| scenario | last run | result | RTO achieved / target | RPO achieved / target | next due | open items |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const s of rows) {
    const sim = s.evidence === 'simulation' ? ' (SIMULATION)' : '';
    lines.push(
      `| ${cell(s.scenario)}${sim} | ${day(s.lastRun.startedAt)} | ${verdictText(s.lastRun)} | ${cell(achievedVsTarget(s.lastRun, 'rto'))} | ${cell(achievedVsTarget(s.lastRun, 'rpo'))} | ${s.overdue ? '**' : ''}${cell(dueText(s))}${s.overdue ? '**' : ''} | ${s.openRemediation.length} |`,
    );
  }
  return lines;
}

function details(s: ScenarioStatus): string[] {
  const label = s.evidence === 'simulation' ? ' (SIMULATION)' : '';
  const lines = [`#### ${s.scenario}${label}`, ''];
  lines.push(`- Last run: \`${s.lastRun.runId}\` on ${s.targets.join(', ')}, ${verdictText(s.lastRun)}`);
  const killed = interruptedText(s.lastRun);
  if (killed) lines.push(`- Interrupted: ${killed}`);
  const offset = clockOffsetText(s.lastRun);
  if (offset) lines.push(`- ${offset}: rehearsal history, not evidence`);
  lines.push(`- Sign-off: ${signOffText(s.lastRun)}`);
  lines.push(`- RTO trend: ${trendText(s, 'rto')}`, `- RPO trend: ${trendText(s, 'rpo')}`);
  if (s.openRemediation.length > 0) {
    lines.push(`- Open remediation items (${s.openRemediation.length}):`);
    for (const r of s.openRemediation.slice(0, MAX_ITEMS)) lines.push(`  - [${r.severity}] ${cell(r.title)}`);
    if (s.openRemediation.length > MAX_ITEMS) {
      lines.push(`  - … and ${s.openRemediation.length - MAX_ITEMS} more (see the HTML report)`);
    }
  }
  lines.push('');
  return lines;
}

export function renderMarkdown(summary: ComplianceSummary, verify: VerifyReport): string {
  const lines = ['## DR compliance report', ''];
  lines.push(
    `Generated ${summary.generatedAt}; drills are due every ${summary.cadenceDays} days.`,
    '',
    verify.ok
      ? `History integrity: **VERIFIED**: ${verify.records} record(s), ${verify.artifacts} artifact(s), chain head \`${verify.head?.chainHash ?? 'empty'}\`.`
      : `History integrity: **TAMPERED**: ${verify.problems.length} problem(s):`,
  );
  for (const p of verify.problems) lines.push(`- ${cell(p.message)}`);
  lines.push('', '### Live evidence', '');
  if (summary.live.length > 0) lines.push(...table(summary.live), '');
  else lines.push('No live run in the history: there is no compliance evidence yet.', '');
  if (summary.withoutLiveEvidence.length > 0) {
    lines.push(
      `Drilled only in simulation, no live evidence: ${summary.withoutLiveEvidence.join(', ')}.`,
      '',
    );
  }
  lines.push('### Simulation (lab runs): not compliance evidence', '');
  if (summary.simulation.length > 0) lines.push(...table(summary.simulation), '');
  else lines.push('No simulation run in the history.', '');
  for (const s of [...summary.live, ...summary.simulation]) lines.push(...details(s));
  return `${lines.join('\n').trimEnd()}\n`;
}
