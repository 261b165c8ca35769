// May the caller make every AWS call of the plan? The caller's principal (from STS) is simulated with
// IAM SimulatePrincipalPolicy, each action on the resources the plan names. The lab answers with its own
// policy simulator (lab/aws/iam/), so the same code runs on lab and live targets.
import type { Iam, PermissionDecision } from '../../clients/aws/iam.ts';
import { principalArnOf } from '../../clients/aws/iam.ts';
import type { Sts } from '../../clients/aws/sts.ts';
import { ClientError, isClientError } from '../../clients/errors.ts';
import type { PlannedCall } from '../../core/model.ts';
import type { PermissionReport } from '../../core/safety/types.ts';
import { iamQuestions } from './iam-plan.ts';

export async function checkPlanPermissions(
  sts: Pick<Sts, 'getCallerIdentity'>,
  iam: Pick<Iam, 'check'>,
  calls: PlannedCall[],
  signal: AbortSignal,
): Promise<PermissionReport> {
  const identity = await sts.getCallerIdentity({ signal });
  const principal = principalArnOf(identity.arn);
  const partition = identity.arn.split(':')[1] || 'aws';
  const questions = iamQuestions(calls, { partition, account: identity.account });
  const actions = new Set(questions.map((q) => q.action)).size;
  if (questions.length === 0) return { checked: true, denied: [], actions: 0 };
  let decisions: PermissionDecision[];
  try {
    decisions = await iam.check(
      principal,
      questions.map((q) => ({ action: q.action, resources: q.resources })),
      { signal },
    );
  } catch (error) {
    // STS names an assumed role without its path (role/ops/dr → assumed-role/dr/…): IAM cannot find it.
    if (isClientError(error, 'E_NOT_FOUND') && principal !== identity.arn) {
      return {
        checked: false,
        note: `IAM does not know ${principal}, derived from ${identity.arn} (${error.remoteCode ?? 'NoSuchEntity'}): a role with a path cannot be named from its session; the ${actions} planned AWS actions were not checked`,
        denied: [],
        actions,
      };
    }
    if (!isClientError(error, 'E_ACCESS_DENIED')) throw error;
    return {
      checked: false,
      note: `${principal} may not call iam:SimulatePrincipalPolicy (${error.remoteCode ?? 'AccessDenied'}): the ${actions} planned AWS actions were not checked; grant iam:SimulatePrincipalPolicy on ${principal} to the drill's role to have them checked`,
      denied: [],
      actions,
    };
  }
  const decided = new Map(decisions.map((d) => [`${d.action.toLowerCase()}\n${d.resource}`, d.decision]));
  const denied: PermissionReport['denied'] = [];
  for (const q of questions) {
    for (const resource of q.resources) {
      const decision = decided.get(`${q.action.toLowerCase()}\n${resource}`);
      if (decision === undefined) {
        throw new ClientError({
          code: 'E_REQUEST_FAILED',
          message: `iam SimulatePrincipalPolicy gave no decision for ${q.action} on ${resource}`,
          service: 'iam',
          operation: 'SimulatePrincipalPolicy',
          scope: 'global',
        });
      }
      if (decision === 'allowed') continue;
      denied.push({
        action: q.action,
        ...(resource === '*' ? {} : { resource }),
        ...(q.scope ? { scope: q.scope } : {}),
        decision,
      });
    }
  }
  return { checked: true, denied, actions };
}
