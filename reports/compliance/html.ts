// Self-contained HTML compliance report: inline CSS and SVG, no script, nothing fetched.
import { escapeHtml as h, trendChart, trendPoints } from './chart.ts';
import {
  achievedVsTarget,
  clockOffsetText,
  day,
  dueText,
  interruptedText,
  passClass,
  signOffText,
  trendText,
  verdictText,
} from './format.ts';
import type { ComplianceSummary, ScenarioStatus } from './summary.ts';
import type { VerifyReport } from './verify.ts';

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24;max-width:1100px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid #d0d7de}
h3{font-size:16px;margin:0 0 6px}.meta{color:#57606a}
.card{border:1px solid #d0d7de;border-radius:6px;padding:12px 16px;margin:12px 0;page-break-inside:avoid}
.card.simulation{background:#f6f8fa;border-style:dashed}
.badge{display:inline-block;font-size:12px;font-weight:700;padding:1px 8px;border-radius:10px;margin-left:6px}
.badge.sim{background:#ddf4ff;color:#0969da}.badge.overdue{background:#ffebe9;color:#cf222e}
.badge.pass{background:#dafbe1;color:#1a7f37}.badge.fail{background:#ffebe9;color:#cf222e}
.badge.ok{background:#dafbe1;color:#1a7f37}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left;font-size:13px}
th{background:#f6f8fa}.charts{display:flex;flex-wrap:wrap;gap:12px}
svg.trend{background:#fff;border:1px solid #eaeef2}svg .axis{stroke:#57606a}svg .objective{stroke:#cf222e;stroke-dasharray:5 4}
svg .met{fill:#2da44e}svg .missed{fill:#cf222e}svg text{font:11px system-ui,sans-serif;fill:#1b1f24}
svg .chart-title{font-weight:700}svg .none{fill:#8c959f}svg .grid{stroke:#eaeef2}
@page{size:A4;margin:12mm 10mm}
@media print{body{margin:0;max-width:none;font-size:12px}h2,h3{break-after:avoid}.card{page-break-inside:auto}.card>table,.card>.charts,.card>h3{page-break-inside:avoid}svg.trend{width:48%;height:auto}}
.integrity.bad{border-color:#cf222e;background:#fff5f5}ul.problems li{font-family:monospace;font-size:12px}
`;

function quarterTable(s: ScenarioStatus): string {
  const rows = s.quarters
    .map((q) => {
      const result = q.last ? `<span class="badge ${passClass(q.last)}">${verdictText(q.last)}</span>` : '—';
      return `<tr><td>${q.quarter}</td><td>${q.runs}</td><td>${q.passed}</td><td>${q.failed}</td><td>${q.last ? `${day(q.last.startedAt)} ${h(q.last.runId)}` : 'no drill'}</td><td>${h(achievedVsTarget(q.last, 'rto'))}</td><td>${h(achievedVsTarget(q.last, 'rpo'))}</td><td>${result}</td></tr>`;
    })
    .join('');
  return `<table><thead><tr><th>quarter</th><th>runs</th><th>passed</th><th>failed</th><th>last run</th><th>RTO achieved / target</th><th>RPO achieved / target</th><th>result</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function remediationList(s: ScenarioStatus): string {
  if (s.openRemediation.length === 0) return '<p>No open remediation items.</p>';
  const items = s.openRemediation
    .map(
      (r) => `<li><strong>[${r.severity}] ${h(r.title)}</strong>${r.detail ? `: ${h(r.detail)}` : ''}</li>`,
    )
    .join('');
  return `<details open><summary>${s.openRemediation.length} open remediation item(s) from the last run</summary><ul>${items}</ul></details>`;
}

/** The trend charts, or one line when no quarter measured anything (no empty chart with a 1 ms axis). */
function charts(s: ScenarioStatus): string {
  const svgs = [
    trendChart(`${s.scenario}: RTO per quarter`, trendPoints(s.quarters, 'rto')),
    trendChart(`${s.scenario}: RPO per quarter`, trendPoints(s.quarters, 'rpo')),
  ].filter((svg) => svg !== '');
  return svgs.length
    ? `<div class="charts">${svgs.join('')}</div>`
    : '<p class="meta">No RTO or RPO measured in any quarter yet: no trend to chart.</p>';
}

/** One row per scenario, first on the page: what an auditor reads before the details. */
function summaryTable(rows: ScenarioStatus[]): string {
  const body = rows
    .map((s) => {
      return `<tr><td>${h(s.scenario)}${s.evidence === 'simulation' ? '<span class="badge sim">SIMULATION</span>' : ''}</td><td>${day(s.lastRun.startedAt)}</td><td><span class="badge ${passClass(s.lastRun)}">${verdictText(s.lastRun)}</span></td><td>${h(achievedVsTarget(s.lastRun, 'rto'))}</td><td>${h(achievedVsTarget(s.lastRun, 'rpo'))}</td><td>${s.overdue ? '<span class="badge overdue">OVERDUE</span> ' : ''}${h(dueText(s))}</td><td>${s.openRemediation.length}</td></tr>`;
    })
    .join('');
  return `<table class="summary"><thead><tr><th>scenario</th><th>last run</th><th>result</th><th>RTO achieved / target</th><th>RPO achieved / target</th><th>next due</th><th>open items</th></tr></thead><tbody>${body}</tbody></table>`;
}

function card(s: ScenarioStatus): string {
  const sim = s.evidence === 'simulation';
  const last = s.lastRun;
  const offset = clockOffsetText(last);
  const killed = interruptedText(last);
  const shifted = s.quarters.some((q) => q.last?.clockOffset);
  return `<section class="card${sim ? ' simulation' : ''}" data-scenario="${h(s.scenario)}" data-evidence="${s.evidence}">
<h3>${h(s.scenario)}${sim ? '<span class="badge sim">SIMULATION</span>' : ''}${s.overdue ? '<span class="badge overdue">OVERDUE</span>' : ''}</h3>
<table><tbody>
<tr><th>targets</th><td>${h(s.targets.join(', '))} (${s.runs} run(s))</td></tr>
<tr><th>last run</th><td>${day(last.startedAt)} ${h(last.runId)}: <span class="badge ${passClass(last)}">${verdictText(last)}</span>${offset ? ` <em>${h(offset)}</em>` : ''}</td></tr>
${killed ? `<tr><th>interrupted</th><td>${h(killed)}</td></tr>` : ''}
<tr><th>RTO</th><td>${h(achievedVsTarget(last, 'rto'))}</td></tr>
<tr><th>RPO</th><td>${h(achievedVsTarget(last, 'rpo'))}</td></tr>
<tr><th>sign-off</th><td>${h(signOffText(last))}</td></tr>
<tr><th>next due</th><td>${h(dueText(s))}</td></tr>
</tbody></table>
${shifted ? '<p class="meta">Some runs were made with a shifted clock (--clock-offset): history for rehearsal, not evidence.</p>' : ''}
${quarterTable(s)}
${charts(s)}
<p class="meta">Trend RTO: ${h(trendText(s, 'rto'))}<br>Trend RPO: ${h(trendText(s, 'rpo'))}</p>
${remediationList(s)}
</section>`;
}

function integrity(v: VerifyReport): string {
  if (v.ok) {
    return `<section class="card integrity"><h3>History integrity <span class="badge ok">VERIFIED</span></h3><p>${v.records} record(s), ${v.artifacts} artifact(s); every sha256 and the chain check out. Chain head: <code>${v.head ? `${v.head.seq} ${v.head.chainHash}` : 'empty'}</code></p></section>`;
  }
  const problems = v.problems.map((p) => `<li>${h(p.message)}</li>`).join('');
  return `<section class="card integrity bad"><h3>History integrity <span class="badge fail">TAMPERED</span></h3><p>${v.problems.length} problem(s): this history cannot be trusted as evidence.</p><ul class="problems">${problems}</ul></section>`;
}

export function renderHtml(summary: ComplianceSummary, verify: VerifyReport): string {
  const live = summary.live.length
    ? summary.live.map(card).join('\n')
    : '<p>No live run in the history: there is no compliance evidence yet.</p>';
  const noLive = summary.withoutLiveEvidence.length
    ? `<p class="meta">Drilled only in simulation, no live evidence: ${h(summary.withoutLiveEvidence.join(', '))}.</p>`
    : '';
  const sim = summary.simulation.length
    ? summary.simulation.map(card).join('\n')
    : '<p>No simulation run in the history.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DR compliance report</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${CSS}</style></head>
<body>
<h1>DR compliance report</h1>
<p class="meta">Generated ${h(summary.generatedAt)} · drills are due every ${summary.cadenceDays} days · quarters in UTC</p>
<h2>Summary</h2>
${summary.live.length + summary.simulation.length ? summaryTable([...summary.live, ...summary.simulation]) : '<p>The history holds no run yet.</p>'}
${integrity(verify)}
<h2>Live evidence</h2>
${live}
${noLive}
<h2>Simulation (lab runs): not compliance evidence</h2>
${sim}
</body></html>
`;
}
