// `pnpm drill iam-policy <scenario> --target <t>`: the drill role's and the FIS role's policies for one scenario on
// one target, from the permission plan its preflight simulates (read with the caller's credentials: the account,
// the role a bucket's replication passes, a secret's KMS key).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAuditLog } from '../../../core/audit.ts';
import { EXIT } from '../../../core/cli/exit-codes.ts';
import { createClock } from '../../../core/clock.ts';
import { DrillError } from '../../../core/errors.ts';
import { type LoadedDrill, loadDrill } from '../../../core/load-drill.ts';
import type { PlannedCall, RunContext, Scenario } from '../../../core/model.ts';
import { Redactor } from '../../../core/redact.ts';
import { scenarioPlanEntries } from '../../../core/runner/plan-entries.ts';
import { factsNeeded } from '../../../targets/safety/iam-plan.ts';
import {
  asJson,
  drillRolePolicy,
  drillRoleTrust,
  FIS_MANAGED_POLICIES,
  fisRoleTrust,
  type GitHubOidc,
  type RoleContext,
} from '../../../targets/safety/iam-policy.ts';
import type { LuneoRun } from '../context.ts';
import { lockSecretId, luneoPermissionPlan } from './luneo.ts';
import { luneoPlatformReads, luneoReadiness } from './readiness.ts';

export interface IamPolicyOptions {
  target?: string;
  roleName: string;
  github: GitHubOidc;
}

/** Every call a scenario plans, in the order its plan lists them (core/runner/plan-entries.ts, one place). */
export function scenarioCalls<R>(scenario: Scenario<R>, ctx: RunContext<R>): PlannedCall[] {
  return scenarioPlanEntries(scenario, (stepId, title, plan) => ({
    stepId,
    title,
    calls: plan?.(ctx) ?? [],
  })).flatMap((entry) => entry.calls);
}

/** A planning context: what plan() and the lookups read, with an audit log nobody keeps. */
export function planningContext<R>(
  scenario: Scenario<R>,
  target: RunContext<R>['target'],
  auditFile: string,
) {
  return {
    runId: 'iam-policy',
    scenario,
    target,
    signal: AbortSignal.timeout(120_000),
    dryRun: true,
    clock: createClock(),
    log: { info: () => {}, warn: () => {}, debug: () => {} },
    audit: new FileAuditLog({ file: auditFile, redactor: new Redactor(), dryRun: true }).bind({
      phase: 'plan',
    }),
    state: new Map<string, unknown>(),
  } as unknown as RunContext<R>;
}

/**
 * What a run reads besides its plan, with the same role: the safety platform's own questions (experiments running,
 * alarms, the lag metric, the plan's lookups, the lock) and, on a live target, every readiness check's reads. With
 * IAM enforced on every call (the lab: LAB_AWS_IAM_ENFORCE), a policy of the plan alone is refused at the preflight.
 */
export function preflightReads<R>(ctx: RunContext<R>, planned: PlannedCall[], live: boolean): PlannedCall[] {
  const run = ctx as unknown as LuneoRun;
  const { buckets, secrets } = factsNeeded(planned);
  const hasAbortAlarms = (ctx.target.safety?.abortAlarms ?? []).length > 0;
  // The platform's reads as it lists them, but only those this plan makes it send: the lookups of the buckets and
  // secrets the plan needs facts of (each statement of the policy stays needed), the alarms only when declared.
  // iam:SimulatePrincipalPolicy is granted on the drill role alone (runStatements), not on the `*` a read names.
  // The lock is read by its id: so its KMS key is looked up like any secret's, not asked (and granted) on `*`.
  const platform = luneoPlatformReads(run).map((c) =>
    c.service === 'secretsmanager' && c.operation === 'GetSecretValue'
      ? { ...c, params: { ...c.params, SecretId: lockSecretId(ctx.target.name) } }
      : c,
  );
  const reads = platform.filter(
    (c) =>
      !(c.service === 'iam' && c.operation === 'SimulatePrincipalPolicy') &&
      !(c.service === 's3' && c.operation === 'GetBucketReplication') &&
      !(c.service === 'secretsmanager' && c.operation === 'DescribeSecret') &&
      !(c.service === 'cloudwatch' && c.operation === 'DescribeAlarms' && !hasAbortAlarms),
  );
  const lookups = [
    ...buckets.map((b) => lookup('s3', 'GetBucketReplication', b.region, { Bucket: b.id })),
    ...secrets.map((x) => lookup('secretsmanager', 'DescribeSecret', x.region, { SecretId: x.id })),
  ];
  return [...reads, ...lookups, ...(live ? luneoReadiness(run, planned).flatMap((c) => c.calls) : [])];
}

const lookup = (
  service: string,
  operation: string,
  region: string | undefined,
  params: Record<string, string>,
): PlannedCall => ({ service, operation, ...(region ? { scope: region } : {}), params, mutating: false });

export interface IamPolicies {
  scenario: string;
  target: string;
  account: string;
  drillRole: { name: string; arn: string; trustPolicy: object; policy: object };
  fisRole?: { name: string; arn: string; trustPolicy: object; managedPolicies: readonly string[] };
}

export async function iamPolicies(
  drill: Pick<LoadedDrill, 'scenario' | 'target' | 'targetFile'>,
  opts: Omit<IamPolicyOptions, 'target'>,
): Promise<IamPolicies> {
  if (drill.target.safety === undefined) {
    throw new DrillError(
      'E_USAGE',
      `${drill.targetFile}: the target makes no AWS calls a role must be granted`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'drill-iam-policy-'));
  try {
    const ctx = planningContext(drill.scenario, drill.target, join(dir, 'actions.jsonl'));
    const planned = scenarioCalls(drill.scenario, ctx);
    const calls = [...planned, ...preflightReads(ctx, planned, drill.target.kind === 'live')];
    const plan = await luneoPermissionPlan(ctx as unknown as LuneoRun, calls, ctx.signal).catch((error) => {
      throw unreachableTarget(error, drill.target.name);
    });
    const role: RoleContext = {
      partition: plan.partition,
      account: plan.identity.account,
      roleName: opts.roleName,
      targetName: drill.target.name,
    };
    const policy = drillRolePolicy(plan.questions, role);
    const fisRoleArn = plan.questions.find((q) => q.context?.['iam:PassedToService'] === 'fis.amazonaws.com')
      ?.resources[0];
    return {
      scenario: drill.scenario.name,
      target: drill.target.name,
      account: role.account,
      drillRole: {
        name: role.roleName,
        arn: `arn:${role.partition}:iam::${role.account}:role/${role.roleName}`,
        trustPolicy: asJson(drillRoleTrust(role, opts.github)),
        policy: asJson(policy),
      },
      ...(fisRoleArn && fisRoleArn !== '*'
        ? {
            fisRole: {
              name: fisRoleArn.split('/').at(-1) as string,
              arn: fisRoleArn,
              trustPolicy: asJson(fisRoleTrust(role)),
              managedPolicies: FIS_MANAGED_POLICIES.map((arn) => arn.replace(':aws:', `:${role.partition}:`)),
            },
          }
        : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The policy is drawn from what the target answers (its account, a bucket's replication role, a secret's KMS key):
 * a target it cannot reach (no lab running) is for the user to fix first, as bad input (exit 2), not a bug.
 */
function unreachableTarget(error: unknown, target: string): unknown {
  if (!(error instanceof DrillError) || error.code !== 'E_PREFLIGHT') return error;
  return new DrillError(
    'E_USAGE',
    `iam-policy reads the account and the resources' facts (replication roles, KMS keys) from target "${target}", ` +
      `and cannot reach it: ${error.message}`,
    { cause: error },
  );
}

/** The files `aws iam create-role` and `put-role-policy` read (file://…), in `dir`. */
export function policyFiles(p: IamPolicies): Record<string, object> {
  return {
    'drill-role-trust.json': p.drillRole.trustPolicy,
    'drill-role-policy.json': p.drillRole.policy,
    ...(p.fisRole ? { 'fis-role-trust.json': p.fisRole.trustPolicy } : {}),
  };
}

export interface IamPolicyCliOptions {
  target?: string;
  roleName: string;
  githubRepository?: string;
  githubEnvironment: string;
  dir?: string;
}

export async function iamPolicyCommand(scenario: string, opts: IamPolicyCliOptions): Promise<number> {
  if (!opts.githubRepository || !/^[^/\s]+\/[^/\s]+$/.test(opts.githubRepository)) {
    throw new DrillError(
      'E_USAGE',
      'iam-policy needs --github-repository <owner/name> (or $GITHUB_REPOSITORY): the drill role trusts only its jobs',
    );
  }
  const policies = await iamPolicies(await loadDrill(scenario, opts.target), {
    roleName: opts.roleName,
    github: { repository: opts.githubRepository, environment: opts.githubEnvironment },
  });
  if (opts.dir) {
    mkdirSync(opts.dir, { recursive: true });
    for (const [name, doc] of Object.entries(policyFiles(policies)))
      writeFileSync(join(opts.dir, name), `${JSON.stringify(doc, null, 2)}\n`);
  }
  process.stdout.write(`${JSON.stringify(policies, null, 2)}\n`);
  return EXIT.passed;
}
