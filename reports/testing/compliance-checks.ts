// The compliance half of reports/drill-reports.lab.test.ts: the report `pnpm report` built over a history of
// real lab runs (three shifted api-pod-kill runs, this quarter's aurora-outage), and tamper detection.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../../core/duration.ts';
import type { RunResult } from '../../core/runner/result-schema.ts';
import { buildComplianceReport } from '../compliance/build.ts';
import { main as complianceMain } from '../compliance/cli.ts';
import { sha256 } from '../compliance/record.ts';
import { RECORDS_DIR, readRecords } from '../compliance/store.ts';
import {
  type ComplianceSummary,
  quarterOf,
  quarterRange,
  type ScenarioStatus,
} from '../compliance/summary.ts';
import { type VerifyReport, verifyHistory } from '../compliance/verify.ts';
import { runMain } from './cli-process.ts';
import { type ReportPage, renderedText } from './report-page.ts';
import type { ReportRun } from './report-run.ts';

const DAY = 86_400_000;
const mark = (m: { met: boolean }) => (m.met ? '✔' : '✘');

/** "18.1s ± 1.0s / 30m 00s ✔", straight from result.json (the report's own formatting, recomputed). */
function vsTarget(m: RunResult['rto'] | RunResult['rpo']): string {
  if (!m || m.achievedMs === null) throw new Error('the run measured no value');
  return `${formatDuration(m.achievedMs)} ± ${formatDuration(m.uncertaintyMs)} / ${formatDuration(m.objectiveMs)} ${mark(m)}`;
}

/** The expected trend line of runs in `quarters`: each quarter's run, or "no run". */
function trend(quarters: string[], runs: RunResult[], metric: 'rto' | 'rpo'): string {
  return quarters
    .map((q) => {
      const m = runs.find((r) => quarterOf(r.startedAt) === q)?.[metric];
      return m ? `${q} ${formatDuration(m.achievedMs ?? 0)} ${mark(m)}` : `${q} no run`;
    })
    .join(' → ');
}

const dueOf = (r: RunResult) => Date.parse(r.startedAt) + 90 * DAY;

export function complianceHistoryTests(
  get: () => { run: ReportRun; open: (file: string) => Promise<ReportPage> },
): void {
  const scratch = mkdtempSync(join(tmpdir(), 'compliance-checks-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const report = () => {
    const { run } = get();
    const path = (ext: string) => run.written.find((p) => p.endsWith(`compliance.${ext}`)) as string;
    const json = JSON.parse(readFileSync(path('json'), 'utf8')) as {
      summary: ComplianceSummary;
      verify: VerifyReport;
    };
    return { ...json, html: path('html'), md: readFileSync(path('md'), 'utf8'), pdf: path('pdf') };
  };
  const copyHistory = (name: string) => {
    const to = join(scratch, name);
    cpSync(get().run.historyDir, to, { recursive: true });
    return to;
  };

  describe('the compliance report over three past quarters of lab runs and this one', {
    timeout: 120_000,
  }, () => {
    it('shows the quarterly trend, simulation only, and flags api-pod-kill OVERDUE', () => {
      const { run } = get();
      const { summary, md } = report();
      const history = run.history.map((d) => d.result);
      const aurora = run.aurora.result;
      const now = Date.parse(summary.generatedAt);
      expect(summary.live).toEqual([]);
      expect(summary.withoutLiveEvidence).toEqual(['api-pod-kill', 'aurora-outage']);
      const [podKill, auroraStatus] = summary.simulation as [ScenarioStatus, ScenarioStatus];
      const quarters = quarterRange(quarterOf(history[0]?.startedAt ?? ''), quarterOf(summary.generatedAt));
      expect(quarters.length).toBeGreaterThanOrEqual(4);
      expect(podKill.quarters.map((q) => [q.quarter, q.runs, q.last?.runId ?? null])).toEqual(
        quarters.map((q) => {
          const r = history.find((h) => quarterOf(h.startedAt) === q);
          return [q, r ? 1 : 0, r?.runId ?? null];
        }),
      );
      expect(new Set(history.map((r) => quarterOf(r.startedAt))).size).toBe(3);
      expect(podKill.quarters.at(-1)?.runs).toBe(0);
      const podKillDue = dueOf(history[2] as RunResult);
      expect(podKill).toMatchObject({
        overdue: true,
        nextDue: new Date(podKillDue).toISOString(),
        daysUntilDue: Math.floor((podKillDue - now) / DAY),
      });
      const auroraDue = dueOf(aurora);
      expect(auroraStatus.quarters.map((q) => [q.quarter, q.runs, q.last?.runId])).toEqual([
        [quarterOf(summary.generatedAt), 1, aurora.runId],
      ]);
      expect(auroraStatus).toMatchObject({
        overdue: false,
        nextDue: new Date(auroraDue).toISOString(),
        daysUntilDue: Math.floor((auroraDue - now) / DAY),
      });
      // The Markdown CI writes to $GITHUB_STEP_SUMMARY: the trend per quarter and the overdue flag.
      expect(md).toContain(`- RTO trend: ${trend(quarters, history, 'rto')}\n`);
      expect(md).toContain(`- RPO trend: ${trend(quarters, history, 'rpo')}\n`);
      expect(md).toContain(
        `**OVERDUE since ${new Date(podKillDue).toISOString().slice(0, 10)} (${-Math.floor((podKillDue - now) / DAY)} days)**`,
      );
      expect(md).toContain(
        `| aurora-outage (SIMULATION) | ${aurora.startedAt.slice(0, 10)} | ${aurora.verdict.toUpperCase()} | ${vsTarget(aurora.rto)} | ${vsTarget(aurora.rpo)} |`,
      );
      expect(md).toContain('- clock shifted by -100d');
      expect(md).toContain('- Sign-off: approver Dana Ops; participants sre-a, sre-b');
    });

    it('HTML: opens cleanly in Chromium, shows the run RTO/RPO, the charts, SIMULATION and OVERDUE; a PDF', async () => {
      const { run, open } = get();
      const { html, pdf } = report();
      const page = await open(html);
      const aurora = run.aurora.result;
      const card = (name: string) => page.page.locator(`section[data-scenario="${name}"]`);
      expect(await card('api-pod-kill').locator('h3').textContent()).toBe('api-pod-killSIMULATIONOVERDUE');
      expect(await card('aurora-outage').locator('h3').textContent()).toBe('aurora-outageSIMULATION');
      const auroraText = await renderedText(card('aurora-outage'));
      expect(auroraText).toContain(`RTO\t${vsTarget(aurora.rto)}`);
      expect(auroraText).toContain(`RPO\t${vsTarget(aurora.rpo)}`);
      for (const r of run.history.map((d) => d.result))
        expect(await renderedText(card('api-pod-kill'))).toContain(
          `${r.runId}\t${vsTarget(r.rto)}\t${vsTarget(r.rpo)}`,
        );
      expect(await page.page.locator('svg').count()).toBe(4);
      expect(await page.text()).toContain('History integrity VERIFIED');
      await page.screenshot('compliance');
      expect(page.problems).toEqual([]);
      expect(readFileSync(html, 'utf8')).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
      expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    });

    it('is not overdue for a "now" within 90 days of the last run (injectable now)', async () => {
      const { run } = get();
      const last = run.history[2]?.result as RunResult;
      const soon = new Date(Date.parse(last.startedAt) + 30 * DAY);
      const later = await buildComplianceReport({
        historyDir: run.historyDir,
        outDir: join(scratch, 'soon'),
        now: soon,
        pdf: false,
      });
      // The aurora-outage run is in the future of that "now": evidence cannot come from the future.
      expect(later.summary.simulation.map((s) => [s.scenario, s.overdue, s.daysUntilDue])).toEqual([
        ['api-pod-kill', false, 60],
      ]);
    });
  });

  describe('pnpm compliance verify', () => {
    it('passes on the history: four chained records, the aurora record hashing its Allure results', async () => {
      const { run } = get();
      const records = readRecords(run.historyDir);
      expect(records.map((r) => [r.seq, r.run.runId])).toEqual(
        [...run.history, run.aurora].map((d, i) => [i + 1, d.result.runId]),
      );
      for (let i = 1; i < records.length; i += 1)
        expect(records[i]?.prevChainHash).toBe(records[i - 1]?.chainHash);
      const paths = records[3]?.artifacts.map((a) => a.path) ?? [];
      expect(paths).toContain('result.json');
      expect(paths.some((p) => p.startsWith('allure-results/'))).toBe(true);
      const artifacts = records.reduce((n, r) => n + r.artifacts.length, 0);
      const verify = await runMain(complianceMain, ['verify', '--history', run.historyDir]);
      expect([verify.code, verify.stdout]).toEqual([
        0,
        `verified: 4 records, ${artifacts} artifacts, head ${records[3]?.chainHash}\n`,
      ]);
    });

    it('exits 1 naming a stored artifact changed by one byte (what fails the CI job)', async () => {
      const tampered = copyHistory('tampered');
      const record = readRecords(tampered)[1];
      const runId = record?.run.runId as string;
      const file = join(tampered, 'artifacts', runId, 'result.json');
      const bytes = readFileSync(file);
      bytes[10] = (bytes[10] as number) ^ 1;
      writeFileSync(file, bytes);
      const recorded = record?.artifacts.find((a) => a.path === 'result.json')?.sha256;
      const verify = await runMain(complianceMain, ['verify', '--history', tampered]);
      expect([verify.code, verify.stdout]).toEqual([
        1,
        `artifact-tampered: artifacts/${runId}/result.json was changed after ingest: sha256 ${sha256(bytes)} but record 2 says ${recorded}\nTAMPERED: 1 problem(s)\n`,
      ]);
      const shown = await buildComplianceReport({
        historyDir: tampered,
        outDir: join(scratch, 'bad'),
        pdf: false,
      });
      expect(readFileSync(shown.html, 'utf8')).toContain(
        'History integrity <span class="badge fail">TAMPERED</span>',
      );
    });

    it('detects a deleted record in the middle and at the end', () => {
      const { run } = get();
      const records = readRecords(run.historyDir);
      const middle = copyHistory('middle');
      const names = readdirSync(join(middle, RECORDS_DIR)).sort();
      rmSync(join(middle, RECORDS_DIR, names[1] as string));
      expect(verifyHistory(middle).problems.map((p) => [p.kind, p.file])).toEqual([
        ['record-missing', `${RECORDS_DIR}/${names[2]}`],
        ['artifact-unexpected', `artifacts/${records[1]?.run.runId}`],
      ]);
      const tail = copyHistory('tail');
      rmSync(join(tail, RECORDS_DIR, names.at(-1) as string));
      rmSync(join(tail, 'artifacts', records.at(-1)?.run.runId as string), { recursive: true });
      expect(verifyHistory(tail).problems.map((p) => p.kind)).toEqual(['head-mismatch']);
    });
  });
}
