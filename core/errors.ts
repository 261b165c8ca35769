// Errors with a stable code, a one-line message for the terminal and whether retrying can help.

import { formatDuration } from './duration.ts';

export const ERROR_CODES = [
  'E_VALIDATION',
  'E_USAGE',
  'E_NOT_FOUND',
  'E_TIMEOUT',
  'E_ABORTED',
  'E_STEP_FAILED',
  'E_PROBE_FAILED',
  'E_PREFLIGHT',
  'E_GUARDRAIL',
  'E_INTERNAL',
  'E_DURATION',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface DrillErrorOptions {
  cause?: unknown;
  /** One line for the terminal; defaults to the message. */
  shortMessage?: string;
  /** Whether trying the same thing again may succeed (default false). */
  retryable?: boolean;
}

/** Base of every error the framework raises on purpose. */
export class DrillError extends Error {
  readonly code: ErrorCode;
  readonly shortMessage: string;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, opts: DrillErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DrillError';
    this.code = code;
    this.shortMessage = opts.shortMessage ?? message;
    this.retryable = opts.retryable ?? false;
  }
}

/** One thing wrong in a scenario or target file; `path` like `failover[2].plannedAt`, '' for the whole file. */
export interface Problem {
  file: string;
  path: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  return p.path === '' ? `${p.file}: ${p.message}` : `${p.file}: ${p.path}: ${p.message}`;
}

/** Every problem found in a file at once, one per line in the message. */
export class ValidationError extends DrillError {
  readonly problems: Problem[];

  constructor(problems: Problem[]) {
    const message = problems.map(formatProblem).join('\n');
    super('E_VALIDATION', message);
    this.name = 'ValidationError';
    this.problems = [...problems];
  }
}

/**
 * A deadline passed. The message names the setting that raises it, e.g.
 * `step "Fail over the global cluster" timed out after 5m 00s; raise it with \`failover[1].timeout\` in apps/luneo/scenarios/aurora-outage.ts`
 */
export class TimeoutError extends DrillError {
  readonly ms: number;
  readonly setting: string;

  constructor(what: string, ms: number, setting: string, file?: string) {
    const where = file === undefined ? '' : ` in ${file}`;
    super(
      'E_TIMEOUT',
      `${what} timed out after ${formatDuration(ms)}; raise it with \`${setting}\`${where}`,
      {
        retryable: false,
      },
    );
    this.name = 'TimeoutError';
    this.ms = ms;
    this.setting = setting;
  }
}

function hasName(e: unknown, name: string): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === name;
}

/**
 * True when `e` means "stopped because a signal fired": an AbortError (DOMException or SDK error),
 * the TimeoutError DOMException thrown by `AbortSignal.timeout()`, or a DrillError coded E_ABORTED.
 * A DrillError with any other code (including our own E_TIMEOUT) is not an abort.
 */
export function isAbortError(e: unknown): boolean {
  if (e instanceof DrillError || hasDrillCode(e)) return (e as { code: unknown }).code === 'E_ABORTED';
  return hasName(e, 'AbortError') || hasName(e, 'TimeoutError');
}

/** A DrillError from another copy of this module (e.g. loaded twice by a test runner) still has its code. */
function hasDrillCode(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/** The line to show a human: `shortMessage`, else `message`, else the value as text. */
export function errorMessage(e: unknown): string {
  if (typeof e === 'object' && e !== null) {
    const { shortMessage, message } = e as { shortMessage?: unknown; message?: unknown };
    if (typeof shortMessage === 'string' && shortMessage !== '') return shortMessage;
    if (typeof message === 'string' && message !== '') return message;
  }
  return String(e);
}

/** True when `e` is a DrillError, optionally with one of the given codes. */
export function isDrillError(e: unknown, ...codes: ErrorCode[]): e is DrillError {
  return e instanceof DrillError && (codes.length === 0 || codes.includes(e.code));
}

/** Keeps a DrillError as is; wraps anything else under `code` with the original as `cause`. */
export function toDrillError(e: unknown, code: ErrorCode = 'E_INTERNAL'): DrillError {
  if (e instanceof DrillError) return e;
  return new DrillError(code, errorMessage(e), { cause: e });
}
