import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runOnlyResult, stageRunResults, stripAnalytics } from './build.ts';

// The tail of index.html as allure awesome 3.18.0 writes it (plugin-awesome's template, analyticsEnable: true).
const PAGE = `<div id="app"></div>
    <script async src="https://www.googletagmanager.com/gtag/js?id=G-LNDJ3J7WT0"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('js', new Date());
        gtag('config', 'G-LNDJ3J7WT0', {
          "report": "awesome",
          "allureVersion": "3.18.0",
          "reportUuid": "17710bb4",
          "single_file": "true"
        });
    </script>
    <script>window.allureReportData = {}</script>
</body>`;

describe('stripAnalytics', () => {
  it('removes the Google Analytics scripts and keeps the report data', () => {
    expect(stripAnalytics(PAGE)).toBe(`<div id="app"></div>
    <script>window.allureReportData = {}</script>
</body>`);
  });

  it('refuses a page that would still load a remote script', () => {
    expect(() => stripAnalytics('<script src="https://cdn.example/x.js"></script>')).toThrow(
      'the Allure report loads a remote script: <script src="https://cdn.example/x.js"',
    );
  });
});

describe('stageRunResults', () => {
  function runWithResult(runId: string, result: Record<string, unknown>): string {
    const runDir = join(mkdtempSync(join(tmpdir(), 'allure-stage-')), runId);
    const results = join(runDir, 'allure-results');
    mkdirSync(results, { recursive: true });
    writeFileSync(join(runDir, 'result.json'), JSON.stringify(result));
    writeFileSync(
      join(results, 'u1-result.json'),
      JSON.stringify({ name: 'RTO', historyId: 'h1', labels: [{ name: 'feature', value: 'aurora-outage' }] }),
    );
    writeFileSync(join(results, 'a1-attachment.json'), '{}');
    return results;
  }
  const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'u1-result.json'), 'utf8'));

  it('gives each run its own history ids (two runs are not retries) and tags its outcome and target kind', () => {
    const base = {
      t0: '2026-12-07T10:00:00.000Z',
      verdict: 'passed',
      phases: [],
      target: { name: 'lab', kind: 'lab' },
    };
    const one = runWithResult('run-1', { ...base, dryRun: false });
    const two = runWithResult('run-2', {
      ...base,
      dryRun: true,
      t0: null,
      target: { name: 'prod', kind: 'live' },
    });
    const out = mkdtempSync(join(tmpdir(), 'allure-staged-'));
    stageRunResults(one, join(out, '1'));
    stageRunResults(two, join(out, '2'));
    const [a, b] = [read(join(out, '1')), read(join(out, '2'))];
    expect(a.historyId).toBe('h1:run-1');
    expect(b.historyId).toBe('h1:run-2');
    expect(a.labels).toContainEqual({ name: 'tag', value: 'outcome:passed' });
    expect(a.labels).toContainEqual({ name: 'tag', value: 'target:lab' });
    expect(b.labels).toContainEqual({ name: 'tag', value: 'outcome:planned' });
    expect(b.labels).toContainEqual({ name: 'tag', value: 'target:live' });
    expect(readFileSync(join(out, '1', 'a1-attachment.json'), 'utf8')).toBe('{}');
  });

  it('a run that executed nothing is skipped, one that never concluded is broken, never green', () => {
    const base = { t0: null, phases: [], target: { name: 'prod', kind: 'live' }, reason: 'why' };
    const staged = (runId: string, run: Record<string, unknown>, status: string) => {
      const dir = runWithResult(runId, { ...base, ...run });
      const file = join(dir, 'u1-result.json');
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), status }));
      const out = mkdtempSync(join(tmpdir(), 'allure-staged-'));
      stageRunResults(dir, out);
      const r = read(out);
      return [r.status, r.statusDetails?.message];
    };
    expect(staged('dry', { dryRun: true, verdict: 'passed' }, 'passed')).toEqual(['skipped', 'PLANNED: why']);
    expect(staged('ref', { dryRun: false, verdict: 'failed' }, 'passed')).toEqual([
      'skipped',
      'REFUSED: why',
    ]);
    const executed = { dryRun: false, t0: '2026-12-07T10:00:00.000Z' };
    expect(staged('ab', { ...executed, verdict: 'aborted' }, 'passed')).toEqual(['broken', 'ABORTED: why']);
    expect(staged('ok', { ...executed, verdict: 'passed' }, 'passed')).toEqual(['passed', undefined]);
    expect(staged('ko', { ...executed, verdict: 'failed' }, 'failed')).toEqual(['failed', undefined]);
  });

  it('a killed run recovered by `drill rollback` (no Allure results of its own) gets one result: INTERRUPTED, broken', () => {
    const killed = JSON.parse(
      readFileSync(
        join(import.meta.dirname, '..', 'compliance', 'fixtures', 'self-test-interrupted.result.json'),
        'utf8',
      ),
    );
    const runDir = join(mkdtempSync(join(tmpdir(), 'allure-stage-')), killed.runId);
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'result.json'), JSON.stringify(killed));
    const out = mkdtempSync(join(tmpdir(), 'allure-staged-'));
    stageRunResults(join(runDir, 'allure-results'), out);
    const only = runOnlyResult(runDir, killed);
    const staged = JSON.parse(readFileSync(join(out, `${only.uuid}-result.json`), 'utf8'));
    expect(staged).toMatchObject({
      name: 'drill self-test on memory: INTERRUPTED',
      status: 'broken',
      statusDetails: { message: `INTERRUPTED: ${killed.reason}` },
    });
    expect(staged.labels).toContainEqual({ name: 'tag', value: 'outcome:interrupted' });
    expect(staged.steps.map((s: { name: string; status: string }) => `${s.name} ${s.status}`)).toEqual([
      'phase: plan passed',
      'phase: preflight passed',
      'phase: inject passed',
      'phase: failover broken',
    ]);
  });
});
