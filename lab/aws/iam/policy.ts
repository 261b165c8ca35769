// IAM identity-policy evaluation, as the policy simulator does it for one principal with one policy:
// an explicit Deny wins, then any Allow, else the default implicit deny. Action and Resource (and their
// Not forms) match with `*` and `?` wildcards; actions ignore case, resources do not. A statement applies only
// when its Condition holds for the request context (SimulatePrincipalPolicy ContextEntries): the String
// operators and Bool, with IfExists, as the IAM User Guide defines them
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html);
// other operators are refused when the policy is parsed.

export type EvalDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface PolicyStatement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Exactly one of action / notAction. */
  action?: string[];
  notAction?: string[];
  /** Exactly one of resource / notResource. */
  resource?: string[];
  notResource?: string[];
  /** Every test must hold (operators, and keys within one, are ANDed). */
  condition?: ConditionTest[];
}

/** One key of one condition operator, e.g. StringEquals iam:PassedToService ["fis.amazonaws.com"]. */
export interface ConditionTest {
  operator: string;
  /** Lower case: condition key names are not case-sensitive. */
  key: string;
  /** As the policy writes it (MissingContextValues names it so). */
  name: string;
  values: string[];
}

/** Request context: lower-cased condition key → its values. */
export type RequestContext = ReadonlyMap<string, readonly string[]>;
const NO_CONTEXT: RequestContext = new Map();

export interface Policy {
  /** Names the policy in MatchedStatements, e.g. `luneo-drill-policy`. */
  id: string;
  statements: PolicyStatement[];
}

export interface Evaluation {
  decision: EvalDecision;
  /** The statements that decided: the Deny ones for explicitDeny, the Allow ones for allowed. */
  matched: { index: number; sid?: string }[];
  /** Condition keys the statements for this action and resource test that the context does not give. */
  missingContext: string[];
}

/** A policy document the lab will not evaluate; the message names the field. */
export class PolicyDocumentError extends Error {
  readonly code = 'MalformedPolicyDocument';
}

const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);

// value matches pattern, per operator family; negated operators are the NOT of their positive form.
const OPERATORS: Record<string, { test: (pattern: string, value: string) => boolean; negated: boolean }> = {
  StringEquals: { test: (p, v) => p === v, negated: false },
  StringNotEquals: { test: (p, v) => p === v, negated: true },
  StringEqualsIgnoreCase: { test: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { test: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: true },
  StringLike: { test: (p, v) => wildcardMatch(p, v), negated: false },
  StringNotLike: { test: (p, v) => wildcardMatch(p, v), negated: true },
  Bool: { test: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
};

/** Parses an IAM policy document (JSON text or object): Version 2012-10-17, Statement object or list. */
export function parsePolicy(id: string, document: unknown): Policy {
  const doc = typeof document === 'string' ? parseJson(document) : document;
  if (!isObject(doc)) throw new PolicyDocumentError('policy document: expected a JSON object');
  if (doc.Version !== '2012-10-17') {
    throw new PolicyDocumentError(
      `policy document: Version: expected "2012-10-17", got ${JSON.stringify(doc.Version)}`,
    );
  }
  const raw = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  if (raw.length === 0 || doc.Statement === undefined)
    throw new PolicyDocumentError('policy document: Statement: at least one statement is required');
  return { id, statements: raw.map((s, i) => parseStatement(s, `Statement[${i}]`)) };
}

function parseStatement(s: unknown, where: string): PolicyStatement {
  if (!isObject(s)) throw new PolicyDocumentError(`${where}: expected an object`);
  for (const key of Object.keys(s)) {
    if (!STATEMENT_KEYS.has(key)) throw new PolicyDocumentError(`${where}.${key}: unknown statement field`);
  }
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') {
    throw new PolicyDocumentError(
      `${where}.Effect: expected "Allow" or "Deny", got ${JSON.stringify(s.Effect)}`,
    );
  }
  const statement: PolicyStatement = { effect: s.Effect };
  if (typeof s.Sid === 'string') statement.sid = s.Sid;
  const action = oneOf(s, 'Action', 'NotAction', where);
  const resource = oneOf(s, 'Resource', 'NotResource', where);
  if (action.key === 'Action') statement.action = action.values;
  else statement.notAction = action.values;
  if (resource.key === 'Resource') statement.resource = resource.values;
  else statement.notResource = resource.values;
  if (s.Condition !== undefined) statement.condition = parseCondition(s.Condition, `${where}.Condition`);
  return statement;
}

function parseCondition(block: unknown, where: string): ConditionTest[] {
  if (!isObject(block)) throw new PolicyDocumentError(`${where}: expected an object of condition operators`);
  const tests: ConditionTest[] = [];
  for (const [operator, keys] of Object.entries(block)) {
    if (!OPERATORS[operator.replace(/IfExists$/, '')])
      throw new PolicyDocumentError(
        `${where}.${operator}: the lab's policy simulator evaluates the String operators and Bool (with IfExists) only`,
      );
    if (!isObject(keys))
      throw new PolicyDocumentError(`${where}.${operator}: expected an object of condition keys`);
    for (const [key, value] of Object.entries(keys)) {
      const values = (Array.isArray(value) ? value : [value]).map((v) =>
        typeof v === 'boolean' || typeof v === 'number' ? String(v) : v,
      );
      if (values.length === 0 || !values.every((v) => typeof v === 'string'))
        throw new PolicyDocumentError(`${where}.${operator}.${key}: expected a string or list of strings`);
      tests.push({ operator, key: key.toLowerCase(), name: key, values: values as string[] });
    }
  }
  return tests;
}

// A missing key fails a positive operator and satisfies a negated one; IfExists makes a missing key pass.
// Several values of one key: any may match (positive), none may match (negated).
function conditionHolds(test: ConditionTest, context: RequestContext): boolean {
  const ifExists = test.operator.endsWith('IfExists');
  const op = OPERATORS[test.operator.replace(/IfExists$/, '')];
  const given = context.get(test.key);
  if (!op) return false;
  if (given === undefined || given.length === 0) return ifExists || op.negated;
  const any = given.some((v) => test.values.some((p) => op.test(p, v)));
  return op.negated ? !any : any;
}

function oneOf<K extends string>(s: Record<string, unknown>, a: K, notA: K, where: string) {
  if ((s[a] === undefined) === (s[notA] === undefined))
    throw new PolicyDocumentError(`${where}: exactly one of ${a} and ${notA} is required`);
  const key = s[a] === undefined ? notA : a;
  const value = s[key];
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0 || !values.every((v) => typeof v === 'string' && v.length > 0))
    throw new PolicyDocumentError(`${where}.${key}: expected a non-empty string or list of strings`);
  return { key, values: values as string[] };
}

/** Whether `value` matches an IAM pattern: `*` any run of characters, `?` exactly one. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

const actionMatches = (patterns: string[], action: string) =>
  patterns.some((p) => wildcardMatch(p, action, true));
const resourceMatches = (patterns: string[], resource: string) =>
  patterns.some((p) => wildcardMatch(p, resource));

/** Whether one statement's Action and Resource cover (action, resource), whatever its effect. */
export function statementMatches(s: PolicyStatement, action: string, resource: string): boolean {
  const actionOk = s.action ? actionMatches(s.action, action) : !actionMatches(s.notAction ?? [], action);
  if (!actionOk) return false;
  return s.resource ? resourceMatches(s.resource, resource) : !resourceMatches(s.notResource ?? [], resource);
}

/** Whether one statement applies to (action, resource) in this request context, whatever its effect. */
export function statementApplies(
  s: PolicyStatement,
  action: string,
  resource: string,
  context: RequestContext = NO_CONTEXT,
): boolean {
  if (!statementMatches(s, action, resource)) return false;
  return (s.condition ?? []).every((test) => conditionHolds(test, context));
}

/** The simulator's decision for one action on one resource (`*` when the caller names none). */
export function evaluate(
  policy: Policy,
  action: string,
  resource: string,
  context: RequestContext = NO_CONTEXT,
): Evaluation {
  const missingContext = [
    ...new Set(
      policy.statements
        .filter((s) => statementMatches(s, action, resource))
        .flatMap((s) => s.condition ?? [])
        .filter((t) => !context.has(t.key))
        .map((t) => t.name),
    ),
  ];
  const applying = policy.statements
    .map((s, index) => ({ s, index }))
    .filter(({ s }) => statementApplies(s, action, resource, context));
  const pick = (effect: PolicyStatement['effect']) =>
    applying
      .filter(({ s }) => s.effect === effect)
      .map(({ s, index }) => ({ index, ...(s.sid ? { sid: s.sid } : {}) }));
  const denies = pick('Deny');
  if (denies.length > 0) return { decision: 'explicitDeny', matched: denies, missingContext };
  const allows = pick('Allow');
  if (allows.length > 0) return { decision: 'allowed', matched: allows, missingContext };
  return { decision: 'implicitDeny', matched: [], missingContext };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PolicyDocumentError(`policy document: not valid JSON: ${(error as Error).message}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
