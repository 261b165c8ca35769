// End to end: a real drill (self-test on the memory target), then `pnpm report` as a process, then every report
// it wrote opened in headless Chromium: no console error, and the run's achieved RTO and RPO on the page.
// Screenshots land in out/test-artifacts/report/.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDirIn, runDrill, sandbox } from '../core/cli/spawn-drill.ts';
import { PROJECT_ROOT } from '../core/registry.ts';
import type { RunResult } from '../core/runner/result-schema.ts';
import { findBrowser, launchArgs } from '../probes/browser.ts';
import { achievedText } from './run/facts.ts';

const ARTIFACTS = join(PROJECT_ROOT, 'out', 'test-artifacts', 'report');

function pnpmReport(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_ROOT, 'reports', 'cli.ts'), ...args],
      {
        cwd: PROJECT_ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Opens a file in a fresh page and collects console errors and uncaught page errors. */
async function open(browser: Browser, file: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  // Anything remote would hang on this closed network: fail fast instead, and say what it was.
  await page.route(/^https?:/, (route) => {
    errors.push(`remote request: ${route.request().url()}`);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href, { timeout: 60_000 });
  return { page, errors };
}

describe('pnpm report after a real drill', { timeout: 180_000 }, () => {
  const box = sandbox();
  const env = { ...box.env, DRILL_OUT_DIR: box.outDir };
  let result: RunResult;
  let written: string[];
  let browser: Browser;
  const file = (suffix: string) => {
    const path = written.find((p) => p.endsWith(suffix));
    if (!path) throw new Error(`pnpm report printed no path ending in ${suffix}: ${written.join(', ')}`);
    return path;
  };

  beforeAll(async () => {
    const drill = await runDrill(['self-test', '--out', box.outDir], env);
    expect(drill.code, drill.output).toBe(0);
    result = JSON.parse(readFileSync(join(runDirIn(box.outDir) ?? '', 'result.json'), 'utf8'));
    const report = await pnpmReport([], env);
    expect(report.code, `${report.stdout}\n${report.stderr}`).toBe(0);
    written = report.stdout.trim().split('\n');
    const found = findBrowser();
    if (!found.path) throw new Error(`no Chromium: looked at ${found.looked.join(', ')}`);
    browser = await chromium.launch({ executablePath: found.path, args: launchArgs() });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('writes every report of the latest run into out/reports/<run-id>, and says where', () => {
    const dir = join(box.outDir, 'reports', result.runId);
    expect(written.slice(0, 5)).toEqual(
      ['timeline.svg', 'run-report.html', 'run-report.md', 'postmortem.md', 'allure/index.html'].map((f) =>
        join(dir, f),
      ),
    );
    expect(written.every((p) => existsSync(p))).toBe(true);
    expect(readFileSync(file('postmortem.md'), 'utf8')).toContain(`# DRAFT — Post-mortem: self-test drill`);
  });

  it('run report: opens without console errors and shows the achieved RTO and RPO of the run', async () => {
    const { page, errors } = await open(browser, file('run-report.html'));
    expect(await page.locator('td.achieved-rto').textContent()).toBe(achievedText(result.rto));
    expect(await page.locator('td.achieved-rpo').textContent()).toBe(achievedText(result.rpo));
    expect(await page.locator('svg[role="img"] rect.step').count()).toBe(result.steps.length);
    await page.screenshot({ path: join(ARTIFACTS, 'run-report.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('Allure HTML: opens offline without console errors; the RTO and RPO tests show achieved vs objective', async () => {
    const { page, errors } = await open(browser, file('allure/index.html'));
    const group = page.getByText('drill self-test on memory').first();
    // The single-file report unpacks 4 MB of script before it draws: slow on a loaded machine.
    await group.click({ timeout: 90_000 });
    for (const [test, measured] of [
      ['RTO ≤', result.rto],
      ['RPO ≤', result.rpo],
    ] as const) {
      const link = page.getByText(test).first();
      if (!(await link.isVisible())) await group.click();
      await link.click({ timeout: 30_000 });
      await page.getByText('Parameters').first().waitFor({ timeout: 30_000 });
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the text as rendered, line breaks included
      const text = await page.locator('body').innerText();
      expect(text).toContain(`achieved\n${achievedText(measured).split(' ± ')[0]}`);
      expect(text).toContain(`uncertainty\n± ${achievedText(measured).split(' ± ')[1]}`);
      await page.screenshot({
        path: join(ARTIFACTS, `allure-${test.slice(0, 3).toLowerCase()}.png`),
        fullPage: true,
      });
      await page.goBack();
    }
    expect(errors).toEqual([]);
  });

  it('Allure results: epic DR, the scenario as feature, the simulation tag, the runbook links', () => {
    const dir = join(runDirIn(box.outDir) ?? '', 'allure-results');
    const results = readdirSync(dir)
      .filter((f) => f.endsWith('-result.json'))
      .map(
        (f) =>
          JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
            name: string;
            labels: { name: string; value: string }[];
            links: { name: string; url: string }[];
          },
      );
    const rto = results.find((r) => r.name.startsWith('RTO ≤'));
    const labels = (rto?.labels ?? []).filter((l) => ['epic', 'feature', 'tag', 'target'].includes(l.name));
    expect(labels).toEqual([
      { name: 'epic', value: 'DR' },
      { name: 'feature', value: 'self-test' },
      { name: 'target', value: 'memory' },
      { name: 'tag', value: 'simulation' },
    ]);
    const run = results.find((r) => r.name.startsWith('runs every phase'));
    expect(run?.links.map((l) => l.name)).toContain('runbook §6.1 Base de données');
  });

  it('compliance report (when built): opens without console errors and shows the run against its targets', async () => {
    const html = written.find((p) => p.endsWith('compliance.html'));
    if (!html) return;
    const { page, errors } = await open(browser, html);
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the text as rendered
    const text = await page.locator('body').innerText();
    expect(text).toContain(achievedText(result.rto));
    await page.screenshot({ path: join(ARTIFACTS, 'compliance.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
