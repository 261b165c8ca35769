// The run report as one self-contained HTML page: inline CSS and SVG, screenshots as data URIs, no script.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from '../../core/duration.ts';
import type { RunResult } from '../../core/runner/result-schema.ts';
import {
  achievedText,
  findingsByStep,
  type Loss,
  lossesOf,
  offsetText,
  personWaitIn,
  type RunBundle,
  rtoPhasesThatRan,
  stepSinceT0,
  targetText,
} from './facts.ts';
import { noDeviationsText, notMeasuredText, type OutcomeView, outcomeView } from './outcome-view.ts';
import type { RunbookLinker } from './runbook-links.ts';
import { escapeXml as esc, timelineSvg } from './timeline-svg.ts';

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1040px;color:#212121;padding:0 16px}
h1{font-size:22px;margin-bottom:4px} h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;width:100%;margin:8px 0} th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5} .num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600}
.passed,.met,.ok{background:#2e7d32} .failed,.breached,.error{background:#c62828} .aborted{background:#6d4c41}
.deviation{background:#ef6c00} .skipped{background:#9e9e9e} .sim{background:#1565c0} .live{background:#4a148c}
.planned{background:#546e7a} .refused{background:#e65100} .interrupted{background:#ad1457}
ul.reasons li{font-family:monospace;font-size:13px}
.finding{background:#fff8e1;border-left:4px solid #ffa000;padding:4px 8px;margin:4px 0}
.muted{color:#666} code{background:#f5f5f5;padding:0 3px} img.shot{max-width:100%;border:1px solid #ddd}
.timeline{overflow-x:auto}`;

function badge(text: string, cls: string): string {
  return `<span class="badge ${cls}">${esc(text)}</span>`;
}

function objectivesTable(r: RunResult): string {
  const row = (
    name: string,
    m: { achievedMs: number | null; uncertaintyMs: number; objectiveMs: number; met: boolean } | null,
    extra: string,
  ) =>
    `<tr><th>${name}</th><td class="num achieved-${name.toLowerCase()}">${esc(achievedText(m))}</td><td class="num">${m ? formatDuration(m.objectiveMs) : '—'}</td><td>${m ? badge(m.met ? 'met' : 'BREACHED', m.met ? 'met' : 'breached') : badge('not measured', 'skipped')}</td><td>${extra}</td></tr>`;
  const rpo = r.rpo;
  const rpoExtra = rpo
    ? `${rpo.lostCount} of ${rpo.acknowledgedCount} acknowledged writes lost${rpo.reportedLagMs === null ? '' : `; the platform reported ${esc(formatDuration(rpo.reportedLagMs))} of lag before T0`}`
    : '';
  const rtoExtra = r.rto
    ? r.rto.recovered
      ? `every recovery probe passed for ${esc(r.objectives.stableFor)}`
      : `not recovered: ${esc(
          Object.entries(r.rto.lastFailures)
            .map(([p, d]) => `${p}: ${d}`)
            .join('; '),
        )}`
    : '';
  return `<table class="objectives"><tr><th></th><th>achieved</th><th>objective</th><th></th><th>note</th></tr>${row('RTO', r.rto, rtoExtra)}${row('RPO', rpo, rpoExtra)}</table>`;
}

function phaseSplit(r: RunResult): string {
  const phases = rtoPhasesThatRan(r);
  if (phases.length === 0) return '';
  const total = phases.reduce((a, p) => a + p.durationMs, 0) || 1;
  const waits = phases.map((p) => personWaitIn(r, p));
  const people = waits.some((w) => w !== undefined);
  const rows = phases
    .map(
      (p, i) =>
        `<tr><td>${esc(p.name)}</td><td class="num">${offsetText(p.startMs)}</td><td class="num">${formatDuration(p.durationMs)}</td><td class="num">${Math.round((100 * p.durationMs) / total)} %</td>${
          people ? `<td class="num">${waits[i] === undefined ? '' : formatDuration(waits[i])}</td>` : ''
        }</tr>`,
    )
    .join('');
  return `<h3>RTO phase split</h3><table class="phases"><tr><th>phase</th><th>from</th><th>duration</th><th>share</th>${
    people ? '<th>of which waiting for a person</th>' : ''
  }</tr>${rows}</table>`;
}

function stepsTable(r: RunResult, link: RunbookLinker | undefined): string {
  const findings = findingsByStep(r);
  const rows = r.steps.map((s) => {
    const span = stepSinceT0(r, s);
    const ref = s.runbook ? link?.(s.runbook) : undefined;
    const refCell = s.runbook
      ? ref
        ? `<a href="${esc(ref.url)}" title="${esc(ref.title)}">${esc(s.runbook)}</a>`
        : esc(s.runbook)
      : '';
    const notes = (findings.get(s.id) ?? [])
      .map(
        (f) =>
          `<div class="finding"><b>runbook finding (${esc(f.severity)})</b>: it says ${esc(f.says)}; actually: ${esc(f.actually)}</div>`,
      )
      .join('');
    return `<tr><td>${refCell}</td><td>${esc(s.title)}${s.error ? `<div class="muted">${esc(s.error)}</div>` : s.detail ? `<div class="muted">${esc(s.detail)}</div>` : ''}${notes}</td><td>${badge(s.status, s.status)}</td><td class="num">${span ? offsetText(span.end) : '—'}</td><td class="num">${s.plannedAtMs === undefined ? '—' : offsetText(s.plannedAtMs)}</td><td class="num">${s.lateByMs ? formatDuration(s.lateByMs) : ''}</td><td class="num">${formatDuration(s.durationMs)}</td></tr>`;
  });
  return `<table class="steps"><tr><th>runbook</th><th>step</th><th>status</th><th>done at</th><th>planned by (§13)</th><th>late by</th><th>took</th></tr>${rows.join('')}</table>`;
}

function lossesSection(r: RunResult, losses: Loss[], view: OutcomeView): string {
  const rpo = r.rpo;
  const rows: string[] = [];
  if (rpo)
    rows.push(
      `<tr><td>canary writes (RPO ledger)</td><td class="num lost-writes">${rpo.lostCount}</td><td>${rpo.lostSeqs.length ? esc(rpo.lostSeqs.map((s) => `#${s}`).join(', ')) : 'none'}${rpo.lostCount > rpo.lostSeqs.length ? ' …' : ''}${rpo.totalLoss ? ' <b>(every acknowledged write lost)</b>' : ''}</td><td>RPO ledger</td></tr>`,
    );
  for (const l of losses)
    rows.push(
      `<tr><td>${esc(l.kind === 'backlog' ? `${l.what} (backlog)` : l.what)}</td><td class="num">${l.count}</td><td>${l.items?.length ? esc(l.items.map(String).join(', ')) : l.bytes === undefined ? '' : `${l.bytes} bytes`}</td><td>probe ${esc(l.probe)} (${l.stage})</td></tr>`,
    );
  if (rows.length === 0)
    return `<p>${esc(notMeasuredText(view) ?? 'No ledger or loss-reporting probe in this scenario.')}</p>`;
  return `<table class="losses"><tr><th>what</th><th>lost / behind</th><th>which</th><th>measured by</th></tr>${rows.join('')}</table>`;
}

function listOrNone(items: string[], none: string): string {
  return items.length
    ? `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`
    : `<p class="muted">${none}</p>`;
}

function screenshots(bundle: RunBundle): string {
  const shots = bundle.result.attachments.filter((a) => a.contentType === 'image/png');
  return shots
    .map((a) => {
      const file = join(bundle.runDir, a.path);
      try {
        if (statSync(file).size > 2_000_000)
          return `<p class="muted">${esc(a.name)}: too large to inline (${esc(a.path)})</p>`;
        return `<figure><img class="shot" alt="${esc(a.name)}" src="data:image/png;base64,${readFileSync(file).toString('base64')}"><figcaption>${esc(a.name)}</figcaption></figure>`;
      } catch {
        return `<p class="muted">${esc(a.name)}: not found at ${esc(a.path)}</p>`;
      }
    })
    .join('');
}

export interface RunHtmlOptions {
  link?: RunbookLinker;
}

// A dry run or a refusal on a live target is no live run: its badge says what it was.
const KIND_CLASS = {
  'DRY RUN': 'planned',
  'NOT EXECUTED': 'planned',
  SIMULATION: 'sim',
  LIVE: 'live',
} as const;

export function renderRunHtml(bundle: RunBundle, opts: RunHtmlOptions = {}): string {
  const r = bundle.result;
  const view = outcomeView(r);
  const kind = badge(view.kind, KIND_CLASS[view.kind]);
  const probes = [
    ...r.probes.steadyState.map(
      (p) =>
        `steady state: ${esc(p.name)} ${p.ok ? 'ok' : '<b>FAILED</b>'}${p.detail ? ` — ${esc(p.detail)}` : ''}`,
    ),
    ...r.probes.recovery.map((p) => `recovery: ${esc(p.name)}: ${p.samples} samples, ${p.failures} failed`),
    ...r.probes.verify.map(
      (p) =>
        `verify: ${esc(p.name)} ${p.ok ? 'ok' : '<b>FAILED</b>'}${p.detail ? ` — ${esc(p.detail)}` : ''}`,
    ),
  ];
  const undo = [
    ...r.undo.map(
      (u) =>
        `${esc(u.kind)} <b>${esc(u.title)}</b>: ${esc(u.status)}${u.error ? ` — ${esc(u.error)}` : ''}${u.note ? ` — ${esc(u.note)}` : ''}`,
    ),
    ...r.irreversible.map(
      (i) =>
        `<b>irreversible</b>: ${esc(i.title)}: ${esc(i.reason)}; way back: <code>${esc(i.wayBack)}</code>`,
    ),
  ];
  const svg = timelineSvg(r);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Drill ${esc(r.scenario.name)} on ${esc(r.target.name)}: ${esc(view.label)} (${esc(r.runId)})</title>
<style>${CSS}</style></head><body>
<h1>Drill <code>${esc(r.scenario.name)}</code> on ${esc(targetText(r))} ${kind}</h1>
<p class="muted">${esc(r.scenario.summary)}<br>run <code>${esc(r.runId)}</code> · started ${esc(r.startedAt)} · T0 ${esc(r.t0 ?? 'never (no fault injected)')} · took ${formatDuration(r.durationMs)}${r.dryRun ? ' · <b>dry run</b>' : ''}${r.clockOffset ? ` · <b>clock shifted by ${esc(r.clockOffset.offset)}</b> (really started ${esc(r.clockOffset.realStartedAt)}): not evidence` : ''}</p>
<h2>Verdict</h2><p id="verdict">${badge(view.label, view.outcome)} ${esc(r.reason)}</p>
<p class="muted" id="outcome-meaning">${esc(view.meaning)}</p>${view.reasons.length ? `<ul class="reasons">${view.reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}
<h2>Objectives</h2>${objectivesTable(r)}${phaseSplit(r)}
<h2>Timeline</h2>${svg ? `<div class="timeline">${svg}</div>` : '<p class="muted">No fault was injected: nothing to draw.</p>'}
<h2>Steps</h2>${stepsTable(r, opts.link)}
<h2>Lost writes and other losses</h2>${lossesSection(r, lossesOf(r), view)}
<h2>Deviations</h2>${listOrNone(
    r.deviations.map((d) => `${d.stepId ? `<b>${esc(d.stepId)}</b> ` : ''}${esc(d.kind)}: ${esc(d.message)}`),
    noDeviationsText(r, view),
  )}
<h2>Runbook findings</h2>${listOrNone(
    r.findings.map(
      (f) =>
        `<b>${esc(f.runbook)}</b> (${esc(f.severity)}, step ${esc(f.stepId)}): says ${esc(f.says)}; actually: ${esc(f.actually)}`,
    ),
    'None.',
  )}
<h2>Probes</h2>${listOrNone(probes, 'No probe ran.')}
<h2>Undo and irreversible steps</h2>${listOrNone(undo, 'Nothing to undo.')}
${screenshots(bundle) ? `<h2>Screenshots</h2>${screenshots(bundle)}` : ''}
</body></html>
`;
}
