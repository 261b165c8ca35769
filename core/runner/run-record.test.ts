import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEventLog } from '../event-log.ts';
import { loadJournal } from '../journal.ts';
import { RunRecord } from './run-record.ts';
import { runScenario } from './run-scenario.ts';
import { markerScenario, markerTarget, markerWorld } from './testing.ts';

describe('the event stream is the run record', () => {
  it('result.json phases, steps, undos, irreversible steps and lock, and journal.json, are folds of events.jsonl', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'drill-record-'));
    const world = markerWorld();
    const result = await runScenario(
      markerScenario(world, { irreversible: ['b'] }),
      { ...markerTarget, resources: world },
      { runId: 'run-r', outDir },
    );
    expect(result.verdict).toBe('passed');
    const runDir = join(outDir, 'runs', 'run-r');
    const events = parseEventLog(readFileSync(join(runDir, 'events.jsonl'), 'utf8'));
    const record = new RunRecord();
    for (const event of events) record.apply(event);
    expect(record.phases).toEqual(result.phases);
    expect(record.steps).toEqual(result.steps);
    expect(record.undoOutcomes).toEqual(result.undo);
    expect(record.irreversible.map((i) => i.stepId)).toEqual(result.irreversible.map((i) => i.stepId));
    expect(record.lock).toEqual(result.safety?.lock);
    expect(record.deviations).toEqual(result.deviations);
    // The fault is the first step, and its success is T0: it ends at T0.
    expect(result.steps[0]).toMatchObject({ id: 'fault', phase: 'inject', status: 'ok', sinceT0Ms: 0 });
    expect(result.phases.map((p) => p.phase)).toEqual([
      'plan',
      'preflight',
      'inject',
      'failover',
      'recover',
      'verify',
      'restore',
      'report',
    ]);
    const snapshot = JSON.parse(readFileSync(join(runDir, 'journal.json'), 'utf8'));
    expect(loadJournal(runDir).data).toEqual(snapshot);
    expect([snapshot.state, snapshot.verdict, snapshot.t0]).toEqual(['finished', 'passed', result.t0]);
    // Each transition is written once: one step-start and one step-end per step run, one undo event per undo.
    const ends = events.filter((e) => e.kind === 'step-end').map((e) => e.stepId);
    expect(ends).toEqual(result.steps.map((s) => s.id));
    expect(events.filter((e) => e.kind === 'undo')).toHaveLength(result.undo.length);
  });
});
