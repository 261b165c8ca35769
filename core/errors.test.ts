import { describe, expect, it } from 'vitest';
import {
  DrillError,
  errorMessage,
  formatProblem,
  isAbortError,
  isDrillError,
  TimeoutError,
  toDrillError,
  ValidationError,
} from './errors.ts';

describe('DrillError', () => {
  it('carries its code, message, cause and defaults shortMessage to the message and retryable to false', () => {
    const cause = new Error('socket hang up');
    const e = new DrillError('E_STEP_FAILED', 'step "x" failed: socket hang up', { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('DrillError');
    expect(e.code).toBe('E_STEP_FAILED');
    expect(e.message).toBe('step "x" failed: socket hang up');
    expect(e.shortMessage).toBe('step "x" failed: socket hang up');
    expect(e.retryable).toBe(false);
    expect(e.cause).toBe(cause);
  });

  it('keeps an explicit shortMessage and retryable flag', () => {
    const e = new DrillError('E_PREFLIGHT', 'long\nexplanation', {
      shortMessage: 'preflight failed',
      retryable: true,
    });
    expect(e.shortMessage).toBe('preflight failed');
    expect(e.retryable).toBe(true);
    expect('cause' in e).toBe(false);
  });
});

describe('formatProblem', () => {
  it('joins file, path and message', () => {
    expect(formatProblem({ file: 'scenarios/x.ts', path: 'failover[2].plannedAt', message: 'bad' })).toBe(
      'scenarios/x.ts: failover[2].plannedAt: bad',
    );
  });
  it('leaves the path out when it is empty', () => {
    expect(formatProblem({ file: 'targets/lab.ts', path: '', message: 'expected an object' })).toBe(
      'targets/lab.ts: expected an object',
    );
  });
});

describe('ValidationError', () => {
  it('lists every problem, one per line, under E_VALIDATION', () => {
    const problems = [
      { file: 'scenarios/x.ts', path: 'name', message: 'first' },
      { file: 'scenarios/x.ts', path: '', message: 'second' },
    ];
    const e = new ValidationError(problems);
    expect(e.code).toBe('E_VALIDATION');
    expect(e.name).toBe('ValidationError');
    expect(e.message).toBe('scenarios/x.ts: name: first\nscenarios/x.ts: second');
    expect(e.problems).toEqual(problems);
    expect(e.problems).not.toBe(problems);
    expect(e).toBeInstanceOf(DrillError);
  });
});

describe('TimeoutError', () => {
  it('names what timed out, how long and the setting to raise, in the file', () => {
    const e = new TimeoutError(
      'step "Fail over the global cluster"',
      300_000,
      'failover[1].timeout',
      'scenarios/aurora-outage.ts',
    );
    expect(e.message).toBe(
      'step "Fail over the global cluster" timed out after 5m 00s; raise it with `failover[1].timeout` in scenarios/aurora-outage.ts',
    );
    expect(e.code).toBe('E_TIMEOUT');
    expect(e.retryable).toBe(false);
    expect(e.ms).toBe(300_000);
    expect(e.setting).toBe('failover[1].timeout');
  });
  it('omits the file when none is given', () => {
    expect(new TimeoutError('probe "health"', 2500, '--probe-timeout').message).toBe(
      'probe "health" timed out after 2.5s; raise it with `--probe-timeout`',
    );
  });
});

describe('isAbortError', () => {
  it('recognises the DOMException thrown by an aborted signal', () => {
    const controller = new AbortController();
    controller.abort();
    expect(isAbortError(controller.signal.reason)).toBe(true);
    expect(isAbortError(new DOMException('stop', 'AbortError'))).toBe(true);
  });
  it('recognises the TimeoutError DOMException of AbortSignal.timeout', () => {
    expect(isAbortError(new DOMException('The operation timed out.', 'TimeoutError'))).toBe(true);
  });
  it('recognises SDK-style errors named AbortError and DrillErrors coded E_ABORTED', () => {
    const sdk = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    expect(isAbortError(sdk)).toBe(true);
    expect(isAbortError(new DrillError('E_ABORTED', 'operator abort'))).toBe(true);
  });
  it('decides by code for DrillErrors from another copy of the module', () => {
    const foreignTimeout = Object.assign(new Error('step "x" timed out'), {
      name: 'TimeoutError',
      code: 'E_TIMEOUT',
    });
    expect(isAbortError(foreignTimeout)).toBe(false);
    expect(isAbortError(Object.assign(new Error('abort'), { name: 'DrillError', code: 'E_ABORTED' }))).toBe(
      true,
    );
    // Node's own codes are not ours: the name decides.
    expect(isAbortError(Object.assign(new Error('aborted'), { name: 'AbortError', code: 'ABORT_ERR' }))).toBe(
      true,
    );
  });
  it('rejects our own step timeouts, other errors and non-errors', () => {
    expect(isAbortError(new TimeoutError('step "x"', 1000, 'failover[0].timeout'))).toBe(false);
    expect(isAbortError(new DrillError('E_STEP_FAILED', 'x'))).toBe(false);
    expect(isAbortError(new Error('AbortError'))).toBe(false);
    expect(isAbortError('AbortError')).toBe(false);
    expect(isAbortError(null)).toBe(false);
    expect(isAbortError(undefined)).toBe(false);
  });
});

describe('errorMessage', () => {
  it('prefers shortMessage, then message, then the value as text', () => {
    expect(errorMessage(new DrillError('E_USAGE', 'long', { shortMessage: 'short' }))).toBe('short');
    expect(errorMessage({ shortMessage: 'execa short', message: 'execa long' })).toBe('execa short');
    expect(errorMessage(new Error('plain'))).toBe('plain');
    expect(errorMessage('a string')).toBe('a string');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
    expect(errorMessage(new Error(''))).toBe('Error');
  });
});

describe('isDrillError / toDrillError', () => {
  it('checks the class and optionally the code', () => {
    const e = new DrillError('E_NOT_FOUND', 'no run abc');
    expect(isDrillError(e)).toBe(true);
    expect(isDrillError(e, 'E_NOT_FOUND', 'E_USAGE')).toBe(true);
    expect(isDrillError(e, 'E_USAGE')).toBe(false);
    expect(isDrillError(new Error('x'))).toBe(false);
  });
  it('keeps DrillErrors and wraps anything else with its cause', () => {
    const e = new DrillError('E_NOT_FOUND', 'no run abc');
    expect(toDrillError(e, 'E_STEP_FAILED')).toBe(e);
    const cause = new Error('boom');
    const wrapped = toDrillError(cause, 'E_STEP_FAILED');
    expect(wrapped.code).toBe('E_STEP_FAILED');
    expect(wrapped.message).toBe('boom');
    expect(wrapped.cause).toBe(cause);
    expect(toDrillError('weird').code).toBe('E_INTERNAL');
  });
});
