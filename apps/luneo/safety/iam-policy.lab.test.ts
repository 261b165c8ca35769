import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scenario, Target } from '../../../core/model.ts';
import { checkPermissions } from '../../../core/safety/gates.ts';
import { type S3TestEndpoint, startS3TestEndpoint } from '../../../lab/aws/s3/testing.ts';
import { iamActions, withUndoCalls } from '../../../targets/safety/iam-plan.ts';
import type { PolicyStatement } from '../../../targets/safety/iam-policy.ts';
import type { LuneoRun } from '../context.ts';
import { luneo } from '../context.ts';
import type { LuneoResources } from '../resources.ts';
import apiCrashloop from '../scenarios/api-crashloop.ts';
import apiPodKill from '../scenarios/api-pod-kill.ts';
import auroraOutage from '../scenarios/aurora-outage.ts';
import regionOutage from '../scenarios/region-outage.ts';
import switchback from '../scenarios/switchback.ts';
import labTarget from '../targets/lab.ts';
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
    targetFile: 'apps/luneo/targets/lab.ts',
    plan: [{ stepId: 'all', title: 'every planned call', calls: scenarioCalls(scenario, ctx) }],
    platform: await luneoSafetyPlatform(ctx),
    signal: ctx.signal,
  } as never);
}

const policiesOf = (scenario: Scenario<LuneoResources>): Promise<IamPolicies> =>
  iamPolicies({ scenario, target, targetFile: 'apps/luneo/targets/lab.ts' } as never, {
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
  dir = s3Lab.harness.labDir('drill-iam-policy-lab-');
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
      const planned = new Set(iamActions(withUndoCalls(scenarioCalls(scenario, contextOf(scenario)))));
      for (const statement of statementsOf(policies)) {
        if (statement.Sid === 'HoldTheDrillLock') continue;
        // A statement only the preflight's own reads need (running experiments, the lag metric) is not simulated by
        // the gate: the lab refuses those reads when it enforces IAM (safety/iam-enforced-all.lab.test.ts).
        if (!statement.Action.some((a) => planned.has(a))) continue;
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
