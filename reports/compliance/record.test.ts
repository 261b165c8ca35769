import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHashOf, GENESIS_HASH, remediationOf, summarize } from './record.ts';
import { fixture } from './testing.ts';

describe('remediationOf', () => {
  it('lists a deviating step, its deviation and every runbook finding of a real run', () => {
    const items = remediationOf(fixture('region-outage'));
    expect(items.map((i) => i.source)).toEqual(['step', 'deviation', ...Array(8).fill('finding')]);
    expect(items[0]).toEqual({
      source: 'step',
      key: 'step:fence-primary-workers',
      title: 'Step "Scale worker in primary to 0" deviated',
      detail: expect.stringContaining('write ECONNRESET'),
      severity: 'minor',
    });
    expect(items[1]?.title).toBe('Deviation (best-effort-failed) in fence-primary-workers');
  });

  it('adds the verdict and missed objectives of a failed run', () => {
    const failed = fixture('self-test');
    failed.verdict = 'failed';
    failed.reason = 'RTO 40.0s exceeds the objective 30.0s';
    if (failed.rto) Object.assign(failed.rto, { met: false, achievedMs: 40_000 });
    const items = remediationOf(failed);
    expect(items.filter((i) => i.source === 'run' || i.source === 'objective')).toEqual([
      {
        source: 'run',
        key: 'run:failed',
        title: 'Run failed',
        detail: 'RTO 40.0s exceeds the objective 30.0s',
        severity: 'major',
      },
      {
        source: 'objective',
        key: 'objective:rto',
        title: 'RTO objective missed',
        detail: 'achieved 40000 ms against 30000 ms',
        severity: 'major',
      },
    ]);
  });
});

describe('summarize', () => {
  it('labels a lab run a simulation and keeps the run sign-off over the ingest one', () => {
    const result = { ...fixture('self-test'), signOff: { approver: 'Ann', participants: ['Bo'] } };
    const run = summarize(result, { approver: 'Later', participants: [] });
    expect(run).toMatchObject({
      runId: '20261126T070541Z-self-test-c64f',
      kind: 'lab',
      simulation: true,
      rto: { achievedMs: 1610, met: true },
      rpo: { achievedMs: 180, met: true },
      clockOffset: null,
      signOff: { approver: 'Ann', participants: ['Bo'], recordedBy: 'run' },
    });
    expect(summarize(fixture('self-test'), { approver: 'Later', participants: [] }).signOff.recordedBy).toBe(
      'ingest',
    );
    expect(summarize(fixture('self-test'), undefined).signOff).toEqual({
      approver: null,
      participants: [],
      recordedBy: 'none',
    });
  });

  it('labels a live run with a shifted clock a simulation too', () => {
    const shifted = fixture('self-test');
    shifted.target.kind = 'live';
    shifted.clockOffset = { offset: '-1d', offsetMs: -86_400_000, realStartedAt: '2026-11-27T07:05:45.383Z' };
    expect(summarize(shifted, undefined).simulation).toBe(true);
    shifted.clockOffset = undefined;
    expect(summarize(shifted, undefined).simulation).toBe(false);
  });
});

describe('chain hash', () => {
  it('ignores key order and changes with any field', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
    const run = summarize(fixture('self-test'), undefined);
    const body = {
      version: 1 as const,
      seq: 1,
      ingestedAt: '2026-11-26T08:00:00.000Z',
      run,
      artifacts: [],
      prevChainHash: GENESIS_HASH,
    };
    const hash = chainHashOf(body);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHashOf({ ...body, seq: 2 })).not.toBe(hash);
    expect(chainHashOf({ ...body, run: { ...run, verdict: 'failed' } })).not.toBe(hash);
    expect(chainHashOf({ ...body, prevChainHash: 'f'.repeat(64) })).not.toBe(hash);
  });
});

describe('remediationOf, repeats', () => {
  it('lists a finding carried by two steps once', () => {
    const run = fixture('region-outage');
    const first = run.findings[0];
    if (!first) throw new Error('fixture has findings');
    run.findings.push({ ...first, stepId: 'another-step' });
    const titles = remediationOf(run).map((i) => i.title);
    expect(titles.filter((t) => t === `Runbook ${first.runbook}: ${first.says}`)).toHaveLength(1);
    expect(titles).toHaveLength(new Set(titles).size);
  });
});

describe('an interrupted run (killed, then finished by `drill rollback`)', () => {
  it('is summarized as interrupted, never passed, with what its rollback did, and one major item', () => {
    const killed = fixture('self-test-interrupted');
    const run = summarize(killed, undefined);
    expect([run.verdict, run.outcome]).toEqual(['aborted', 'interrupted']);
    expect(run.interrupted).toEqual({
      phase: 'failover',
      rollback: 'rolled-back',
      undone: 2,
      kept: 0,
      failed: 0,
      rolledForward: [],
    });
    expect(run.remediation).toEqual([
      {
        source: 'run',
        key: 'run:interrupted',
        title: 'Run interrupted',
        detail: killed.reason,
        severity: 'major',
      },
    ]);
  });
});
