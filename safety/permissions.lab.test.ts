// Issue #6: the plan needs a permission the drill's role lacks → the drill refuses to start (exit 5), names
// the action, injects nothing and releases its lock. The lab's IAM policy simulator evaluates the drill role's
// policy for real (lab/aws/iam/); the control API swaps in a policy without route53:ChangeResourceRecordSets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDirIn, runDrill } from '../core/cli/spawn-drill.ts';
import { DEFAULT_POLICY_FILE } from '../lab/aws/iam/drill-role.ts';
import { PRIMARY_REGION } from '../lab/regions.ts';
import { type SafetyLab, startSafetyLab } from './testing/safety-lab.ts';

const MISSING = 'route53:ChangeResourceRecordSets';
let lab: SafetyLab;

async function setDrillRolePolicy(document: object): Promise<void> {
  const res = await fetch(`${lab.info.controlUrl}/iam-policy`, {
    method: 'POST',
    body: JSON.stringify(document),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** The lab's default drill-role policy with one action taken out of every statement. */
function policyWithout(action: string): object {
  const policy = JSON.parse(readFileSync(DEFAULT_POLICY_FILE, 'utf8')) as {
    Statement: { Action: string[] }[];
  };
  for (const s of policy.Statement) s.Action = s.Action.filter((a) => a !== action);
  return policy;
}

beforeAll(async () => {
  lab = await startSafetyLab('safety-permissions');
}, 120_000);
afterAll(async () => lab?.close(), 60_000);

describe('a plan the drill role may not run', { timeout: 120_000 }, () => {
  it(`refuses to start without ${MISSING}: exit 5 naming it, nothing injected, lock released`, async () => {
    await setDrillRolePolicy(policyWithout(MISSING));
    const before = await lab.mutations();
    const out = join(lab.outDir, 'denied');
    const { code, output } = await runDrill(['aurora-outage', '--in-process', '--out', out], lab.env);
    expect(code, output).toBe(5);
    expect(output).toContain(
      `the caller may not make 1 planned call(s): ${MISSING} in us-east-1 (implicitDeny): grant them to the drill's role, or run with credentials that have them`,
    );
    expect(output).toContain('refused to start, nothing was injected');

    // Nothing of the target changed: only the drill's own lock secret was written (taken, then released).
    const runDir = runDirIn(out) as string;
    const touched = readFileSync(join(runDir, 'actions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { event: string; operation: string; params?: { SecretId?: string } })
      .filter((e) => e.event === 'before' && !e.params?.SecretId?.startsWith('drill/lock/'))
      .map((e) => e.operation);
    expect(touched).toEqual([]);
    const after = await lab.mutations();
    const changed = Object.keys(after).filter((op) => after[op] !== before[op]);
    expect(changed.filter((op) => !['CreateSecret', 'PutSecretValue'].includes(op))).toEqual([]);
    expect(await lab.liveExperiments()).toEqual([]);
    expect(await lab.status()).toMatchObject({ writer: 'eu-west-1', faults: [] });

    const sm = new SecretsManagerClient({
      region: PRIMARY_REGION,
      endpoint: lab.info.aws.endpoint,
      credentials: { accessKeyId: lab.info.aws.accessKeyId, secretAccessKey: lab.info.aws.secretAccessKey },
    });
    const lock = await sm.send(new GetSecretValueCommand({ SecretId: 'drill/lock/lab' }));
    sm.destroy();
    expect(JSON.parse(lock.SecretString ?? '{}')).toMatchObject({ state: 'free' });
    const result = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')) as {
      safety?: { name: string; status: string }[];
    };
    expect(JSON.stringify(result)).toContain(MISSING);
  });
});
