// pnpm report's run selection and its builder list, on a copy of a real run (no Allure here: that spawns the
// Allure CLI and is proven by reports/drill-reports.lab.test.ts).
import { cpSync, existsSync, mkdirSync, mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReports, finishedRuns, REPORT_BUILDERS, runReports, selectRuns } from './cli.ts';

const FIXTURE = join(import.meta.dirname, 'run', 'fixtures', 'aurora-outage');

/** An out/ root with two finished runs (a older than b) and one without result.json. */
function outRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'report-cli-'));
  for (const [id, mtime] of [
    ['run-b', 2_000],
    ['run-a', 1_000],
  ] as const) {
    cpSync(FIXTURE, join(root, 'runs', id), { recursive: true });
    utimesSync(join(root, 'runs', id, 'result.json'), mtime, mtime);
  }
  mkdirSync(join(root, 'runs', 'killed-early'));
  return root;
}

describe('pnpm report: which runs', () => {
  it('lists finished runs oldest first and takes the latest by default', () => {
    const root = outRoot();
    expect(finishedRuns(root)).toEqual([join(root, 'runs', 'run-a'), join(root, 'runs', 'run-b')]);
    expect(selectRuns(root, {})).toEqual([join(root, 'runs', 'run-b')]);
    expect(selectRuns(root, { all: true })).toEqual([
      join(root, 'runs', 'run-a'),
      join(root, 'runs', 'run-b'),
    ]);
    expect(selectRuns(root, { runId: 'run-a' })).toEqual([join(root, 'runs', 'run-a')]);
    expect(selectRuns(root, { runId: join(root, 'runs', 'run-a') })).toEqual([join(root, 'runs', 'run-a')]);
  });

  it('says which runs exist when the one asked for does not', () => {
    const root = outRoot();
    expect(() => selectRuns(root, { runId: 'nope' })).toThrow(
      `no run "nope" in ${join(root, 'runs')}; latest runs: run-a, run-b`,
    );
    expect(() => selectRuns(root, { runId: 'run-a', all: true })).toThrow('give a run id or --all, not both');
    const empty = mkdtempSync(join(tmpdir(), 'report-cli-empty-'));
    expect(() => selectRuns(empty, {})).toThrow(
      `no finished run in ${join(empty, 'runs')}: run a drill first (pnpm drill <scenario>)`,
    );
  });
});

describe('pnpm report: builders', () => {
  it('builds the run report and post-mortem of the latest run into out/reports/<run-id> by default', async () => {
    const root = outRoot();
    const { written, failures } = await buildReports({ outRoot: root, builders: [runReports] });
    const dir = join(root, 'reports', '20261126T071437Z-aurora-outage-0dbe');
    expect(failures).toEqual([]);
    expect(written).toEqual(
      ['timeline.svg', 'run-report.html', 'run-report.md', 'postmortem.md'].map((f) => join(dir, f)),
    );
    expect(written.every((f) => existsSync(f))).toBe(true);
  });

  it('with --all, one directory per run; a failing builder is reported and the others still run', async () => {
    const root = outRoot();
    const out = join(root, 'all-out');
    const broken = { name: 'broken', build: async () => Promise.reject(new Error('no history store')) };
    const { written, failures } = await buildReports({
      outRoot: root,
      all: true,
      out,
      builders: [broken, runReports],
    });
    expect(failures).toEqual([{ builder: 'broken', message: 'no history store' }]);
    // Both copies carry the fixture's run id, so they share one directory: 4 files written twice.
    expect(written.length).toBe(8);
    expect(written[0]).toBe(join(out, '20261126T071437Z-aurora-outage-0dbe', 'timeline.svg'));
  });

  it('builds the run reports, then the Allure HTML, by default', () => {
    expect(REPORT_BUILDERS.map((b) => b.name).slice(0, 2)).toEqual([
      'run report and post-mortem draft',
      'Allure HTML',
    ]);
  });
});
