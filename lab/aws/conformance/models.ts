// The AWS service models the lab is checked against (models/*.json, trimmed from botocore by
// extract-models.ts), and how a request on the lab's one endpoint maps to a service and operation.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ShapeRef {
  shape: string;
  location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  locationName?: string;
  flattened?: boolean;
  xmlAttribute?: boolean;
  timestampFormat?: string;
  resultWrapper?: string;
}

export interface Shape {
  type: string;
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  enum?: string[];
  pattern?: string;
  min?: number;
  max?: number;
  flattened?: boolean;
  payload?: string;
  sensitive?: boolean;
  timestampFormat?: string;
  error?: { code?: string; httpStatusCode?: number };
}

export interface Operation {
  name: string;
  http?: { method: string; requestUri: string; responseCode?: number };
  input?: ShapeRef & { locationName?: string };
  output?: ShapeRef;
  errors?: ShapeRef[];
}

export interface ServiceModel {
  /** Key in models/ (rds, route53, …). */
  service: string;
  source: string;
  metadata: {
    apiVersion: string;
    protocol: string;
    protocols?: string[];
    targetPrefix?: string;
    endpointPrefix: string;
    signingName?: string;
  };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'models');
export const SERVICES = [
  'rds',
  'route53',
  'fis',
  'secretsmanager',
  'cloudwatch',
  'sts',
  'iam',
  'elasticache',
  's3',
] as const;

let loaded: Map<string, ServiceModel> | undefined;

export function models(): Map<string, ServiceModel> {
  loaded ??= new Map(
    SERVICES.map((service) => {
      const model = JSON.parse(readFileSync(join(DIR, `${service}.json`), 'utf8')) as Omit<
        ServiceModel,
        'service'
      >;
      return [service, { ...model, service }];
    }),
  );
  return loaded;
}

export function model(service: string): ServiceModel {
  const found = models().get(service);
  if (!found) throw new Error(`no model for ${service}`);
  return found;
}

export function shapeOf(m: ServiceModel, ref: ShapeRef): Shape {
  const shape = m.shapes[ref.shape];
  if (!shape) throw new Error(`${m.service}: no shape ${ref.shape}`);
  return shape;
}

/** A requestUri template ('/2013-04-01/healthcheck/{HealthCheckId}/status', '/{Bucket}?versions') as a matcher. */
interface UriTemplate {
  operation: Operation;
  path: RegExp;
  labels: string[];
  /** Query keys the template requires (S3 subresources such as `versions`). */
  queryKeys: string[];
  /** Literal characters: the most specific template wins. */
  specificity: number;
}

function template(operation: Operation): UriTemplate {
  const [pathPart = '', queryPart = ''] = (operation.http?.requestUri ?? '/').split('?');
  const labels: string[] = [];
  let specificity = 0;
  const source = pathPart.replace(/\{([^}]+)\}|[^{]+/g, (piece, label: string | undefined) => {
    if (label === undefined) {
      specificity += piece.length;
      return piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
    const greedy = label.endsWith('+');
    labels.push(greedy ? label.slice(0, -1) : label);
    return greedy ? '(.+)' : '([^/]+)';
  });
  const queryKeys = queryPart
    .split('&')
    .filter(Boolean)
    .map((pair) => pair.split('=')[0] as string);
  // The lab answers '/x' and '/x/' alike; AWS's own templates differ only by that slash for a few operations.
  const path = new RegExp(`^${source.replace(/\\?\/$/, '')}/?$`);
  return { operation, path, labels, queryKeys, specificity: specificity + queryKeys.length * 100 };
}

export interface RestMatch {
  operation: Operation;
  labels: Record<string, string>;
}

const templates = new Map<string, UriTemplate[]>();

/** The rest-xml / rest-json operation a method and raw path (still percent-encoded) name, if any. */
export function matchRest(
  m: ServiceModel,
  method: string,
  rawPath: string,
  query: URLSearchParams,
): RestMatch | undefined {
  let list = templates.get(m.service);
  if (!list) {
    list = Object.values(m.operations).map(template);
    templates.set(m.service, list);
  }
  let best: { t: UriTemplate; groups: string[] } | undefined;
  for (const t of list) {
    if (t.operation.http?.method !== method) continue;
    if (!t.queryKeys.every((key) => query.has(key))) continue;
    const found = t.path.exec(rawPath);
    if (found && (!best || t.specificity > best.t.specificity)) best = { t, groups: found.slice(1) };
  }
  if (!best) return undefined;
  const { t, groups } = best;
  return {
    operation: t.operation,
    labels: Object.fromEntries(t.labels.map((label, i) => [label, decodeURIComponent(groups[i] ?? '')])),
  };
}
