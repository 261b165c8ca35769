import { describe, expect, it } from 'vitest';
import type { Target } from '../model.ts';
import { checkPermissions } from './gates.ts';
import type { PlanEntry } from './guardrails.ts';
import type { PermissionReport, SafetyPlatform } from './types.ts';

const signal = new AbortController().signal;
const target = {
  name: 'prod',
  kind: 'live',
  aws: { regions: ['eu-west-1', 'us-east-1'] },
} as unknown as Target;
const plan = [
  { calls: [{ service: 'rds', operation: 'FailoverGlobalCluster', scope: 'us-east-1', mutating: true }] },
] as unknown as PlanEntry[];
const gate = (platform: SafetyPlatform | undefined) =>
  checkPermissions({ target, targetFile: 'targets/prod.ts', plan, platform, signal });
const reporting = (report: PermissionReport): SafetyPlatform => ({ checkPermissions: async () => report });

describe('checkPermissions (preflight gate)', () => {
  it('refuses naming each denied action, its resource, region and decision', async () => {
    const check = await gate(
      reporting({
        checked: true,
        actions: 6,
        denied: [
          {
            action: 'rds:FailoverGlobalCluster',
            resource: 'arn:aws:rds::111122223333:global-cluster:g',
            scope: 'us-east-1',
            decision: 'explicitDeny',
          },
          { action: 'route53:ChangeResourceRecordSets', scope: 'us-east-1', decision: 'implicitDeny' },
        ],
      }),
    );
    expect(check).toEqual({
      name: 'permissions',
      status: 'refused',
      detail:
        "the caller may not make 2 planned call(s): rds:FailoverGlobalCluster on arn:aws:rds::111122223333:global-cluster:g in us-east-1 (explicitDeny), route53:ChangeResourceRecordSets in us-east-1 (implicitDeny): grant them to the drill's role, or run with credentials that have them",
    });
  });

  it('passes when every action is allowed, and says NOT checked (not ok) when the target cannot tell', async () => {
    expect(await gate(reporting({ checked: true, actions: 6, denied: [] }))).toEqual({
      name: 'permissions',
      status: 'ok',
      detail: 'every one of 6 planned AWS actions is allowed',
    });
    expect(
      await gate(
        reporting({
          checked: false,
          note: 'r may not call iam:SimulatePrincipalPolicy (AccessDenied)',
          actions: 6,
          denied: [],
        }),
      ),
    ).toEqual({
      name: 'permissions',
      status: 'unknown',
      detail: 'permissions NOT checked: r may not call iam:SimulatePrincipalPolicy (AccessDenied)',
    });
    expect(
      await gate({
        checkPermissions: async () => {
          throw new Error('principal "arn:aws:iam::1:role/x" not found in global (NoSuchEntity)');
        },
      }),
    ).toEqual({
      name: 'permissions',
      status: 'unknown',
      detail:
        'permissions NOT checked: the simulation failed: principal "arn:aws:iam::1:role/x" not found in global (NoSuchEntity)',
    });
    expect((await gate(undefined)).status).toBe('unknown');
  });
});
