// `pnpm drill iam-policy <scenario> --target lab` reads its facts from the lab: with no lab running it is bad input
// (exit 2) that names the lab directory and how to start a lab, not an internal error (exit 4).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../core/cli/exit-codes.ts';
import { reportCliError } from '../../../core/cli/report-error.ts';
import type { Scenario, Target } from '../../../core/model.ts';
import { labConnection } from '../../../targets/lab-session.ts';
import type { LuneoResources } from '../resources.ts';
import auroraOutage from '../scenarios/aurora-outage.ts';
import labTarget from '../targets/lab.ts';
import { iamPolicies } from './iam-policy-command.ts';

const GITHUB = { repository: 'acme/drill', environment: 'dr-drill' };

/** The lab target bound to `dir` (the CLI takes it from LAB_DIR when it loads the target). */
function policiesFor(dir: string) {
  const target: Target<LuneoResources> = {
    ...labTarget,
    connect: ({ resources }) => labConnection(dir, resources),
  };
  return iamPolicies(
    {
      scenario: auroraOutage as Scenario<unknown>,
      target: target as Target<unknown>,
      targetFile: 'apps/luneo/targets/lab.ts',
    },
    { roleName: 'luneo-drill', github: GITHUB },
  );
}

async function exitOf(run: Promise<unknown>): Promise<{ code: number; printed: string }> {
  let printed = '';
  const code = await run.then(
    () => EXIT.passed,
    (error) => reportCliError(error, (text) => (printed += text)),
  );
  return { code, printed };
}

describe('drill iam-policy --target lab without a running lab', () => {
  it('no lab.json in the lab directory: exit 2, naming the directory and `pnpm lab up`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iam-policy-nolab-'));
    const { code, printed } = await exitOf(policiesFor(dir));
    expect(printed).toBe(
      'drill: iam-policy reads the account and the resources\' facts (replication roles, KMS keys) from target "lab", ' +
        `and cannot reach it: no lab is running in ${dir}: start one with \`pnpm lab up\` (a drill run starts an ` +
        'ephemeral one by itself)\n',
    );
    expect(code).toBe(EXIT.badInput);
  });

  it("a lab.json left by a lab whose daemon is gone: exit 2 at once, not the endpoints' connection errors", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iam-policy-stale-'));
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    const endpoint = 'http://127.0.0.1:9'; // discard: nothing answers
    writeFileSync(
      join(dir, 'lab.json'),
      JSON.stringify({
        version: 1,
        dir,
        pid: gone.pid,
        controlUrl: endpoint,
        aws: { endpoint, accessKeyId: 'AKIDLAB', secretAccessKey: 'x', accountId: '111122223333' },
        kubeconfig: join(dir, 'kubeconfig'),
        hostedZoneId: 'Z1',
        healthChecks: { primary: 'hc-1' },
      }),
    );
    const { code, printed } = await exitOf(policiesFor(dir));
    expect(printed).toContain(
      `cannot reach it: no lab is running in ${dir} (its lab.json names pid ${gone.pid}, which is gone): start one with \`pnpm lab up\``,
    );
    expect(code).toBe(EXIT.badInput);
  });
});
