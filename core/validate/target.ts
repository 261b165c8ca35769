// The shape of a target file; live targets must carry their guardrails.

import type { Problem } from '../errors.ts';
import { safety } from '../safety/validate.ts';
import { joinPath } from './describe.ts';
import { bool, fn, kebabName, oneOf, text } from './fields.ts';
import { objectivesShape } from './objectives.ts';
import { arrayOf, type Check, checkObject, isRecord, objectOf, Problems, type Shape } from './walk.ts';

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
const ACCOUNT_ID = /^\d{12}$/;

function uniqueStrings(what: string, pattern: RegExp, itemWhat: string): Check {
  return (value, path, out) => {
    const seen = new Set<string>();
    const item: Check = (v, at) => {
      if (typeof v !== 'string' || !pattern.test(v)) return out.expected(at, itemWhat, v);
      if (seen.has(v)) out.add(at, `${JSON.stringify(v)} is listed twice`);
      seen.add(v);
    };
    arrayOf(what, item, `must list at least one ${what.replace(/s$/, '')}`)(value, path, out);
  };
}

const regions = uniqueStrings('regions', REGION, 'an AWS region name like "eu-west-1"');
const accountIds = uniqueStrings(
  'account ids',
  ACCOUNT_ID,
  'a 12-digit AWS account id as a string like "123456789012"',
);

const endpoint: Check = (value, path, out) => {
  let ok = false;
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      ok = (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      ok = false;
    }
  }
  if (!ok) out.expected(path, 'an http(s) URL like "http://127.0.0.1:4566"', value);
};

function awsShape(target: Record<string, unknown>): Shape {
  return {
    fields: { regions, accountIds, endpoint },
    required: ['regions'],
    unknownFields: 'report',
    // Guardrail: a live drill must know which accounts it may touch (checked with STS before anything).
    after(aws, path, out) {
      if (target.kind === 'live' && aws.accountIds === undefined) {
        out.add(
          joinPath(path, 'accountIds'),
          'a live target must list the AWS account ids it may touch, e.g. ["123456789012"] (guardrail against drilling the wrong account)',
        );
      }
    },
  };
}

const contexts: Check = (value, path, out) => {
  if (!isRecord(value))
    return out.expected(path, 'an object of kube contexts like { primary: "luneo-prod-eks-primary" }', value);
  const entries = Object.entries(value);
  if (entries.length === 0)
    return out.add(path, 'must name at least one kube context, e.g. { primary: "luneo-prod-eks-primary" }');
  for (const [key, context] of entries) {
    if (typeof context !== 'string' || context.trim() === '') {
      out.expected(joinPath(path, key), 'a non-empty kube context name', context);
    }
  }
};

const kubeShape: Shape = {
  fields: { contexts, kubeconfig: text('path to the kubeconfig file') },
  required: ['contexts'],
  unknownFields: 'report',
};

const resources: Check = (value, path, out) => {
  if (!isRecord(value)) out.expected(path, 'an object binding logical names to real resources', value);
};

function targetShape(target: Record<string, unknown>): Shape {
  return {
    fields: {
      name: kebabName('staging'),
      description: text('what and where this target is'),
      kind: oneOf(['lab', 'live']),
      aws: objectOf('{ regions: [...] } with the primary region first', awsShape(target)),
      kube: objectOf('{ contexts: { ... } }', kubeShape),
      objectives: objectOf('objectives like { rto: "30m" }', objectivesShape(false)),
      resources,
      connect: fn("resolving what the target learns once it is up, e.g. the lab's endpoints"),
      prepare: fn('getting the target ready, e.g. starting an ephemeral lab'),
      prepareAhead: fn('starting what prepare() adopts, while the drill starts up'),
      autoConfirm: bool,
      safety,
    },
    required: ['name', 'description', 'kind', 'aws', 'resources'],
    unknownFields: 'report',
  };
}

/** Every problem of a target at once, in document order; [] when it is valid. */
export function validateTarget(value: unknown, file: string): Problem[] {
  const out = new Problems(file);
  const what = 'a target (export default defineTarget({ ... }))';
  checkObject(value, '', targetShape(isRecord(value) ? value : {}), out, what);
  return out.list;
}
