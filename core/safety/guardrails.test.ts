import { describe, expect, it } from 'vitest';
import type { PlannedCall, Target } from '../model.ts';
import {
  checkAccount,
  checkGuardrails,
  checkKubeContexts,
  checkRegions,
  type PlanEntry,
} from './guardrails.ts';
import type { SafetyPlatform } from './types.ts';

const PRIMARY_CTX = 'arn:aws:eks:eu-west-1:123456789012:cluster/luneo-prod-eks-primary';
const SECONDARY_CTX = 'arn:aws:eks:us-east-1:123456789012:cluster/luneo-prod-eks-secondary';

function liveTarget(overrides: Partial<Target<unknown>> = {}): Target<unknown> {
  return {
    name: 'prod',
    description: 'production',
    kind: 'live',
    aws: { regions: ['eu-west-1', 'us-east-1'], accountIds: ['123456789012'] },
    kube: { contexts: { 'eu-west-1': PRIMARY_CTX, 'us-east-1': SECONDARY_CTX } },
    resources: {},
    safety: { accountIdFrom: 'LUNEO_PROD_ACCOUNT_ID' },
    ...overrides,
  };
}

const call = (service: string, operation: string, scope?: string): PlannedCall => ({
  service,
  operation,
  ...(scope ? { scope } : {}),
  mutating: true,
});

const plan: PlanEntry[] = [
  { stepId: 'fault', title: 'fault', calls: [call('fis', 'StartExperiment', 'eu-west-1')] },
  {
    stepId: 'promote',
    title: 'promote',
    calls: [call('rds', 'FailoverGlobalCluster', 'us-east-1'), call('route53', 'GetChange', 'global')],
  },
  {
    stepId: 'restart',
    title: 'restart',
    calls: [call('kubernetes', 'rollout restart deployment/luneo-api', SECONDARY_CTX)],
  },
];

const platform = (account: string, contexts = [PRIMARY_CTX, SECONDARY_CTX]): SafetyPlatform => ({
  callerIdentity: async () => ({ account, arn: `arn:aws:sts::${account}:assumed-role/drill/session` }),
  kubeContexts: async () => ({ kubeconfig: '/home/ops/.kube/config', contexts }),
});

const input = (target: Target<unknown>, p: SafetyPlatform | undefined, entries = plan) => ({
  target,
  targetFile: 'targets/prod.ts',
  plan: entries,
  platform: p,
  signal: new AbortController().signal,
});

describe('the AWS account guardrail', () => {
  it('refuses the placeholder account and says which variable sets it, without asking STS', async () => {
    let asked = false;
    const p: SafetyPlatform = {
      callerIdentity: async () => {
        asked = true;
        return { account: '000000000000', arn: 'x' };
      },
    };
    const target = liveTarget({ aws: { regions: ['eu-west-1'], accountIds: ['000000000000'] } });
    expect(await checkAccount(input(target, p))).toEqual({
      name: 'aws-account',
      status: 'refused',
      detail:
        'targets/prod.ts: aws.accountIds: 000000000000 is a placeholder, not an AWS account: set LUNEO_PROD_ACCOUNT_ID to the account id (12 digits) and run again',
    });
    expect(asked).toBe(false);
  });

  it('refuses credentials of an account outside the allow-list, naming both', async () => {
    expect((await checkAccount(input(liveTarget(), platform('999999999999')))).detail).toBe(
      'targets/prod.ts: aws.accountIds: the credentials in use belong to account 999999999999 (arn:aws:sts::999999999999:assumed-role/drill/session), which is not in the allow-list [123456789012]: switch to credentials of an allowed account, or fix aws.accountIds',
    );
  });

  it('accepts an allowed account', async () => {
    expect(await checkAccount(input(liveTarget(), platform('123456789012')))).toEqual({
      name: 'aws-account',
      status: 'ok',
      detail:
        'account 123456789012 (arn:aws:sts::123456789012:assumed-role/drill/session) is in aws.accountIds',
    });
  });

  it('refuses when STS fails, and a live target with no way to ask STS', async () => {
    const failing: SafetyPlatform = {
      callerIdentity: async () => {
        throw new Error('The security token included in the request is expired');
      },
    };
    expect((await checkAccount(input(liveTarget(), failing))).detail).toBe(
      'STS GetCallerIdentity failed, so the account cannot be checked against targets/prod.ts: aws.accountIds: The security token included in the request is expired; check the AWS credentials (AWS_PROFILE)',
    );
    expect((await checkAccount(input(liveTarget(), undefined))).detail).toBe(
      'targets/prod.ts: safety.platform: a live target needs a safety platform that asks STS who the caller is',
    );
  });

  it('skips a lab target that lists no account', async () => {
    const lab = liveTarget({ kind: 'lab', aws: { regions: ['eu-west-1'] } });
    expect((await checkAccount(input(lab, undefined))).status).toBe('skipped');
  });
});

describe('the region guardrail', () => {
  it('refuses a planned call, kube context or abort alarm outside aws.regions (global scopes ignored)', () => {
    const target = liveTarget({
      aws: { regions: ['eu-west-1'], accountIds: ['123456789012'] },
      kube: { contexts: { 'eu-west-1': PRIMARY_CTX } },
      safety: { abortAlarms: [{ name: 'checkout-errors', region: 'ap-south-1' }] },
    });
    expect(checkRegions(input(target, undefined))).toEqual({
      name: 'aws-regions',
      status: 'refused',
      detail:
        'targets/prod.ts: aws.regions: the drill would touch us-east-1 (rds FailoverGlobalCluster in "promote"), ap-south-1 (safety.abortAlarms[0]), outside the target\'s regions [eu-west-1]: add the region to aws.regions if the drill may touch it, or fix the scenario',
    });
  });

  it('accepts a plan inside the target regions', () => {
    expect(checkRegions(input(liveTarget(), undefined)).status).toBe('ok');
  });
});

describe('the kube context guardrail', () => {
  it('refuses a context the target does not name', async () => {
    const entries = [
      ...plan,
      { stepId: 'scale', title: 'scale', calls: [call('kubernetes', 'scale deployment/x', 'minikube')] },
    ];
    expect((await checkKubeContexts(input(liveTarget(), platform('123456789012'), entries))).detail).toBe(
      `targets/prod.ts: kube.contexts: the plan uses context "minikube" (scale deployment/x in "scale"), which the target does not name [${PRIMARY_CTX}, ${SECONDARY_CTX}]: name it in kube.contexts, or fix the resources that point at it`,
    );
  });

  it('refuses a named context missing from the kubeconfig, with the command that adds it', async () => {
    const check = await checkKubeContexts(input(liveTarget(), platform('123456789012', [PRIMARY_CTX])));
    expect(check.detail).toBe(
      `targets/prod.ts: kube.contexts.us-east-1: context "${SECONDARY_CTX}" not in the kubeconfig /home/ops/.kube/config (it has: ${PRIMARY_CTX}): add it (for EKS: aws eks update-kubeconfig --name <cluster> --region <region>) or fix kube.contexts`,
    );
  });

  it('accepts contexts named by the target and present in the kubeconfig', async () => {
    expect(await checkKubeContexts(input(liveTarget(), platform('123456789012')))).toEqual({
      name: 'kube-contexts',
      status: 'ok',
      detail: `contexts ${SECONDARY_CTX} are named by the target and in /home/ops/.kube/config`,
    });
  });
});

describe('checkGuardrails', () => {
  it('stops at a wrong account: nothing else is asked of it', async () => {
    let kubeconfigRead = false;
    const p: SafetyPlatform = {
      ...platform('999999999999'),
      kubeContexts: async () => {
        kubeconfigRead = true;
        return { kubeconfig: 'k', contexts: [] };
      },
    };
    const checks = await checkGuardrails(input(liveTarget(), p));
    expect(checks.map((c) => [c.name, c.status])).toEqual([['aws-account', 'refused']]);
    expect(kubeconfigRead).toBe(false);
  });

  it('passes every guardrail for the right account, regions and contexts', async () => {
    const checks = await checkGuardrails(input(liveTarget(), platform('123456789012')));
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['aws-account', 'ok'],
      ['aws-regions', 'ok'],
      ['kube-contexts', 'ok'],
    ]);
  });
});
