// The compliance report as a reader sees it (no lab: headless Chromium and poppler-utils only). A history of real
// results over four quarters (live and lab, one scenario whose only run was killed and rolled back) is built into
// HTML and PDF; the HTML is opened in Chromium and the PDF rendered page by page to images, and both are checked
// for what a reader takes in at a glance: the summary table first, no blank page, no empty chart, bars and the
// objective visible on a log scale, A4 pages.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../core/runner/result-schema.ts';
import {
  inkFraction,
  type PageImage,
  pageText,
  pdfInfo,
  pixelsOf,
  renderPages,
} from '../testing/pdf-pages.ts';
import { launchChromium, openReport, type ReportPage, redAndGreen } from '../testing/report-page.ts';
import { buildComplianceReport, type ComplianceReportFiles } from './build.ts';
import { ingestRun } from './store.ts';
import { fixture, runDirWith } from './testing.ts';

const NOW = new Date('2026-12-07T12:00:00.000Z');
/** The colour of a met bar (reports/compliance/html.ts). */
const MET = '#2da44e';

/** A real result moved to another date (and, for `live`, to a live target named prod). */
function moved(name: 'region-outage' | 'self-test' | 'self-test-interrupted', startedAt: string, n: number) {
  const r: RunResult = fixture(name);
  return { ...r, runId: `${startedAt.slice(0, 10)}-${r.scenario.name}-${n}`, startedAt };
}

let files: ComplianceReportFiles;
let browser: Browser;
let html: ReportPage;
let pages: PageImage[];

beforeAll(async () => {
  const launching = launchChromium();
  launching.catch(() => {});
  const historyDir = mkdtempSync(join(tmpdir(), 'compliance-render-'));
  const runs: RunResult[] = [
    ...['2026-02-10', '2026-05-12', '2026-08-20', '2026-11-26'].map((d, i) =>
      moved('self-test', `${d}T07:05:45.383Z`, i),
    ),
    ...['2026-06-03', '2026-11-26'].map((d, i) => {
      const r = moved('region-outage', `${d}T06:31:46.545Z`, i);
      return { ...r, target: { name: 'prod', kind: 'live' as const } };
    }),
    ...['2026-09-01', '2026-11-26'].map((d, i) => moved('region-outage', `${d}T06:31:46.545Z`, i + 2)),
    // A scenario whose only run was killed and rolled back: nothing measured, so no chart may be drawn for it.
    {
      ...moved('self-test-interrupted', '2026-12-01T09:00:00.000Z', 0),
      scenario: { name: 'api-crashloop', summary: 'x' },
    },
  ];
  for (const r of runs) ingestRun({ historyDir, runDir: runDirWith(r), now: NOW });
  files = await buildComplianceReport({ historyDir, outDir: join(historyDir, 'report'), now: NOW });
  browser = await launching;
  html = await openReport(browser, files.html, join(historyDir, 'shots'));
  pages = renderPages(files.pdf as string);
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('the compliance HTML in Chromium', () => {
  it('opens cleanly and shows the summary table first, in the first screen, one row per scenario', async () => {
    expect(html.problems).toEqual([]);
    const first = html.page.locator('table').first();
    expect(await first.getAttribute('class')).toBe('summary');
    const table = await first.boundingBox();
    const firstCard = await html.page.locator('section.card[data-scenario]').first().boundingBox();
    expect(table && firstCard && table.y + table.height <= firstCard.y).toBe(true);
    expect((table?.y ?? Number.POSITIVE_INFINITY) + (table?.height ?? 0)).toBeLessThan(1000);
    const rows = await first.locator('tbody tr').allInnerTexts();
    expect(rows.map((r) => r.split('\t')[0])).toEqual([
      'region-outage',
      'api-crashloopSIMULATION',
      'region-outageSIMULATION',
      'self-testSIMULATION',
    ]);
    expect(rows[1]).toContain('INTERRUPTED');
  });

  it('draws no empty chart: every chart has visible bars and its objective line; none for a scenario with no value', async () => {
    const charts = html.page.locator('svg.trend');
    const count = await charts.count();
    // RTO and RPO for each of the three measured scenarios; api-crashloop (killed, nothing measured) has none.
    expect(count).toBe(6);
    expect(await html.page.locator('section[data-scenario="api-crashloop"] svg').count()).toBe(0);
    expect(await html.page.locator('section[data-scenario="api-crashloop"]').textContent()).toContain(
      'No RTO or RPO measured in any quarter yet',
    );
    for (let i = 0; i < count; i += 1) {
      const chart = charts.nth(i);
      expect(await chart.getAttribute('aria-label')).toMatch(/\(log scale\)$/);
      const heights = await chart
        .locator('rect')
        .evaluateAll((rects) => rects.map((r) => r.getBoundingClientRect().height));
      expect(heights.length).toBeGreaterThan(0);
      for (const h of heights) expect(h).toBeGreaterThanOrEqual(2);
      const objective = await chart.locator('line.objective').boundingBox();
      expect(objective?.width).toBeGreaterThan(100);
      // The pixels as painted: the bars in green (every run here met its objective), the objective line in red
      // (measured: 2000 to 5200 green and 250 to 500 red pixels a chart).
      const painted = await redAndGreen(html, await chart.screenshot());
      expect(painted.green, `bars of chart ${i}`).toBeGreaterThan(200);
      expect(painted.red, `objective line of chart ${i}`).toBeGreaterThan(50);
    }
    await html.screenshot('compliance-render');
  });
});

describe('the compliance PDF, page by page as images', () => {
  it('is A4, and no page is blank', () => {
    const info = pdfInfo(files.pdf as string);
    // A4 is 595.28 x 841.89 pt; Chromium rounds to its own units.
    const [w, h] = info.pageSize.split(/ x | pts/).map(Number);
    expect(info.pageSize).toMatch(/\(A4\)$/);
    expect(Math.abs((w as number) - 595.28)).toBeLessThan(1);
    expect(Math.abs((h as number) - 841.89)).toBeLessThan(1);
    expect(pages.length).toBe(info.pages);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const p of pages) {
      // A blank page has no ink; the report's title and one line alone measured 0.72 % at 50 dpi.
      expect(inkFraction(p), `page ${p.page}`).toBeGreaterThan(0.002);
    }
  });

  it('page 1 holds the summary table, not only the title', () => {
    const text = pageText(files.pdf as string, 1);
    const before = text.slice(0, text.indexOf('Live evidence'));
    expect(text.indexOf('Live evidence')).toBeGreaterThan(0);
    expect(before).toMatch(/^DR compliance report\n/);
    for (const column of ['scenario', 'result', 'next due', 'open']) expect(before).toContain(column);
    for (const cell of ['region-outage', 'api-crashloop', 'self-test', 'INTERRUPTED', 'PASSED', '2027-02-24'])
      expect(before).toContain(cell);
    // The table's ink, not the title's alone: the title and its line alone measured 0.72 % at 50 dpi, this 8.8 %.
    expect(inkFraction(pages[0] as PageImage)).toBeGreaterThan(0.03);
  });

  it('the charts are printed: bars in their colour and the objective on a log scale, on the pages that name them', () => {
    const texts = pages.map((p) => pageText(files.pdf as string, p.page));
    const all = texts.join('\n');
    expect(all.match(/per quarter \(log scale\)/g)?.length).toBe(6);
    expect(all).toContain('objective 30m 00s');
    expect(all).toContain('objective 30.0s');
    // The bar colour (within 12 per channel) is on the pages that hold charts and nowhere else (measured: 535 to
    // 1074 pixels a chart page at 50 dpi, 0 elsewhere).
    for (const [i, p] of pages.entries()) {
      if (texts[i]?.includes('(log scale)'))
        expect(pixelsOf(p, MET, 12), `page ${p.page}`).toBeGreaterThan(200);
      else expect(pixelsOf(p, MET, 12), `page ${p.page}`).toBe(0);
    }
  });
});
