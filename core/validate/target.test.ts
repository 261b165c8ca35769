import { describe, expect, it } from 'vitest';
import { validateTarget } from './index.ts';

const FILE = 'targets/prod.ts';

function liveTarget(): Record<string, unknown> {
  return {
    name: 'prod',
    description: 'Luneo production, eu-west-1 primary',
    kind: 'live',
    aws: { regions: ['eu-west-1', 'us-east-1'], accountIds: ['123456789012'] },
    kube: {
      contexts: { primary: 'luneo-prod-eks-primary', secondary: 'luneo-prod-eks-secondary' },
      kubeconfig: '~/.kube/config',
    },
    objectives: { rto: '30m', availabilitySlo: 0.999 },
    resources: { globalCluster: 'luneo-global' },
  };
}

function problemsOf(patch: (t: Record<string, unknown>) => void): string[] {
  const target = liveTarget();
  patch(target);
  return validateTarget(target, FILE).map((p) => `${p.file}: ${p.path}: ${p.message}`);
}

const aws = (t: Record<string, unknown>) => t.aws as Record<string, unknown>;

describe('validateTarget', () => {
  it('accepts a live target with its guardrails', () => {
    expect(validateTarget(liveTarget(), FILE)).toEqual([]);
  });

  it('accepts a lab target with an endpoint and no account ids', () => {
    const lab = {
      name: 'lab',
      description: 'Embedded two-region lab',
      kind: 'lab',
      aws: { regions: ['eu-west-1', 'us-east-1'], endpoint: 'http://127.0.0.1:4566' },
      resources: {},
    };
    expect(validateTarget(lab, 'targets/lab.ts')).toEqual([]);
  });

  it('rejects a non-object with an empty path', () => {
    expect(validateTarget(null, FILE)).toEqual([
      { file: FILE, path: '', message: 'expected a target (export default defineTarget({ ... })), got null' },
    ]);
  });

  it('requires account ids on live targets (guardrail)', () => {
    expect(problemsOf((t) => delete aws(t).accountIds)).toEqual([
      'targets/prod.ts: aws.accountIds: a live target must list the AWS account ids it may touch, e.g. ["123456789012"] (guardrail against drilling the wrong account)',
    ]);
    expect(problemsOf((t) => (aws(t).accountIds = []))).toEqual([
      'targets/prod.ts: aws.accountIds: must list at least one account id',
    ]);
  });

  it('checks kind, name and regions', () => {
    expect(
      problemsOf((t) => {
        t.name = 'Prod EU';
        t.kind = 'prod';
        aws(t).regions = ['eu-west-1', 'eu-west', 'eu-west-1'];
      }),
    ).toEqual([
      'targets/prod.ts: name: expected a kebab-case name like "staging", got "Prod EU"',
      'targets/prod.ts: kind: expected "lab" or "live", got "prod"',
      'targets/prod.ts: aws.regions[1]: expected an AWS region name like "eu-west-1", got "eu-west"',
      'targets/prod.ts: aws.regions[2]: "eu-west-1" is listed twice',
    ]);
    expect(problemsOf((t) => (aws(t).regions = []))).toEqual([
      'targets/prod.ts: aws.regions: must list at least one region',
    ]);
    expect(problemsOf((t) => (aws(t).regions = 'eu-west-1'))).toEqual([
      'targets/prod.ts: aws.regions: expected an array of regions, got "eu-west-1"',
    ]);
  });

  it('accepts GovCloud and other multi-part region names', () => {
    expect(problemsOf((t) => (aws(t).regions = ['us-gov-west-1', 'ap-southeast-2']))).toEqual([]);
  });

  it('wants account ids as 12-digit strings', () => {
    expect(problemsOf((t) => (aws(t).accountIds = [123456789012, '12345']))).toEqual([
      'targets/prod.ts: aws.accountIds[0]: expected a 12-digit AWS account id as a string like "123456789012", got 123456789012',
      'targets/prod.ts: aws.accountIds[1]: expected a 12-digit AWS account id as a string like "123456789012", got "12345"',
    ]);
  });

  it('wants an http(s) endpoint and never prints its credentials', () => {
    expect(
      problemsOf((t) => {
        aws(t).endpoint = 'localhost:4566';
      }),
    ).toEqual([
      'targets/prod.ts: aws.endpoint: expected an http(s) URL like "http://127.0.0.1:4566", got "localhost:4566"',
    ]);
    expect(problemsOf((t) => (aws(t).endpoint = 'ftp://admin:hunter2@127.0.0.1:21'))).toEqual([
      'targets/prod.ts: aws.endpoint: expected an http(s) URL like "http://127.0.0.1:4566", got "ftp://***@127.0.0.1:21"',
    ]);
  });

  it('checks kube contexts', () => {
    expect(problemsOf((t) => (t.kube = { contexts: { primary: '', 'eu west': 7 } }))).toEqual([
      'targets/prod.ts: kube.contexts.primary: expected a non-empty kube context name, got ""',
      'targets/prod.ts: kube.contexts["eu west"]: expected a non-empty kube context name, got 7',
    ]);
    expect(problemsOf((t) => (t.kube = { contexts: {} }))).toEqual([
      'targets/prod.ts: kube.contexts: must name at least one kube context, e.g. { primary: "luneo-prod-eks-primary" }',
    ]);
    expect(problemsOf((t) => (t.kube = { context: 'x' }))).toEqual([
      'targets/prod.ts: kube.context: unknown field; did you mean "contexts"?',
      'targets/prod.ts: kube.contexts: expected an object of kube contexts like { primary: "luneo-prod-eks-primary" }, got undefined',
    ]);
  });

  it('checks partial objectives and resources', () => {
    expect(
      problemsOf((t) => {
        t.objectives = { stableFor: '1h', rto: '30m' };
        t.resources = [];
      }),
    ).toEqual([
      'targets/prod.ts: objectives.stableFor: must be shorter than objectives.rto (30m < 1h)',
      'targets/prod.ts: resources: expected an object binding logical names to real resources, got an empty array',
    ]);
  });

  it('reports missing fields and unknown ones with a suggestion', () => {
    expect(validateTarget({ nmae: 'x', kind: 'lab' }, FILE).map((p) => `${p.path}: ${p.message}`)).toEqual([
      'nmae: unknown field; did you mean "name"?',
      'name: expected a kebab-case name like "staging", got undefined',
      'description: expected a non-empty string (what and where this target is), got undefined',
      'aws: expected { regions: [...] } with the primary region first, got undefined',
      'resources: expected an object binding logical names to real resources, got undefined',
    ]);
  });
});
