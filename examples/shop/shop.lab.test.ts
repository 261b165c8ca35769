// The example app end to end, as docs/authoring.md runs it: `DRILL_APPS=examples/shop pnpm drill shop-outage`
// starts the shop (its local target), cuts eu-west-1, routes to us-east-1, measures the RTO and reverts the fault.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDirIn, runDrill, sandbox } from '../../core/cli/spawn-drill.ts';
import type { RunResult } from '../../core/runner/result-schema.ts';

describe('examples/shop through `pnpm drill`', () => {
  it('passes: the RTO is measured, the audit log has every shop call, the fault is reverted', async () => {
    const box = sandbox({ DRILL_APPS: 'examples/shop' });
    const { code, output } = await runDrill(['shop-outage', '--out', box.outDir], box.env);
    expect(code, output).toBe(0);
    const runDir = runDirIn(box.outDir)!;
    const result = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')) as RunResult;
    expect(result.verdict, output).toBe('passed');
    expect(result.target).toMatchObject({ name: 'shop-local' });
    expect(result.rto).toMatchObject({ recovered: true, met: true });
    expect(result.steps.map((s) => [s.id, s.status])).toEqual([
      ['fault', 'ok'],
      ['declare-incident', 'ok'],
      ['route-traffic-to-us-east-1', 'ok'],
    ]);
    expect(result.undo.map((u) => [u.id, u.status])).toEqual([
      ['failover:route-traffic-to-us-east-1', 'skipped'],
      ['fault', 'done'],
    ]);
    const audited = readFileSync(join(runDir, 'actions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; operation: string; outcome?: string })
      .filter((e) => e.event === 'after')
      .map((e) => `${e.operation} ${e.outcome}`);
    expect(audited).toEqual([
      'POST /orders ok',
      'POST /admin/outage ok',
      'PUT /admin/route ok',
      'POST /orders ok',
      'DELETE /admin/outage ok',
    ]);
    // A hang guard, not a measure: a drill through vitest took 66 s at load 45 (the lab project's default is 60 s).
  }, 300_000);
});
