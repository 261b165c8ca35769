// Issue 19: `drill iam-policy` writes the drill role's policy from the permission plan the preflight simulates.
// Bound to the lab's drill role (its IAM policy simulator evaluates it for real, conditions included), the
// generated policy lets every scenario pass the permission preflight, and each of its statements is needed:
// without any one of them the preflight refuses (or cannot check), naming an action of that statement. The lock's
// statement is not in the plan (the lock is taken before the preflight): the simulator shows it is needed too.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LuneoRun } from '../../actions/luneo/context.ts';
import { luneo } from '../../actions/luneo/context.ts';
import type { LuneoResources } from '../../actions/luneo/resources.ts';
import type { Scenario, Target } from '../../core/model.ts';
import { checkPermissions } from '../../core/safety/gates.ts';
import { type S3TestEndpoint, startS3TestEndpoint } from '../../lab/aws/s3/testing.ts';
import apiCrashloop from '../../scenarios/api-crashloop.ts';
import apiPodKill from '../../scenarios/api-pod-kill.ts';
import auroraOutage from '../../scenarios/aurora-outage.ts';
import regionOutage from '../../scenarios/region-outage.ts';
import switchback from '../../scenarios/switchback.ts';
import labTarget from '../lab.ts';
import type { PolicyStatement } from './iam-policy.ts';
import { type IamPolicies, iamPolicies, planningContext, scenarioCalls } from './iam-policy-command.ts';
import { luneoSafetyPlatform } from './luneo.ts';

const ACCOUNT = '111122223333';
const SCENARIOS = [
  auroraOutage,
  regionOutage,
  switchback,
  apiPodKill,
  apiCrashloop,
] as Scenario<LuneoResources>[];
let s3Lab: S3TestEndpoint;
let dir: string;
let target: Target<LuneoResources>;
let lockArn: string;

const contextOf = (scenario: Scenario<LuneoResources>) =>
  planningContext(scenario, target, join(dir, 'actions.jsonl')) as LuneoRun;

/** The preflight's permission gate for `scenario`, the lab's drill role bound to `policy`. */
async function gate(scenario: Scenario<LuneoResources>, policy: object) {
  s3Lab.harness.server.setDrillRolePolicy(policy);
  const ctx = contextOf(scenario);
  return checkPermissions({
    target,
    targetFile: 'targets/lab.ts',
    plan: [{ stepId: 'all', title: 'every planned call', calls: scenarioCalls(scenario, ctx) }],
    platform: await luneoSafetyPlatform(ctx),
    signal: ctx.signal,
  } as never);
}

const policiesOf = (scenario: Scenario<LuneoResources>): Promise<IamPolicies> =>
  iamPolicies({ scenario, target, targetFile: 'targets/lab.ts' } as never, {
    roleName: 'luneo-drill',
    github: { repository: 'luneo/drill', environment: 'production' },
  });

const statementsOf = (p: IamPolicies) => (p.drillRole.policy as { Statement: PolicyStatement[] }).Statement;
const without = (p: IamPolicies, sid: string) => ({
  ...p.drillRole.policy,
  Statement: statementsOf(p).filter((s) => s.Sid !== sid),
});

beforeAll(async () => {
  s3Lab = await startS3TestEndpoint();
  const sm = new SecretsManagerClient(s3Lab.harness.client('eu-west-1'));
  await sm.send(
    new CreateSecretCommand({ Name: 'prod/luneo/REDIS_URL', SecretString: 'redis://cache.lab:6379' }),
  );
  const lock = await sm.send(new CreateSecretCommand({ Name: 'drill/lock/lab', SecretString: '{}' }));
  lockArn = lock.ARN as string;
  sm.destroy();
  dir = mkdtempSync(join(tmpdir(), 'drill-iam-policy-lab-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [], contexts: [], users: [] }),
  );
  writeFileSync(
    join(dir, 'lab.json'),
    JSON.stringify({
      version: 1,
      dir,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      bootMs: 0,
      publicUrl: 'http://127.0.0.1:1',
      aws: {
        endpoint: s3Lab.harness.server.url,
        accessKeyId: 'AKIALAB',
        secretAccessKey: 'lab-secret',
        accountId: ACCOUNT,
      },
      kubeconfig,
      hostedZoneId: 'Z1',
      healthChecks: { primary: 'hc-1' },
    }),
  );
  target = { ...labTarget, resources: { ...labTarget.resources, lab: { dir } } } as Target<LuneoResources>;
}, 60_000);
afterAll(async () => {
  s3Lab?.harness.server.setDrillRolePolicy(null);
  await s3Lab?.close();
});

describe('drill iam-policy on the lab', { timeout: 60_000 }, () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))(
    '%s: the generated policy passes the preflight; without any one statement it refuses, naming it',
    async (_name, scenario) => {
      const policies = await policiesOf(scenario);
      expect(policies.account).toBe(ACCOUNT);
      const ok = await gate(scenario, policies.drillRole.policy);
      expect(ok.status, ok.detail).toBe('ok');
      for (const statement of statementsOf(policies)) {
        if (statement.Sid === 'HoldTheDrillLock') continue;
        const check = await gate(scenario, without(policies, statement.Sid));
        expect(check.status, `${scenario.name} without ${statement.Sid}: ${check.detail}`).not.toBe('ok');
        expect(
          statement.Action.some((a) => check.detail.includes(a)),
          `${scenario.name} without ${statement.Sid} (${statement.Action.join(', ')}): ${check.detail}`,
        ).toBe(true);
      }
    },
  );

  it.each(SCENARIOS.map((s) => [s.name, s] as const))(
    '%s: the lock statement is needed too (the lock is taken before the preflight: asked of the simulator)',
    async (_name, scenario) => {
      const policies = await policiesOf(scenario);
      const lock = statementsOf(policies).find((s) => s.Sid === 'HoldTheDrillLock');
      expect(lock?.Action).toContain('secretsmanager:CreateSecret');
      const iam = (await luneo(contextOf(scenario))).aws.iam();
      const ask = async (policy: object) => {
        s3Lab.harness.server.setDrillRolePolicy(policy);
        const queries = (lock?.Action ?? []).map((action) => ({ action, resources: [lockArn] }));
        return (await iam.check(policies.drillRole.arn, queries)).map((d) => d.decision);
      };
      expect(new Set(await ask(policies.drillRole.policy))).toEqual(new Set(['allowed']));
      expect(new Set(await ask(without(policies, 'HoldTheDrillLock')))).toEqual(new Set(['implicitDeny']));
    },
  );
});
