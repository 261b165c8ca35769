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
      missingContext: [],
    });
    expect(evaluate(p, 'rds:FailoverGlobalCluster', '*')).toEqual({
      decision: 'implicitDeny',
      matched: [],
      missingContext: [],
    });
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
      missingContext: [],
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
    const fisRole = 'arn:aws:iam::111122223333:role/luneo-fis-dr-drill';
    const passedTo = (service: string) => new Map([['iam:passedtoservice', [service]]]);
    expect(evaluate(p, 'iam:PassRole', fisRole, passedTo('fis.amazonaws.com')).decision).toBe('allowed');
    expect(evaluate(p, 'iam:PassRole', fisRole, passedTo('ec2.amazonaws.com')).decision).toBe('implicitDeny');
    expect(evaluate(p, 'iam:PassRole', fisRole)).toMatchObject({
      decision: 'implicitDeny',
      missingContext: ['iam:PassedToService'],
    });
    expect(
      evaluate(p, 'iam:PassRole', 'arn:aws:iam::111122223333:role/admin', passedTo('fis.amazonaws.com'))
        .decision,
    ).toBe('implicitDeny');
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/mrk-1';
    const via = (service: string) => new Map([['kms:viaservice', [service]]]);
    expect(evaluate(p, 'kms:Decrypt', key, via('secretsmanager.eu-west-1.amazonaws.com')).decision).toBe(
      'allowed',
    );
    expect(evaluate(p, 'kms:Decrypt', key, via('s3.eu-west-1.amazonaws.com')).decision).toBe('implicitDeny');
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
    expect(decide(p, 'secretsmanager:CreateSecret', '*')).toBe('implicitDeny');
    expect(
      decide(p, 'secretsmanager:CreateSecret', 'arn:aws:secretsmanager:eu-west-1:1:secret:drill/lock/lab-x'),
    ).toBe('allowed');
    expect(
      decide(p, 'secretsmanager:DeleteSecret', 'arn:aws:secretsmanager:eu-west-1:1:secret:drill/lock/lab-x'),
    ).toBe('implicitDeny');
  });
});

describe('conditions (IAM User Guide, condition operators and multiple keys or values)', () => {
  const ctx = (entries: Record<string, string[]>) =>
    new Map(Object.entries(entries).map(([k, v]) => [k.toLowerCase(), v]));
  const pass = (Condition: object) =>
    parsePolicy('p', doc({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition }));
  const decideIn = (Condition: object, context: Record<string, string[]>) =>
    evaluate(pass(Condition), 'iam:PassRole', '*', ctx(context)).decision;

  it('StringEquals is exact and case-sensitive on values, not on key names', () => {
    const c = { StringEquals: { 'IAM:PassedToService': 'fis.amazonaws.com' } };
    expect(decideIn(c, { 'iam:PassedToService': ['fis.amazonaws.com'] })).toBe('allowed');
    expect(decideIn(c, { 'iam:PassedToService': ['FIS.amazonaws.com'] })).toBe('implicitDeny');
    expect(
      decideIn({ StringEqualsIgnoreCase: c.StringEquals }, { 'iam:passedtoservice': ['FIS.amazonaws.com'] }),
    ).toBe('allowed');
  });

  it('StringLike matches `*` and `?`; several values of one key are ORed, several keys ANDed', () => {
    const c = {
      StringLike: { 'iam:PassedToService': ['fis.*', 's3.amazonaws.co?'], 'aws:RequestedRegion': 'eu-*' },
    };
    expect(
      decideIn(c, { 'iam:PassedToService': ['s3.amazonaws.com'], 'aws:RequestedRegion': ['eu-west-1'] }),
    ).toBe('allowed');
    expect(
      decideIn(c, { 'iam:PassedToService': ['fis.amazonaws.com'], 'aws:RequestedRegion': ['us-east-1'] }),
    ).toBe('implicitDeny');
  });

  it('a missing key fails a positive operator, satisfies a negated one, and passes with IfExists', () => {
    expect(decideIn({ StringEquals: { 'iam:PassedToService': 'fis.amazonaws.com' } }, {})).toBe(
      'implicitDeny',
    );
    expect(decideIn({ StringNotEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } }, {})).toBe('allowed');
    expect(decideIn({ StringEqualsIfExists: { 'iam:PassedToService': 'fis.amazonaws.com' } }, {})).toBe(
      'allowed',
    );
    expect(
      decideIn(
        { StringNotEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
        { 'iam:PassedToService': ['ec2.amazonaws.com'] },
      ),
    ).toBe('implicitDeny');
  });

  it('a conditioned Deny applies only when its condition holds; Bool compares true/false', () => {
    const p = parsePolicy(
      'p',
      doc(
        { Effect: 'Allow', Action: '*', Resource: '*' },
        {
          Sid: 'NoPlainText',
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { Bool: { 'aws:SecureTransport': false } },
        },
      ),
    );
    expect(evaluate(p, 'rds:X', '*', ctx({ 'aws:SecureTransport': ['true'] })).decision).toBe('allowed');
    expect(evaluate(p, 'rds:X', '*', ctx({ 'aws:SecureTransport': ['false'] })).decision).toBe(
      'explicitDeny',
    );
    expect(evaluate(p, 'rds:X', '*')).toEqual({
      decision: 'allowed',
      matched: [{ index: 0 }],
      missingContext: ['aws:SecureTransport'],
    });
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
        Condition: { NumericLessThan: { 's3:max-keys': '10' } },
      }),
      "Statement[0].Condition.NumericLessThan: the lab's policy simulator evaluates the String operators and Bool (with IfExists) only",
    ],
    [
      doc({
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        Condition: { StringEquals: { 'iam:PassedToService': [] } },
      }),
      'Statement[0].Condition.StringEquals.iam:PassedToService: expected a string or list of strings',
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
