// The least-privilege IAM policies of a drill, from the permission plan its preflight simulates (permissions.ts):
// every question (action, resources, condition keys) becomes a grant, grouped into statements by resource and
// condition, so the policy allows what the preflight asks and nothing the plan does not name. With them, the trust
// policies: the drill role assumed by GitHub's OIDC provider for one repository and environment, the FIS experiment
// role assumed by FIS for this account only.
import type { IamQuestion } from './iam-plan.ts';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string>>;
  Principal?: Record<string, string>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface RoleContext {
  partition: string;
  account: string;
  /** The drill role's name: its own ARN is the resource of iam:SimulatePrincipalPolicy. */
  roleName: string;
  /** The target's name: the drill lock is the secret drill/lock/<target>. */
  targetName: string;
}

const pascal = (text: string) =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');

/** Condition keys IAM compares as exact strings (the plan's context carries concrete values). */
const condition = (context: Record<string, string>) => ({ StringEquals: { ...context } });

/** The statement's name: what it grants, e.g. RdsOnAnyResource, PassRoleToFis, RdsOnNamedResources2. */
function sidOf(q: IamQuestion): string {
  const service = pascal(q.action.split(':')[0] ?? 'any');
  const passedTo = q.context?.['iam:PassedToService'];
  if (passedTo) return `PassRoleTo${pascal(passedTo.split('.')[0] ?? '')}`;
  const via = q.context?.['kms:ViaService'];
  if (via) return `${service}Via${pascal(via.replace(/\.amazonaws\.com$/, ''))}`;
  return q.resources.length === 1 && q.resources[0] === '*'
    ? `${service}OnAnyResource`
    : `${service}OnNamedResources`;
}

/**
 * The plan's questions as statements: one per service, resource set and condition. An action the plan also asks on
 * `*` without conditions is granted there only (a narrower grant of it would be redundant: removing it would change
 * nothing, so the policy would not be least privilege in the sense each statement is needed).
 */
export function planStatements(questions: IamQuestion[]): PolicyStatement[] {
  const onAny = new Set(
    questions
      .filter((q) => !q.context && q.resources.length === 1 && q.resources[0] === '*')
      .map((q) => q.action),
  );
  const groups = new Map<string, PolicyStatement>();
  for (const q of questions) {
    const isAny = q.resources.length === 1 && q.resources[0] === '*';
    if (!q.context && !isAny && onAny.has(q.action)) continue;
    const resources = [...new Set(q.resources)].sort();
    const key = `${sidOf(q)}\n${resources.join(',')}\n${JSON.stringify(q.context ?? {})}`;
    const group = groups.get(key);
    if (group) {
      if (!group.Action.includes(q.action)) group.Action.push(q.action);
      continue;
    }
    groups.set(key, {
      Sid: sidOf(q),
      Effect: 'Allow',
      Action: [q.action],
      Resource: resources,
      ...(q.context ? { Condition: condition(q.context) } : {}),
    });
  }
  // Statements granting the same actions under the same condition on different resources become one (no action
  // reaches a resource it was not asked on).
  const merged = new Map<string, PolicyStatement>();
  for (const s of groups.values()) {
    s.Action.sort();
    const key = `${s.Sid}\n${s.Action.join(',')}\n${JSON.stringify(s.Condition ?? {})}`;
    const same = merged.get(key);
    if (same) same.Resource = [...new Set([...same.Resource, ...s.Resource])].sort();
    else merged.set(key, s);
  }
  return uniqueSids([...merged.values()].sort((a, b) => a.Sid.localeCompare(b.Sid)));
}

function uniqueSids(statements: PolicyStatement[]): PolicyStatement[] {
  const seen = new Map<string, number>();
  for (const s of statements) {
    const n = (seen.get(s.Sid) ?? 0) + 1;
    seen.set(s.Sid, n);
    if (n > 1) s.Sid = `${s.Sid}${n}`;
  }
  return statements;
}

/** What the drill needs besides its plan: to simulate its own permissions (the preflight) and to hold its lock. */
export function runStatements(role: RoleContext): PolicyStatement[] {
  const { partition, account } = role;
  return [
    {
      Sid: 'SimulateOwnPermissions',
      Effect: 'Allow',
      Action: ['iam:SimulatePrincipalPolicy'],
      Resource: [roleArn(role)],
    },
    // Secrets Manager appends a random 6-character suffix to a secret's ARN (targets/safety/aws-lock.ts).
    {
      Sid: 'HoldTheDrillLock',
      Effect: 'Allow',
      Action: [
        'secretsmanager:CreateSecret',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
      ],
      Resource: [`arn:${partition}:secretsmanager:*:${account}:secret:drill/lock/${role.targetName}-??????`],
    },
  ];
}

export const roleArn = (role: Pick<RoleContext, 'partition' | 'account' | 'roleName'>) =>
  `arn:${role.partition}:iam::${role.account}:role/${role.roleName}`;

/**
 * The drill role's identity policy: the plan's grants, then the run's own, without the actions a plan statement
 * already grants on every resource (each statement stays needed).
 */
export function drillRolePolicy(questions: IamQuestion[], role: RoleContext): PolicyDocument {
  const plan = planStatements(questions);
  const onAny = new Set(
    plan.filter((s) => !s.Condition && s.Resource.includes('*')).flatMap((s) => s.Action),
  );
  const run = runStatements(role)
    .map((s) => ({ ...s, Action: s.Action.filter((a) => !onAny.has(a)) }))
    .filter((s) => s.Action.length > 0);
  return { Version: '2012-10-17', Statement: [...plan, ...run] };
}

export interface GitHubOidc {
  /** owner/name */
  repository: string;
  /** The GitHub environment the job names (`environment:` in dr-drill.yml): its required reviewers gate the run. */
  environment: string;
}

// https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** Who may assume the drill role: GitHub's OIDC provider, for jobs of one repository in one environment. */
export function drillRoleTrust(role: RoleContext, github: GitHubOidc): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'GitHubActionsOfOneRepositoryAndEnvironment',
        Effect: 'Allow',
        Principal: {
          Federated: `arn:${role.partition}:iam::${role.account}:oidc-provider/${GITHUB_OIDC_HOST}`,
        },
        Action: ['sts:AssumeRoleWithWebIdentity'],
        Resource: [],
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
            [`${GITHUB_OIDC_HOST}:sub`]: `repo:${github.repository}:environment:${github.environment}`,
          },
        },
      },
    ],
  };
}

// https://docs.aws.amazon.com/fis/latest/userguide/getting-started-iam-service-role.html (confused deputy prevention)
/** Who may assume the FIS experiment role: FIS, for experiments of this account only. */
export function fisRoleTrust(role: Pick<RoleContext, 'partition' | 'account'>): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'FisExperimentsOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'fis.amazonaws.com' },
        Action: ['sts:AssumeRole'],
        Resource: [],
        Condition: {
          StringEquals: { 'aws:SourceAccount': role.account },
          ArnLike: { 'aws:SourceArn': `arn:${role.partition}:fis:*:${role.account}:experiment/*` },
        },
      },
    ],
  };
}

/**
 * AWS managed policies FIS documents for the action families the drills' faults use
 * (https://docs.aws.amazon.com/fis/latest/userguide/security-iam-awsmanpol.html): network disruption
 * (aws:network:disrupt-connectivity, aws:network:route-table-disrupt-cross-region-connectivity) and EKS pod actions.
 */
export const FIS_MANAGED_POLICIES = [
  'arn:aws:iam::aws:policy/service-role/AWSFaultInjectionSimulatorNetworkAccess',
  'arn:aws:iam::aws:policy/service-role/AWSFaultInjectionSimulatorEKSAccess',
] as const;

/** A trust policy has no Resource: drop the empty list the shared statement shape carries. */
export function asJson(doc: PolicyDocument): object {
  return {
    ...doc,
    Statement: doc.Statement.map(({ Resource, ...rest }) => (Resource.length ? { ...rest, Resource } : rest)),
  };
}
