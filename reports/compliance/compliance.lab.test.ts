// A history made by real drills with recorded clock offsets (three quarters), then the report and tamper checks.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runDrill, sandbox } from '../../core/cli/spawn-drill.ts';
import { PROJECT_ROOT } from '../../core/registry.ts';
import type { RunResult } from '../../core/runner/result-schema.ts';
import { buildComplianceReport, type ComplianceReportFiles } from './build.ts';
import { main } from './cli.ts';
import type { HistoryRecord } from './record.ts';
import { ingestRun, RECORDS_DIR, readRecords } from './store.ts';
import { quarterOf, quarterRange } from './summary.ts';
import { verifyHistory } from './verify.ts';

const DAY = 86_400_000;
/** ≥ 93 days apart, so every run falls in its own quarter; the last is 110 days old, so the scenario is overdue. */
const RUNS = [
  { offset: '-310d', timeScale: '1', via: ['--in-process'] },
  { offset: '-210d', timeScale: '1.5', via: ['--in-process'] },
  { offset: '-110d', timeScale: '2.5', via: [] }, // through vitest: Allure results are artifacts too
];
const ARTIFACTS = join(PROJECT_ROOT, 'out', 'test-artifacts', 'compliance');

let dir: string;
let historyDir: string;
let results: RunResult[];
let records: HistoryRecord[];
let report: ComplianceReportFiles;
const now = new Date();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'compliance-lab-'));
  // One out dir per run: each has its own memory platform, so its own drill lock (<out>/locks).
  const outDirs = RUNS.map((_, i) => join(dir, `out-${i}`));
  historyDir = join(dir, 'history');
  const drills = await Promise.all(
    RUNS.map(({ offset, timeScale, via }, i) => {
      const box = sandbox({ DRILL_MEMORY_TIME_SCALE: timeScale, DRILL_APPROVER: 'Env Approver' });
      const people = i === 2 ? ['--approver', 'Dana Ops', '--participants', 'sre-a, sre-b'] : [];
      return runDrill(
        ['self-test', '-o', outDirs[i] as string, `--clock-offset=${offset}`, ...people, ...via],
        box.env,
      );
    }),
  );
  for (const d of drills) expect(d.code, d.output).toBe(0);
  const runDirs = outDirs.flatMap((o) => readdirSync(join(o, 'runs')).map((id) => join(o, 'runs', id)));
  results = runDirs
    .map((d) => JSON.parse(readFileSync(join(d, 'result.json'), 'utf8')) as RunResult)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  for (const runDir of runDirs) ingestRun({ historyDir, runDir });
  records = readRecords(historyDir);
  mkdirSync(ARTIFACTS, { recursive: true });
  report = await buildComplianceReport({
    historyDir,
    outDir: join(dir, 'report'),
    now,
    screenshot: join(ARTIFACTS, 'compliance.png'),
  });
  cpSync(join(dir, 'report'), ARTIFACTS, { recursive: true });
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a history made by real drills with a recorded clock offset', () => {
  it('records the offset, the real start and the sign-off in each result.json', () => {
    expect(results.map((r) => [r.verdict, r.clockOffset?.offset])).toEqual([
      ['passed', '-310d'],
      ['passed', '-210d'],
      ['passed', '-110d'],
    ]);
    for (const r of results) {
      const shift = Date.parse(r.startedAt) - Date.parse(r.clockOffset?.realStartedAt ?? '');
      expect(shift).toBe(r.clockOffset?.offsetMs);
      expect(Math.abs(Date.parse(r.clockOffset?.realStartedAt ?? '') - now.getTime())).toBeLessThan(120_000);
    }
    expect(results.map((r) => r.signOff)).toEqual([
      { approver: 'Env Approver', participants: [] },
      { approver: 'Env Approver', participants: [] },
      { approver: 'Dana Ops', participants: ['sre-a', 'sre-b'] },
    ]);
  });

  it('chains the records and hashes every artifact, Allure results included', () => {
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(records[1]?.prevChainHash).toBe(records[0]?.chainHash);
    const viaVitest = records.find((r) => r.run.clockOffset?.offset === '-110d');
    expect(viaVitest?.artifacts.some((a) => a.path.startsWith('allure-results/'))).toBe(true);
    expect(viaVitest?.artifacts.map((a) => a.path)).toContain('result.json');
    expect(report.verify).toMatchObject({ ok: true, records: 3, problems: [] });
  });

  it('shows the trend per quarter, simulation only, and flags the scenario overdue', () => {
    expect(report.summary.live).toEqual([]);
    expect(report.summary.withoutLiveEvidence).toEqual(['self-test']);
    const [status] = report.summary.simulation;
    expect(status?.scenario).toBe('self-test');
    const quarters = quarterRange(quarterOf(results[0]?.startedAt ?? ''), quarterOf(now.toISOString()));
    expect(status?.quarters.map((q) => q.quarter)).toEqual(quarters);
    expect(status?.quarters.filter((q) => q.runs === 1).map((q) => q.last?.runId)).toEqual(
      results.map((r) => r.runId),
    );
    expect(status?.quarters.at(-1)?.runs).toBe(0);
    // Slower simulated operations (DRILL_MEMORY_TIME_SCALE 1 → 2.5) show as a rising RTO.
    const rtos = results.map((r) => r.rto?.achievedMs ?? 0);
    expect(rtos[2]).toBeGreaterThan(rtos[0] ?? Number.POSITIVE_INFINITY);
    expect(status?.overdue).toBe(true);
    const due = Date.parse(results[2]?.startedAt ?? '') + 90 * DAY;
    expect(status?.nextDue).toBe(new Date(due).toISOString());
    expect(status?.daysUntilDue).toBe(Math.floor((due - now.getTime()) / DAY));
  });

  it('writes HTML that Chromium loads without console errors, Markdown, JSON and a PDF', () => {
    expect(report.consoleErrors).toEqual([]);
    const html = readFileSync(report.html, 'utf8');
    expect(html).toContain(
      '<span class="badge sim">SIMULATION</span><span class="badge overdue">OVERDUE</span>',
    );
    expect(html).toContain('clock shifted by -110d');
    expect(html).toContain('approver Dana Ops; participants sre-a, sre-b');
    expect(html.match(/<svg /g)?.length).toBe(2);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    const md = readFileSync(report.md, 'utf8');
    expect(md).toContain('| self-test (SIMULATION) | ');
    expect(md).toMatch(/\*\*OVERDUE since \d{4}-\d\d-\d\d \(\d+ days\)\*\*/);
    expect(md).toMatch(/- RTO trend: (\d{4}-Q\d [\d.]+s ✔ → (\d{4}-Q\d no run → )*){3}\d{4}-Q\d no run/);
    expect(
      readFileSync(report.pdf ?? '')
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    expect(JSON.parse(readFileSync(report.json, 'utf8')).verify.ok).toBe(true);
  });

  it('is not overdue for a "now" within 90 days of the last run (injectable now)', async () => {
    const soon = new Date(Date.parse(results[2]?.startedAt ?? '') + 30 * DAY);
    const later = await buildComplianceReport({
      historyDir,
      outDir: join(dir, 'soon'),
      now: soon,
      pdf: false,
    });
    expect(later.summary.simulation[0]).toMatchObject({ overdue: false, daysUntilDue: 60 });
  });
});

describe('verify', () => {
  const copy = (name: string) => {
    const to = join(dir, name);
    cpSync(historyDir, to, { recursive: true });
    return to;
  };

  it('names an artifact changed by one byte, and the CLI exits 1', async () => {
    const tampered = copy('tampered');
    const runId = records[1]?.run.runId as string;
    const file = join(tampered, 'artifacts', runId, 'result.json');
    const bytes = readFileSync(file);
    bytes[10] = (bytes[10] as number) ^ 1;
    writeFileSync(file, bytes);
    const v = verifyHistory(tampered);
    expect(v.problems.map((p) => [p.kind, p.file])).toEqual([
      ['artifact-tampered', `artifacts/${runId}/result.json`],
    ]);
    const printed: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    let code: number;
    try {
      code = await main(['verify', '--history', tampered]);
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(1);
    expect(printed.join('')).toContain(
      `artifact-tampered: artifacts/${runId}/result.json was changed after ingest`,
    );
    expect(printed.at(-1)).toBe('TAMPERED: 1 problem(s)\n');
  });

  it('detects a deleted record in the middle and at the end', async () => {
    const middle = copy('middle');
    const names = readdirSync(join(middle, RECORDS_DIR)).sort();
    rmSync(join(middle, RECORDS_DIR, names[1] as string));
    expect(verifyHistory(middle).problems.map((p) => [p.kind, p.file])).toEqual([
      ['record-missing', `${RECORDS_DIR}/${names[2]}`],
      ['artifact-unexpected', `artifacts/${records[1]?.run.runId}`],
    ]);
    const tail = copy('tail');
    rmSync(join(tail, RECORDS_DIR, names[2] as string), { force: true });
    rmSync(join(tail, 'artifacts', records[2]?.run.runId as string), { recursive: true });
    expect(verifyHistory(tail).problems.map((p) => p.kind)).toEqual(['head-mismatch']);
    const shown = await buildComplianceReport({
      historyDir: middle,
      outDir: join(dir, 'bad'),
      now,
      pdf: false,
    });
    expect(readFileSync(shown.html, 'utf8')).toContain(
      'History integrity <span class="badge fail">TAMPERED</span>',
    );
  });
});
