// Walks a value against a shape and collects every problem, in document order.

import type { Problem } from '../errors.ts';
import { describeValue, joinPath } from './describe.ts';
import { didYouMean } from './suggest.ts';

/** Collects the problems of one file. */
export class Problems {
  readonly list: Problem[] = [];
  constructor(readonly file: string) {}

  add(path: string, message: string): void {
    this.list.push({ file: this.file, path, message });
  }

  /** Adds `expected <what>, got <value>`. */
  expected(path: string, what: string, value: unknown): void {
    this.add(path, `expected ${what}, got ${describeValue(value)}`);
  }
}

/** Checks one value found at `path`; reports into `out`. */
export type Check = (value: unknown, path: string, out: Problems) => void;

export interface Shape {
  /** Known fields, in the order missing ones are reported. */
  fields: Record<string, Check>;
  /** Fields that must be present (their check then sees undefined). Others are skipped when undefined. */
  required?: readonly string[];
  /**
   * `report`: every unknown own field is a problem (plain data written by hand).
   * `typos`: only unknown fields close to a known one (objects built by helpers may carry extras).
   */
  unknownFields: 'report' | 'typos';
  /** Runs after the fields, on the same object (cross-field rules). */
  after?: (value: Record<string, unknown>, path: string, out: Problems) => void;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks `value` against `shape`: own fields in their written order, then known fields that are
 * absent (or inherited, e.g. methods of a class instance). Returns false if `value` is no object.
 */
export function checkObject(
  value: unknown,
  path: string,
  shape: Shape,
  out: Problems,
  what: string,
): boolean {
  if (!isRecord(value)) {
    out.expected(path, what, value);
    return false;
  }
  const known = Object.keys(shape.fields);
  const required = new Set(shape.required ?? []);
  const visit = (key: string, check: Check) => {
    const field = value[key];
    if (field === undefined && !required.has(key)) return;
    check(field, joinPath(path, key), out);
  };
  const own = Object.keys(value);
  for (const key of own) {
    const check = shape.fields[key];
    if (check) {
      visit(key, check);
      continue;
    }
    const suggestion = didYouMean(key, known);
    if (suggestion !== undefined) {
      out.add(joinPath(path, key), `unknown field; did you mean "${suggestion}"?`);
    } else if (shape.unknownFields === 'report') {
      out.add(joinPath(path, key), `unknown field; known fields are ${known.join(', ')}`);
    }
  }
  for (const key of known) if (!own.includes(key)) visit(key, shape.fields[key]!);
  shape.after?.(value, path, out);
  return true;
}

/** An array whose items each pass `item`; `nonEmpty` is the message for an empty array. */
export function arrayOf(what: string, item: Check, nonEmpty?: string): Check {
  return (value, path, out) => {
    if (!Array.isArray(value)) return out.expected(path, `an array of ${what}`, value);
    if (value.length === 0 && nonEmpty !== undefined) return out.add(path, nonEmpty);
    value.forEach((v, i) => {
      item(v, joinPath(path, i), out);
    });
  };
}

/** An object checked against `shape`. */
export function objectOf(what: string, shape: Shape): Check {
  return (value, path, out) => {
    checkObject(value, path, shape, out, what);
  };
}
