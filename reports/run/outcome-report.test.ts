// The run report says what kind of run it was (runOutcome), on results real runs wrote: a dry run and a refused run
// of aurora-outage on prod (no credentials, placeholders), a self-test killed with SIGKILL and finished by
// `drill rollback`, and the lab aurora-outage run; and it lists only the RTO phases that took part of the RTO.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeRto } from '../../core/measure/index.ts';
import type { RunResult } from '../../core/runner/result-schema.ts';
import { rtoParameters } from '../allure/evidence.ts';
import { renderPostmortem } from '../postmortem/markdown.ts';
import { loadRun, rtoPhasesThatRan } from './facts.ts';
import { renderRunHtml } from './html.ts';
import { renderRunMarkdown } from './markdown.ts';

const here = import.meta.dirname;
const read = (file: string): RunResult => JSON.parse(readFileSync(file, 'utf8')) as RunResult;
const planned = read(join(here, 'fixtures', 'outcomes', 'planned-prod.result.json'));
const refused = read(join(here, 'fixtures', 'outcomes', 'refused-prod.result.json'));
const interrupted = read(join(here, '..', 'compliance', 'fixtures', 'self-test-interrupted.result.json'));
const labRun = loadRun(join(here, 'fixtures', 'aurora-outage'));
const bundle = (result: RunResult) => ({ result, runDir: here });
const verdictBadge = (html: string) =>
  /<p id="verdict"><span class="badge (\w+)">([A-Z ]+)<\/span>/.exec(html);

describe('a dry run of a live target', () => {
  const html = renderRunHtml(bundle(planned));
  const md = renderRunMarkdown(bundle(planned));

  it('shows PLANNED and DRY RUN: no LIVE badge, no green PASSED, no claim that steps ran', () => {
    expect(verdictBadge(html)?.slice(1)).toEqual(['planned', 'PLANNED']);
    expect(html).toContain('<span class="badge planned">DRY RUN</span>');
    expect(html).not.toContain('>LIVE<');
    expect(html).not.toContain('PASSED');
    expect(html).not.toContain('every step ran as written');
    expect(html).not.toContain('No ledger or loss-reporting probe');
    expect(html).toContain('Not measured: nothing was executed (PLANNED).');
    expect(html).toContain('this is no drill and no evidence');
    expect(html).toContain('<title>Drill aurora-outage on prod: PLANNED (');
  });

  it('the Markdown and the post-mortem draft say the same', () => {
    expect(md).toContain('# Drill aurora-outage on prod (live): PLANNED\n');
    expect(md).toContain('**DRY RUN** (nothing executed).');
    expect(md).not.toContain('**LIVE** evidence');
    expect(md).not.toContain('PASSED');
    expect(md).toContain('None: no step ran.');
    expect(renderPostmortem(bundle(planned))).toContain('Verdict: **PLANNED**');
  });
});

describe('a refused run', () => {
  const html = renderRunHtml(bundle(refused));

  it('shows REFUSED with every refused gate as a reason, not FAILED', () => {
    expect(verdictBadge(html)?.slice(1)).toEqual(['refused', 'REFUSED']);
    // Refused on prod: nothing ran there, so no LIVE badge and no "LIVE evidence".
    expect(html).toContain('<span class="badge planned">NOT EXECUTED</span>');
    expect(html).not.toContain('>LIVE<');
    expect(renderRunMarkdown(bundle(refused))).toContain(
      '**NOT EXECUTED** (nothing was injected: no evidence).',
    );
    expect(html).not.toContain('FAILED</span>');
    const reasons = [...html.matchAll(/<ul class="reasons">(.*?)<\/ul>/g)][0]?.[1] ?? '';
    const refusedChecks = refused.safety?.checks.filter((c) => c.status === 'refused') ?? [];
    expect(refusedChecks.length).toBeGreaterThan(1);
    expect(reasons.match(/<li>/g)?.length).toBe(refusedChecks.length);
    expect(reasons).toContain('000000000000 is a placeholder, not an AWS account');
    expect(renderRunMarkdown(bundle(refused))).toContain('# Drill aurora-outage on prod (live): REFUSED\n');
  });
});

describe('an interrupted run (killed, then `drill rollback`)', () => {
  const html = renderRunHtml(bundle(interrupted));
  const md = renderRunMarkdown(bundle(interrupted));

  it('shows INTERRUPTED and what the rollback did', () => {
    expect(verdictBadge(html)?.slice(1)).toEqual(['interrupted', 'INTERRUPTED']);
    expect(html).toContain(
      `<li>killed (pid ${interrupted.interrupted?.pid}) during failover; last sign of life`,
    );
    expect(html).toContain(
      '<li>undone: Cut the primary region off the network, Turn dr_mode on in us-east-1</li>',
    );
    expect(html).toContain(': rolled-back</li>');
    expect(html).toContain('Not measured: the run was killed before it measured anything.');
    expect(html).not.toContain('every step ran as written');
    expect(md).toContain('**Verdict: INTERRUPTED** — killed (pid');
  });
});

describe('an aborted run', () => {
  it('shows ABORTED', () => {
    const aborted = {
      ...labRun.result,
      verdict: 'aborted' as const,
      reason: 'aborted by the operator (SIGINT)',
    };
    expect(verdictBadge(renderRunHtml(bundle(aborted)))?.slice(1)).toEqual(['aborted', 'ABORTED']);
    expect(renderRunMarkdown(bundle(aborted))).toContain('**Verdict: ABORTED** — aborted by the operator');
  });
});

describe('RTO phases that did not happen are not listed', () => {
  // A switchback: the service never went down, so every failover step finished after recovery (T0+0).
  const names = Array.from({ length: 15 }, (_, i) => `step-${i + 1}`);
  const rto = computeRto({
    t0: 0,
    probes: ['up'],
    samples: Array.from({ length: 40 }, (_, i) => ({
      probe: 'up',
      at: i * 100,
      answeredAt: i * 100 + 5,
      ok: true,
    })),
    stableForMs: 1_000,
    intervalMs: 100,
    milestones: names.map((name, i) => ({ name, at: 200 + i * 100 })),
  });
  const switchback: RunResult = {
    ...labRun.result,
    rto: {
      ...(labRun.result.rto as NonNullable<RunResult['rto']>),
      achievedMs: rto.rtoMs,
      phases: rto.phases,
    },
  };

  it('the measurement clips all 15 milestones to 0 ms; no report lists them', () => {
    expect(rto.phases.map((p) => p.durationMs)).toEqual(Array(15).fill(0));
    expect(rtoPhasesThatRan(switchback)).toEqual([]);
    expect(renderRunHtml(bundle(switchback))).not.toContain('RTO phase split');
    expect(renderRunMarkdown(bundle(switchback))).not.toContain('| RTO phase |');
    expect(rtoParameters(switchback).filter((p) => p.name.startsWith('phase '))).toEqual([]);
  });

  it('a real failover keeps its phases that took time', () => {
    expect(rtoPhasesThatRan(labRun.result).map((p) => p.name)).toContain('promotion');
    expect(rtoParameters(labRun.result).some((p) => p.name === 'phase promotion')).toBe(true);
  });
});
