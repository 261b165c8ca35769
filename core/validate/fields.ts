// Checks for the field kinds that scenarios and targets share.

import { parseDuration } from '../duration.ts';
import { describeValue, listChoices } from './describe.ts';
import type { Check } from './walk.ts';

export const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** The wording of DurationError (core/duration.ts), so files and the command line read alike. */
export const DURATION_EXPECTED = 'a duration like "5m", "300s" or "PT5M"';
export const RUNBOOK_REF = /^§[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*$/;

/** A kebab-case name, e.g. kebabName('aurora-outage'). */
export function kebabName(example: string, noun = 'name'): Check {
  return (value, path, out) => {
    if (typeof value !== 'string' || !KEBAB_CASE.test(value)) {
      out.expected(path, `a kebab-case ${noun} like ${JSON.stringify(example)}`, value);
    }
  };
}

/** A string with something in it; `role` explains what it is for. */
export function text(role: string): Check {
  return (value, path, out) => {
    if (typeof value !== 'string' || value.trim() === '')
      out.expected(path, `a non-empty string (${role})`, value);
  };
}

/** A function, e.g. fn("the step's action"). */
export function fn(role: string): Check {
  return (value, path, out) => {
    if (typeof value !== 'function') out.expected(path, `a function (${role})`, value);
  };
}

export const bool: Check = (value, path, out) => {
  if (typeof value !== 'boolean') out.expected(path, 'true or false', value);
};

export function oneOf(values: readonly string[]): Check {
  return (value, path, out) => {
    if (typeof value !== 'string' || !values.includes(value)) out.expected(path, listChoices(values), value);
  };
}

export const runbookRef: Check = (value, path, out) => {
  if (typeof value !== 'string' || !RUNBOOK_REF.test(value)) {
    out.expected(path, 'a runbook reference like "§6.1"', value);
  }
};

/** Milliseconds of a duration string, or undefined if it is not one. */
export function durationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseDuration(value);
  } catch {
    return undefined;
  }
}

/** A duration string; `positive` refuses "0s" (timeouts, intervals, windows). */
export function duration(opts: { positive: boolean }): Check {
  return (value, path, out) => {
    const ms = durationMs(value);
    if (ms === undefined) return out.expected(path, DURATION_EXPECTED, value);
    if (opts.positive && ms <= 0) out.add(path, `must be longer than 0, got ${describeValue(value)}`);
  };
}

/** A number strictly between 0 and 1, e.g. an availability SLO. */
export const fraction: Check = (value, path, out) => {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    out.expected(path, 'a fraction between 0 and 1 like 0.999', value);
  }
};
