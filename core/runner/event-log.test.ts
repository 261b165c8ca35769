import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drillEventSchema } from '../events-schema.ts';
import { recordEveryEvent } from '../testing/record-every-event.ts';
import { EVENTS_FILE, parseEventLog } from './event-log.ts';
import { runScenario } from './run-scenario.ts';
import { markerScenario, markerTarget, markerWorld } from './testing.ts';

describe('the run event log (events.jsonl)', () => {
  it('holds every event the reporters saw, in order, each valid against the event schema', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'drill-events-'));
    const { reporter, events: seen } = recordEveryEvent();
    await runScenario(markerScenario(markerWorld()), markerTarget, {
      runId: 'run-1',
      outDir,
      reporters: [reporter],
    });
    const onDisk = parseEventLog(readFileSync(join(outDir, 'runs', 'run-1', EVENTS_FILE), 'utf8'));
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(seen)));
    expect(onDisk[0]?.kind).toBe('run-start');
    expect(onDisk.at(-1)?.kind).toBe('run-end');
    for (const event of onDisk) expect(drillEventSchema.safeParse(event).success).toBe(true);
  });

  it('skips a torn last line, as a writer killed mid-write leaves it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-events-'));
    const file = join(dir, EVENTS_FILE);
    appendFileSync(
      file,
      `${JSON.stringify({ kind: 'log', level: 'info', message: 'a', at: 1, wallMs: 1 })}\n{"kind":"lo`,
    );
    expect(parseEventLog(readFileSync(file, 'utf8')).map((e) => e.kind)).toEqual(['log']);
  });
});
