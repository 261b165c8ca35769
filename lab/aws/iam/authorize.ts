// IAM enforcement on every call the lab's AWS endpoint serves, for the identities set to be enforced: the call's
// authorizations (authorization-table.ts) are evaluated against the caller's identity policy with the evaluator
// SimulatePrincipalPolicy uses (policy.ts: explicit Deny, then Allow, else implicit deny), with the request's
// condition keys, before the call is applied. A refusal is the service's own AccessDenied, as AWS answers it
// (IAM UG, "Troubleshooting access denied error messages":
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html). Off by default.
import { matchRest, model, SERVICES } from '../conformance/models.ts';
import type { AwsRequest } from '../context.ts';
import { AwsError } from '../protocol/errors.ts';
import type { LabAwsService } from '../service-registry.ts';
import {
  type RequestFacts,
  type RequiredAuthorization,
  requiredAuthorizations,
} from './authorization-table.ts';
import { evaluate, type Policy } from './policy.ts';
import { accessKeyOf, type LabPrincipal, principalOf } from './principals.ts';

/** The call a request makes, as the lab routes it (lab/aws/service-registry.ts routeRequest). */
export interface IdentifiedCall {
  /** The service registry's name (rds, monitoring, secretsmanager, …). */
  service: string;
  operation: string;
  input: Record<string, unknown>;
}

/** How each service refuses an unauthorized call. */
const DENIAL: Record<string, { code: string; status: number }> = {
  // Query and rest-xml services: AccessDenied, HTTP 403 (what moto's AccessDeniedError answers for IAM-style services;
  // S3: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList "AccessDenied 403").
  rds: { code: 'AccessDenied', status: 403 },
  iam: { code: 'AccessDenied', status: 403 },
  sts: { code: 'AccessDenied', status: 403 },
  elasticache: { code: 'AccessDenied', status: 403 },
  monitoring: { code: 'AccessDenied', status: 403 },
  route53: { code: 'AccessDenied', status: 403 },
  s3: { code: 'AccessDenied', status: 403 },
  // JSON services: AccessDeniedException, HTTP 400 (the APIs' Common Errors, e.g.
  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html; service-quotas-2019-06-24
  // declares AccessDeniedException).
  secretsmanager: { code: 'AccessDeniedException', status: 400 },
  fis: { code: 'AccessDeniedException', status: 400 },
  servicequotas: { code: 'AccessDeniedException', status: 400 },
  tagging: { code: 'AccessDeniedException', status: 400 },
};

export interface AuthorizerOptions {
  accountId: string;
  services: readonly LabAwsService[];
  /** The identity policy of a principal (the drill role's is the one SimulatePrincipalPolicy evaluates). */
  policyOf(principal: LabPrincipal): Policy | undefined;
  /** A secret by id in a region: its ARN and KMS key (Secrets Manager authorizes on the secret's ARN). */
  secret(region: string, id: string): { arn: string; kmsKeyId?: string } | undefined;
  /** Role names whose calls are enforced. */
  enforced: ReadonlySet<string>;
}

export interface Denial {
  error: AwsError;
  /** For the lab's log: action, resource, decision. */
  reason: string;
}

export class IamAuthorizer {
  #enforced: Set<string>;

  constructor(private readonly opts: AuthorizerOptions) {
    this.#enforced = new Set(opts.enforced);
  }

  /** Enforce (or stop enforcing) IAM for the calls of one role. */
  setEnforced(roleName: string, on: boolean): void {
    if (on) this.#enforced.add(roleName);
    else this.#enforced.delete(roleName);
  }

  get enforced(): ReadonlySet<string> {
    return this.#enforced;
  }

  /** Null when the call may proceed: its caller is not enforced, or every authorization it needs is allowed. */
  check(request: AwsRequest): Denial | null {
    if (this.#enforced.size === 0) return null;
    const principal = principalOf(accessKeyOf(request), this.opts.accountId);
    if (!this.#enforced.has(principal.roleName)) return null;
    const call = identifyCall(this.opts.services, request);
    if (!call) return null;
    const facts: RequestFacts = {
      region: request.region,
      account: this.opts.accountId,
      input: call.input,
      body: request.body.toString('utf8'),
      secret: (id) => this.opts.secret(request.region, id),
    };
    const needed = requiredAuthorizations(call.service, call.operation, facts);
    const denial = DENIAL[call.service] ?? { code: 'AccessDenied', status: 403 };
    if (needed === undefined) {
      // An operation the lab serves without a row would go unchecked: refuse it loudly rather than allow it.
      return {
        error: new AwsError(
          denial.code,
          denial.status,
          `lab: no IAM authorization row for ${call.service}.${call.operation} (lab/aws/iam/authorization-table.ts)`,
        ),
        reason: 'no authorization row',
      };
    }
    const policy = this.opts.policyOf(principal);
    for (const need of needed) {
      for (const resource of need.resources) {
        const decision = policy
          ? evaluate(policy, need.action, resource, contextOf(need, request.region)).decision
          : 'implicitDeny';
        if (decision === 'allowed') continue;
        return {
          error: new AwsError(denial.code, denial.status, message(principal, need, resource, decision)),
          reason: `${need.action} on ${resource}: ${decision}`,
        };
      }
    }
    return null;
  }
}

/** Global condition key aws:RequestedRegion on every request, and the action's own keys. */
function contextOf(need: RequiredAuthorization, region: string): Map<string, string[]> {
  const context = new Map<string, string[]>([['aws:requestedregion', [region]]]);
  for (const [key, value] of Object.entries(need.context ?? {})) context.set(key.toLowerCase(), [value]);
  return context;
}

// "User: <principal> is not authorized to perform: <action> [on resource: <resource>] because no identity-based
// policy allows the <action> action" / "... with an explicit deny in an identity-based policy" (IAM UG, above);
// actions with no resource type name none. Secrets Manager answers a KMS refusal on the caller's behalf with
// "Access to KMS is not allowed" (https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot.html).
function message(
  principal: LabPrincipal,
  need: RequiredAuthorization,
  resource: string,
  decision: string,
): string {
  if (need.onBehalfOf === 'kms') return 'Access to KMS is not allowed';
  const on = resource === '*' ? '' : ` on resource: ${resource}`;
  const why =
    decision === 'explicitDeny'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${need.action} action`;
  return `User: ${principal.arn} is not authorized to perform: ${need.action}${on} ${why}`;
}

const REST_MODELS: ReadonlySet<string> = new Set(
  SERVICES.filter((s) => s === 'route53' || s === 'fis' || s === 's3'),
);

/** Which service and operation a request is, and its input, following the order routeRequest claims requests in. */
export function identifyCall(
  services: readonly LabAwsService[],
  request: AwsRequest,
): IdentifiedCall | undefined {
  const first = services.find((s) => s.rest?.first && s.rest.claims(request));
  if (first) return restCall(first.name, request);
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix, operation = ''] = target.split('.');
    const owner = services.find((s) => s.json?.targetPrefix === prefix);
    return owner ? { service: owner.name, operation, input: jsonBody(request) } : undefined;
  }
  const rest = services.find((s) => s.rest && !s.rest.first && s.rest.claims(request));
  if (rest) return restCall(rest.name, request);
  const body = request.body.toString('utf8');
  const form = request.method === 'POST' && /(^|&)Action=/.test(body);
  if (!form && !(request.method === 'GET' && request.query.has('Action'))) return undefined;
  const params = new URLSearchParams(form ? body : request.query.toString());
  const owner =
    services.find((s) => s.query && s.query.version === params.get('Version')) ??
    services.find((s) => s.query && s.name === request.signingService);
  const operation = params.get('Action');
  return owner && operation
    ? { service: owner.name, operation, input: Object.fromEntries(params) }
    : undefined;
}

function restCall(service: string, request: AwsRequest): IdentifiedCall | undefined {
  if (!REST_MODELS.has(service)) return undefined;
  const found = matchRest(model(service), request.method, request.path, request.query);
  if (!found) return undefined;
  const input: Record<string, unknown> = {
    ...Object.fromEntries(request.query),
    ...(service === 'fis' ? jsonBody(request) : {}),
    ...found.labels,
  };
  return { service, operation: found.operation.name, input };
}

function jsonBody(request: AwsRequest): Record<string, unknown> {
  try {
    const parsed = request.body.length > 0 ? JSON.parse(request.body.toString('utf8')) : {};
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** LAB_AWS_IAM_ENFORCE: `1`/`drill` enforces the drill role, or a comma list of role names; unset: none. */
export function enforcedFromEnv(drillRole: string, env: NodeJS.ProcessEnv = process.env): Set<string> {
  const value = env.LAB_AWS_IAM_ENFORCE?.trim();
  if (!value || value === '0' || value === 'off') return new Set();
  if (value === '1' || value === 'on' || value === 'drill') return new Set([drillRole]);
  return new Set(
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}
