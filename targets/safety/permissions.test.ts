import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Iam } from '../../clients/aws/iam.ts';
import { Sts } from '../../clients/aws/sts.ts';
import { awsError, FAST_RETRY } from '../../clients/testing.ts';
import type { PlannedCall } from '../../core/model.ts';
import { iamActions, iamQuestions } from './iam-plan.ts';
import { checkPlanPermissions } from './permissions.ts';

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/luneo-drill`;
const signal = new AbortController().signal;

// The AWS calls of the aurora-outage plan (as `pnpm drill aurora-outage --dry-run` lists them), a few.
const PLAN: PlannedCall[] = [
  {
    service: 'rds',
    operation: 'FailoverGlobalCluster',
    scope: 'us-east-1',
    mutating: true,
    params: {
      GlobalClusterIdentifier: 'luneo-prod-aurora-global',
      TargetDbClusterIdentifier: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:luneo-prod-aurora-secondary`,
      AllowDataLoss: true,
    },
  },
  {
    service: 'rds',
    operation: 'DescribeDBClusters',
    scope: 'us-east-1',
    mutating: false,
    params: { DBClusterIdentifier: 'luneo-prod-aurora-secondary' },
  },
  {
    service: 'route53',
    operation: 'ChangeResourceRecordSets',
    scope: 'us-east-1',
    mutating: true,
    params: { HostedZoneId: '<zone luneo.app.>', Name: 'api.luneo.app.' },
  },
  { service: 'cloudwatch', operation: 'DescribeAlarms', scope: 'eu-west-1', mutating: false },
  { service: 'cloudwatch', operation: 'DescribeAlarms', scope: 'eu-west-1', mutating: false },
  {
    service: 's3',
    operation: 'ListObjectVersions',
    scope: 'eu-west-1',
    mutating: false,
    params: { Bucket: 'luneo-prod-artifacts' },
  },
  {
    service: 'secretsmanager',
    operation: 'PutSecretValue',
    scope: 'eu-west-1',
    mutating: true,
    params: { SecretId: 'prod/luneo/DATABASE_URL' },
  },
  { service: 'sts', operation: 'GetCallerIdentity', scope: 'eu-west-1', mutating: false },
  { service: 'kubernetes', operation: 'scale deployment/luneo-api', scope: 'ctx', mutating: true },
];

describe('iamQuestions', () => {
  it('names the IAM action of each AWS call once, on the ARNs the plan knows, else `*`', () => {
    expect(iamQuestions(PLAN, { partition: 'aws', account: ACCOUNT })).toEqual([
      {
        action: 'rds:FailoverGlobalCluster',
        scope: 'us-east-1',
        resources: [
          `arn:aws:rds::${ACCOUNT}:global-cluster:luneo-prod-aurora-global`,
          `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:luneo-prod-aurora-secondary`,
        ],
      },
      {
        action: 'rds:DescribeDBClusters',
        scope: 'us-east-1',
        resources: [`arn:aws:rds:us-east-1:${ACCOUNT}:cluster:luneo-prod-aurora-secondary`],
      },
      { action: 'route53:ChangeResourceRecordSets', scope: 'us-east-1', resources: ['*'] },
      { action: 'cloudwatch:DescribeAlarms', scope: 'eu-west-1', resources: ['*'] },
      {
        action: 's3:ListBucketVersions',
        scope: 'eu-west-1',
        resources: ['arn:aws:s3:::luneo-prod-artifacts'],
      },
      { action: 'secretsmanager:PutSecretValue', scope: 'eu-west-1', resources: ['*'] },
    ]);
    expect(iamActions(PLAN)).toHaveLength(6);
  });
});

describe('checkPlanPermissions (SDK mocked)', () => {
  const stsMock = mockClient(STSClient);
  const iamMock = mockClient(IAMClient);
  const check = () =>
    checkPlanPermissions(
      new Sts(new STSClient({ region: 'eu-west-1' }), 'eu-west-1', { retry: FAST_RETRY }),
      new Iam(new IAMClient({ region: 'us-east-1' }), { retry: FAST_RETRY }),
      PLAN,
      signal,
    );

  beforeEach(() => {
    stsMock.reset();
    iamMock.reset();
    stsMock.on(GetCallerIdentityCommand).resolves({
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/luneo-drill/ops`,
      UserId: 'AROA:ops',
    });
  });

  it('simulates the assumed role, and lists what it may not do with the decision', async () => {
    iamMock.on(SimulatePrincipalPolicyCommand).callsFake(async (input) => ({
      EvaluationResults: input.ActionNames.flatMap((a: string) =>
        (input.ResourceArns ?? ['*']).map((r: string) => ({
          EvalActionName: a,
          EvalResourceName: r,
          EvalDecision:
            a === 'route53:ChangeResourceRecordSets'
              ? 'explicitDeny'
              : a === 'rds:FailoverGlobalCluster' && r.includes(':cluster:')
                ? 'implicitDeny'
                : 'allowed',
        })),
      ),
    }));
    expect(await check()).toEqual({
      checked: true,
      actions: 6,
      denied: [
        {
          action: 'rds:FailoverGlobalCluster',
          resource: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:luneo-prod-aurora-secondary`,
          scope: 'us-east-1',
          decision: 'implicitDeny',
        },
        { action: 'route53:ChangeResourceRecordSets', scope: 'us-east-1', decision: 'explicitDeny' },
      ],
    });
    const sources = iamMock
      .commandCalls(SimulatePrincipalPolicyCommand)
      .map((c) => c.args[0].input.PolicySourceArn);
    expect(new Set(sources)).toEqual(new Set([ROLE]));
  });

  it('without iam:SimulatePrincipalPolicy: not checked, saying AccessDenied and what to grant', async () => {
    iamMock
      .on(SimulatePrincipalPolicyCommand)
      .rejects(
        awsError('AccessDenied', 403, 'User: x is not authorized to perform: iam:SimulatePrincipalPolicy'),
      );
    expect(await check()).toEqual({
      checked: false,
      note: `${ROLE} may not call iam:SimulatePrincipalPolicy (AccessDenied): the 6 planned AWS actions were not checked; grant iam:SimulatePrincipalPolicy on ${ROLE} to the drill's role to have them checked`,
      denied: [],
      actions: 6,
    });
  });

  it('a role STS names without its path: not checked, saying why', async () => {
    iamMock
      .on(SimulatePrincipalPolicyCommand)
      .rejects(awsError('NoSuchEntity', 404, 'The role with name luneo-drill cannot be found.'));
    expect(await check()).toEqual({
      checked: false,
      note: `IAM does not know ${ROLE}, derived from arn:aws:sts::${ACCOUNT}:assumed-role/luneo-drill/ops (NoSuchEntity): a role with a path cannot be named from its session; the 6 planned AWS actions were not checked`,
      denied: [],
      actions: 6,
    });
  });

  it('any other failure propagates (the gate reports the simulation failed)', async () => {
    iamMock.on(SimulatePrincipalPolicyCommand).rejects(awsError('ServiceFailure', 400, 'boom'));
    await expect(check()).rejects.toMatchObject({ code: 'E_BAD_REQUEST', remoteCode: 'ServiceFailure' });
  });
});
