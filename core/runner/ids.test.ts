import { describe, expect, it } from 'vitest';
import { createRunId, RUN_ID, stepId } from './ids.ts';

describe('ids', () => {
  it('run ids sort by time and name the scenario', () => {
    const id = createRunId('aurora-outage', new Date('2026-11-26T04:15:30.123Z'));
    expect(id).toMatch(/^20261126T041530Z-aurora-outage-[0-9a-f]{4}$/);
    expect(RUN_ID.test(id)).toBe(true);
  });

  it('step ids default to a slug of the title', () => {
    expect(stepId({ title: 'Fail over the global cluster' })).toBe('fail-over-the-global-cluster');
    expect(stepId({ id: 'promote', title: 'Promote' })).toBe('promote');
  });
});
