import { describe, expect, it } from 'vitest';
import { defaultDrillPolicy } from './drill-role.ts';
import { evaluate, parsePolicy, wildcardMatch } from './policy.ts';

const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const decide = (policy: ReturnType<typeof parsePolicy>, action: string, resource = '*') =>
  evaluate(policy, action, resource).decision;

describe('wildcardMatch', () => {
  it('`*` matches any run of characters, `?` exactly one, everything else literally', () => {
    expect(wildcardMatch('rds:Describe*', 'rds:DescribeGlobalClusters')).toBe(true);
    expect(wildcardMatch('rds:Describe*', 'rds:FailoverGlobalCluster')).toBe(false);
    expect(wildcardMatch('secret:db-??????', 'secret:db-AbCdEf')).toBe(true);
    expect(wildcardMatch('secret:db-??????', 'secret:db-AbCdE')).toBe(false);
    expect(wildcardMatch('a.b', 'aXb')).toBe(false);
    expect(wildcardMatch('*', '*')).toBe(true);
    expect(wildcardMatch('arn:aws:s3:::bucket/*', '*')).toBe(false);
  });
  it('ignores case only when asked (actions yes, resources no)', () => {
    expect(wildcardMatch('RDS:failover*', 'rds:FailoverGlobalCluster', true)).toBe(true);
    expect(wildcardMatch('RDS:failover*', 'rds:FailoverGlobalCluster')).toBe(false);
  });
});

describe('evaluate', () => {
  it('allows what an Allow statement matches and implicitly denies the rest', () => {
    const p = parsePolicy('p', doc({ Sid: 'Read', Effect: 'Allow', Action: 'rds:Describe*', Resource: '*' }));
    expect(evaluate(p, 'rds:DescribeDBClusters', '*')).toEqual({
      decision: 'allowed',
      matched: [{ index: 0, sid: 'Read' }],
    });
    expect(evaluate(p, 'rds:FailoverGlobalCluster', '*')).toEqual({ decision: 'implicitDeny', matched: [] });
  });

  it('an explicit Deny wins over any Allow, whatever the order', () => {
    const p = parsePolicy(
      'p',
      doc(
        { Sid: 'NoDns', Effect: 'Deny', Action: 'route53:ChangeResourceRecordSets', Resource: '*' },
        { Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' },
      ),
    );
    expect(evaluate(p, 'route53:ChangeResourceRecordSets', '*')).toEqual({
      decision: 'explicitDeny',
      matched: [{ index: 0, sid: 'NoDns' }],
    });
    expect(decide(p, 'route53:UpdateHealthCheck')).toBe('allowed');
  });

  it('NotAction allows everything but the listed actions; NotResource everything but the listed resources', () => {
    const p = parsePolicy(
      'p',
      doc(
        { Effect: 'Allow', NotAction: ['iam:*', 'fis:Start*'], Resource: '*' },
        {
          Effect: 'Deny',
          Action: 'secretsmanager:*',
          NotResource: 'arn:aws:secretsmanager:*:*:secret:drill/*',
        },
      ),
    );
    expect(decide(p, 'rds:FailoverGlobalCluster')).toBe('allowed');
    expect(decide(p, 'iam:SimulatePrincipalPolicy')).toBe('implicitDeny');
    expect(decide(p, 'fis:StartExperiment')).toBe('implicitDeny');
    expect(
      decide(p, 'secretsmanager:CreateSecret', 'arn:aws:secretsmanager:eu-west-1:1:secret:drill/lock/x'),
    ).toBe('allowed');
    expect(
      decide(p, 'secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:eu-west-1:1:secret:prod/db'),
    ).toBe('explicitDeny');
  });

  it('a resource pattern does not match the unknown resource `*` (as the AWS simulator)', () => {
    const p = parsePolicy('p', doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::luneo/*' }));
    expect(decide(p, 's3:GetObject', 'arn:aws:s3:::luneo/a.png')).toBe('allowed');
    expect(decide(p, 's3:GetObject', '*')).toBe('implicitDeny');
  });

  it('the default drill-role policy allows what the aurora-outage drill calls, and not more', () => {
    const p = defaultDrillPolicy();
    for (const action of [
      'rds:FailoverGlobalCluster',
      'route53:ChangeResourceRecordSets',
      'fis:StartExperiment',
      'secretsmanager:PutSecretValue',
      'elasticache:FailoverGlobalReplicationGroup',
      's3:ListBucketVersions',
      'iam:SimulatePrincipalPolicy',
    ])
      expect(decide(p, action), action).toBe('allowed');
    expect(decide(p, 'rds:DeleteGlobalCluster')).toBe('implicitDeny');
    expect(decide(p, 'secretsmanager:DeleteSecret', '*')).toBe('implicitDeny');
    expect(
      decide(p, 'secretsmanager:DeleteSecret', 'arn:aws:secretsmanager:eu-west-1:1:secret:drill/lock/lab-x'),
    ).toBe('allowed');
  });
});

describe('parsePolicy', () => {
  it.each([
    [{ Statement: [] }, 'policy document: Version: expected "2012-10-17", got undefined'],
    [doc(), 'policy document: Statement: at least one statement is required'],
    [
      doc({ Effect: 'allow', Action: '*', Resource: '*' }),
      'Statement[0].Effect: expected "Allow" or "Deny", got "allow"',
    ],
    [
      doc({ Effect: 'Allow', Resource: '*' }),
      'Statement[0]: exactly one of Action and NotAction is required',
    ],
    [
      doc({ Effect: 'Allow', Action: '*', Resource: '*', NotResource: 'x' }),
      'Statement[0]: exactly one of Resource and NotResource is required',
    ],
    [
      doc({ Effect: 'Allow', Action: [], Resource: '*' }),
      'Statement[0].Action: expected a non-empty string or list of strings',
    ],
    [
      doc({
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'true' } },
      }),
      "Statement[0].Condition: the lab's policy simulator evaluates no conditions",
    ],
    [doc({ Effect: 'Allow', Actions: '*', Resource: '*' }), 'Statement[0].Actions: unknown statement field'],
    ['{"Version": ', /^policy document: not valid JSON: /],
  ])('refuses %j', (document, message) => {
    expect(() => parsePolicy('p', document)).toThrow(message);
  });

  it('accepts one Statement object as well as a list', () => {
    const p = parsePolicy(
      'p',
      JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Deny', Action: 'a:b', Resource: '*' } }),
    );
    expect(p).toEqual({ id: 'p', statements: [{ effect: 'Deny', action: ['a:b'], resource: ['*'] }] });
  });
});
