import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRun } from '../run/facts.ts';
import { renderPostmortem } from './markdown.ts';

const bundle = loadRun(join(import.meta.dirname, '..', 'run', 'fixtures', 'aurora-outage'));
const md = renderPostmortem(bundle);

describe('post-mortem draft of a real aurora-outage run', () => {
  it('is marked DRAFT and says it was a simulation', () => {
    expect(md.startsWith('# DRAFT — Post-mortem: aurora-outage drill, 2026-11-26\n')).toBe(true);
    expect(md).toContain('on lab (simulation) — a SIMULATION on the lab, not a production incident.');
  });

  it('has the sections runbook §11 asks for, in order', () => {
    const headings = md.match(/^## .+$/gm);
    expect(headings).toEqual([
      '## Summary',
      '## Timeline',
      '## Impact',
      '## RTO and RPO',
      '## Deviations from the runbook',
      '## Root cause and contributing factors',
      '## Actions',
      '## Way back',
      '## Evidence',
    ]);
  });

  it('puts the outage and the recovery in the timeline where they happened', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| T0+'));
    expect(rows[0]).toBe(
      '| T0+0ms | §4 | Primary database subnets lose their network (FIS aws:network:disrupt-connectivity): ok |',
    );
    expect(rows[1]).toBe('| T0+128ms | — | users see the outage (first failing recovery probe) |');
    expect(rows.at(-1)).toBe('| T0+28.1s | — | service restored (every recovery probe passing for 5s) |');
  });

  it('states the impact and the achieved RTO/RPO', () => {
    expect(md).toContain('- Users could not be served for 28.0s (from T0+128ms).');
    expect(md).toContain('- 2 of 22 acknowledged canary writes lost (#21, #22).');
    expect(md).toContain('| RTO | 28.1s ± 1.0s | 30m 00s | ✅ met |');
  });

  it('turns each runbook finding into an action, major first, with owner and due date to fill in', () => {
    const actions = md.split('\n').filter((l) => /^\| \d+ \| (major|minor|info) \|/.test(l));
    expect(actions.length).toBe(8);
    expect(actions[0]).toMatch(
      /^\| 1 \| major \| runbook §6\.1 \(step lag-check\) \| Fix the runbook: it says "Check the lag/,
    );
    expect(actions[0]?.endsWith('| _(to fill in)_ | _(to fill in)_ |')).toBe(true);
    expect(actions.slice(5).every((a) => a.includes('| minor |'))).toBe(true);
  });
});
