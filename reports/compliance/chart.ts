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

/** A self-contained <svg> for one metric; the scale fits the achieved values so a trend stays visible. */
export function trendChart(title: string, points: TrendPoint[]): string {
  const values = points.map((p) => p.valueMs).filter((v): v is number => v !== null);
  const objective = points.findLast((p) => p.objectiveMs !== null)?.objectiveMs ?? null;
  const top = Math.max(1, ...values) * 1.25;
  const showObjective = objective !== null && objective <= top;
  const max = showObjective ? Math.max(top, objective * 1.1) : top;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const slot = plotW / Math.max(1, points.length);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="trend" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}">`,
    `<text x="${PAD.left}" y="14" class="chart-title">${escapeHtml(title)}</text>`,
    `<line x1="${PAD.left}" y1="${y(0)}" x2="${W - PAD.right}" y2="${y(0)}" class="axis"/>`,
    `<text x="${PAD.left - 6}" y="${y(max) + 4}" text-anchor="end" class="tick">${formatDuration(max)}</text>`,
    `<text x="${PAD.left - 6}" y="${y(0) + 4}" text-anchor="end" class="tick">0</text>`,
  ];
  points.forEach((p, i) => {
    const x = PAD.left + i * slot + slot * 0.2;
    const w = slot * 0.6;
    const cx = x + w / 2;
    if (p.valueMs === null) {
      parts.push(`<text x="${cx}" y="${y(0) - 6}" text-anchor="middle" class="none">no run</text>`);
    } else {
      const cls = p.met ? 'met' : 'missed';
      parts.push(
        `<rect x="${x}" y="${y(p.valueMs)}" width="${w}" height="${Math.max(1, y(0) - y(p.valueMs))}" class="${cls}"><title>${p.quarter}: ${formatDuration(p.valueMs)} (${p.met ? 'met' : 'missed'})</title></rect>`,
        `<text x="${cx}" y="${y(p.valueMs) - 4}" text-anchor="middle" class="value">${formatDuration(p.valueMs)}</text>`,
      );
    }
    parts.push(`<text x="${cx}" y="${H - 12}" text-anchor="middle" class="tick">${p.quarter}</text>`);
  });
  if (objective !== null) {
    if (showObjective) {
      parts.push(
        `<line x1="${PAD.left}" y1="${y(objective)}" x2="${W - PAD.right}" y2="${y(objective)}" class="objective"/>`,
        `<text x="${W - PAD.right}" y="${y(objective) - 4}" text-anchor="end" class="tick">objective ${formatDuration(objective)}</text>`,
      );
    } else {
      parts.push(
        `<text x="${W - PAD.right}" y="14" text-anchor="end" class="tick">objective ${formatDuration(objective)} (above the scale)</text>`,
      );
    }
  }
  parts.push('</svg>');
  return parts.join('');
}
