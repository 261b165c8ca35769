import { describe, expect, it } from 'vitest';
import type { IamQuestion } from './iam-plan.ts';
import { drillRolePolicy, drillRoleTrust, fisRoleTrust, planStatements } from './iam-policy.ts';

const ROLE = { partition: 'aws', account: '123456789012', roleName: 'dr-drill', targetName: 'prod' };
const FIS_ROLE = 'arn:aws:iam::123456789012:role/fis-role';
const CLUSTER = 'arn:aws:rds:us-east-1:123456789012:cluster:secondary';

describe('planStatements', () => {
  it('grants iam:PassRole only on the passed role and only to the service it is passed to', () => {
    const questions: IamQuestion[] = [
      {
        action: 'iam:PassRole',
        resources: [FIS_ROLE],
        context: { 'iam:PassedToService': 'fis.amazonaws.com' },
      },
    ];
    expect(planStatements(questions)).toEqual([
      {
        Sid: 'PassRoleToFis',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: [FIS_ROLE],
        Condition: { StringEquals: { 'iam:PassedToService': 'fis.amazonaws.com' } },
      },
    ]);
  });

  it('grants an action asked on * there only, and one asked on named resources on those only', () => {
    const statements = planStatements([
      { action: 'rds:DescribeDBClusters', resources: ['*'] },
      { action: 'rds:DescribeDBClusters', resources: [CLUSTER] },
      { action: 'rds:FailoverGlobalCluster', resources: [CLUSTER] },
    ]);
    expect(statements.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ['RdsOnAnyResource', ['rds:DescribeDBClusters'], ['*']],
      ['RdsOnNamedResources', ['rds:FailoverGlobalCluster'], [CLUSTER]],
    ]);
  });

  it('one statement for the same actions on several resources; distinct Sids otherwise', () => {
    const statements = planStatements([
      { action: 's3:ListBucketVersions', resources: ['arn:aws:s3:::b'] },
      { action: 's3:ListBucketVersions', resources: ['arn:aws:s3:::a'] },
      { action: 's3:PutObject', resources: ['arn:aws:s3:::a/k'] },
    ]);
    expect(statements.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ['S3OnNamedResources', ['s3:ListBucketVersions'], ['arn:aws:s3:::a', 'arn:aws:s3:::b']],
      ['S3OnNamedResources2', ['s3:PutObject'], ['arn:aws:s3:::a/k']],
    ]);
  });
});

describe('drillRolePolicy', () => {
  it('adds the self-simulation and the lock, without the lock actions the plan grants on * already', () => {
    const policy = drillRolePolicy([{ action: 'secretsmanager:GetSecretValue', resources: ['*'] }], ROLE);
    expect(policy.Statement.slice(1)).toEqual([
      {
        Sid: 'SimulateOwnPermissions',
        Effect: 'Allow',
        Action: ['iam:SimulatePrincipalPolicy'],
        Resource: ['arn:aws:iam::123456789012:role/dr-drill'],
      },
      {
        Sid: 'HoldTheDrillLock',
        Effect: 'Allow',
        Action: [
          'secretsmanager:CreateSecret',
          'secretsmanager:DescribeSecret',
          'secretsmanager:PutSecretValue',
        ],
        Resource: ['arn:aws:secretsmanager:*:123456789012:secret:drill/lock/prod-??????'],
      },
    ]);
  });
});

describe('trust policies', () => {
  it('the drill role trusts GitHub OIDC tokens of one repository and environment, for STS only', () => {
    const [statement] = drillRoleTrust(ROLE, {
      repository: 'acme/drill',
      environment: 'production',
    }).Statement;
    expect(statement?.Principal).toEqual({
      Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    });
    expect(statement?.Action).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(statement?.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': 'repo:acme/drill:environment:production',
      },
    });
  });

  it('the FIS role trusts FIS for experiments of this account only', () => {
    const [statement] = fisRoleTrust(ROLE).Statement;
    expect(statement?.Principal).toEqual({ Service: 'fis.amazonaws.com' });
    expect(statement?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '123456789012' },
      ArnLike: { 'aws:SourceArn': 'arn:aws:fis:*:123456789012:experiment/*' },
    });
  });
});
