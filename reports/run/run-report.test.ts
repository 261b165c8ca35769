// The run report renderers against a result.json written by a real aurora-outage drill on the lab
// (reports/run/fixtures/aurora-outage, copied as the run wrote it).
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../core/runner/result-schema.ts';
import { loadRun, lossesOf, t0Mono } from './facts.ts';
import { renderRunHtml } from './html.ts';
import { renderRunMarkdown } from './markdown.ts';
import { linkerFor } from './runbook-links.ts';
import { RUN_REPORT_FILES, writeRunReports } from './write.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'aurora-outage');
const RUNBOOK = readFileSync(
  join(import.meta.dirname, '..', '..', 'runbooks', 'RUNBOOK_DR_MULTI_REGION.md'),
  'utf8',
);

/** A copy of the fixture run with its result changed by `edit`, as a run directory. */
function variant(edit: (r: RunResult) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'run-report-'));
  cpSync(FIXTURE, dir, { recursive: true });
  const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as RunResult;
  edit(result);
  writeFileSync(join(dir, 'result.json'), JSON.stringify(result));
  return dir;
}

describe('loadRun', () => {
  it('reads the real run and places T0 on its monotonic clock', () => {
    const { result } = loadRun(FIXTURE);
    expect(result.runId).toBe('20261126T071437Z-aurora-outage-0dbe');
    expect(t0Mono(result)).toBe(10_889);
    expect(result.probes.samples?.length).toBe(69);
  });

  it('names the missing file and what to do', () => {
    expect(() => loadRun('/nonexistent/run')).toThrow(
      '/nonexistent/run/result.json does not exist: run a drill first (pnpm drill <scenario>)',
    );
  });

  it('refuses a result that does not match the schema, naming the field', () => {
    const dir = variant((r) => {
      (r as { verdict: string }).verdict = 'maybe';
    });
    expect(() => loadRun(dir)).toThrow(`${dir}/result.json: verdict: `);
  });
});

describe('run report (Markdown)', () => {
  const md = renderRunMarkdown(loadRun(FIXTURE), {
    link: linkerFor(RUNBOOK, 'https://example.test/runbook.md'),
    timelineFile: 'timeline.svg',
  });

  it('states the verdict and the achieved RTO and RPO against their objectives', () => {
    expect(md).toContain('# Drill aurora-outage on lab (simulation): PASSED\n');
    expect(md).toContain('| RTO | 28.1s ± 1.0s | 30m 00s | ✅ met |');
    expect(md).toContain('| RPO | 254ms ± 100ms | 5m 00s | ✅ met |');
    expect(md).toContain(
      'Lost writes: 2 of 22 acknowledged (#21, #22); the platform reported 3.0s of lag before T0.',
    );
  });

  it('splits the RTO into phases and times each step against its §13 offset, linked to the runbook', () => {
    expect(md).toContain('| promotion | T0+7.7s | 1.4s |');
    expect(md).toContain('| until recovered | T0+24.1s | 4.1s |');
    expect(md).toContain(
      '| [§6.1](https://example.test/runbook.md#L28) | Fail over the global cluster to secondary (FailoverGlobalCluster, AllowDataLoss) | ok | T0+9.1s | T0+5m 00s |  | 1.4s |',
    );
    expect(md).toContain('![timeline](timeline.svg)');
  });

  it('lists the runbook findings and the irreversible promotion with its way back', () => {
    expect(
      md.match(/^- \[§[\d.]+\]\(https:\/\/example\.test\/runbook\.md#L\d+\) \((major|minor)/gm)?.length,
    ).toBe(8);
    expect(md).toContain(
      '- **irreversible**: Fail over the global cluster to secondary (FailoverGlobalCluster, AllowDataLoss): the promoted cluster took writes: the old writer can only come back as a replica; way back: `pnpm drill switchback (SwitchoverGlobalCluster back to eu-west-1, no data loss)`',
    );
  });
});

describe('run report (HTML)', () => {
  const html = renderRunHtml(loadRun(FIXTURE));

  it('is self-contained: no script, no external resource, screenshot inlined', () => {
    expect(html).not.toMatch(/<script|<link |src="http|href="http|@import/);
    expect(html).toContain('<img class="shot" alt="smoke-1.png" src="data:image/png;base64,iVBORw0KGgo');
  });

  it('shows the verdict, achieved RTO and RPO and the lost writes', () => {
    expect(html).toContain(
      '<p id="verdict"><span class="badge passed">PASSED</span> every objective and check held</p>',
    );
    expect(html).toContain('<td class="num achieved-rto">28.1s ± 1.0s</td>');
    expect(html).toContain('<td class="num achieved-rpo">254ms ± 100ms</td>');
    expect(html).toContain('<td class="num lost-writes">2</td><td>#21, #22</td>');
    expect(html).toContain('<span class="badge sim">SIMULATION</span>');
  });

  it('puts each runbook finding next to its step', () => {
    const steps = html.slice(html.indexOf('<table class="steps">'));
    const promotionRow = steps.slice(steps.indexOf('<td>Fail over the global cluster to secondary'));
    expect(promotionRow.slice(0, 300)).toContain(
      '<div class="finding"><b>runbook finding (major)</b>: it says `aws rds promote-read-replica-db-cluster',
    );
  });
});

describe('losses next to the lost writes', () => {
  const dir = variant((r) => {
    const verify = r.probes.verify.find((p) => p.name === 'queue-drained');
    if (verify) verify.data = { loss: { what: 'render jobs', count: 2, items: ['job-7', 'job-9'] } };
    const health = r.probes.recovery.find((p) => p.name === 'health');
    if (health) health.data = { backlog: { what: 'S3 objects not replicated', count: 3, bytes: 4096 } };
  });

  it('collects every loss and backlog the probes reported', () => {
    expect(lossesOf(loadRun(dir).result)).toEqual([
      {
        probe: 'health',
        stage: 'recovery',
        kind: 'backlog',
        what: 'S3 objects not replicated',
        count: 3,
        bytes: 4096,
      },
      {
        probe: 'queue-drained',
        stage: 'verify',
        kind: 'loss',
        what: 'render jobs',
        count: 2,
        items: ['job-7', 'job-9'],
      },
    ]);
  });

  it('renders them in the same table as the canary writes, and in the Markdown', () => {
    const bundle = loadRun(dir);
    expect(renderRunHtml(bundle)).toContain(
      '<tr><td>render jobs</td><td class="num">2</td><td>job-7, job-9</td><td>probe queue-drained (verify)</td></tr>',
    );
    expect(renderRunHtml(bundle)).toContain(
      '<tr><td>S3 objects not replicated (backlog)</td><td class="num">3</td><td>4096 bytes</td><td>probe health (recovery)</td></tr>',
    );
    expect(renderRunMarkdown(bundle)).toContain(
      'Lost: 2 render jobs (job-7, job-9) — probe queue-drained (verify).',
    );
  });
});

describe('secrets', () => {
  it('never reach a written report, even if a result kept one', () => {
    const dir = variant((r) => {
      const step = r.steps.find((s) => s.id === 'secret-secondary');
      if (step) step.detail = 'now postgres://luneo:hunter2-Secret@db.internal:5432/luneo';
      r.deviations.push({ kind: 'note', message: 'token in DATABASE_URL postgres://app:pa55word-x@h/db' });
    });
    const out = mkdtempSync(join(tmpdir(), 'run-report-out-'));
    const files = writeRunReports(loadRun(dir), out);
    expect(files.map((f) => f.slice(out.length + 1))).toEqual([
      RUN_REPORT_FILES.timeline,
      RUN_REPORT_FILES.html,
      RUN_REPORT_FILES.markdown,
      RUN_REPORT_FILES.postmortem,
    ]);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(text).not.toContain('hunter2-Secret');
      expect(text).not.toContain('pa55word-x');
    }
    expect(readFileSync(join(out, RUN_REPORT_FILES.html), 'utf8')).toContain(
      'postgres://luneo:***@db.internal:5432/luneo',
    );
  });
});

describe('RTO phase split with a manual checkpoint', () => {
  // The fixture's incident-ticket checkpoint as a person confirmed it after 12.5 s (actions/manual.ts records it).
  const dir = variant((r) => {
    const step = r.steps.find((s) => s.id === 'incident-ticket');
    if (step) step.measurements = { ...step.measurements, checkpointWaitedMs: 12_500 };
    const phase = r.rto?.phases.find((p) => p.name === 'incident-ticket');
    if (phase) phase.durationMs = 13_000;
  });

  it('shows, in Markdown and HTML, how much of each phase was spent waiting for a person', () => {
    const bundle = loadRun(dir);
    const md = renderRunMarkdown(bundle, { timelineFile: 'timeline.svg' });
    expect(md).toContain('| RTO phase | from | duration | of which waiting for a person |');
    expect(md).toMatch(/\| incident-ticket \| [^|]+ \| 13\.0s \| 12\.5s \|/);
    const html = renderRunHtml(bundle);
    expect(html).toContain('<th>of which waiting for a person</th>');
    expect(html).toMatch(
      /<td>incident-ticket<\/td>(<td class="num">[^<]*<\/td>){3}<td class="num">12\.5s<\/td>/,
    );
  });

  it('keeps the plain split when no checkpoint waited', () => {
    const md = renderRunMarkdown(loadRun(FIXTURE), { timelineFile: 'timeline.svg' });
    expect(md).toContain('| RTO phase | from | duration |\n|---|---|---|');
  });
});
