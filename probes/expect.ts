// Field-by-field comparison of a response with what the probe expects, in one readable failure line.
import type { JsonValue } from '../core/model.ts';
import type { HttpReply } from './http.ts';
import { ProbeFailure } from './outcome.ts';
import { safeText } from './resolve.ts';

export interface FieldCheck {
  /** How the field is named in the message, e.g. "database.role". */
  label: string;
  got: unknown;
  /** undefined: not checked. */
  want: unknown;
}

/** Throws `GET <url> returned 200 but region is "a" (expected "b"), …` when any checked field differs. */
export function expectFields(reply: HttpReply, checks: FieldCheck[], data?: JsonValue): void {
  const wrong = checks.filter((c) => c.want !== undefined && c.got !== c.want);
  if (wrong.length === 0) return;
  const parts = wrong.map((c) => `${c.label} is ${show(c.got)} (expected ${show(c.want)})`);
  throw new ProbeFailure(
    `${reply.method} ${safeText(reply.url)} returned ${reply.status} but ${parts.join(', ')}`,
    data,
  );
}

export function show(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

/** Reads a nested field: `pick(body, 'database', 'role')`. */
export function pick(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A JSON-safe copy of a scalar (undefined → null). */
export function scalar(value: unknown): JsonValue {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : null;
}
