// IAM over awsQuery (Version 2010-05-08): SimulatePrincipalPolicy for the drill role, evaluated for real
// against its identity policy (policy.ts), with the request context of ContextEntries (ContextKeyName,
// ContextKeyValues, ContextKeyType: the iam service model's ContextEntry). The caller needs
// iam:SimulatePrincipalPolicy itself, as on AWS.
import { AwsError, requireParam } from '../protocol/errors.ts';
import { invalidAction, type QueryParams } from '../protocol/query.ts';
import { el, list } from '../protocol/xml.ts';
import { DRILL_POLICY_NAME, defaultDrillPolicy, drillCallerIdentity, drillRoleArn } from './drill-role.ts';
import {
  type EvalDecision,
  evaluate,
  type Policy,
  PolicyDocumentError,
  parsePolicy,
  type RequestContext,
} from './policy.ts';
import { LabRoles } from './roles.ts';

// ContextKeyTypeEnum of the iam service model.
const CONTEXT_KEY_TYPES = new Set([
  'string',
  'stringList',
  'numeric',
  'numericList',
  'boolean',
  'booleanList',
  'ip',
  'ipList',
  'binary',
  'binaryList',
  'date',
  'dateList',
]);

export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const IAM_VERSION = '2010-05-08';

interface EvaluationRow {
  action: string;
  resource: string;
  decision: EvalDecision;
  matched: string[];
  missingContext: string[];
}

export class IamSimulator {
  #policy: Policy = defaultDrillPolicy();

  readonly roles: LabRoles;

  constructor(
    private readonly accountId: string,
    mutated?: (operation: string) => void,
  ) {
    this.roles = new LabRoles(accountId, mutated);
  }

  /** Replaces the drill role's identity policy (a JSON document); null restores the default file. */
  setPolicy(document: unknown | null): void {
    this.#policy = document === null ? defaultDrillPolicy() : parsePolicy(DRILL_POLICY_NAME, document);
  }

  get policy(): Policy {
    return this.#policy;
  }

  handle(params: QueryParams): string {
    if (this.roles.handles(params.action)) return this.roles.handle(params);
    if (params.action !== 'SimulatePrincipalPolicy') throw invalidAction(params.action);
    return this.#simulate(params);
  }

  #simulate(params: QueryParams): string {
    const caller = drillCallerIdentity(this.accountId).arn;
    if (
      evaluate(this.#policy, 'iam:SimulatePrincipalPolicy', drillRoleArn(this.accountId)).decision !==
      'allowed'
    ) {
      throw new AwsError(
        'AccessDenied',
        403,
        `User: ${caller} is not authorized to perform: iam:SimulatePrincipalPolicy on resource: ${drillRoleArn(this.accountId)}`,
      );
    }
    const source = requireParam(params.str('PolicySourceArn'), 'PolicySourceArn');
    if (source !== drillRoleArn(this.accountId)) {
      const name = /:(role|user|group)\/(.+)$/.exec(source);
      throw new AwsError(
        'NoSuchEntity',
        404,
        name
          ? `The ${name[1]} with name ${name[2]} cannot be found.`
          : `Invalid PolicySourceArn ${source}: expected a role, user or group ARN.`,
      );
    }
    const actions = params.list('ActionNames.member');
    if (actions.length === 0)
      throw new AwsError('MissingParameter', 400, 'The request must contain the parameter ActionNames.');
    for (const action of actions) {
      if (!/^[a-z0-9-]+:[A-Za-z0-9*?]+$/.test(action))
        throw new AwsError('InvalidInput', 400, `Invalid action name ${action}: expected service:Action.`);
    }
    const resources = params.list('ResourceArns.member');
    const context = contextOf(params);
    const rows: EvaluationRow[] = [];
    for (const action of actions) {
      for (const resource of resources.length > 0 ? resources : ['*']) {
        const { decision, matched, missingContext } = evaluate(this.#policy, action, resource, context);
        rows.push({
          action,
          resource,
          decision,
          matched: matched.map((m) => m.sid ?? `#${m.index}`),
          missingContext,
        });
      }
    }
    const maxItems = params.num('MaxItems') ?? 100;
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000)
      throw new AwsError(
        'ValidationError',
        400,
        `MaxItems must be an integer from 1 to 1000, got ${maxItems}.`,
      );
    const start = decodeMarker(params.str('Marker'), rows.length);
    const page = rows.slice(start, start + maxItems);
    const next = start + page.length;
    return (
      list('EvaluationResults', 'member', page, renderRow) +
      el('IsTruncated', next < rows.length) +
      (next < rows.length ? el('Marker', Buffer.from(`offset:${next}`).toString('base64')) : '')
    );
  }
}

function renderRow(row: EvaluationRow): string {
  return (
    el('EvalActionName', row.action) +
    el('EvalResourceName', row.resource) +
    el('EvalDecision', row.decision) +
    list(
      'MatchedStatements',
      'member',
      row.matched,
      // The drill policy is inline in the drill role: PolicySourceType 'role' (iam-2010-05-08 model;
      // https://docs.aws.amazon.com/IAM/latest/APIReference/API_Statement.html).
      (sid) => el('SourcePolicyId', `${DRILL_POLICY_NAME}/${sid}`) + el('SourcePolicyType', 'role'),
    ) +
    list('MissingContextValues', 'member', row.missingContext, (key) => key)
  );
}

/** ContextEntries.member.N: each key with its values; a key named twice keeps every value. */
function contextOf(params: QueryParams): RequestContext {
  const context = new Map<string, string[]>();
  for (let n = 1; ; n++) {
    const at = `ContextEntries.member.${n}`;
    const name = params.str(`${at}.ContextKeyName`);
    const type = params.str(`${at}.ContextKeyType`);
    const values = params.list(`${at}.ContextKeyValues.member`);
    if (name === undefined && type === undefined && values.length === 0) return context;
    if (name === undefined)
      throw new AwsError('InvalidInput', 400, `${at}.ContextKeyName: every context entry names its key.`);
    if (type !== undefined && !CONTEXT_KEY_TYPES.has(type))
      throw new AwsError(
        'ValidationError',
        400,
        `1 validation error detected: Value '${type}' at 'contextEntries.${n}.member.contextKeyType' failed to satisfy constraint: Member must satisfy enum value set: [${[...CONTEXT_KEY_TYPES].join(', ')}]`,
      );
    const key = name.toLowerCase();
    context.set(key, [...(context.get(key) ?? []), ...values]);
  }
}

function decodeMarker(marker: string | undefined, total: number): number {
  if (marker === undefined) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(marker, 'base64').toString('utf8'));
  const offset = match ? Number(match[1]) : Number.NaN;
  if (!(offset > 0 && offset < total))
    throw new AwsError(
      'InvalidInput',
      400,
      `Invalid Marker ${marker}: pass the Marker of the previous page.`,
    );
  return offset;
}

export { PolicyDocumentError };
