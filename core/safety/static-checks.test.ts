import { describe, expect, it } from 'vitest';
import type { Target } from '../model.ts';
import type { PlanEntry } from './guardrails.ts';
import { staticChecks } from './static-checks.ts';

const live = (overrides: Partial<Target<unknown>> = {}): Target<unknown> => ({
  name: 'prod',
  description: 'production',
  kind: 'live',
  aws: { regions: ['eu-west-1'], accountIds: ['000000000000'] },
  resources: {},
  safety: {
    accountIdFrom: 'LUNEO_PROD_ACCOUNT_ID',
    requiredEnv: [
      { name: 'ZONE_ID', setTo: 'the hosted zone id' },
      { name: 'SHOP_SECRETS', setTo: 'the shops secrets', neededBy: 'ecommerce-webhooks' },
    ],
    platform: async () => ({}),
  },
  ...overrides,
});

const plan = (...stepIds: string[]): PlanEntry[] =>
  stepIds.map((stepId) => ({
    stepId,
    title: stepId,
    calls: [{ service: 'rds', operation: 'FailoverGlobalCluster', scope: 'us-east-2', mutating: true }],
  }));

const refusals = (target: Target<unknown>, entries: PlanEntry[], env: NodeJS.ProcessEnv = {}) =>
  staticChecks({ target, targetFile: 'targets/prod.ts', plan: entries, env })
    .filter((c) => c.status === 'refused')
    .map((c) => `${c.name}: ${c.detail}`);

describe('the checks that call nothing', () => {
  it('name every problem at once, each with its fix', () => {
    expect(refusals(live(), plan('fault', 'verify:ecommerce-webhooks'))).toEqual([
      'aws-account: targets/prod.ts: aws.accountIds: 000000000000 is a placeholder, not an AWS account: set LUNEO_PROD_ACCOUNT_ID to the account id (12 digits) and run again',
      'settings: targets/prod.ts: safety.requiredEnv: ZONE_ID is not set: set it to the hosted zone id',
      'settings: targets/prod.ts: safety.requiredEnv: SHOP_SECRETS is not set (ecommerce-webhooks needs it): set it to the shops secrets',
      'sign-off: a live drill on target "prod" records who approved it and who took part: no approver: pass --approver <name> (or set DRILL_APPROVER)',
      'sign-off: a live drill on target "prod" records who approved it and who took part: no participants: pass --participants <a,b> (or set DRILL_PARTICIPANTS)',
      'aws-regions: targets/prod.ts: aws.regions: the drill would touch us-east-2 (rds FailoverGlobalCluster in "fault"), outside the target\'s regions [eu-west-1]: add the region to aws.regions if the drill may touch it, or fix the scenario',
    ]);
  });

  it('ask for a setting only when the plan needs it, and for a sign-off only on a live target', () => {
    const env = { ZONE_ID: 'Z1', DRILL_APPROVER: 'ana', DRILL_PARTICIPANTS: 'bo, cy' };
    const target = live({ aws: { regions: ['eu-west-1', 'us-east-2'], accountIds: ['123456789012'] } });
    expect(refusals(target, plan('fault'), env)).toEqual([]);
    expect(refusals(target, plan('fault', 'verify:ecommerce-webhooks'), env)).toEqual([
      'settings: targets/prod.ts: safety.requiredEnv: SHOP_SECRETS is not set (ecommerce-webhooks needs it): set it to the shops secrets',
    ]);
    const lab = { ...target, kind: 'lab' as const };
    expect(refusals(lab, plan('fault'), { ZONE_ID: 'Z1' })).toEqual([]);
  });

  it('refuse a live target without a safety platform, before anything could ask it', () => {
    const target = live({ aws: { regions: ['us-east-2'], accountIds: ['123456789012'] }, safety: {} });
    expect(refusals(target, plan('fault'), { DRILL_APPROVER: 'ana', DRILL_PARTICIPANTS: 'bo' })).toEqual([
      'safety-platform: targets/prod.ts: safety.platform: a live target needs a safety platform (STS, kubeconfig, FIS, alarms, lock): add one',
    ]);
  });
});
