// Issue #6: a dry run, and a run without --execute, against a live-style target make zero mutating calls,
// counted by the lab the target points at.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDirIn, runDrill } from '../core/cli/spawn-drill.ts';
import { PROJECT_ROOT } from '../core/registry.ts';
import { runScenario } from '../core/runner/run-scenario.ts';
import { LIVE_STYLE_TARGET, liveStyleEnv } from './testing/live-style.ts';
import { type SafetyLab, startSafetyLab } from './testing/safety-lab.ts';

let lab: SafetyLab;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  lab = await startSafetyLab('safety-no-mutation');
  env = liveStyleEnv(lab.info);
}, 120_000);
afterAll(async () => lab?.close(), 60_000);

describe('a live-style target pointing at the lab', { timeout: 120_000 }, () => {
  it('reaches the lab: the default credential chain and AWS_ENDPOINT_URL answer with the lab account', () => {
    // Without this, "zero mutations counted in the lab" could mean the drill talked to something else.
    const script =
      "import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';" +
      'const me = await new STSClient({}).send(new GetCallerIdentityCommand({}));' +
      'process.stdout.write(me.Account);';
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT,
      env,
      encoding: 'utf8',
    });
    expect(child.stdout, child.stderr).toBe(lab.info.aws.accountId);
  });

  it('--dry-run prints the plan with its mutating calls and makes none', async () => {
    const before = await lab.mutations();
    const out = join(lab.outDir, 'dry-run');
    // Every setting a live run needs (a dry run checks them all, and would refuse without: core/safety/static-checks.ts).
    const settings = {
      DRILL_APPROVER: 'safety suite',
      DRILL_PARTICIPANTS: 'safety suite',
      LUNEO_ECOMMERCE_WEBHOOK_SECRETS:
        '{"shopify": "unread by a dry run", "woocommerce": "unread by a dry run"}',
    };
    const { code, output } = await runDrill(
      ['aurora-outage', '--target', LIVE_STYLE_TARGET, '--dry-run', '--in-process', '--out', out],
      { ...env, ...settings },
    );
    expect(code, output).toBe(0);
    expect(output).toContain('MUTATE rds FailoverGlobalCluster @us-east-1');
    expect(output).toContain('MUTATE fis StartExperiment @eu-west-1');
    expect(output).toContain('verdict: PLANNED (exit 0): dry run: plan only, nothing executed');
    expect(await lab.mutations()).toEqual(before);
    expect(await lab.status()).toMatchObject({ writer: 'eu-west-1', faults: [] });
  });

  it('without --execute: refused before anything runs (exit 2), zero mutations, no run written', async () => {
    const before = await lab.mutations();
    const out = join(lab.outDir, 'no-execute');
    const { code, output } = await runDrill(
      ['aurora-outage', '--target', LIVE_STYLE_TARGET, '--in-process', '--out', out],
      env,
    );
    expect(code, output).toBe(2);
    expect(output).toContain(
      `target "${LIVE_STYLE_TARGET}" is live: add --execute to run against it, or --dry-run to print the plan`,
    );
    expect(runDirIn(out)).toBeUndefined();
    expect(existsSync(out)).toBe(false);
    expect(await lab.mutations()).toEqual(before);
  });

  it('--execute without --yes and no terminal to confirm on: refused (exit 2), zero mutations', async () => {
    const before = await lab.mutations();
    const out = join(lab.outDir, 'no-yes');
    const { code, output } = await runDrill(
      ['aurora-outage', '--target', LIVE_STYLE_TARGET, '--execute', '--in-process', '--out', out],
      env,
    );
    expect(code, output).toBe(2);
    expect(output).toContain(
      `target "${LIVE_STYLE_TARGET}" is live and stdin is not a terminal: confirm with --yes`,
    );
    expect(existsSync(out)).toBe(false);
    expect(await lab.mutations()).toEqual(before);
  });

  it('a lab target naming a cluster the lab does not have: refused before any change, naming the cluster', async () => {
    const [{ default: labTarget }, { default: scenario }] = await Promise.all([
      import('../apps/luneo/targets/lab.ts'),
      import('../apps/luneo/scenarios/aurora-outage.ts'),
    ]);
    const r = labTarget.resources;
    const target = {
      ...labTarget,
      prepare: undefined,
      resources: {
        ...r,
        lab: { dir: lab.dir },
        primary: { ...r.primary, clusterId: 'luneo-prod-aurora-primry' },
      },
    };
    const before = await lab.mutations();
    const result = await runScenario(scenario, target, { outDir: join(lab.outDir, 'missing-cluster') });
    expect(result.verdict, result.reason).toBe('failed');
    expect(result.reason).toContain('luneo-prod-aurora-primry');
    // The drill's own run lock may be taken and released; nothing of the target changes.
    const audit = readFileSync(
      join(lab.outDir, 'missing-cluster', 'runs', result.runId, 'actions.jsonl'),
      'utf8',
    );
    const touched = audit
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { event: string; operation: string; params?: { SecretId?: string } })
      .filter((e) => e.event === 'before' && !e.params?.SecretId?.startsWith('drill/lock/'));
    expect(touched).toEqual([]);
    const after = await lab.mutations();
    for (const op of Object.keys(after))
      if (!['CreateSecret', 'PutSecretValue'].includes(op)) expect(after[op], op).toBe(before[op]);
    expect(await lab.status()).toMatchObject({ writer: 'eu-west-1', faults: [] });
  });
});
