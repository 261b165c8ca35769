import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { beforeEach, describe, expect, it } from 'vitest';
import { awsError, FAST_RETRY, mockClientInSuite } from '../testing.ts';
import { Iam, principalArnOf } from './iam.ts';

const ROLE = 'arn:aws:iam::111122223333:role/luneo-drill';
const iamMock = mockClientInSuite(IAMClient);
let iam: Iam;

beforeEach(() => {
  iamMock.reset();
  iam = new Iam(new IAMClient({ region: 'us-east-1' }), { retry: FAST_RETRY });
});

describe('principalArnOf', () => {
  it('maps an assumed-role session to its role, and keeps user and role ARNs as they are', () => {
    expect(principalArnOf('arn:aws:sts::111122223333:assumed-role/luneo-drill/alice@example.com')).toBe(ROLE);
    expect(principalArnOf('arn:aws-cn:sts::111122223333:assumed-role/dr/s')).toBe(
      'arn:aws-cn:iam::111122223333:role/dr',
    );
    expect(principalArnOf('arn:aws:iam::111122223333:user/ops/alice')).toBe(
      'arn:aws:iam::111122223333:user/ops/alice',
    );
    expect(principalArnOf(ROLE)).toBe(ROLE);
  });

  it('refuses root and federated users, saying which credentials to use instead', () => {
    for (const arn of ['arn:aws:iam::111122223333:root', 'arn:aws:sts::111122223333:federated-user/bob']) {
      expect(() => principalArnOf(arn)).toThrow(
        `cannot simulate the policies of ${arn}: only IAM users and (assumed) roles have principal policies; run the drill with a user's or role's credentials, not root or a federated user`,
      );
    }
  });
});

describe('simulatePrincipalPolicy', () => {
  it('pages through IsTruncated/Marker and maps each decision', async () => {
    iamMock
      .on(SimulatePrincipalPolicyCommand, { Marker: undefined })
      .resolves({
        EvaluationResults: [
          { EvalActionName: 'rds:FailoverGlobalCluster', EvalResourceName: '*', EvalDecision: 'allowed' },
          { EvalActionName: 'fis:StartExperiment', EvalResourceName: '*', EvalDecision: 'explicitDeny' },
        ],
        IsTruncated: true,
        Marker: 'page-2',
      })
      .on(SimulatePrincipalPolicyCommand, { Marker: 'page-2' })
      .resolves({
        EvaluationResults: [
          {
            EvalActionName: 'route53:ChangeResourceRecordSets',
            EvalResourceName: '*',
            EvalDecision: 'implicitDeny',
          },
        ],
        IsTruncated: false,
      });
    const decisions = await iam.simulatePrincipalPolicy({
      principalArn: ROLE,
      actions: ['rds:FailoverGlobalCluster', 'fis:StartExperiment', 'route53:ChangeResourceRecordSets'],
      resources: ['*'],
    });
    expect(decisions).toEqual([
      { action: 'rds:FailoverGlobalCluster', resource: '*', decision: 'allowed' },
      { action: 'fis:StartExperiment', resource: '*', decision: 'explicitDeny' },
      { action: 'route53:ChangeResourceRecordSets', resource: '*', decision: 'implicitDeny' },
    ]);
    const inputs = iamMock.commandCalls(SimulatePrincipalPolicyCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      {
        PolicySourceArn: ROLE,
        ActionNames: ['rds:FailoverGlobalCluster', 'fis:StartExperiment', 'route53:ChangeResourceRecordSets'],
        MaxItems: 100,
      },
      {
        PolicySourceArn: ROLE,
        ActionNames: ['rds:FailoverGlobalCluster', 'fis:StartExperiment', 'route53:ChangeResourceRecordSets'],
        MaxItems: 100,
        Marker: 'page-2',
      },
    ]);
  });

  it('uses per-resource results when the simulator gives them', async () => {
    iamMock.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [
        {
          EvalActionName: 's3:ListBucketVersions',
          EvalResourceName: '*',
          EvalDecision: 'implicitDeny',
          ResourceSpecificResults: [
            { EvalResourceName: 'arn:aws:s3:::a', EvalResourceDecision: 'allowed' },
            { EvalResourceName: 'arn:aws:s3:::b', EvalResourceDecision: 'implicitDeny' },
          ],
        },
      ],
    });
    expect(
      await iam.simulatePrincipalPolicy({
        principalArn: ROLE,
        actions: ['s3:ListBucketVersions'],
        resources: ['arn:aws:s3:::a', 'arn:aws:s3:::b'],
      }),
    ).toEqual([
      { action: 's3:ListBucketVersions', resource: 'arn:aws:s3:::a', decision: 'allowed' },
      { action: 's3:ListBucketVersions', resource: 'arn:aws:s3:::b', decision: 'implicitDeny' },
    ]);
    expect(iamMock.commandCalls(SimulatePrincipalPolicyCommand)[0]!.args[0].input.ResourceArns).toEqual([
      'arn:aws:s3:::a',
      'arn:aws:s3:::b',
    ]);
  });

  it('refuses an EvalDecision it does not know instead of guessing', async () => {
    iamMock.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [
        { EvalActionName: 'rds:X', EvalResourceName: '*', EvalDecision: 'maybe' as 'allowed' },
      ],
    });
    await expect(
      iam.simulatePrincipalPolicy({ principalArn: ROLE, actions: ['rds:X'], resources: ['*'] }),
    ).rejects.toThrow(
      'iam SimulatePrincipalPolicy answered EvalDecision "maybe" for rds:X: expected allowed, explicitDeny or implicitDeny',
    );
  });

  it('AccessDenied is E_ACCESS_DENIED naming the principal, not retried', async () => {
    iamMock
      .on(SimulatePrincipalPolicyCommand)
      .rejects(
        awsError('AccessDenied', 403, `User: x is not authorized to perform: iam:SimulatePrincipalPolicy`),
      );
    await expect(
      iam.simulatePrincipalPolicy({ principalArn: ROLE, actions: ['rds:X'], resources: ['*'] }),
    ).rejects.toMatchObject({
      code: 'E_ACCESS_DENIED',
      remoteCode: 'AccessDenied',
      message: `iam SimulatePrincipalPolicy on principal "${ROLE}" in global failed: User: x is not authorized to perform: iam:SimulatePrincipalPolicy (AccessDenied)`,
    });
    expect(iamMock.commandCalls(SimulatePrincipalPolicyCommand)).toHaveLength(1);
  });
});

describe('check', () => {
  it('asks once per distinct resource set, so no action is tested on another call’s resource', async () => {
    iamMock.on(SimulatePrincipalPolicyCommand).callsFake(async (input) => ({
      EvaluationResults: input.ActionNames.flatMap((a: string) =>
        (input.ResourceArns ?? ['*']).map((r: string) => ({
          EvalActionName: a,
          EvalResourceName: r,
          EvalDecision: 'allowed',
        })),
      ),
    }));
    const decisions = await iam.check(ROLE, [
      { action: 'rds:FailoverGlobalCluster', resources: ['arn:g', 'arn:c'] },
      { action: 'rds:DescribeGlobalClusters', resources: ['arn:c', 'arn:g'] },
      { action: 'route53:ChangeResourceRecordSets', resources: ['*'] },
      { action: 'cloudwatch:DescribeAlarms', resources: [] },
    ]);
    const inputs = iamMock.commandCalls(SimulatePrincipalPolicyCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => [i.ActionNames, i.ResourceArns])).toEqual([
      [
        ['rds:FailoverGlobalCluster', 'rds:DescribeGlobalClusters'],
        ['arn:c', 'arn:g'],
      ],
      [['route53:ChangeResourceRecordSets', 'cloudwatch:DescribeAlarms'], undefined],
    ]);
    expect(decisions).toHaveLength(6);
  });
});
