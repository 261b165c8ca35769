// The run's timeline as an inline SVG: each step's actual span against its §13 planned offset, the outage
// window (T0 → recovered), the RTO objective and every recovery probe sample. Time since T0 on a log scale,
// so a lab step taking seconds and a plan counted in minutes are both readable.
import { formatDuration } from '../../core/duration.ts';
import type { RunResult } from '../../core/runner/result-schema.ts';
import { offsetText, samplesSinceT0, stepSinceT0 } from './facts.ts';

const WIDTH = 980;
const LABEL = 350;
const RIGHT = 20;
const ROW = 22;
const TOP = 34;
const STATUS_COLOUR: Record<RunResult['steps'][number]['status'], string> = {
  ok: '#2e7d32',
  failed: '#c62828',
  deviation: '#ef6c00',
  aborted: '#6d4c41',
  skipped: '#9e9e9e',
};
const TICKS = [
  0, 1e3, 2e3, 5e3, 10e3, 30e3, 60e3, 120e3, 300e3, 600e3, 900e3, 1_200e3, 1_800e3, 2_700e3, 3_600e3,
];

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** "1s", "30s", "2m", "1h": tick labels stay short. */
function tickText(ms: number): string {
  if (ms < 60_000) return `${ms / 1000}s`;
  if (ms < 3_600_000) return `${ms / 60_000}m`;
  return `${ms / 3_600_000}h`;
}

const n = (v: number) => (Math.round(v * 10) / 10).toString();

/** Log scale from T0: x(0) is the left edge; 0.5 s is the knee below which time is near-linear. */
function scaleFor(maxMs: number): (ms: number) => number {
  const span = WIDTH - LABEL - RIGHT;
  const f = (ms: number) => Math.log10(1 + Math.max(0, ms) / 500);
  const max = f(maxMs);
  return (ms) => LABEL + (span * f(ms)) / max;
}

function trim(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** An SVG document (no script, no external reference) for a run that injected its fault; '' otherwise. */
export function timelineSvg(result: RunResult): string {
  if (result.t0 === null) return '';
  const steps = result.steps
    .map((step) => ({ step, span: stepSinceT0(result, step) }))
    .filter((s): s is { step: (typeof s)['step']; span: { start: number; end: number } } => s.span !== null);
  const samples = samplesSinceT0(result);
  const probes = [...new Set(samples.map((s) => s.probe))];
  const rto = result.rto;
  const maxMs =
    Math.max(
      1000,
      ...steps.map((s) => Math.max(s.span.end, s.step.plannedAtMs ?? 0)),
      ...samples.map((s) => s.sinceT0Ms),
      rto?.achievedMs ?? 0,
      rto?.objectiveMs ?? 0,
    ) * 1.08;
  const x = scaleFor(maxMs);
  const rows = probes.length + steps.length;
  const height = TOP + rows * ROW + 40;
  const bottom = TOP + rows * ROW;
  const parts: string[] = [];
  const title = `Timeline of run ${result.runId}: steps against their planned offsets, outage window and probe samples`;
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeXml(title)}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
  );
  // Outage window: from the first failing recovery sample to recovery (the achieved RTO).
  if (rto && rto.outageStartMs !== null) {
    const end = rto.achievedMs ?? maxMs;
    parts.push(
      `<rect class="outage" x="${n(x(rto.outageStartMs))}" y="${TOP - 6}" width="${n(Math.max(1, x(end) - x(rto.outageStartMs)))}" height="${rows * ROW + 6}" fill="#ffcdd2" opacity="0.55"><title>outage ${offsetText(rto.outageStartMs)} → ${rto.achievedMs === null ? 'not recovered' : `recovered at ${offsetText(end)} (RTO ${formatDuration(end)})`}</title></rect>`,
    );
  }
  let lastLabelX = Number.NEGATIVE_INFINITY;
  for (const tick of TICKS.filter((t) => t <= maxMs)) {
    const tx = x(tick);
    if (tx - lastLabelX < 44) continue; // labels would overlap: keep the earlier one
    lastLabelX = tx;
    parts.push(
      `<line x1="${n(tx)}" y1="${TOP - 6}" x2="${n(tx)}" y2="${bottom}" stroke="#e0e0e0"/>`,
      `<text x="${n(tx)}" y="${bottom + 16}" text-anchor="middle" fill="#555">${tick === 0 ? 'T0' : `+${tickText(tick)}`}</text>`,
    );
  }
  parts.push(
    `<text x="${LABEL}" y="${height - 6}" fill="#555">time since T0 (log scale) · ◆ planned offset (runbook §13) · red band: outage</text>`,
  );
  if (rto) {
    const ox = x(rto.objectiveMs);
    parts.push(
      `<line class="rto-objective" x1="${n(ox)}" y1="${TOP - 14}" x2="${n(ox)}" y2="${bottom}" stroke="#6a1b9a" stroke-dasharray="4 3"/>`,
      `<text x="${n(ox)}" y="${TOP - 18}" text-anchor="end" fill="#6a1b9a">RTO objective ${formatDuration(rto.objectiveMs)}</text>`,
    );
    if (rto.achievedMs !== null)
      parts.push(
        `<text x="${n(x(rto.achievedMs))}" y="${TOP - 18}" text-anchor="middle" fill="#b71c1c">recovered ${offsetText(rto.achievedMs)}</text>`,
      );
  }
  let y = TOP;
  for (const probe of probes) {
    const own = samples.filter((s) => s.probe === probe);
    parts.push(
      `<text x="${LABEL - 8}" y="${y + 14}" text-anchor="end">probe ${escapeXml(probe)} (availability)</text>`,
    );
    own.forEach((s, i) => {
      const next = own[i + 1]?.sinceT0Ms ?? s.sinceT0Ms + 250;
      const sx = x(s.sinceT0Ms);
      parts.push(
        `<rect class="sample ${s.ok ? 'ok' : 'fail'}" x="${n(sx)}" y="${y + 4}" width="${n(Math.max(1, x(next) - sx))}" height="${ROW - 8}" fill="${s.ok ? '#66bb6a' : '#e53935'}"><title>${escapeXml(`${probe} ${s.ok ? 'ok' : 'FAIL'} at ${offsetText(s.sinceT0Ms)}${s.detail ? `: ${s.detail}` : ''}`)}</title></rect>`,
      );
    });
    y += ROW;
  }
  for (const { step, span } of steps) {
    const colour = STATUS_COLOUR[step.status];
    const label = `${step.runbook ? `${step.runbook} ` : ''}${step.title}`;
    const bx = x(span.start);
    parts.push(
      `<text x="${LABEL - 8}" y="${y + 14}" text-anchor="end"><title>${escapeXml(label)}</title>${escapeXml(trim(label, 50))}</text>`,
      `<rect class="step ${step.status}" x="${n(bx)}" y="${y + 5}" width="${n(Math.max(2, x(span.end) - bx))}" height="${ROW - 10}" fill="${colour}"><title>${escapeXml(`${step.title}: ${step.status}, ${offsetText(span.start)} → ${offsetText(span.end)} (${formatDuration(step.durationMs)})`)}</title></rect>`,
    );
    if (step.plannedAtMs !== undefined) {
      const px = x(step.plannedAtMs);
      const late = (step.lateByMs ?? 0) > 0;
      parts.push(
        `<path class="planned" d="M${n(px)} ${y + 4} l5 7 l-5 7 l-5 -7 z" fill="${late ? '#c62828' : '#1565c0'}"><title>${escapeXml(`planned by ${offsetText(step.plannedAtMs)}${late ? `, late by ${formatDuration(step.lateByMs ?? 0)}` : ''}`)}</title></path>`,
      );
    }
    y += ROW;
  }
  parts.push('</svg>');
  return parts.join('\n');
}
