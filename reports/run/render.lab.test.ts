// The run report as a reader sees it in Chromium (no lab): for a dry run of prod, a refusal of prod and a killed
// run finished by `drill rollback` (real results), the first screen says what kind of run it was, and nothing
// green claims a pass.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../core/runner/result-schema.ts';
import { launchChromium, openReport, redAndGreen } from '../testing/report-page.ts';
import { RUN_REPORT_FILES, writeRunReports } from './write.ts';

const here = import.meta.dirname;
const RUNS = {
  planned: join(here, 'fixtures', 'outcomes', 'planned-prod.result.json'),
  refused: join(here, 'fixtures', 'outcomes', 'refused-prod.result.json'),
  interrupted: join(here, '..', 'compliance', 'fixtures', 'self-test-interrupted.result.json'),
};

let browser: Browser;
const out = mkdtempSync(join(tmpdir(), 'run-report-render-'));

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('the run report in Chromium says what kind of run it was, in the first screen', () => {
  it.each(Object.entries(RUNS))('%s', async (outcome, file) => {
    const result = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
    const dir = join(out, outcome);
    writeRunReports({ result, runDir: here }, dir);
    const page = await openReport(browser, join(dir, RUN_REPORT_FILES.html), join(out, 'shots'));
    expect(page.problems).toEqual([]);
    const badge = page.page.locator('#verdict .badge');
    expect(await badge.textContent()).toBe(outcome.toUpperCase());
    const box = await badge.boundingBox();
    expect((box?.y ?? Number.POSITIVE_INFINITY) + (box?.height ?? 0)).toBeLessThan(1000);
    // As painted: the verdict badge is no green pass (a PASSED badge measured thousands of green pixels).
    expect((await redAndGreen(page, await badge.screenshot())).green).toBe(0);
    const heading = await page.page.locator('h1').textContent();
    expect(heading).not.toContain('LIVE');
    const text = await page.text();
    expect(text).not.toContain('PASSED');
    expect(text).not.toContain('every step ran as written');
    if (outcome === 'refused') expect(await page.page.locator('ul.reasons li').count()).toBeGreaterThan(1);
    if (outcome === 'interrupted') expect(text).toContain('`drill rollback`');
    await page.screenshot(`run-report-${outcome}`);
    await page.page.close();
  });
});
