import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeEach, describe, expect, it } from 'vitest';
import { Iam } from '../../clients/aws/iam.ts';
import { Sts } from '../../clients/aws/sts.ts';
import { awsError, FAST_RETRY, mockClientInSuite } from '../../clients/testing.ts';
import type { PlannedCall } from '../../core/model.ts';
import { factKey, factsNeeded, iamActions, iamQuestions } from './iam-plan.ts';
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
      // The secret's key is not known without a lookup: asked on `*`.
      {
        action: 'kms:GenerateDataKey',
        scope: 'eu-west-1',
        resources: ['*'],
        context: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' },
      },
    ]);
    expect(iamActions(PLAN)).toHaveLength(7);
  });

  it('asks what each command needs besides its own action, on the role it passes and the key it uses', () => {
    const calls: PlannedCall[] = [
      {
        service: 'fis',
        operation: 'CreateExperimentTemplate',
        scope: 'eu-west-1',
        mutating: true,
        params: { name: 'aurora-outage', roleArn: `arn:aws:iam::${ACCOUNT}:role/luneo-fis-dr-drill` },
      },
      {
        service: 'route53',
        operation: 'UpdateHealthCheck',
        scope: 'global',
        mutating: true,
        params: { HealthCheckId: 'hc-primary', Inverted: true },
      },
      {
        service: 's3',
        operation: 'PutBucketReplication',
        scope: 'eu-west-1',
        mutating: true,
        params: { Bucket: 'luneo-prod-artifacts', RuleStatus: 'Enabled' },
      },
      {
        service: 'secretsmanager',
        operation: 'GetSecretValue',
        scope: 'eu-west-1',
        mutating: false,
        params: { SecretId: 'prod/luneo/DATABASE_URL' },
      },
      {
        service: 'secretsmanager',
        operation: 'PutSecretValue',
        scope: 'us-east-1',
        mutating: true,
        params: { SecretId: 'prod/luneo/DATABASE_URL' },
      },
    ];
    const facts = {
      replicationRoles: new Map([
        [factKey('eu-west-1', 'luneo-prod-artifacts'), `arn:aws:iam::${ACCOUNT}:role/rep`],
      ]),
      secretKeys: new Map<string, string | null>([
        [factKey('eu-west-1', 'prod/luneo/DATABASE_URL'), 'mrk-1234'],
        [factKey('us-east-1', 'prod/luneo/DATABASE_URL'), null],
      ]),
    };
    expect(factsNeeded(calls)).toEqual({
      buckets: [{ region: 'eu-west-1', id: 'luneo-prod-artifacts' }],
      secrets: [
        { region: 'eu-west-1', id: 'prod/luneo/DATABASE_URL' },
        { region: 'us-east-1', id: 'prod/luneo/DATABASE_URL' },
      ],
    });
    expect(iamQuestions(calls, { partition: 'aws', account: ACCOUNT }, facts)).toEqual([
      { action: 'fis:CreateExperimentTemplate', scope: 'eu-west-1', resources: ['*'] },
      { action: 'fis:TagResource', scope: 'eu-west-1', resources: ['*'] },
      {
        action: 'iam:PassRole',
        scope: 'eu-west-1',
        resources: [`arn:aws:iam::${ACCOUNT}:role/luneo-fis-dr-drill`],
        context: { 'iam:PassedToService': 'fis.amazonaws.com' },
      },
      // Fis.createExperimentTemplate looks the template up by name first.
      { action: 'fis:ListExperimentTemplates', scope: 'eu-west-1', resources: ['*'] },
      {
        action: 'route53:UpdateHealthCheck',
        scope: 'global',
        resources: ['arn:aws:route53:::healthcheck/hc-primary'],
      },
      // Route53.holdHealthCheckUnhealthy reads the check before it updates it.
      {
        action: 'route53:GetHealthCheck',
        scope: 'global',
        resources: ['arn:aws:route53:::healthcheck/hc-primary'],
      },
      {
        action: 's3:PutReplicationConfiguration',
        scope: 'eu-west-1',
        resources: ['arn:aws:s3:::luneo-prod-artifacts'],
      },
      {
        action: 'iam:PassRole',
        scope: 'eu-west-1',
        resources: [`arn:aws:iam::${ACCOUNT}:role/rep`],
        context: { 'iam:PassedToService': 's3.amazonaws.com' },
      },
      { action: 'secretsmanager:GetSecretValue', scope: 'eu-west-1', resources: ['*'] },
      {
        action: 'kms:Decrypt',
        scope: 'eu-west-1',
        resources: [`arn:aws:kms:eu-west-1:${ACCOUNT}:key/mrk-1234`],
        context: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' },
      },
      // The us-east-1 replica uses the AWS managed key: no KMS grant to check.
      { action: 'secretsmanager:PutSecretValue', scope: 'us-east-1', resources: ['*'] },
    ]);
  });

  it('refuses to guess the permissions of a command the table does not map', () => {
    expect(() =>
      iamQuestions(
        [{ service: 'rds', operation: 'DeleteGlobalCluster', scope: 'us-east-1', mutating: true }],
        { partition: 'aws', account: ACCOUNT },
      ),
    ).toThrow(
      'rds:DeleteGlobalCluster has no IAM mapping in clients/aws/iam-actions.ts: its permissions cannot be checked',
    );
  });
});

describe('checkPlanPermissions (SDK mocked)', () => {
  const stsMock = mockClientInSuite(STSClient);
  const iamMock = mockClientInSuite(IAMClient);
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
      actions: 7,
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
      note: `${ROLE} may not call iam:SimulatePrincipalPolicy (AccessDenied): the 7 planned AWS actions were not checked; grant iam:SimulatePrincipalPolicy on ${ROLE} to the drill's role to have them checked`,
      denied: [],
      actions: 7,
    });
  });

  it('a role STS names without its path: not checked, saying why', async () => {
    iamMock
      .on(SimulatePrincipalPolicyCommand)
      .rejects(awsError('NoSuchEntity', 404, 'The role with name luneo-drill cannot be found.'));
    expect(await check()).toEqual({
      checked: false,
      note: `IAM does not know ${ROLE}, derived from arn:aws:sts::${ACCOUNT}:assumed-role/luneo-drill/ops (NoSuchEntity): a role with a path cannot be named from its session; the 7 planned AWS actions were not checked`,
      denied: [],
      actions: 7,
    });
  });

  it('simulates with the condition keys each request carries, and looks up the roles and keys first', async () => {
    const rep = `arn:aws:iam::${ACCOUNT}:role/luneo-s3-replication`;
    const calls: PlannedCall[] = [
      {
        service: 'fis',
        operation: 'CreateExperimentTemplate',
        scope: 'eu-west-1',
        mutating: true,
        params: { name: 'aurora-outage', roleArn: `arn:aws:iam::${ACCOUNT}:role/luneo-fis-dr-drill` },
      },
      {
        service: 's3',
        operation: 'PutBucketReplication',
        scope: 'eu-west-1',
        mutating: true,
        params: { Bucket: 'luneo-prod-artifacts' },
      },
      {
        service: 'secretsmanager',
        operation: 'PutSecretValue',
        scope: 'eu-west-1',
        mutating: true,
        params: { SecretId: 'prod/luneo/DATABASE_URL' },
      },
    ];
    const looked: string[] = [];
    // A policy that lets the caller pass roles to FIS only.
    iamMock.on(SimulatePrincipalPolicyCommand).callsFake(async (input) => ({
      EvaluationResults: input.ActionNames.flatMap((a: string) =>
        (input.ResourceArns ?? ['*']).map((r: string) => ({
          EvalActionName: a,
          EvalResourceName: r,
          EvalDecision:
            a !== 'iam:PassRole' ||
            (input.ContextEntries ?? []).some(
              (c: { ContextKeyName: string; ContextKeyValues: string[] }) =>
                c.ContextKeyName === 'iam:PassedToService' &&
                c.ContextKeyValues.includes('fis.amazonaws.com'),
            )
              ? 'allowed'
              : 'implicitDeny',
        })),
      ),
    }));
    const report = await checkPlanPermissions(
      new Sts(new STSClient({ region: 'eu-west-1' }), 'eu-west-1', { retry: FAST_RETRY }),
      new Iam(new IAMClient({ region: 'us-east-1' }), { retry: FAST_RETRY }),
      calls,
      signal,
      {
        replicationRole: async (region, bucket) => {
          looked.push(`role ${region} ${bucket}`);
          return rep;
        },
        secretKmsKey: async (region, id) => {
          looked.push(`key ${region} ${id}`);
          return null;
        },
      },
    );
    expect(looked).toEqual(['role eu-west-1 luneo-prod-artifacts', 'key eu-west-1 prod/luneo/DATABASE_URL']);
    expect(report).toEqual({
      checked: true,
      // With fis:ListExperimentTemplates, which Fis.createExperimentTemplate sends first.
      actions: 6,
      denied: [{ action: 'iam:PassRole', resource: rep, scope: 'eu-west-1', decision: 'implicitDeny' }],
    });
    const sent = iamMock
      .commandCalls(SimulatePrincipalPolicyCommand)
      .map((c) => c.args[0].input.ContextEntries);
    expect(sent).toContainEqual([
      {
        ContextKeyName: 'iam:PassedToService',
        ContextKeyValues: ['s3.amazonaws.com'],
        ContextKeyType: 'string',
      },
    ]);
  });

  it('a planned command the table does not map: not checked, naming it', async () => {
    const report = await checkPlanPermissions(
      new Sts(new STSClient({ region: 'eu-west-1' }), 'eu-west-1', { retry: FAST_RETRY }),
      new Iam(new IAMClient({ region: 'us-east-1' }), { retry: FAST_RETRY }),
      [{ service: 'rds', operation: 'DeleteGlobalCluster', scope: 'us-east-1', mutating: true }],
      signal,
    );
    expect(report).toEqual({
      checked: false,
      note: 'rds:DeleteGlobalCluster has no IAM mapping in clients/aws/iam-actions.ts: its permissions cannot be checked',
      denied: [],
      actions: 0,
    });
    expect(iamMock.commandCalls(SimulatePrincipalPolicyCommand)).toHaveLength(0);
  });

  it('any other failure propagates (the gate reports the simulation failed)', async () => {
    iamMock.on(SimulatePrincipalPolicyCommand).rejects(awsError('ServiceFailure', 400, 'boom'));
    await expect(check()).rejects.toMatchObject({ code: 'E_BAD_REQUEST', remoteCode: 'ServiceFailure' });
  });
});
