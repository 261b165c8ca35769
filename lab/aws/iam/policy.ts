// IAM identity-policy evaluation, as the policy simulator does it for one principal with one policy:
// an explicit Deny wins, then any Allow, else the default implicit deny. Action and Resource (and their
// Not forms) match with `*` and `?` wildcards; actions ignore case, resources do not. Conditions are
// refused when the policy is parsed: the lab evaluates no request context.

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
}

export interface Policy {
  /** Names the policy in MatchedStatements, e.g. `luneo-drill-policy`. */
  id: string;
  statements: PolicyStatement[];
}

export interface Evaluation {
  decision: EvalDecision;
  /** The statements that decided: the Deny ones for explicitDeny, the Allow ones for allowed. */
  matched: { index: number; sid?: string }[];
}

/** A policy document the lab will not evaluate; the message names the field. */
export class PolicyDocumentError extends Error {
  readonly code = 'MalformedPolicyDocument';
}

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource']);

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
    if (key === 'Condition')
      throw new PolicyDocumentError(`${where}.Condition: the lab's policy simulator evaluates no conditions`);
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
  return statement;
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

/** Whether one statement applies to (action, resource), whatever its effect. */
export function statementApplies(s: PolicyStatement, action: string, resource: string): boolean {
  const actionOk = s.action ? actionMatches(s.action, action) : !actionMatches(s.notAction ?? [], action);
  if (!actionOk) return false;
  return s.resource ? resourceMatches(s.resource, resource) : !resourceMatches(s.notResource ?? [], resource);
}

/** The simulator's decision for one action on one resource (`*` when the caller names none). */
export function evaluate(policy: Policy, action: string, resource: string): Evaluation {
  const applying = policy.statements
    .map((s, index) => ({ s, index }))
    .filter(({ s }) => statementApplies(s, action, resource));
  const pick = (effect: PolicyStatement['effect']) =>
    applying
      .filter(({ s }) => s.effect === effect)
      .map(({ s, index }) => ({ index, ...(s.sid ? { sid: s.sid } : {}) }));
  const denies = pick('Deny');
  if (denies.length > 0) return { decision: 'explicitDeny', matched: denies };
  const allows = pick('Allow');
  if (allows.length > 0) return { decision: 'allowed', matched: allows };
  return { decision: 'implicitDeny', matched: [] };
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
