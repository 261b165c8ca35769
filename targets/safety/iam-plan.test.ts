import { describe, expect, it } from 'vitest';
import { preflightReads } from '../../apps/luneo/safety/iam-policy-command.ts';
import { factKey, iamQuestions, withUndoCalls } from './iam-plan.ts';

const ARN = { partition: 'aws', account: '111122223333' };
const start = {
  service: 'fis',
  operation: 'StartExperiment',
  scope: 'eu-west-1',
  params: { experimentTemplateId: '<luneo-db-outage>' },
  mutating: true,
};

describe('the permission plan includes what undoes a call', () => {
  // Found with IAM enforced on the lab (safety/iam-enforced.lab.test.ts): the abort could not stop its experiment.
  it('a started FIS experiment is stopped by its revert: StopExperiment, GetExperiment, ListExperiments on *', () => {
    const questions = iamQuestions([start], ARN).filter((q) => q.action !== 'fis:TagResource');
    expect(questions).toEqual([
      { action: 'fis:StartExperiment', scope: 'eu-west-1', resources: ['*'] },
      { action: 'fis:StopExperiment', scope: 'eu-west-1', resources: ['*'] },
      { action: 'fis:GetExperiment', scope: 'eu-west-1', resources: ['*'] },
      { action: 'fis:ListExperiments', scope: 'eu-west-1', resources: ['*'] },
    ]);
  });

  it('undo calls carry no params of the call they undo (their ids come from the run)', () => {
    const [, stop] = withUndoCalls([start]);
    expect(stop).toEqual({ service: 'fis', operation: 'StopExperiment', scope: 'eu-west-1', mutating: true });
  });

  it('a call undone by itself adds nothing', () => {
    const put = { service: 'secretsmanager', operation: 'PutSecretValue', mutating: true };
    expect(withUndoCalls([put])).toEqual([put]);
  });
});

describe('the commands a client wrapper sends with a planned one', () => {
  // Found with IAM enforced on the lab (api-pod-kill): the template is looked up by name before it is created.
  it('creating a FIS template needs fis:ListExperimentTemplates too', () => {
    const create = {
      service: 'fis',
      operation: 'CreateExperimentTemplate',
      scope: 'eu-west-1',
      mutating: true,
    };
    expect(iamQuestions([create], ARN).map((q) => q.action)).toContain('fis:ListExperimentTemplates');
  });
});

describe("what a run's preflight reads besides its plan (drill iam-policy grants it)", () => {
  const ctx = {
    target: {
      name: 'lab',
      kind: 'lab',
      resources: { primary: { region: 'eu-west-1' }, secondary: { region: 'us-east-1' } },
      aws: { regions: ['eu-west-1', 'us-east-1'] },
    },
  } as unknown as Parameters<typeof preflightReads>[0];

  it('the running experiments of each region; the lock by its id (no KMS on *); self-simulation left to its own grant', () => {
    // The lookup (DescribeSecret) found the lock on the AWS managed key.
    const facts = {
      replicationRoles: new Map(),
      secretKeys: new Map([[factKey('eu-west-1', 'drill/lock/lab'), null]]),
    };
    const actions = iamQuestions(preflightReads(ctx, [], false), ARN, facts).map(
      (q) => `${q.action} ${q.scope}`,
    );
    expect(actions).toContain('fis:ListExperiments eu-west-1');
    expect(actions).toContain('fis:ListExperiments us-east-1');
    expect(actions.filter((a) => a.startsWith('kms:') || a.startsWith('iam:'))).toEqual([]);
    // No abort alarms declared: DescribeAlarms is not read.
    expect(actions.filter((a) => a.startsWith('cloudwatch:DescribeAlarms'))).toEqual([]);
  });
});

describe('S3 object calls are asked on the object ARN', () => {
  it('a key the plan does not know yet is any object of the bucket, not the bucket', () => {
    const put = (Key: string) => ({
      service: 's3',
      operation: 'PutObject',
      scope: 'eu-west-1',
      params: { Bucket: 'luneo-prod-artifacts', Key },
      mutating: true,
    });
    expect(iamQuestions([put('drill-artifacts/<run-id>/<n>.json')], ARN)[0]?.resources).toEqual([
      'arn:aws:s3:::luneo-prod-artifacts/*',
    ]);
    expect(iamQuestions([put('a/b.json')], ARN)[0]?.resources).toEqual([
      'arn:aws:s3:::luneo-prod-artifacts/a/b.json',
    ]);
  });
});
