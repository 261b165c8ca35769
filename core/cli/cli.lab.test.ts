// The `drill` command as a process: exit codes, exact messages, outputs, dry run, show.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryPlatform } from '../../apps/self-test/targets/memory.ts';
import { runResultSchema } from '../runner/result-schema.ts';
import { runDirIn, runDrill, sandbox } from './spawn-drill.ts';

const platformOf = (stateFile: string) =>
  new MemoryPlatform({ stateFile, timeScale: 1, dbPassword: 'memory-s3cret-pw' });

// Sequential on purpose: each case is a real process, and the machine has 2 cores.
describe('pnpm drill', { timeout: 120_000 }, () => {
  it('exit 2 with the nearest name for an unknown scenario, writing nothing', async () => {
    const box = sandbox();
    const { code, output } = await runDrill(['self-tset', '--in-process', '--out', box.outDir], box.env);
    expect(code).toBe(2);
    expect(output).toBe('drill: unknown scenario "self-tset": did you mean "self-test"?\n');
    expect(existsSync(box.outDir)).toBe(false);
  });

  it('exit 2 for an unknown target, and for contradicting options', async () => {
    const box = sandbox();
    const target = await runDrill(
      ['self-test', '--target', 'memroy', '--in-process', '--out', box.outDir],
      box.env,
    );
    expect(target.code).toBe(2);
    expect(target.output).toBe(
      '--target: unknown target "memroy": did you mean "memory"?\ndrill: 1 problem; nothing was run\n',
    );
    const both = await runDrill(['self-test', '--dry-run', '--execute', '--out', box.outDir], box.env);
    expect(both.code).toBe(2);
    expect(both.output).toBe('drill: --dry-run and --execute exclude each other: pick one\n');
    const option = await runDrill(['self-test', '--bogus'], box.env);
    expect(option.code).toBe(2);
    expect(option.output).toBe("error: unknown option '--bogus'\n");
    expect(existsSync(box.outDir)).toBe(false);
  });

  it('--help documents the exit codes', async () => {
    const { code, output } = await runDrill(['--help'], sandbox().env);
    expect(code).toBe(0);
    expect(output).toContain('  2    bad input: invalid scenario, target or arguments');
    expect(output).toContain('  3    aborted: stopped by Ctrl-C; the undo stack was rolled back');
    const rollback = await runDrill(['rollback', '--help'], sandbox().env);
    expect(rollback.output).toContain('--restore');
  });

  it('list answers with each scenario and its summary', async () => {
    // Speed (< 1.5 s idle) comes from reading summaries as text: core/registry.test.ts; no wall-clock
    // assertion here, since tests share a busy CPU.
    const { code, output } = await runDrill(['list'], sandbox().env);
    expect(code).toBe(0);
    expect(output).toMatch(
      /^self-test +Self-test on the in-memory platform: outage, failover, recovery, verification, rollback$/m,
    );
  });

  it('runs the self-test in process: exit 0, valid result.json, platform clean, no secret in any output', async () => {
    const box = sandbox();
    const { code, output } = await runDrill(['self-test', '--in-process', '--out', box.outDir], box.env);
    expect(code, output).toBe(0);
    const runDir = runDirIn(box.outDir)!;
    const result = runResultSchema.parse(JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')));
    expect(result.verdict).toBe('passed');
    expect(result.rto?.recovered).toBe(true);
    expect(result.rpo?.lostCount).toBeGreaterThan(0);
    // A step late against its planned offset is a fact of this machine's load (a loaded CI runner makes them), not
    // of the scenario: the deviation the self-test always makes is its failed best-effort step.
    expect(result.deviations.map((d) => d.kind).filter((kind) => kind !== 'late')).toEqual([
      'best-effort-failed',
    ]);
    expect(platformOf(box.stateFile).leftovers()).toEqual([]);
    expect(platformOf(box.stateFile).read().writer).toBe('eu-west-1');
    for (const file of ['result.json', 'journal.json', 'actions.jsonl']) {
      expect(readFileSync(join(runDir, file), 'utf8')).not.toContain('memory-s3cret-pw');
    }
    expect(output).not.toContain('memory-s3cret-pw');
    expect(output).toContain('verdict: PASSED (exit 0): every objective and check held');
  });

  it('dry run prints every call and makes no mutating call', async () => {
    const box = sandbox();
    const { code, output } = await runDrill(
      ['self-test', '--dry-run', '--in-process', '--out', box.outDir],
      box.env,
    );
    expect(code, output).toBe(0);
    expect(output).toContain(
      '    MUTATE rds FailoverGlobalCluster @memory {"to":"us-east-1","allowDataLoss":true}',
    );
    expect(output).toContain(
      '    MUTATE secretsmanager PutSecretValue @memory {"SecretId":"DATABASE_URL","SecretString":"***"}',
    );
    expect(existsSync(box.stateFile)).toBe(false);
    const lines = readFileSync(join(runDirIn(box.outDir)!, 'actions.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(Array(10).fill('planned'));
  });

  it('prod without its settings: the dry run names every problem the real run refuses on, exit 5, nothing called', async () => {
    const box = sandbox();
    const unset = (k: string) =>
      k.startsWith('LUNEO_') || k === 'DRILL_APPROVER' || k === 'DRILL_PARTICIPANTS';
    const env = Object.fromEntries(Object.entries(box.env).filter(([k]) => !unset(k)));
    const run = (mode: string[], out: string) =>
      runDrill(['aurora-outage', '--target', 'prod', ...mode, '--out', join(box.dir, out)], env);
    const [dry, real] = [
      await run(['--dry-run', '--in-process'], 'dry'),
      await run(['--execute', '--yes'], 'real'),
    ];
    const problems = (output: string) => output.split('\n').filter((l) => l.startsWith('  ✖ '));
    expect([dry.code, real.code], `${dry.output}\n${real.output}`).toEqual([5, 5]);
    expect(dry.output).toContain('verdict: PLANNED (exit 5): would refuse: 5 problems, each with its fix:');
    expect(real.output).toContain(
      'verdict: REFUSED (exit 5): refused to start, nothing was injected: 5 problems, each with its fix:',
    );
    expect(problems(dry.output)).toEqual(problems(real.output));
    expect(problems(real.output).map((l) => l.match(/LUNEO_[A-Z_]+|DRILL_[A-Z]+/)?.[0])).toEqual([
      'LUNEO_PROD_ACCOUNT_ID',
      'LUNEO_PROD_ZONE_ID',
      'LUNEO_ECOMMERCE_WEBHOOK_SECRETS',
      'DRILL_APPROVER',
      'DRILL_PARTICIPANTS',
    ]);
    // The refusal through vitest (the default): no failed tests, no traces; no SDK warning; neither run made a call.
    for (const { output } of [dry, real]) {
      expect(output).not.toMatch(/AssertionError|❯|Test Files|NodeVersionSupportWarning|\(node:\d+\)/);
    }
    for (const out of ['dry', 'real']) {
      const audit = join(runDirIn(join(box.dir, out)) as string, 'actions.jsonl');
      const lines = existsSync(audit) ? readFileSync(audit, 'utf8').trim().split('\n').filter(Boolean) : [];
      // The dry run lists its plan as 'planned' entries; a call made would add 'before' and 'after' ones.
      expect(
        lines.map((l) => (JSON.parse(l) as { event: string }).event).filter((e) => e !== 'planned'),
      ).toEqual([]);
    }
  });

  it('exit 5 (refused) when the steady state is red, injecting nothing; show prints the run', async () => {
    const box = sandbox();
    platformOf(box.stateFile).mutate('left-over-outage', (s) => {
      s.outage = true;
    });
    const { code, output } = await runDrill(['self-test', '--in-process', '--out', box.outDir], box.env);
    expect(code, output).toBe(5);
    expect(output).toContain(
      'verdict: REFUSED (exit 5): steady state is not green, nothing was injected: probe "public-api" failed: eu-west-1 is unreachable (DNS points there)',
    );
    expect(platformOf(box.stateFile).read().mutations).toEqual(['left-over-outage']);
    const runId = runDirIn(box.outDir)!.split('/').pop()!;
    const show = await runDrill(['show', runId, '--out', box.outDir], box.env);
    expect(show.code).toBe(0);
    expect(show.output).toContain(`run ${runId}: self-test on memory\n`);
    expect(show.output).toContain('state finished, verdict failed');
    expect(show.output).toContain('pending undos: none');
    const missing = await runDrill(['show', 'nope', '--out', box.outDir], box.env);
    expect(missing.code).toBe(2);
    expect(missing.output).toBe(
      `drill: no run "nope" under ${join(box.outDir, 'runs')} (pass --out if it is elsewhere)\n`,
    );
  });
});
