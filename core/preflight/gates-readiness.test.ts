// A live drill's preflight runs the same readiness checks as `pnpm drill preflight` (the target's one list) and
// refuses to start on a failed one, naming it and its fix; a lab drill's preflight does not run them.
import { describe, expect, it } from 'vitest';
import type { Target } from '../model.ts';
import { runPreflightGates } from '../safety/gates.ts';
import type { LockStore, SafetyPlatform } from '../safety/types.ts';
import type { ReadinessCheck } from './types.ts';

const signal = new AbortController().signal;
const lock: LockStore = {
  where: 'memory',
  tryAcquire: async () => ({ acquired: true }),
  read: async () => undefined,
  release: async () => 'released',
};

function platformWith(checks: ReadinessCheck[], asked: unknown[][]): SafetyPlatform {
  return {
    callerIdentity: async () => ({
      account: '111122223333',
      arn: 'arn:aws:sts::111122223333:assumed-role/dr/s',
    }),
    kubeContexts: async () => ({ kubeconfig: 'kubeconfig', contexts: [] }),
    activeExperiments: async () => [],
    checkPermissions: async () => ({ checked: true, denied: [], actions: 1 }),
    readiness: (calls) => {
      asked.push(calls);
      return checks;
    },
  };
}

const fisRole: ReadinessCheck = {
  name: 'fis-role-trust',
  calls: [],
  run: async () => [
    {
      name: 'FIS role luneo-fis-dr-drill',
      status: 'fail',
      reason: 'its trust policy does not let fis.amazonaws.com assume it',
      fix: 'aws iam update-assume-role-policy --role-name luneo-fis-dr-drill ...',
    },
  ],
};
const plan = [
  {
    stepId: 'fault',
    title: 'fault',
    calls: [{ service: 'fis', operation: 'StartExperiment', scope: 'eu-west-1', mutating: true }],
  },
];

const gates = (kind: 'live' | 'lab', platform: SafetyPlatform) =>
  runPreflightGates({
    target: {
      name: 'prod',
      kind,
      aws: { regions: ['eu-west-1'], accountIds: ['111122223333'] },
    } as unknown as Target,
    targetFile: 'targets/prod.ts',
    plan,
    platform,
    signal,
    runId: 'run-1',
    scenarioName: 'aurora-outage',
    rpo: { ms: 300_000, text: '5m' },
    lock,
    facts: { host: 'h', isAlive: () => false, outDir: '/tmp' },
  });

describe('the readiness checks in the drill preflight', () => {
  it('a live target: runs the list on the plan, and a failed check refuses with its fix', async () => {
    const asked: unknown[][] = [];
    const outcome = await gates('live', platformWith([fisRole], asked));
    expect(asked).toEqual([plan[0]?.calls]);
    expect(outcome.checks).toContainEqual({
      name: 'readiness: FIS role luneo-fis-dr-drill',
      status: 'refused',
      detail:
        'its trust policy does not let fis.amazonaws.com assume it; fix: aws iam update-assume-role-policy --role-name luneo-fis-dr-drill ...',
    });
    expect(outcome.refusals.join('\n')).toContain('fis.amazonaws.com');
  });

  it('a check that cannot tell is recorded as unknown, not a refusal', async () => {
    const unsure: ReadinessCheck = {
      name: 'x',
      calls: [],
      run: async () => {
        throw new Error('no answer');
      },
    };
    const outcome = await gates('live', platformWith([unsure], []));
    expect(outcome.checks).toContainEqual({ name: 'readiness: x', status: 'unknown', detail: 'no answer' });
    expect(outcome.refusals).toEqual([]);
  });

  it('a lab target: not run (the lab drill keeps its preflight)', async () => {
    const asked: unknown[][] = [];
    const outcome = await gates('lab', platformWith([fisRole], asked));
    expect(asked).toEqual([]);
    expect(outcome.checks.some((c) => c.name.startsWith('readiness:'))).toBe(false);
  });
});
