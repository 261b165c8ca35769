// The HTTP face of one cluster's API server: routes discovery and resource paths to KubeApi, negotiates
// JSON / Table / metadata, streams watches and pod logs.
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type KubeApi, PATCH_TYPES } from './api.ts';
import { type Authorizer, forbiddenMessage, type RequestAttributes, requestVerb } from './authorization.ts';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  coreVersions,
  openApiV3Document,
  openApiV3Root,
  versionInfo,
} from './discovery.ts';
import { badRequest, KubeApiError } from './errors.ts';
import { negotiate, type Representation } from './negotiate.ts';
import { type ResourceType, resourceByPlural, servedBy } from './resources.ts';
import type { ObjectStore } from './store.ts';
import { type IncludeObject, toTable } from './table.ts';
import type { KubeObject } from './types.ts';
import { serveWatch } from './watch.ts';

export interface ApiServerDeps {
  store: ObjectStore;
  api: KubeApi;
  /** Log file of a pod's container (current or previous run), for pods/{name}/log. */
  logFileOf: (uid: string, container: string | undefined, previous: boolean) => string | undefined;
  trace?: (line: string) => void;
  /** CRDs this cluster installed (`rollouts.argoproj.io`, ...): others are unknown resources (404). */
  customResources?: ReadonlySet<string>;
  /** Who may do what (authorization.ts); absent: every request is allowed. */
  authorizer?: Authorizer;
}

interface Route {
  resource: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`error decoding request body: ${(error as Error).message}`);
  }
}

const SSAR_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

/** /api/v1/... or /apis/<group>/<version>/... into resource, namespace, name and subresource. */
function route(parts: string[], served: (r: ResourceType) => boolean): Route | undefined {
  let group = '';
  let version: string | undefined;
  let rest: string[];
  if (parts[0] === 'api') {
    version = parts[1];
    rest = parts.slice(2);
  } else {
    group = parts[1] ?? '';
    version = parts[2];
    rest = parts.slice(3);
  }
  if (!version || rest.length === 0) return undefined;
  if (rest[0] === 'watch') rest = rest.slice(1);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && resourceByPlural(group, version, rest[2]!, served)) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = resourceByPlural(group, version, rest[0]!, served);
  if (!resource || rest.length > 3) return undefined;
  return { resource, namespace, name: rest[1], subresource: rest[2] };
}

export class ApiServer {
  private readonly server: Server;
  private readonly watches = new Set<() => void>();
  private readonly served: (r: ResourceType) => boolean;

  constructor(private readonly deps: ApiServerDeps) {
    this.served = servedBy(deps.customResources ?? new Set());
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        const apiError =
          error instanceof KubeApiError
            ? error
            : new KubeApiError('InternalError', `Internal error occurred: ${(error as Error).message}`);
        if (!res.headersSent) send(res, apiError.httpStatus, apiError.toStatus());
        else res.end();
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  async close(): Promise<void> {
    for (const stop of this.watches) stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    this.deps.trace?.(
      `${method} ${url.pathname}${url.search} accept=${req.headers.accept ?? ''} type=${req.headers['content-type'] ?? ''}`,
    );
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const discovery = this.discovery(parts, url.pathname);
    if (discovery !== undefined) {
      if (typeof discovery === 'string') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(discovery);
      } else if (discovery === null)
        throw new KubeApiError('NotFound', 'the server could not find the requested resource');
      else send(res, 200, discovery);
      return;
    }
    if (method === 'POST' && url.pathname.replace(/\/$/, '') === SSAR_PATH)
      return this.selfSubjectAccessReview(req, res);
    const r = route(parts, this.served);
    if (!r) throw new KubeApiError('NotFound', 'the server could not find the requested resource');
    this.authorize(r, method, url);
    const representation = negotiate(req.headers.accept);
    if (!representation)
      throw new KubeApiError(
        'NotAcceptable',
        `only application/json is served here, not ${req.headers.accept}`,
      );
    const query = url.searchParams;
    const body = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
    const contentType = req.headers['content-type'] ?? '';
    if (
      (method === 'POST' || method === 'PUT') &&
      body !== '' &&
      contentType !== '' &&
      !contentType.includes('json')
    ) {
      // kubectl's typed clients (kubectl create configmap|secret|deployment ...) send protobuf bodies.
      throw new KubeApiError(
        'UnsupportedMediaType',
        `the lab's API server reads JSON bodies only, not ${contentType}: use kubectl apply -f (or kubectl create ... --dry-run=client -o yaml | kubectl apply -f -)`,
      );
    }
    await this.resource(r, method, req, res, query, body, representation, url.pathname.includes('/watch/'));
  }

  /** Non-resource paths; undefined when the path is a resource path, null for an unknown discovery path. */
  private discovery(parts: string[], path: string): object | string | null | undefined {
    if (path === '/version' || path === '/version/') return versionInfo();
    if (['/healthz', '/livez', '/readyz'].includes(path)) return 'ok';
    if (path === '/api' || path === '/api/') return coreVersions();
    if (path === '/apis' || path === '/apis/') return apiGroupList(this.served);
    if (parts[0] === 'openapi') {
      if (parts[1] === 'v3' && parts.length === 2) return openApiV3Root(this.served);
      if (parts[1] === 'v3' && parts[2] === 'api')
        return openApiV3Document('', parts[3] ?? '', this.served) ?? null;
      if (parts[1] === 'v3' && parts[2] === 'apis')
        return openApiV3Document(parts[3] ?? '', parts[4] ?? '', this.served) ?? null;
      return null;
    }
    if (parts[0] === 'api' && parts.length === 2) return apiResourceList('', parts[1]!, this.served) ?? null;
    if (parts[0] === 'apis' && parts.length === 2) return apiGroup(parts[1]!, this.served) ?? null;
    if (parts[0] === 'apis' && parts.length === 3)
      return apiResourceList(parts[1]!, parts[2]!, this.served) ?? null;
    if (parts[0] !== 'api' && parts[0] !== 'apis') return null;
    return undefined;
  }

  private async resource(
    r: Route,
    method: string,
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
    body: string,
    representation: Representation,
    watchPath: boolean,
  ): Promise<void> {
    const { api } = this.deps;
    const { resource, namespace, name, subresource } = r;
    const allowed = (verb: string) => {
      if (!resource.verbs.includes(verb)) {
        throw new KubeApiError(
          'MethodNotAllowed',
          `the server does not allow this method on the requested resource`,
        );
      }
    };
    if (resource.namespaced && name !== undefined && namespace === undefined) {
      throw new KubeApiError('NotFound', 'the server could not find the requested resource');
    }
    const include = (query.get('includeObject') as IncludeObject | null) ?? 'Metadata';
    const respond = (status: number, obj: KubeObject | object, kind = resource.kind) => {
      const typed = obj as KubeObject;
      if (representation === 'table' && typed.metadata !== undefined && 'items' in typed) {
        const list = typed as unknown as { items: KubeObject[]; metadata: { resourceVersion: string } };
        return send(res, status, toTable(kind, list.items, list.metadata.resourceVersion, include));
      }
      if (representation === 'table' && typed.kind === kind)
        return send(res, status, toTable(kind, [typed], typed.metadata.resourceVersion ?? '', include));
      if (representation === 'metadata' && 'items' in typed) {
        const list = typed as unknown as { items: KubeObject[]; metadata: object };
        return send(res, status, {
          kind: 'PartialObjectMetadataList',
          apiVersion: 'meta.k8s.io/v1',
          metadata: list.metadata,
          items: list.items.map((o) => ({
            kind: 'PartialObjectMetadata',
            apiVersion: 'meta.k8s.io/v1',
            metadata: o.metadata,
          })),
        });
      }
      if (representation === 'metadata' && typed.kind === kind)
        return send(res, status, {
          kind: 'PartialObjectMetadata',
          apiVersion: 'meta.k8s.io/v1',
          metadata: typed.metadata,
        });
      return send(res, status, obj);
    };

    const methodNotAllowed = () =>
      new KubeApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
    if (name === undefined) {
      const watching = watchPath || query.get('watch') === 'true' || query.get('watch') === '1';
      const verb = { GET: watching ? 'watch' : 'list', POST: 'create', DELETE: 'deletecollection' }[method];
      if (!verb) throw methodNotAllowed();
      allowed(verb);
      if (verb === 'watch') {
        const stop = serveWatch(this.deps.store, { resource, namespace, query, representation }, res);
        this.watches.add(stop);
        res.on('close', () => this.watches.delete(stop));
      } else if (verb === 'list') respond(200, api.list(resource, namespace, query));
      else if (verb === 'create') respond(201, api.create(resource, namespace, parseJson(body), query));
      else respond(200, api.deleteCollection(resource, namespace, query));
      return;
    }

    const target = { resource, namespace, name };
    const contentType = req.headers['content-type'] ?? '';
    if (subresource === undefined) {
      const verb = { GET: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method];
      if (!verb) throw methodNotAllowed();
      allowed(verb);
      if (verb === 'get') respond(200, api.get(target));
      else if (verb === 'update') respond(200, api.replace(target, parseJson(body), query));
      else if (verb === 'delete') respond(200, api.delete(target, parseJson(body), query));
      else {
        const existed =
          this.deps.store.get(resource.kind, resource.namespaced ? namespace : undefined, name) !== undefined;
        const patched = await api.patch(target, contentType, body, query);
        respond(existed ? 200 : 201, patched);
      }
      return;
    }
    if (!resource.subresources?.includes(subresource))
      throw new KubeApiError('NotFound', 'the server could not find the requested resource');
    if (subresource === 'scale') {
      if (method === 'GET') return send(res, 200, api.getScale(target));
      if (method === 'PUT' || method === 'PATCH') {
        if (method === 'PATCH' && !PATCH_TYPES.some((t) => contentType.startsWith(t))) {
          throw new KubeApiError(
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
          );
        }
        return send(res, 200, await api.updateScale(target, method, contentType, body));
      }
    }
    if (subresource === 'status') {
      if (method === 'GET') return send(res, 200, api.get(target));
      if (method === 'PUT' || method === 'PATCH')
        return send(res, 200, await api.updateStatus(target, method, contentType, body));
    }
    if (subresource === 'log' && method === 'GET') return this.podLog(target, query, res);
    throw new KubeApiError(
      'MethodNotAllowed',
      `the server does not allow this method on the requested resource`,
    );
  }

  /** Every resource request is authorized before it is served: a denied one is 403 Forbidden. */
  private authorize(r: Route, method: string, url: URL): void {
    const authorizer = this.deps.authorizer;
    if (!authorizer) return;
    const watching =
      url.pathname.includes('/watch/') || ['true', '1'].includes(url.searchParams.get('watch') ?? '');
    const verb = requestVerb(method, r.name !== undefined, watching);
    if (!verb) return;
    const attributes: RequestAttributes = {
      verb,
      group: r.resource.group,
      resource: r.resource.plural,
      ...(r.subresource ? { subresource: r.subresource } : {}),
      ...(r.resource.namespaced && r.namespace ? { namespace: r.namespace } : {}),
      ...(r.name ? { name: r.name } : {}),
    };
    const decision = authorizer.authorize(attributes);
    if (!decision.allowed)
      throw new KubeApiError('Forbidden', forbiddenMessage(attributes, decision.reason), {
        ...(r.name ? { name: r.name } : {}),
        group: r.resource.group,
        kind: r.resource.plural,
      });
  }

  /** POST selfsubjectaccessreviews: the authorizer's decision on spec.resourceAttributes, for the caller. */
  private async selfSubjectAccessReview(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const review = parseJson(await readBody(req)) as
      | { spec?: { resourceAttributes?: Partial<RequestAttributes> & { version?: string } } }
      | undefined;
    const asked = review?.spec?.resourceAttributes;
    if (!asked)
      throw new KubeApiError(
        'Invalid',
        'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
      );
    const self = this.deps.authorizer?.authorize({
      verb: 'create',
      group: 'authorization.k8s.io',
      resource: 'selfsubjectaccessreviews',
    });
    if (self && !self.allowed)
      throw new KubeApiError(
        'Forbidden',
        forbiddenMessage(
          { verb: 'create', group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' },
          self.reason,
        ),
      );
    const decision = this.deps.authorizer?.authorize({
      verb: asked.verb ?? '',
      group: asked.group ?? '',
      resource: asked.resource ?? '',
      ...(asked.subresource ? { subresource: asked.subresource } : {}),
      ...(asked.namespace ? { namespace: asked.namespace } : {}),
      ...(asked.name ? { name: asked.name } : {}),
    }) ?? { allowed: true, reason: '' };
    send(res, 201, {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: review?.spec,
      status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) },
    });
  }

  private podLog(
    target: { resource: ResourceType; namespace: string | undefined; name: string },
    query: URLSearchParams,
    res: ServerResponse,
  ): void {
    const pod = this.deps.api.get(target);
    const previous = query.get('previous') === 'true';
    const file = this.deps.logFileOf(pod.metadata.uid!, query.get('container') ?? undefined, previous);
    if (!file || !existsSync(file)) {
      throw new KubeApiError(
        'BadRequest',
        `${previous ? 'previous terminated' : 'current'} container log of pod "${target.name}" is not available`,
      );
    }
    let text = readFileSync(file, 'utf8');
    const tail = Number(query.get('tailLines') ?? Number.NaN);
    if (Number.isFinite(tail))
      text = text
        .split('\n')
        .slice(-(tail + 1))
        .join('\n');
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    if (query.get('follow') !== 'true') {
      res.end(text);
      return;
    }
    res.flushHeaders();
    res.write(text);
    // follow: stream what the process appends until the client leaves.
    let offset = Buffer.byteLength(readFileSync(file));
    const timer = setInterval(() => {
      const stream = createReadStream(file, { start: offset });
      stream.on('data', (chunk) => {
        offset += chunk.length;
        res.write(chunk);
      });
    }, 250);
    res.on('close', () => clearInterval(timer));
    this.watches.add(() => {
      clearInterval(timer);
      res.end();
    });
  }
}
