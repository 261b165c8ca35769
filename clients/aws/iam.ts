// IAM policy simulation: may the caller make these calls? SimulatePrincipalPolicy for the caller's own
// principal (derived from STS GetCallerIdentity), one paginated request per distinct set of resources.
// IAM is a global service: requests are signed for us-east-1 (the lab: its one AWS endpoint).

import { type EvaluationResult, type IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import type { CallOptions } from '../abort.ts';
import { ClientError } from '../errors.ts';
import { AwsCaller } from './call.ts';
import type { AwsWrapperOptions } from './config.ts';

export const IAM_SIGNING_REGION = 'us-east-1';

export type IamDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

/** One action to check, on the resources the plan knows (`['*']` when it knows none). */
export interface PermissionQuery {
  action: string;
  resources: string[];
  /** Condition keys and values the real request carries, e.g. iam:PassedToService (string keys). */
  context?: Record<string, string>;
}

export interface PermissionDecision {
  action: string;
  resource: string;
  decision: IamDecision;
  /** The context the decision was simulated with (as asked). */
  context?: Record<string, string>;
}

/** The ContextEntries of a simulation (IAM API reference, ContextEntry: name, values, type). */
const contextEntries = (context: Record<string, string>) =>
  Object.entries(context).map(([name, value]) => ({
    ContextKeyName: name,
    ContextKeyValues: [value],
    ContextKeyType: 'string' as const,
  }));

const PRINCIPAL = /^arn:([^:]+):(sts|iam)::(\d{12}):(assumed-role|role|user)\/(.+)$/;

/**
 * The IAM principal whose policies apply to a caller ARN from STS: an assumed-role session
 * (`arn:aws:sts::ACCT:assumed-role/NAME/SESSION`) is its role `arn:aws:iam::ACCT:role/NAME`; a user or
 * role ARN is itself. Root and federated users have no principal policy to simulate.
 */
export function principalArnOf(callerArn: string): string {
  const m = PRINCIPAL.exec(callerArn);
  if (m) {
    const [, partition, service, account, kind, rest = ''] = m;
    if (service === 'sts' && kind === 'assumed-role') {
      const name = rest.split('/')[0];
      if (name && rest.includes('/')) return `arn:${partition}:iam::${account}:role/${name}`;
    }
    if (service === 'iam' && kind !== 'assumed-role') return callerArn;
  }
  throw new ClientError({
    code: 'E_BAD_REQUEST',
    message: `cannot simulate the policies of ${callerArn}: only IAM users and (assumed) roles have principal policies; run the drill with a user's or role's credentials, not root or a federated user`,
    service: 'iam',
    operation: 'SimulatePrincipalPolicy',
    scope: 'global',
  });
}

/** The simulator's EvalDecision as one of the three IAM outcomes; anything unknown is refused loudly. */
export function toDecision(value: string | undefined, action: string): IamDecision {
  if (value === 'allowed' || value === 'explicitDeny' || value === 'implicitDeny') return value;
  throw new ClientError({
    code: 'E_REQUEST_FAILED',
    message: `iam SimulatePrincipalPolicy answered EvalDecision ${JSON.stringify(value)} for ${action}: expected allowed, explicitDeny or implicitDeny`,
    service: 'iam',
    operation: 'SimulatePrincipalPolicy',
    scope: 'global',
  });
}

export class Iam {
  readonly caller: AwsCaller;
  constructor(
    readonly client: IAMClient,
    opts: AwsWrapperOptions = {},
  ) {
    this.caller = new AwsCaller('iam', 'global', opts.audit, opts.retry);
  }

  /** Every (action, resource) pair asked, with its decision; pages through IsTruncated/Marker. */
  async simulatePrincipalPolicy(
    input: { principalArn: string; actions: string[]; resources: string[]; context?: Record<string, string> },
    opts: CallOptions = {},
  ): Promise<PermissionDecision[]> {
    const resourceArns = input.resources.filter((r) => r !== '*');
    const context = input.context && Object.keys(input.context).length > 0 ? input.context : undefined;
    const decisions: PermissionDecision[] = [];
    let marker: string | undefined;
    do {
      const page = await this.caller.send(
        'SimulatePrincipalPolicy',
        { kind: 'principal', id: input.principalArn },
        (abortSignal) =>
          this.client.send(
            new SimulatePrincipalPolicyCommand({
              PolicySourceArn: input.principalArn,
              ActionNames: input.actions,
              ...(resourceArns.length > 0 ? { ResourceArns: resourceArns } : {}),
              ...(context ? { ContextEntries: contextEntries(context) } : {}),
              MaxItems: 100,
              ...(marker ? { Marker: marker } : {}),
            }),
            { abortSignal },
          ),
        opts,
      );
      for (const result of page.EvaluationResults ?? [])
        decisions.push(...decisionsOf(result).map((d) => (context ? { ...d, context } : d)));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return decisions;
  }

  /** Checks each action on its own resources: one simulation per distinct resource set and context. */
  async check(
    principalArn: string,
    queries: PermissionQuery[],
    opts: CallOptions = {},
  ): Promise<PermissionDecision[]> {
    const groups = new Map<
      string,
      { resources: string[]; context?: Record<string, string>; actions: Set<string> }
    >();
    for (const q of queries) {
      const resources = [...new Set(q.resources.length > 0 ? q.resources : ['*'])].sort();
      const key = `${resources.join('\n')}\n${contextKey(q.context)}`;
      const group = groups.get(key) ?? {
        resources,
        ...(q.context ? { context: q.context } : {}),
        actions: new Set<string>(),
      };
      group.actions.add(q.action);
      groups.set(key, group);
    }
    const out: PermissionDecision[] = [];
    for (const { resources, context, actions } of groups.values()) {
      out.push(
        ...(await this.simulatePrincipalPolicy(
          { principalArn, actions: [...actions], resources, ...(context ? { context } : {}) },
          opts,
        )),
      );
    }
    return out;
  }
}

// Per-resource results when the simulator gives them, else the action's overall decision.
function decisionsOf(result: EvaluationResult): PermissionDecision[] {
  const action = result.EvalActionName ?? '?';
  const specific = result.ResourceSpecificResults ?? [];
  if (specific.length > 0) {
    return specific.map((r) => ({
      action,
      resource: r.EvalResourceName ?? '*',
      decision: toDecision(r.EvalResourceDecision, action),
    }));
  }
  return [
    { action, resource: result.EvalResourceName ?? '*', decision: toDecision(result.EvalDecision, action) },
  ];
}

/** One text for a context, whatever the order of its keys: the key of a decision asked with it. */
export function contextKey(context: Record<string, string> | undefined): string {
  return JSON.stringify(Object.entries(context ?? {}).sort(([a], [b]) => a.localeCompare(b)));
}
