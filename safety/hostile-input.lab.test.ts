// Issue #6, hostile and wrong input at the command line: each a clear message naming what and where, exit 2,
// nothing run. Spawns `pnpm drill` (so it lives in the lab project) but needs no lab: a few seconds per case.
// Already proven elsewhere, not repeated here: unknown scenario/target with the nearest name, --dry-run with
// --execute, unknown option, `show` of an unknown run (core/cli/cli.lab.test.ts); malformed scenario and target
// objects and bad durations, every problem at once with file and field (core/validate/*.test.ts); live targets
// without --execute or --yes (safety/no-mutation.lab.test.ts, with a target that does not exist in the lab too).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDrill, sandbox } from '../core/cli/spawn-drill.ts';

const RUN_ID = '20261126T000000Z-aurora-outage-abcd';

describe('pnpm drill with hostile input', { timeout: 120_000 }, () => {
  it('rollback of a run id that does not exist: exit 2 naming where it looked', async () => {
    const box = sandbox();
    const { code, output } = await runDrill(['rollback', RUN_ID, '--out', box.outDir], box.env);
    expect(code).toBe(2);
    expect(output).toBe(
      `drill: no run "${RUN_ID}" under ${join(box.outDir, 'runs')} (pass --out if it is elsewhere)\n`,
    );
    expect(existsSync(box.outDir)).toBe(false);
  });

  it('a scenario or target given as a path is an unknown name, not a file read', async () => {
    const box = sandbox();
    const scenario = await runDrill(['../../etc/passwd', '--dry-run', '--out', box.outDir], box.env);
    expect(scenario.code).toBe(2);
    expect(scenario.output).toMatch(
      /^drill: unknown scenario "\.\.\/\.\.\/etc\/passwd": known scenarios: .*aurora-outage/,
    );
    const target = await runDrill(
      ['aurora-outage', '--target', '../targets/lab', '--dry-run', '--out', box.outDir],
      box.env,
    );
    expect(target.code).toBe(2);
    expect(target.output).toMatch(/^--target: unknown target "\.\.\/targets\/lab": known targets: .*lab/);
    expect(target.output).toContain('drill: 1 problem; nothing was run\n');
    expect(existsSync(box.outDir)).toBe(false);
  });

  it('rollback without a run id: exit 2 saying what is missing', async () => {
    const { code, output } = await runDrill(['rollback'], sandbox().env);
    expect(code).toBe(2);
    expect(output).toBe("error: missing required argument 'run-id'\n");
  });

  it('rollback of a run whose journal is corrupt: exit 2 naming the journal file, nothing undone', async () => {
    const box = sandbox();
    const runDir = join(box.outDir, 'runs', RUN_ID);
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'journal.json'), '{"journalVersion": 1, "runId": ');
    const { code, output } = await runDrill(['rollback', RUN_ID, '--out', box.outDir], box.env);
    expect(output).not.toContain('internal error');
    expect(output).toContain(join(runDir, 'journal.json'));
    expect(code).toBe(2);
  });
});
