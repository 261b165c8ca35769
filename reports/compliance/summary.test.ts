import { describe, expect, it } from 'vitest';
import { trendChart, trendPoints } from './chart.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { type HistoryRecord, summarize } from './record.ts';
import { quarterOf, quarterRange, summarizeHistory } from './summary.ts';
import { fixture } from './testing.ts';
import type { VerifyReport } from './verify.ts';

// Unit inputs: the real self-test result moved to chosen dates (the lab test builds a history from real runs).
function record(
  seq: number,
  startedAt: string,
  patch: { live?: boolean; verdict?: 'passed' | 'failed' | 'error' } = {},
): HistoryRecord {
  const run = summarize(fixture('self-test'), undefined);
  Object.assign(run, { runId: `run-${seq}`, startedAt, verdict: patch.verdict ?? 'passed' });
  if (patch.live) Object.assign(run, { kind: 'live', simulation: false, target: 'prod' });
  return { version: 1, seq, ingestedAt: startedAt, run, artifacts: [], prevChainHash: '', chainHash: '' };
}
const OK: VerifyReport = { ok: true, records: 0, artifacts: 0, head: null, problems: [] };

describe('quarters', () => {
  it('names UTC quarters and lists every quarter between two', () => {
    expect(quarterOf('2026-03-31T23:59:59.999Z')).toBe('2026-Q1');
    expect(quarterOf('2026-04-01T00:00:00.000Z')).toBe('2026-Q2');
    expect(quarterRange('2025-Q4', '2026-Q2')).toEqual(['2025-Q4', '2026-Q1', '2026-Q2']);
  });
});

describe('summarizeHistory', () => {
  const now = new Date('2026-11-26T00:00:00.000Z');

  it('keeps live evidence apart from simulations, due 90 days after the last completed run', () => {
    const s = summarizeHistory(
      [
        record(1, '2026-05-01T10:00:00.000Z'),
        record(2, '2026-09-15T10:00:00.000Z', { live: true }),
        record(3, '2026-11-20T10:00:00.000Z', { live: true, verdict: 'error' }),
        record(4, '2027-01-01T00:00:00.000Z'),
      ],
      now,
    );
    expect(
      s.live.map((x) => [
        x.scenario,
        x.runs,
        x.lastRun.runId,
        x.lastCompleted?.runId,
        x.nextDue,
        x.overdue,
        x.daysUntilDue,
      ]),
    ).toEqual([['self-test', 2, 'run-3', 'run-2', '2026-12-14T10:00:00.000Z', false, 18]]);
    // run-4 starts after "now": evidence cannot come from the future.
    expect(s.simulation.map((x) => [x.runs, x.overdue, x.daysUntilDue])).toEqual([[1, true, -119]]);
    expect(s.simulation[0]?.quarters.map((q) => [q.quarter, q.runs])).toEqual([
      ['2026-Q2', 1],
      ['2026-Q3', 0],
      ['2026-Q4', 0],
    ]);
    expect(s.withoutLiveEvidence).toEqual([]);
  });

  it('flags a scenario that never completed as overdue with no due date', () => {
    const [status] = summarizeHistory(
      [record(1, '2026-11-01T00:00:00.000Z', { verdict: 'error' })],
      now,
    ).simulation;
    expect(status).toMatchObject({ overdue: true, nextDue: null, daysUntilDue: null });
  });
});

describe('an interrupted run in the history', () => {
  const now = new Date('2026-11-26T00:00:00.000Z');
  const interrupted: HistoryRecord = {
    ...record(2, '2026-11-20T10:00:00.000Z'),
    run: {
      ...summarize(fixture('self-test-interrupted'), undefined),
      runId: 'run-2',
      startedAt: '2026-11-20T10:00:00.000Z',
    },
  };
  const summary = summarizeHistory([record(1, '2026-11-01T10:00:00.000Z'), interrupted], now);

  it('counts as a run of its quarter, never as passed, and moves no due date', () => {
    const [status] = summary.simulation;
    expect(status?.quarters.at(-1)).toMatchObject({ runs: 2, passed: 1, failed: 1 });
    expect([status?.lastRun.runId, status?.lastCompleted?.runId]).toEqual(['run-2', 'run-1']);
  });

  it('Markdown and HTML say INTERRUPTED and what the rollback did', () => {
    const md = renderMarkdown(summary, OK);
    expect(md).toContain('| self-test (SIMULATION) | 2026-11-20 | INTERRUPTED | not measured / 30.0s |');
    expect(md).toContain('- Interrupted: killed during failover; `drill rollback` rolled back: 2 undone\n');
    const html = renderHtml(summary, OK);
    expect(html).toContain('<span class="badge fail">INTERRUPTED</span>');
    expect(html).toContain(
      '<tr><th>interrupted</th><td>killed during failover; `drill rollback` rolled back: 2 undone</td></tr>',
    );
    expect(html).not.toContain('>PASS<');
  });
});

describe('renderings', () => {
  const now = new Date('2026-11-26T00:00:00.000Z');
  const summary = summarizeHistory(
    [record(1, '2026-05-01T10:00:00.000Z'), record(2, '2026-07-02T10:00:00.000Z')],
    now,
  );

  it('Markdown: simulation table row, overdue in bold, trend with the empty quarter', () => {
    const md = renderMarkdown(summary, OK);
    expect(md).toContain(
      '| self-test (SIMULATION) | 2026-07-02 | PASSED | 1.6s ± 100ms / 30.0s ✔ | 180ms ± 50ms / 5.0s ✔ | **OVERDUE since 2026-09-30 (57 days)** | 2 |',
    );
    expect(md).toContain('- RTO trend: 2026-Q2 1.6s ✔ → 2026-Q3 1.6s ✔ → 2026-Q4 no run');
    expect(md).toContain('No live run in the history: there is no compliance evidence yet.');
    expect(
      renderMarkdown(summary, {
        ...OK,
        ok: false,
        problems: [{ kind: 'artifact-tampered', file: 'a', message: 'a was changed' }],
      }),
    ).toContain('History integrity: **TAMPERED**: 1 problem(s):\n- a was changed');
  });

  it('SVG: a bar per quarter with its value, "no run" for an empty quarter, the objective on a log scale', () => {
    const svg = trendChart('RTO', trendPoints(summary.simulation[0]?.quarters ?? [], 'rto'));
    expect(svg.match(/<rect /g)?.length).toBe(2);
    expect(svg).toContain('>no run</text>');
    expect(svg).toContain('<title>2026-Q2: 1.6s (met)</title>');
    expect(svg).toContain('>objective 30.0s</text>');
    expect(svg).toContain('(log scale)');
  });

  it('SVG: an 18 s bar and its 30 min objective both fit, a decade per tick; no chart without a value', () => {
    const point = (quarter: string, valueMs: number | null) => ({
      quarter,
      valueMs,
      objectiveMs: 1_800_000,
      met: valueMs === null ? null : true,
    });
    const svg = trendChart('RTO', [point('2026-Q3', 18_000), point('2026-Q4', 0)]);
    const bar = /<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/.exec(svg);
    const objectiveY = Number(/<line [^>]*y1="([\d.]+)"[^>]*class="objective"/.exec(svg)?.[1]);
    const barTop = Number(bar?.[1]);
    // Log scale 10s…1h: the 18 s bar stays below the objective line and is neither full height nor a sliver.
    expect(barTop).toBeGreaterThan(objectiveY);
    expect(Number(bar?.[2])).toBeGreaterThan(10);
    expect(svg).toContain('>10.0s</text>');
    expect(svg).toContain('>1h 00m</text>');
    expect(trendChart('RTO', [point('2026-Q3', null)])).toBe('');
  });
});
