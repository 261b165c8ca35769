// A post-mortem DRAFT per run, in the shape the runbook's §11 asks for (written within 48 h, template
// docs/security/INCIDENT_RESPONSE.md): timeline, impact, RTO/RPO, deviations, actions. Facts come from the run;
// what only people know (customer impact, root cause, owners) is left as marked blanks.
import { formatDuration } from '../../core/duration.ts';
import { actionsOf, lossesOf, offsetText, type RunBundle, stepSinceT0, targetText } from '../run/facts.ts';
import { cell, objectivesMarkdown, phaseSplitMarkdown } from '../run/markdown.ts';
import { outcomeView } from '../run/outcome-view.ts';

const TO_FILL = '_(to fill in)_';

export function renderPostmortem(bundle: RunBundle): string {
  const r = bundle.result;
  const date = r.startedAt.slice(0, 10);
  // Rows in time order: steps by their end, the outage and the recovery where they fell among them.
  const events: { at: number; row: string }[] = r.steps.map((s) => {
    const span = stepSinceT0(r, s);
    const status = `${s.title}: ${s.status}${s.lateByMs ? ` (late by ${formatDuration(s.lateByMs)} against §13)` : ''}`;
    return {
      at: span?.end ?? 0,
      row: `| ${span ? offsetText(span.end) : '—'} | ${s.runbook ?? ''} | ${cell(status)} |`,
    };
  });
  if (r.rto?.outageStartMs !== null && r.rto?.outageStartMs !== undefined)
    events.push({
      at: r.rto.outageStartMs,
      row: `| ${offsetText(r.rto.outageStartMs)} | — | users see the outage (first failing recovery probe) |`,
    });
  if (r.rto?.achievedMs !== null && r.rto?.achievedMs !== undefined)
    events.push({
      at: r.rto.achievedMs,
      row: `| ${offsetText(r.rto.achievedMs)} | — | service restored (every recovery probe passing for ${r.objectives.stableFor}) |`,
    });
  const timeline = [
    `| ${r.startedAt} | — | drill started (${r.dryRun ? 'dry run' : 'run'} \`${r.runId}\`) |`,
    ...events.sort((x, y) => x.at - y.at).map((e) => e.row),
    `| ${r.endedAt} | — | drill ended: ${outcomeView(r).label} |`,
  ];
  const recovery = r.probes.recovery.map(
    (p) => `- ${p.name}: ${p.failures} of ${p.samples} samples failed during the failover`,
  );
  const losses = lossesOf(r).map(
    (l) => `- ${l.kind === 'backlog' ? 'backlog' : 'lost'}: ${l.count} ${l.what} (probe ${l.probe})`,
  );
  const actions = actionsOf(r).map(
    (a, i) => `| ${i + 1} | ${a.severity} | ${cell(a.source)} | ${cell(a.text)} | ${TO_FILL} | ${TO_FILL} |`,
  );
  const lines = [
    `# DRAFT — Post-mortem: ${r.scenario.name} drill, ${date}`,
    '',
    `> **DRAFT** generated from run \`${r.runId}\` on ${targetText(r)}${r.target.kind === 'lab' ? ' — a SIMULATION on the lab, not a production incident' : ''}. Review, complete the blanks and publish within 48 h (runbook §11, template \`docs/security/INCIDENT_RESPONSE.md\`).`,
    '',
    '## Summary',
    '',
    `${r.scenario.summary}. Verdict: **${outcomeView(r).label}** — ${r.reason}.`,
    '',
    '## Timeline',
    '',
    `T0 (fault confirmed injected): ${r.t0 ?? 'never'}.`,
    '',
    '| when | runbook | what happened |',
    '|---|---|---|',
    ...timeline,
    '',
    '## Impact',
    '',
    ...(r.rto?.outageStartMs !== null && r.rto?.outageStartMs !== undefined
      ? [
          `- Users could not be served for ${r.rto.achievedMs === null ? 'the rest of the drill (never recovered)' : formatDuration(r.rto.achievedMs - r.rto.outageStartMs)} (from ${offsetText(r.rto.outageStartMs)}).`,
        ]
      : []),
    ...recovery,
    ...(r.rpo
      ? [
          `- ${r.rpo.lostCount} of ${r.rpo.acknowledgedCount} acknowledged canary writes lost${r.rpo.lostSeqs.length ? ` (${r.rpo.lostSeqs.map((s) => `#${s}`).join(', ')})` : ''}.`,
        ]
      : []),
    ...losses,
    `- Customers, orders and revenue affected: ${TO_FILL}`,
    '',
    '## RTO and RPO',
    '',
    ...objectivesMarkdown(r),
    '',
    ...phaseSplitMarkdown(r),
    '',
    '## Deviations from the runbook',
    '',
    ...(r.deviations.length
      ? r.deviations.map((d) => `- ${d.stepId ? `**${d.stepId}** ` : ''}${d.kind}: ${d.message}`)
      : ['- None recorded by the drill.']),
    ...(r.findings.length
      ? [
          `- Where the runbook itself is wrong, the drill did the right thing instead: ${r.findings.length} runbook finding${r.findings.length === 1 ? '' : 's'} (${r.findings
            .map((f) => f.runbook)
            .filter((v, i, all) => all.indexOf(v) === i)
            .join(', ')}), each an action below.`,
        ]
      : []),
    '',
    '## Root cause and contributing factors',
    '',
    r.target.kind === 'lab'
      ? `Injected on purpose: ${r.steps.find((s) => s.id === 'fault')?.title ?? 'the scenario fault'}.`
      : TO_FILL,
    '',
    '## Actions',
    '',
    ...(actions.length
      ? ['| # | severity | from | action | owner | due |', '|---|---|---|---|---|---|', ...actions]
      : ['No remediation item came out of this run.']),
    `| | | runbook §11 | Update the runbook with the actions above; plan a DR drill within 30 days to check the fixes | ${TO_FILL} | ${TO_FILL} |`,
    '',
    ...(r.irreversible.length
      ? [
          '## Way back',
          '',
          ...r.irreversible.map((i) => `- ${i.title}: ${i.reason}; way back: \`${i.wayBack}\``),
          '',
        ]
      : []),
    '## Evidence',
    '',
    `- \`result.json\`, \`actions.jsonl\` (audit log, secrets redacted), \`journal.json\` and attachments under \`out/runs/${r.runId}/\`.`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
