// What the lab's AWS endpoint needs of each service, and how it finds the service of a request. Each service
// folder exports one LabAwsService (its binding.ts); server.ts builds them and iterates this registry, so a new
// service is one more binding, not one more branch in the server.
import type { AwsReply, AwsRequest } from './context.ts';
import { AwsError, requestId } from './protocol/errors.ts';
import { awsJsonError, restJsonError } from './protocol/json.ts';
import { QueryParams, queryError, queryResponse } from './protocol/query.ts';
import type { AuthFamily } from './protocol/sigv4-errors.ts';

export const JSON_10 = 'application/x-amz-json-1.0';
export const JSON_11 = 'application/x-amz-json-1.1';
/** The namespace of a query error for a version no service claims (CloudWatch's, as before the registry). */
const FALLBACK_QUERY_NAMESPACE = 'http://monitoring.amazonaws.com/doc/2010-08-01/';

/** How to run one request and how to render an error in its service's wire shape. */
export interface Route {
  label: string;
  run(): Promise<AwsReply>;
  fail(error: AwsError): AwsReply;
  throttleCode: string;
  throttleStatus?: number;
  /** How the service refuses a bad signature, and the signing name its requests must be scoped to. */
  auth: { family: AuthFamily; service?: string };
}

/** AWS query protocol (form-encoded Action=…&Version=…, XML answers). */
export interface QueryBinding {
  version: string;
  namespace: string;
  /** The result element's inner XML; absent: the service is not set up in this lab (InvalidAction). */
  handle?(params: QueryParams, request: AwsRequest): Promise<string> | string;
}

/** AWS JSON protocol (X-Amz-Target: <prefix>.<Operation>). */
export interface JsonBinding {
  targetPrefix: string;
  contentType: string;
  fail(error: AwsError): AwsReply;
  throttleCode: string;
  /** The answer's JSON, for the operation and the parsed body. */
  handle(operation: string, input: Record<string, unknown>, request: AwsRequest): unknown;
}

/** REST protocols (rest-xml, rest-json): the service claims requests by path or by signing scope. */
export interface RestBinding {
  /** Claimed before any other protocol is looked at (S3: its paths are bucket names, which may look like any route). */
  first?: boolean;
  claims(request: AwsRequest): boolean;
  route(request: AwsRequest): Route;
}

export interface LabAwsService {
  /** The signing name (credential scope service) and the label its log lines start with. */
  name: string;
  query?: QueryBinding;
  json?: JsonBinding;
  rest?: RestBinding;
  /** Background work (health checkers, alarm evaluation) started once the endpoint listens. */
  start?(): void;
  stop?(): Promise<void> | void;
}

export function xmlReply(reply: { status: number; contentType: string; body: string }, id: string): AwsReply {
  return {
    status: reply.status,
    headers: { 'content-type': reply.contentType, 'x-amzn-requestid': id },
    body: reply.body,
  };
}

function queryRoute(services: readonly LabAwsService[], params: QueryParams, request: AwsRequest): Route {
  const id = requestId();
  const version = params.version;
  // The version names the service; without a known one, the signing scope does.
  const owner =
    services.find((s) => s.query && s.query.version === version) ??
    services.find((s) => s.query && s.name === request.signingService);
  const service = owner?.name ?? request.signingService;
  const namespace = owner?.query?.namespace ?? FALLBACK_QUERY_NAMESPACE;
  const fail = (error: AwsError) => xmlReply(queryError(error, namespace, id), id);
  const run = async (): Promise<AwsReply> => {
    const action = params.action ?? '';
    const handle = owner?.query?.handle;
    if (!handle) {
      throw new AwsError(
        'InvalidAction',
        400,
        `Unknown query API version ${version ?? '(none)'} for action ${action}.`,
      );
    }
    const result = await handle(params, request);
    return xmlReply(queryResponse(action, namespace, result, id), id);
  };
  const auth = { family: 'query' as const, ...(params.action && version ? { service } : {}) };
  return { label: `${service}.${params.action}`, run, fail, throttleCode: 'Throttling', auth };
}

function jsonRoute(services: readonly LabAwsService[], target: string, request: AwsRequest): Route {
  const [prefix, operation = ''] = target.split('.');
  const owner = services.find((s) => s.json?.targetPrefix === prefix);
  const json = owner?.json;
  if (!owner || !json) {
    return {
      label: target,
      run: async () => {
        throw new AwsError('UnknownOperationException', 400, `The lab serves no JSON target ${target}.`);
      },
      fail: (e) => awsJsonError(e, JSON_10),
      throttleCode: 'ThrottlingException',
      auth: { family: 'json' },
    };
  }
  return {
    label: `${owner.name}.${operation}`,
    run: async () => {
      const input = (request.body.length > 0 ? JSON.parse(request.body.toString('utf8')) : {}) as Record<
        string,
        unknown
      >;
      return {
        status: 200,
        headers: { 'content-type': json.contentType },
        body: JSON.stringify(json.handle(operation, input, request)),
      };
    },
    fail: json.fail,
    throttleCode: json.throttleCode,
    auth: { family: 'json', service: owner.name },
  };
}

/** The route of a request: REST services that claim first, JSON targets, REST paths, query actions, else unknown. */
export function routeRequest(services: readonly LabAwsService[], request: AwsRequest): Route {
  const first = services.find((s) => s.rest?.first && s.rest.claims(request));
  if (first?.rest) return first.rest.route(request);
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return jsonRoute(services, target, request);
  const rest = services.find((s) => s.rest && !s.rest.first && s.rest.claims(request));
  if (rest?.rest) return rest.rest.route(request);
  const body = request.body.toString('utf8');
  if (request.method === 'POST' && /(^|&)Action=/.test(body))
    return queryRoute(services, new QueryParams(body), request);
  if (request.method === 'GET' && request.query.has('Action'))
    return queryRoute(services, new QueryParams(request.query.toString()), request);
  return {
    label: `${request.method} ${request.path}`,
    run: async () => {
      throw new AwsError(
        'UnknownOperationException',
        400,
        `The lab AWS endpoint does not serve ${request.method} ${request.path}.`,
      );
    },
    fail: restJsonError,
    throttleCode: 'ThrottlingException',
    auth: { family: 'rest-json' },
  };
}
