// May the caller make every AWS call of the plan? The caller's principal (from STS) is simulated with
// IAM SimulatePrincipalPolicy, each action the plan's calls need (clients/aws/iam-actions.ts) on the
// resources the plan names, with the condition keys the requests carry. What the plan cannot know (the role
// a bucket's replication passes, a secret's KMS key) is read first through `lookups`. The lab answers with
// its own policy simulator (lab/aws/iam/), so the same code runs on lab and live targets.
import type { Iam, PermissionDecision } from '../../clients/aws/iam.ts';
import { contextKey, principalArnOf } from '../../clients/aws/iam.ts';
import type { Sts } from '../../clients/aws/sts.ts';
import { ClientError, isClientError } from '../../clients/errors.ts';
import type { PlannedCall } from '../../core/model.ts';
import type { PermissionReport } from '../../core/safety/types.ts';
import {
  type FactRef,
  factKey,
  factsNeeded,
  type IamQuestion,
  iamQuestions,
  type PlanFacts,
  UnmappedCommandError,
} from './iam-plan.ts';

/** Reads what the plan cannot know; an answer of undefined (or a failure) leaves it unknown (asked on `*`). */
export interface PlanLookups {
  /** The Role of the bucket's replication configuration. */
  replicationRole(
    region: string | undefined,
    bucket: string,
    signal: AbortSignal,
  ): Promise<string | undefined>;
  /** The secret's KmsKeyId (DescribeSecret), null when it uses the AWS managed key aws/secretsmanager. */
  secretKmsKey(
    region: string | undefined,
    secretId: string,
    signal: AbortSignal,
  ): Promise<string | null | undefined>;
}

/** The caller and the IAM questions of its plan: what the preflight simulates, and what `drill iam-policy` grants. */
export interface PermissionPlan {
  identity: { arn: string; account: string };
  principal: string;
  partition: string;
  questions: IamQuestion[];
}

/** Throws UnmappedCommandError when a planned call has no row in clients/aws/iam-actions.ts. */
export async function permissionPlan(
  sts: Pick<Sts, 'getCallerIdentity'>,
  calls: PlannedCall[],
  signal: AbortSignal,
  lookups?: PlanLookups,
): Promise<PermissionPlan> {
  const identity = await sts.getCallerIdentity({ signal });
  const partition = identity.arn.split(':')[1] || 'aws';
  const facts = lookups ? await lookUp(calls, lookups, signal) : undefined;
  const questions = iamQuestions(calls, { partition, account: identity.account }, facts);
  return { identity, principal: principalArnOf(identity.arn), partition, questions };
}

export async function checkPlanPermissions(
  sts: Pick<Sts, 'getCallerIdentity'>,
  iam: Pick<Iam, 'check'>,
  calls: PlannedCall[],
  signal: AbortSignal,
  lookups?: PlanLookups,
): Promise<PermissionReport> {
  let plan: PermissionPlan;
  try {
    plan = await permissionPlan(sts, calls, signal, lookups);
  } catch (error) {
    if (!(error instanceof UnmappedCommandError)) throw error;
    return { checked: false, note: error.message, denied: [], actions: 0 };
  }
  const { identity, principal, questions } = plan;
  const actions = new Set(questions.map((q) => q.action)).size;
  if (questions.length === 0) return { checked: true, denied: [], actions: 0 };
  let decisions: PermissionDecision[];
  try {
    decisions = await iam.check(
      principal,
      questions.map((q) => ({
        action: q.action,
        resources: q.resources,
        ...(q.context ? { context: q.context } : {}),
      })),
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
  const keyOf = (action: string, resource: string, context?: Record<string, string>) =>
    `${action.toLowerCase()}\n${resource}\n${contextKey(context)}`;
  const decided = new Map(decisions.map((d) => [keyOf(d.action, d.resource, d.context), d.decision]));
  const denied: PermissionReport['denied'] = [];
  for (const q of questions) {
    for (const resource of q.resources) {
      const decision = decided.get(keyOf(q.action, resource, q.context));
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

async function lookUp(calls: PlannedCall[], lookups: PlanLookups, signal: AbortSignal): Promise<PlanFacts> {
  const needed = factsNeeded(calls);
  const facts: PlanFacts = { replicationRoles: new Map(), secretKeys: new Map() };
  const each = async <T>(
    refs: FactRef[],
    read: (ref: FactRef) => Promise<T | undefined>,
    put: (k: string, v: T) => void,
  ) => {
    for (const ref of refs) {
      const value = await read(ref).catch(() => undefined);
      if (value !== undefined) put(factKey(ref.region, ref.id), value);
    }
  };
  await each(
    needed.buckets,
    (b) => lookups.replicationRole(b.region, b.id, signal),
    (k, v) => facts.replicationRoles.set(k, v),
  );
  await each(
    needed.secrets,
    (s) => lookups.secretKmsKey(s.region, s.id, signal),
    (k, v) => facts.secretKeys.set(k, v),
  );
  return facts;
}
