// Inline SVG trend chart: one bar per quarter (the quarter's last run), its objective as a dashed line.
import { formatDuration } from '../../core/duration.ts';
import type { QuarterRow } from './summary.ts';

export const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

export interface TrendPoint {
  quarter: string;
  /** Achieved value in ms; null when no run that quarter or nothing measured. */
  valueMs: number | null;
  objectiveMs: number | null;
  met: boolean | null;
}

export function trendPoints(quarters: QuarterRow[], metric: 'rto' | 'rpo'): TrendPoint[] {
  return quarters.map((q) => {
    const m = q.last?.[metric];
    return {
      quarter: q.quarter,
      valueMs: m?.achievedMs ?? null,
      objectiveMs: q.last ? q.last.objectives[metric === 'rto' ? 'rtoMs' : 'rpoMs'] : null,
      met: m ? m.met : null,
    };
  });
}

const W = 520;
const H = 200;
const PAD = { left: 56, right: 12, top: 22, bottom: 34 };

/** Human ticks for a log axis of durations (ms): roughly a decade apart, each a round number to read. */
const TICKS = [1, 10, 100, 1_000, 10_000, 60_000, 600_000, 3_600_000, 36_000_000, 86_400_000 * 10];

/** The ticks from the largest at or below the smallest value to the smallest at or above the largest. */
function ticksFor(values: number[]): number[] {
  const positive = values.filter((v) => v > 0);
  const min = Math.min(...positive);
  const max = Math.max(...positive);
  const first = TICKS.findLastIndex((t) => t <= min);
  const last = TICKS.findIndex((t) => t >= max);
  const from = Math.max(0, first);
  const to = last === -1 ? TICKS.length - 1 : Math.max(last, from + 1);
  return TICKS.slice(from, to + 1);
}

/**
 * A self-contained <svg> for one metric, on a log scale so that an 18 s recovery and its 30 min objective are
 * both readable; the objective is always drawn. Empty ('') when no quarter has a measured value.
 */
export function trendChart(title: string, points: TrendPoint[]): string {
  const values = points.map((p) => p.valueMs).filter((v): v is number => v !== null);
  const objective = points.findLast((p) => p.objectiveMs !== null)?.objectiveMs ?? null;
  if (values.length === 0) return '';
  const scaled = [...values, ...(objective !== null ? [objective] : [])];
  const ticks = ticksFor(scaled.some((v) => v > 0) ? scaled : [1]);
  const lo = ticks[0] as number;
  const hi = ticks.at(-1) as number;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const base = PAD.top + plotH;
  // A zero (no write lost) sits on the axis: a log scale has no 0.
  const y = (v: number) =>
    v <= lo ? base : base - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  const slot = plotW / Math.max(1, points.length);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="trend" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)} (log scale)">`,
    `<text x="${PAD.left}" y="14" class="chart-title">${escapeHtml(title)} (log scale)</text>`,
    `<line x1="${PAD.left}" y1="${base}" x2="${W - PAD.right}" y2="${base}" class="axis"/>`,
  ];
  for (const tick of ticks) {
    parts.push(
      `<line x1="${PAD.left}" y1="${y(tick)}" x2="${W - PAD.right}" y2="${y(tick)}" class="grid"/>`,
      `<text x="${PAD.left - 6}" y="${y(tick) + 4}" text-anchor="end" class="tick">${formatDuration(tick)}</text>`,
    );
  }
  points.forEach((p, i) => {
    const x = PAD.left + i * slot + slot * 0.2;
    const w = slot * 0.6;
    const cx = x + w / 2;
    if (p.valueMs === null) {
      parts.push(`<text x="${cx}" y="${base - 6}" text-anchor="middle" class="none">no run</text>`);
    } else {
      const cls = p.met ? 'met' : 'missed';
      const top = Math.min(y(p.valueMs), base - 1);
      parts.push(
        `<rect x="${x}" y="${top}" width="${w}" height="${base - top}" class="${cls}"><title>${p.quarter}: ${formatDuration(p.valueMs)} (${p.met ? 'met' : 'missed'})</title></rect>`,
        `<text x="${cx}" y="${top - 4}" text-anchor="middle" class="value">${formatDuration(p.valueMs)}</text>`,
      );
    }
    parts.push(`<text x="${cx}" y="${H - 12}" text-anchor="middle" class="tick">${p.quarter}</text>`);
  });
  if (objective !== null) {
    parts.push(
      `<line x1="${PAD.left}" y1="${y(objective)}" x2="${W - PAD.right}" y2="${y(objective)}" class="objective"/>`,
      `<text x="${W - PAD.right}" y="${y(objective) - 4}" text-anchor="end" class="tick">objective ${formatDuration(objective)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
