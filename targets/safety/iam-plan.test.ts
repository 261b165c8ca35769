import { describe, expect, it } from 'vitest';
import { iamQuestions, withUndoCalls } from './iam-plan.ts';

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
