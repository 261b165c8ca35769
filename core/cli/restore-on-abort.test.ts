import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterAbort, type RunCommandOptions } from './run-command.ts';

const promotion = {
  stepId: 'promotion',
  title: 'Fail over the global cluster to secondary',
  reason: 'the promoted cluster took writes',
  wayBack: 'pnpm drill switchback --target lab (SwitchoverGlobalCluster back to eu-west-1, no data loss)',
};

function resultFile(verdict: string, irreversible: unknown[], steps: unknown[] = []): string {
  const file = join(mkdtempSync(join(tmpdir(), 'drill-abort-')), 'result.json');
  writeFileSync(file, JSON.stringify({ verdict, irreversible, steps, target: { name: 'lab', kind: 'lab' } }));
  return file;
}

function harness(opts: Partial<RunCommandOptions> = {}, wayBackExit = 0) {
  const lines: string[] = [];
  const calls: [string, RunCommandOptions][] = [];
  const options: RunCommandOptions = {
    out: 'out',
    ...opts,
    runWayBack: async (scenario, o) => {
      calls.push([scenario, o]);
      return wayBackExit;
    },
  };
  return { lines, calls, options, write: (l: string) => lines.push(l) };
}

describe('after an abort that left an irreversible step', () => {
  it('prints the exact way back and the flag that runs it, and runs nothing', async () => {
    const h = harness();
    expect(await afterAbort(3, resultFile('aborted', [promotion]), h.options, h.write)).toBe(3);
    expect(h.lines).toEqual([
      '‼ aborted after "Fail over the global cluster to secondary", which cannot be undone: the abort path is the way back: pnpm drill switchback --target lab (SwitchoverGlobalCluster back to eu-west-1, no data loss) (or pass --restore-on-abort to run it at once)',
    ]);
    expect(h.calls).toEqual([]);
  });

  it('with --restore-on-abort runs the switchback on the same target, confirmed, once', async () => {
    const h = harness({ restoreOnAbort: true, target: 'lab' }, 0);
    const file = resultFile('aborted', [promotion]);
    expect(await afterAbort(3, file, h.options, h.write)).toBe(3);
    expect(h.calls.map(([s, o]) => [s, o.target, o.yes, o.restoreOnAbort])).toEqual([
      ['switchback', 'lab', true, false],
    ]);
    expect(h.lines[1]).toBe('--restore-on-abort: switchback passed: the target is back on its primary');
  });

  it('says so loudly when the way back fails', async () => {
    const h = harness({ restoreOnAbort: true }, 1);
    const file = resultFile('aborted', [promotion]);
    await afterAbort(3, file, h.options, h.write);
    expect(h.lines[1]).toBe(
      `--restore-on-abort: switchback ended with exit 1: the target is NOT back; see its run above and ${file}`,
    );
  });

  it('says nothing after the verdict when the restore steps (the way back) ran already', async () => {
    const h = harness({ restoreOnAbort: true });
    const steps = [
      { phase: 'failover', status: 'ok' },
      { phase: 'restore', status: 'ok' },
      { phase: 'restore', status: 'ok' },
    ];
    expect(await afterAbort(3, resultFile('aborted', [promotion], steps), h.options, h.write)).toBe(3);
    expect([h.lines, h.calls]).toEqual([[], []]);
    const failed = [
      { phase: 'restore', status: 'ok' },
      { phase: 'restore', status: 'failed' },
    ];
    await afterAbort(3, resultFile('aborted', [promotion], failed), harness().options, h.write);
    expect(h.lines).toHaveLength(1);
  });

  it('does nothing for a passed drill, or an abort before any irreversible step', async () => {
    const h = harness({ restoreOnAbort: true });
    expect(await afterAbort(0, resultFile('passed', [promotion]), h.options, h.write)).toBe(0);
    expect(await afterAbort(3, resultFile('aborted', []), h.options, h.write)).toBe(3);
    expect([h.lines, h.calls]).toEqual([[], []]);
  });
});
