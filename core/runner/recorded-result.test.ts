import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENTS_FILE, parseEventLog } from '../event-log.ts';
import type { ProbeDefinition } from '../model.ts';
import { selfTestRun } from '../testing/self-test-run.ts';
import { recordedResult } from './recorded-result.ts';
import { RESULT_FILE } from './report.ts';
import type { RunResult } from './result-schema.ts';
import { RunRecord } from './run-record.ts';

/** The run's events.jsonl, as `drill rollback` or any reader finds it on disk, folded. */
function foldEventsOf(runDir: string): RunRecord {
  const record = new RunRecord();
  for (const event of parseEventLog(readFileSync(join(runDir, EVENTS_FILE), 'utf8'))) record.apply(event);
  return record;
}

const written = (runDir: string): RunResult => JSON.parse(readFileSync(join(runDir, RESULT_FILE), 'utf8'));
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));

function expectFoldEqualsResult(record: RunRecord, result: RunResult): void {
  const folded: Record<string, unknown> = asJson(recordedResult(record));
  const wrote: Record<string, unknown> = result;
  for (const key of Object.keys(folded)) expect({ [key]: folded[key] }).toEqual({ [key]: wrote[key] });
  expect([record.verdict, record.reason, record.exitCode]).toEqual([
    result.verdict,
    result.reason,
    result.exitCode,
  ]);
}

describe('result.json is a fold of events.jsonl', () => {
  it('a passing self-test on the memory platform: samples, probe checks, RTO, RPO, plan, safety, verdict', async () => {
    const run = await selfTestRun();
    const result = written(run.runDir);
    expect(result.verdict).toBe('passed');
    const record = foldEventsOf(run.runDir);
    expectFoldEqualsResult(record, result);
    expect(record.failures).toEqual([]);
    // Not vacuous: the run sampled through an outage, measured both objectives and checked every probe list.
    expect(result.probes.samples?.some((s) => !s.ok)).toBe(true);
    expect(result.probes.samples?.some((s) => s.ok)).toBe(true);
    expect(result.rto?.achievedMs).toBeGreaterThan(0);
    expect(result.rpo?.acknowledgedCount).toBeGreaterThan(0);
    expect(result.probes.recovery[0]?.samples).toBe(result.probes.samples?.length);
    expect([result.probes.steadyState.length, result.probes.verify.length]).toEqual([1, 2]);
    expect(result.safety?.checks.length).toBeGreaterThan(0);
  });

  it('a failing self-test with background activities and attachments: failures (the reason), background, attachments', async () => {
    const red: ProbeDefinition<never> = {
      name: 'always-red',
      check: async (ctx) => {
        await ctx.attach('red.json', 'application/json', '{"red":true}');
        return { ok: false, detail: 'red on purpose', data: { loss: { what: 'orders', count: 2 } } };
      },
    };
    const run = await selfTestRun((scenario) => ({
      ...scenario,
      background: [
        {
          name: 'artifact-writer',
          start: async (ctx) => {
            await ctx.attach('writer start.txt', 'text/plain', 'started');
          },
          stop: async () => ({ writes: 3 }),
        },
        {
          name: 'broken-writer',
          start: async () => {},
          stop: async () => {
            throw new Error('writer gone');
          },
        },
      ],
      verify: [...scenario.verify, red as (typeof scenario.verify)[number]],
    }));
    const result = written(run.runDir);
    expect(result.verdict).toBe('failed');
    const record = foldEventsOf(run.runDir);
    expectFoldEqualsResult(record, result);
    expect(record.failures.join('; ')).toBe(result.reason);
    expect(result.reason).toBe('verification probe "always-red" failed: red on purpose');
    expect(result.background).toEqual([
      { name: 'artifact-writer', summary: { writes: 3 } },
      { name: 'broken-writer', error: 'writer gone' },
    ]);
    expect(result.attachments.map((a) => a.path)).toEqual([
      'attachments/writer_start.txt',
      'attachments/red.json',
    ]);
    expect(result.probes.verify.at(-1)).toEqual({
      name: 'always-red',
      ok: false,
      latencyMs: expect.any(Number),
      detail: 'red on purpose',
      data: { loss: { what: 'orders', count: 2 } },
    });
  });
});
