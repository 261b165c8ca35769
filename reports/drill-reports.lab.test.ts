// Issue #7 end to end, on ONE lab booted once: three quick api-pod-kill drills with recorded clock offsets make
// the history of three past quarters (the CLI's run command in this process; ingested as CI does), then `pnpm drill aurora-outage` (through vitest,
// so with Allure results) is this quarter's run, then `pnpm report`. Every report it wrote is opened in headless
// Chromium (no console error, no failed request, screenshots attached) and shows that run's RTO and RPO; the
// compliance report shows the quarterly trend, flags the overdue scenario and its history detects tampering.
// The lab checks every AWS exchange of these drills against the AWS models (issue 22 §2, its checks in
// lab/aws/conformance/testing/drill-traffic-checks.ts): no lab and no drill of their own.
// The compliance checks are in ./testing/compliance-checks.ts; the lab and the runs in ./testing/report-run.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../core/duration.ts';
import { formatBracket } from '../core/measure/index.ts';
import { drillTrafficTests } from '../lab/aws/conformance/testing/drill-traffic-checks.ts';
import { closeProbes } from '../probes/index.ts';
import { achievedText } from './run/facts.ts';
import { complianceHistoryTests } from './testing/compliance-checks.ts';
import { launchChromium, openReport } from './testing/report-page.ts';
import { bootReportRun, HISTORY, type ReportRun, SCREENSHOTS } from './testing/report-run.ts';

let run: ReportRun;
let browser: Browser;

beforeAll(async () => {
  // Chromium starts while the lab boots and the drills run.
  const launching = launchChromium();
  launching.catch(() => {}); // awaited below; a failed launch must not be an unhandled rejection meanwhile
  try {
    run = await bootReportRun();
  } finally {
    browser = await launching;
  }
}, 900_000);

afterAll(async () => {
  if (run) console.log(`reports lab file stages (ms): ${JSON.stringify(run.stages)}`);
  await browser?.close();
  await closeProbes(); // the history drills ran in this process: their HTTP pool outlives them unless closed
  await run?.close();
}, 60_000);

const open = (file: string) => openReport(browser, file, SCREENSHOTS);

describe('real lab runs with a recorded clock offset', () => {
  it('each api-pod-kill history run is a lab run that records its offset, real start and sign-off', () => {
    const history = run.history.map((d) => d.result);
    expect(history.map((r) => [r.scenario.name, r.target.kind, r.verdict, r.clockOffset?.offset])).toEqual(
      HISTORY.map((h) => ['api-pod-kill', 'lab', 'passed', h.offset]),
    );
    for (const r of history) {
      const shift = Date.parse(r.startedAt) - Date.parse(r.clockOffset?.realStartedAt ?? '');
      expect(shift).toBe(r.clockOffset?.offsetMs);
      expect(Math.abs(Date.parse(r.clockOffset?.realStartedAt ?? '') - run.bootedAt)).toBeLessThan(600_000);
    }
    expect(history.map((r) => r.signOff)).toEqual([
      { approver: 'Env Approver', participants: [] },
      { approver: 'Env Approver', participants: [] },
      { approver: 'Dana Ops', participants: ['sre-a', 'sre-b'] },
    ]);
    expect(run.ingest.code).toBe(0);
    expect(run.ingest.stdout.trim().split('\n')).toEqual(
      history.map((r, i) => expect.stringMatching(new RegExp(`^ingested ${r.runId} as record ${i + 1} \\(`))),
    );
  });

  it('aurora-outage ran on the lab in real time and measured its RTO and RPO', () => {
    const r = run.aurora.result;
    expect([r.scenario.name, r.target.kind, r.clockOffset, r.dryRun]).toEqual([
      'aurora-outage',
      'lab',
      undefined,
      false,
    ]);
    // Both verdicts are a complete drill whose reports this file proves; its probes' own tests prove it passes.
    expect(['passed', 'failed'], `${r.reason}\n${run.aurora.output.slice(-3000)}`).toContain(r.verdict);
    expect(run.aurora.code).toBe(r.exitCode);
    expect(r.rto?.achievedMs).toBeGreaterThan(0);
    expect(r.rpo?.acknowledgedCount).toBeGreaterThan(0);
  });
});

// Chromium unpacking the 4 MB single-file Allure report takes tens of seconds on a loaded machine.
describe('pnpm report after pnpm drill aurora-outage', { timeout: 180_000 }, () => {
  const file = (suffix: string) => {
    const path = run.written.find((p) => p.endsWith(suffix));
    if (!path) throw new Error(`pnpm report printed no path ending in ${suffix}: ${run.written.join(', ')}`);
    return path;
  };

  it('writes every report of the run into out/reports/<run-id>, and says where', () => {
    expect(run.report.code, `${run.report.stdout}\n${run.report.stderr}`).toBe(0);
    const dir = join(run.outDir, 'reports', run.aurora.result.runId);
    expect(run.written).toEqual(
      [
        'timeline.svg',
        'run-report.html',
        'run-report.md',
        'postmortem.md',
        'allure/index.html',
        'compliance/compliance.html',
        'compliance/compliance.md',
        'compliance/compliance.json',
        'compliance/compliance.pdf',
      ].map((f) => join(dir, f)),
    );
  });

  it('run report: opens cleanly and shows the achieved RTO and RPO of the run', async () => {
    const r = run.aurora.result;
    const report = await open(file('run-report.html'));
    expect(await report.page.locator('td.achieved-rto').textContent()).toBe(achievedText(r.rto));
    expect(await report.page.locator('td.achieved-rpo').textContent()).toBe(achievedText(r.rpo));
    expect(await report.page.locator('svg[role="img"] rect.step').count()).toBe(r.steps.length);
    await report.screenshot('run-report');
    expect(report.problems).toEqual([]);
  });

  it('post-mortem draft: opens cleanly, §11 shape, with the RTO and RPO of the run', async () => {
    const r = run.aurora.result;
    const report = await open(file('postmortem.md'));
    const text = await report.text();
    expect(text).toContain('# DRAFT — Post-mortem: aurora-outage drill');
    for (const [name, m] of [
      ['RTO', r.rto],
      ['RPO', r.rpo],
    ] as const) {
      expect(text).toContain(`| ${name} | ${achievedText(m)} | ${formatDuration(m?.objectiveMs ?? 0)} |`);
    }
    await report.screenshot('postmortem');
    expect(report.problems).toEqual([]);
  });

  it('Allure HTML: opens offline and cleanly; the RTO and RPO tests show achieved vs objective', async () => {
    const r = run.aurora.result;
    const report = await open(file('allure/index.html'));
    const group = report.page.getByText('drill aurora-outage on lab').first();
    // The single-file report unpacks 4 MB of script before it draws: slow on a loaded machine.
    await group.click({ timeout: 90_000 });
    for (const [test, measured] of [
      ['RTO ≤', r.rto],
      ['RPO ≤', r.rpo],
    ] as const) {
      const link = report.page.getByText(test).first();
      if (!(await link.isVisible())) await group.click();
      await link.click({ timeout: 30_000 });
      await report.page.getByText('Parameters').first().waitFor({ timeout: 30_000 });
      const text = await report.text();
      expect(text).toContain(`achieved\n${formatDuration(measured!.achievedMs!)}`);
      const bracket = formatBracket(measured!);
      if (bracket !== null) expect(text).toContain(`interval\n${bracket}`);
      expect(text).toContain(`uncertainty\n± ${formatDuration(measured!.uncertaintyMs)}`);
      await report.screenshot(`allure-${test.slice(0, 3).toLowerCase()}`);
      await report.page.goBack();
    }
    expect(report.problems).toEqual([]);
  });

  it('Allure results: epic DR, the scenario as feature, the lab target, the simulation tag, runbook links', () => {
    const dir = join(run.aurora.runDir, 'allure-results');
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
      { name: 'feature', value: 'aurora-outage' },
      { name: 'target', value: 'lab' },
      { name: 'tag', value: 'simulation' },
    ]);
    const phases = results.find((r) => r.name.startsWith('runs every phase'));
    expect(phases?.links.map((l) => l.name)).toContain('runbook §6.1 Base de données');
  });
});

complianceHistoryTests(() => ({ run, open }));

drillTrafficTests(() => run.awsTraffic);
