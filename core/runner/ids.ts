// Run ids and step ids.
import { randomBytes } from 'node:crypto';
import type { StepDefinition } from '../model.ts';
import { stepIdOf } from '../validate/slug.ts';

/** Sortable run id: `20261126T041530Z-aurora-outage-a1b2` (UTC, then scenario, then 4 random hex). */
export function createRunId(scenario: string, at: Date = new Date()): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `${stamp}-${scenario}-${randomBytes(2).toString('hex')}`;
}

export const RUN_ID = /^\d{8}T\d{6}Z-[a-z0-9-]+-[0-9a-f]{4}$/;

/** The id a step is known by in the journal and results: its `id`, else the slug of its title. */
export function stepId(step: Pick<StepDefinition, 'id' | 'title'>): string {
  return stepIdOf(step);
}
