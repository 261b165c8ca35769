import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { SCHEMA_DOCUMENTS } from './cli/schema-documents.ts';
import { type DrillEvent, type EventOf, RECORD_KINDS } from './events.ts';
import { drillEventSchema, eventsJsonSchema } from './events-schema.ts';
import type { Phase, PlannedCall, Verdict } from './model.ts';
import { PROJECT_ROOT } from './registry.ts';
import type { RunOutcome } from './runner/outcome.ts';
import { type SelfTestRun, selfTestRun } from './testing/self-test-run.ts';

const committed = () => JSON.parse(readFileSync(join(PROJECT_ROOT, SCHEMA_DOCUMENTS.events.file), 'utf8'));

describe('event stream schema', () => {
  let run: SelfTestRun;
  beforeAll(async () => {
    run = await selfTestRun();
  });

  it('core/events-schema.json is the schema generated from the zod source (regenerate: pnpm drill schema events > core/events-schema.json)', () => {
    expect(committed()).toEqual(eventsJsonSchema());
  });

  it('the schema names the engine types it does not own: phase, verdict, outcome and planned call', () => {
    expectTypeOf<EventOf<'phase-start'>['phase']>().toEqualTypeOf<Phase>();
    expectTypeOf<EventOf<'run-end'>['verdict']>().toEqualTypeOf<Verdict>();
    expectTypeOf<EventOf<'run-end'>['outcome']>().toEqualTypeOf<RunOutcome>();
    expectTypeOf<EventOf<'plan'>['steps'][number]['calls'][number]>().toEqualTypeOf<PlannedCall>();
  });

  it('every event a real self-test run emitted is valid, under the zod source and under the committed JSON Schema', () => {
    expect(run.result.verdict).toBe('passed');
    const kinds: DrillEvent['kind'][] = [
      'run-start',
      'plan',
      'phase-start',
      'phase-end',
      'step-start',
      'step-end',
    ];
    expect(new Set(run.events.map((e) => e.kind))).toEqual(
      new Set([
        ...kinds,
        'probe-sample',
        'undo',
        'log',
        'run-end',
        // A passing self-test run neither fails, aborts, rolls forward nor attaches a file; `drill rollback` ends rollbacks.
        ...RECORD_KINDS.filter(
          (k) => !['rollback-end', 'failure', 'abort-condition', 'roll-forward', 'attachment'].includes(k),
        ),
      ]),
    );
    const published = z.fromJSONSchema(committed());
    for (const event of run.events) {
      // As a live view or an exporter receives it: JSON over the wire (undefined fields dropped).
      const wire = JSON.parse(JSON.stringify(event)) as unknown;
      expect(drillEventSchema.safeParse(wire).error?.issues).toBeUndefined();
      expect(published.safeParse(wire).error?.issues).toBeUndefined();
    }
  });

  it('rejects a broken event, naming the field', () => {
    const end = run.events.find((e) => e.kind === 'run-end');
    const broken = { ...end, exitCode: 'zero' };
    const outcome = drillEventSchema.safeParse(broken);
    expect(outcome.error?.issues.map((i) => i.path)).toEqual([['exitCode']]);
    expect(z.fromJSONSchema(committed()).safeParse(broken).success).toBe(false);
  });

  it('rejects an event of a kind the contract does not know, naming the field', () => {
    const outcome = drillEventSchema.safeParse({ at: 1, wallMs: 1, kind: 'step-retry' });
    expect(outcome.error?.issues.map((i) => i.path)).toEqual([['kind']]);
  });
});
