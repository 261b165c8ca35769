// Resolve an experiment target (ARNs, tags or parameters, then a selection mode) against the lab's resources.
import type { LabResource } from '../backend.ts';
import { AwsError } from '../protocol/errors.ts';

export interface TargetSpec {
  resourceType: string;
  resourceArns?: string[];
  resourceTags?: Record<string, string>;
  parameters?: Record<string, string>;
  filters?: unknown[];
  selectionMode: string;
}

const SELECTION = /^(ALL|COUNT\((\d+)\)|PERCENT\((\d+)\))$/;

export function validateTarget(name: string, spec: TargetSpec): void {
  if (!spec.resourceType)
    throw new AwsError('ValidationException', 400, `Target ${name}: resourceType is required.`);
  if (!SELECTION.test(spec.selectionMode ?? '')) {
    throw new AwsError(
      'ValidationException',
      400,
      `Target ${name}: selectionMode must be ALL, COUNT(n) or PERCENT(n), got "${spec.selectionMode}".`,
    );
  }
  if (spec.filters?.length) {
    throw new AwsError(
      'ValidationException',
      400,
      `Target ${name}: the lab does not support target filters; select with resourceTags or resourceArns.`,
    );
  }
  if (!spec.resourceArns?.length && !spec.resourceTags && !spec.parameters) {
    throw new AwsError(
      'ValidationException',
      400,
      `Target ${name}: give resourceArns, resourceTags or parameters.`,
    );
  }
  if (spec.resourceType === 'aws:s3:bucket' && spec.resourceArns?.length) {
    throw new AwsError(
      'ValidationException',
      400,
      `Target ${name}: aws:s3:bucket targets are selected by resourceTags only, not resourceArns.`,
    );
  }
  if (spec.resourceArns?.length && spec.resourceTags) {
    throw new AwsError(
      'ValidationException',
      400,
      `Target ${name}: resourceArns and resourceTags cannot be used together.`,
    );
  }
}

function matchesParameters(resource: LabResource, parameters: Record<string, string>): boolean {
  const attributes = resource.attributes ?? {};
  return Object.entries(parameters).every(([key, value]) => {
    if (key === 'selectorType') return true;
    if (key === 'selectorValue') {
      const type = parameters.selectorType ?? 'labelSelector';
      if (type !== 'labelSelector') return attributes[type] === value;
      return value.split(',').every((pair) => {
        const [k, v] = pair.split('=').map((s) => s.trim());
        return k !== undefined && resource.tags[k] === v;
      });
    }
    if (key === 'clusterIdentifier') {
      const cluster = attributes.clusterIdentifier;
      return cluster === value || (cluster !== undefined && value.endsWith(`/${cluster}`));
    }
    return attributes[key] === value;
  });
}

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The resources a target selects now; throws with the reason FIS would give when an ARN does not resolve. */
export function resolveTarget(name: string, spec: TargetSpec, resources: LabResource[]): LabResource[] {
  const ofType = resources.filter((r) => r.type === spec.resourceType);
  let matched: LabResource[];
  if (spec.resourceArns?.length) {
    matched = spec.resourceArns.map((arn) => {
      const found = ofType.find((r) => r.arn === arn);
      if (!found)
        throw new Error(`Target ${name}: resource ${arn} of type ${spec.resourceType} was not found.`);
      return found;
    });
  } else {
    const tags = spec.resourceTags ?? {};
    matched = ofType.filter((r) => Object.entries(tags).every(([k, v]) => r.tags[k] === v));
  }
  if (spec.parameters)
    matched = matched.filter((r) => matchesParameters(r, spec.parameters as Record<string, string>));
  const [, , count, percent] = SELECTION.exec(spec.selectionMode) ?? [];
  if (count !== undefined) return shuffle(matched).slice(0, Number(count));
  if (percent !== undefined)
    return shuffle(matched).slice(0, Math.ceil((matched.length * Number(percent)) / 100));
  return matched;
}
