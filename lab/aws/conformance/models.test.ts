// The trimmed botocore models the conformance check reads agree with an independent, pinned copy of the AWS
// models: the aws-sdk v2 npm package (2.1693.0, apis/*.min.json, built from the same AWS definitions but without
// enums, patterns, min/max or errors, which is why the check reads botocore's). Botocore is newer: it may add
// members; it must not lack one.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { SERVED } from './extract-models.ts';
import { models, type ServiceModel, type ShapeRef, shapeOf } from './models.ts';

interface MinShape {
  type?: string;
  shape?: string;
  members?: Record<string, MinShape & { locationName?: string }>;
  member?: MinShape;
  value?: MinShape;
}
interface MinModel {
  operations: Record<string, { input?: MinShape; output?: MinShape }>;
  shapes: Record<string, MinShape>;
}

const require = createRequire(import.meta.url);

// Members aws-sdk v2 adds to its own copy of a model (SDK customisations, not AWS's API).
const SDK_ONLY = new Set(['GetObject output.ExpiresString', 'HeadObject output.ExpiresString']);

function minModel(uid: string): MinModel {
  return JSON.parse(readFileSync(require.resolve(`aws-sdk/apis/${uid}.min.json`), 'utf8')) as MinModel;
}

/** Member paths the aws-sdk model has and the botocore extract lacks. */
function missing(
  m: ServiceModel,
  ref: ShapeRef,
  min: MinModel,
  other: MinShape,
  path: string,
  seen: Set<string>,
): string[] {
  const resolved = other.shape ? { ...min.shapes[other.shape], ...other, shape: undefined } : other;
  const key = `${ref.shape}|${other.shape ?? path}`;
  if (seen.has(key)) return [];
  seen.add(key);
  const shape = shapeOf(m, ref);
  if (resolved.members) {
    return Object.entries(resolved.members).flatMap(([name, member]) => {
      const mine = shape.members?.[name];
      return mine ? missing(m, mine, min, member, `${path}.${name}`, seen) : [`${path}.${name}`];
    });
  }
  if (resolved.member && shape.member)
    return missing(m, shape.member, min, resolved.member, `${path}[]`, seen);
  if (resolved.value && shape.value) return missing(m, shape.value, min, resolved.value, `${path}{}`, seen);
  return [];
}

describe('the botocore extract against the pinned aws-sdk models', () => {
  for (const [service, { operations }] of Object.entries(SERVED)) {
    it(`${service}: every member aws-sdk knows in the served operations is in the extract`, () => {
      const m = models().get(service) as ServiceModel;
      const uid = (m.metadata as { uid?: string }).uid as string;
      const min = minModel(uid);
      const gaps = operations.flatMap((name) => {
        const op = m.operations[name];
        const other = min.operations[name];
        if (!op || !other) return [`${name}: not in ${op ? 'aws-sdk' : 'the extract'}`];
        return [
          ...(op.input && other.input
            ? missing(m, op.input, min, other.input, `${name} input`, new Set())
            : []),
          ...(op.output && other.output
            ? missing(m, op.output, min, other.output, `${name} output`, new Set())
            : []),
        ];
      });
      expect(gaps.filter((gap) => !SDK_ONLY.has(gap))).toEqual([]);
    });
  }
});
