import { describe, expect, it } from 'vitest';
import type { ProbeSample } from '../core/measure/index.ts';
import { attachSamples, samplesCsv } from './attach.ts';
import { availability, availabilityReport } from './availability.ts';
import { createTestRun } from './testing/context.ts';

const series = (pattern: string, from = 1_000, step = 250): ProbeSample[] =>
  [...pattern].map((c, i) => ({ probe: 'availability', at: from + i * step, ok: c === '.', latencyMs: 3 }));

describe('availability probe', () => {
  it('is a health probe sampled every 100 ms with a 1 s timeout by default', () => {
    const probe = availability({ url: 'http://127.0.0.1:1' });
    expect([probe.name, probe.interval, probe.timeout]).toEqual(['availability', '100ms', '1s']);
  });
});

describe('availabilityReport', () => {
  it('turns samples into outage windows relative to T0 and error budget use', () => {
    const report = availabilityReport({ samples: series('..xxxx....x.'), intervalMs: 250, t0: 1_400 });
    expect(report.outages).toEqual([
      { start: 1_500, end: 2_500, durationMs: 1_000 },
      { start: 3_500, end: 3_750, durationMs: 250 },
    ]);
    expect(report.lines).toEqual([
      'outage from T0+100ms to T0+1.1s (1.0s ± 250ms)',
      'outage from T0+2.1s to T0+2.4s (250ms ± 250ms)',
    ]);
    expect(report.budgetMs).toBe(2_592_000);
    expect(report.summary).toBe(
      '54.55 % available over 2.8s; used 0.05 % of the 43m 12s error budget (SLO 99.9 %)',
    );
  });

  it('says when the service is still down at the end', () => {
    const report = availabilityReport({
      samples: series('.xx'),
      intervalMs: 250,
      slo: 0.99,
      periodMs: 10_000,
    });
    expect(report.lines).toEqual(['outage from 1.3s to the end of sampling (still down) (250ms ± 250ms)']);
    expect(report.summary).toBe('50 % available over 500ms; used 250 % of the 100ms error budget (SLO 99 %)');
  });
});

describe('samples as attachments', () => {
  it('writes JSON and CSV with details quoted and passwords masked', async () => {
    const t = createTestRun({});
    const samples: ProbeSample[] = [
      { probe: 'availability', at: 10, ok: true, latencyMs: 4 },
      {
        probe: 'db',
        at: 260.5,
        ok: false,
        latencyMs: 1000,
        detail: 'postgres://u:hunter22@db:5432/x said "no", really',
      },
    ];
    expect(samplesCsv(samples)).toBe(
      'probe,at_ms,ok,latency_ms,detail\navailability,10.0,true,4,\ndb,260.5,false,1000,"postgres://u:***@db:5432/x said ""no"", really"\n',
    );
    const attached = await attachSamples(t.ctx, 'recovery-samples', samples);
    expect(attached.map((a) => a.name)).toEqual(['recovery-samples.json', 'recovery-samples.csv']);
    const json = String(t.attachments.get('recovery-samples.json')?.body);
    expect(json).not.toContain('hunter22');
    expect(JSON.parse(json)[1].detail).toBe('postgres://u:***@db:5432/x said "no", really');
  });
});
