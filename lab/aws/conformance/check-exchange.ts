// One request and the lab's answer, checked against the service model: which operation it is, whether the
// client's input fits the input shape, and whether the lab's output or error fits what the operation declares.
import type { IncomingHttpHeaders } from 'node:http';
import { child, parseXml, type XmlElement } from '../protocol/xml.ts';
import { isCommonError } from './common-errors.ts';
import { checkConstraints } from './constraints.ts';
import { fromJson, fromQuery, fromXml, scalarFromText } from './decode.ts';
import {
  matchRest,
  model,
  models,
  type Operation,
  type ServiceModel,
  type ShapeRef,
  shapeOf,
} from './models.ts';
import { Findings, type Violation } from './violations.ts';

export interface Exchange {
  method: string;
  /** Path as sent (still percent-encoded). */
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  signingService: string | undefined;
  reply: { status: number; headers: Record<string, string>; body: string | Uint8Array };
}

export interface Checked {
  /** 'rds.FailoverGlobalCluster', or undefined when the request names no modelled operation. */
  operation: string | undefined;
  violations: Violation[];
}

type Protocol = 'query' | 'json' | 'rest-xml' | 'rest-json';
interface Identified {
  m: ServiceModel;
  op: Operation;
  protocol: Protocol;
  labels: Record<string, string>;
  params?: Map<string, string>;
}

function header(headers: IncomingHttpHeaders | Record<string, string>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function bodyText(body: string | Uint8Array): string {
  return typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
}

/** Which modelled operation the request is, the way the lab routes it (lab/aws/server.ts). */
function identify(x: Exchange): Identified | string {
  const target = header(x.headers, 'x-amz-target');
  if (target) {
    const [prefix, name = ''] = target.split('.');
    const m = [...models().values()].find((s) => s.metadata.targetPrefix === prefix);
    const op = m?.operations[name];
    return m && op ? { m, op, protocol: 'json', labels: {} } : `json ${target}`;
  }
  if (x.signingService === 's3' || x.rawPath.startsWith('/2013-04-01/')) {
    const m = model(x.signingService === 's3' ? 's3' : 'route53');
    const found = matchRest(m, x.method, x.rawPath, x.query);
    return found
      ? { m, op: found.operation, protocol: 'rest-xml', labels: found.labels }
      : `${m.service} ${x.method} ${x.rawPath}`;
  }
  const form = x.method === 'POST' && /(^|&)Action=/.test(x.body.toString('utf8'));
  if (form || (x.method === 'GET' && x.query.has('Action'))) {
    const params = new Map(new URLSearchParams(form ? x.body.toString('utf8') : x.query.toString()));
    const version = params.get('Version');
    const m = [...models().values()].find(
      (s) =>
        s.metadata.apiVersion === version &&
        (s.metadata.protocols ?? [s.metadata.protocol]).includes('query'),
    );
    const op = m?.operations[params.get('Action') ?? ''];
    // Not in the extract: the lab must refuse it (checked in checkExchange), the client's input is not checked.
    if (!m || !op) return `query ${params.get('Action')}@${version}`;
    return { m, op, protocol: 'query', labels: {}, params };
  }
  const fis = model('fis');
  const found = matchRest(fis, x.method, x.rawPath, x.query);
  return found
    ? { m: fis, op: found.operation, protocol: 'rest-json', labels: found.labels }
    : `${x.method} ${x.rawPath}`;
}

// Query parameters the SDKs add that no model lists: S3's operation hint, presigned-URL auth (a presigner hoists
// headers into the query in lower case).
const TRANSPORT_QUERY =
  /^(x-id|X-Amz-(Algorithm|Credential|Date|Expires|SignedHeaders|Signature|Security-Token|Content-Sha256))$/i;

function checkRequest(id: Identified, x: Exchange, f: Findings): void {
  const { m, op } = id;
  if (!op.input) return;
  const input = shapeOf(m, op.input);
  let value: Record<string, unknown> = {};
  const outside = new Set<string>();
  if (id.protocol === 'query') {
    const used = new Set<string>();
    value = (fromQuery(m, op.input, id.params as Map<string, string>, '', used, f) ?? {}) as Record<
      string,
      unknown
    >;
    for (const key of (id.params as Map<string, string>).keys())
      if (key !== 'Action' && key !== 'Version' && !used.has(key) && !TRANSPORT_QUERY.test(key))
        f.add(key, `no such parameter in ${op.input.shape}`);
  } else if (id.protocol === 'json') {
    const text = x.body.toString('utf8');
    try {
      value = (fromJson(m, op.input, text ? JSON.parse(text) : {}, '', f) ?? {}) as Record<string, unknown>;
    } catch {
      f.add('', 'body is not JSON');
      return;
    }
  } else {
    const members = Object.entries(input.members ?? {});
    const queryNames = new Set<string>();
    for (const [name, mr] of members) {
      const wire = mr.locationName ?? name;
      if (mr.location === 'uri') {
        outside.add(name);
        if (id.labels[wire] !== undefined) value[name] = scalarFromText(m, mr, id.labels[wire], name, f);
      } else if (mr.location === 'querystring') {
        queryNames.add(wire);
        const text = x.query.get(wire);
        if (text !== null) value[name] = scalarFromText(m, mr, text, name, f);
      } else if (mr.location === 'header') {
        const text = header(x.headers, wire.toLowerCase());
        if (text !== undefined) value[name] = scalarFromText(m, mr, text, name, f, 'header');
      }
    }
    const templateKeys = (op.http?.requestUri.split('?')[1] ?? '').split('&').map((p) => p.split('=')[0]);
    for (const key of x.query.keys())
      if (!queryNames.has(key) && !templateKeys.includes(key) && !TRANSPORT_QUERY.test(key))
        f.add(key, `no such query parameter in ${op.input.shape}`);
    const text = x.body.toString('utf8');
    const payload = input.payload ? input.members?.[input.payload] : undefined;
    const bodyRef = payload ?? op.input;
    const bodyShape = shapeOf(m, bodyRef);
    if (text && bodyShape.type === 'structure') {
      const decoded = readBody(m, bodyRef, text, id.protocol, f, payload ? (input.payload ?? '') : '');
      if (payload) value[input.payload ?? ''] = decoded;
      else value = { ...value, ...(decoded as Record<string, unknown>) };
    }
  }
  checkConstraints(m, op.input, value, '', f, outside);
}

function readBody(
  m: ServiceModel,
  ref: ShapeRef,
  text: string,
  protocol: Protocol,
  f: Findings,
  path: string,
): unknown {
  try {
    return protocol === 'rest-xml'
      ? fromXml(m, ref, parseXml(text), path, f)
      : fromJson(m, ref, JSON.parse(text), path, f);
  } catch (error) {
    f.add(path, `body does not parse: ${(error as Error).message}`);
    return undefined;
  }
}

function checkOutput(id: Identified, x: Exchange, f: Findings): void {
  const { m, op } = id;
  const expected = op.http?.responseCode ?? 200;
  if (x.reply.status !== expected) f.add('', `HTTP ${x.reply.status}, the model says ${expected}`);
  const text = bodyText(x.reply.body);
  if (!op.output) return;
  const output = shapeOf(m, op.output);
  let value: unknown = {};
  if (id.protocol === 'query') {
    let root: XmlElement;
    try {
      root = parseXml(text);
    } catch (error) {
      f.add('', `body does not parse: ${(error as Error).message}`);
      return;
    }
    if (root.name !== `${op.name}Response`)
      f.add('', `root element <${root.name}>, expected <${op.name}Response>`);
    for (const el of root.children)
      if (el.name !== 'ResponseMetadata' && el.name !== op.output.resultWrapper)
        f.add(el.name, `unexpected element in <${root.name}>`);
    const result = op.output.resultWrapper ? child(root, op.output.resultWrapper) : root;
    value = result ? fromXml(m, op.output, result, '', f) : {};
  } else if (id.protocol === 'json') {
    try {
      value = fromJson(m, op.output, text ? JSON.parse(text) : {}, '', f);
    } catch {
      f.add('', 'body is not JSON');
      return;
    }
  } else {
    const payload = output.payload ? output.members?.[output.payload] : undefined;
    const bodyRef = payload ?? op.output;
    const record: Record<string, unknown> = {};
    if (text && shapeOf(m, bodyRef).type === 'structure') {
      const decoded = readBody(m, bodyRef, text, id.protocol, f, payload ? (output.payload as string) : '');
      if (payload) record[output.payload as string] = decoded;
      else Object.assign(record, decoded);
    }
    for (const [name, mr] of Object.entries(output.members ?? {})) {
      if (mr.location !== 'header') continue;
      const found = header(x.reply.headers, (mr.locationName ?? name).toLowerCase());
      if (found !== undefined) record[name] = scalarFromText(m, mr, found, name, f, 'header');
    }
    value = record;
  }
  const outside = new Set(
    Object.entries(output.members ?? {})
      .filter(([, mr]) => mr.location)
      .map(([n]) => n),
  );
  checkConstraints(m, op.output, value, '', f, outside);
}

/** The error code as the SDK of this protocol reads it (and, for query-compatible JSON, the query code too). */
function errorCodes(id: Identified, x: Exchange): string[] {
  const text = bodyText(x.reply.body);
  if (id.protocol === 'json') {
    const codes: string[] = [];
    try {
      const type = (JSON.parse(text) as { __type?: string }).__type;
      if (type) codes.push(type.slice(type.indexOf('#') + 1).split(':')[0] as string);
    } catch {}
    const queryError = header(x.reply.headers, 'x-amzn-query-error');
    if (queryError) codes.push(queryError.split(';')[0] as string);
    return codes;
  }
  if (id.protocol === 'rest-json') {
    const type = header(x.reply.headers, 'x-amzn-errortype');
    return type ? [type.split(':')[0] as string] : [];
  }
  if (!text) return [];
  try {
    const root = parseXml(text);
    const code = (
      root.name === 'Error' ? child(root, 'Code') : child(child(root, 'Error'), 'Code')
    )?.text.trim();
    return code ? [code] : [];
  } catch {
    return [];
  }
}

function checkError(id: Identified, x: Exchange, f: Findings): void {
  const { m, op } = id;
  const codes = errorCodes(id, x);
  if (codes.length === 0 && x.method !== 'HEAD')
    f.add('', `HTTP ${x.reply.status} error without an error code`);
  for (const code of codes) {
    const declared = (op.errors ?? []).find(
      (ref) => ref.shape === code || m.shapes[ref.shape]?.error?.code === code,
    );
    if (declared) {
      const status = m.shapes[declared.shape]?.error?.httpStatusCode;
      if (status !== undefined && status !== x.reply.status)
        f.add('', `${code} answered with HTTP ${x.reply.status}, the model says ${status}`);
    } else if (!isCommonError(m.service, code)) {
      f.add('', `${code} is neither an error ${op.name} declares nor a common error`);
    }
  }
}

export function checkExchange(x: Exchange): Checked {
  const id = identify(x);
  if (typeof id === 'string') {
    // The lab answers what it does not serve with an error; a success here is an operation the models lack.
    const problem = 'answered with success an operation the models extract does not have';
    return {
      operation: undefined,
      violations:
        x.reply.status < 300 ? [{ operation: id, message: 'response', path: '(root)', problem }] : [],
    };
  }
  const name = `${id.m.service}.${id.op.name}`;
  const request = new Findings(name, 'request');
  const answer = new Findings(name, x.reply.status >= 300 ? 'error' : 'response');
  checkRequest(id, x, request);
  if (x.reply.status >= 300) checkError(id, x, answer);
  else checkOutput(id, x, answer);
  return { operation: name, violations: [...request.list, ...answer.list] };
}
