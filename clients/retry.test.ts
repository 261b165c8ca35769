import { describe, expect, it } from 'vitest';
import { ClientError } from './errors.ts';
import { backoffDelay, classifyError, withRetry } from './retry.ts';
import { awsError } from './testing.ts';

const site = { service: 'rds', operation: 'DescribeGlobalClusters', scope: 'us-east-1' };
const retryable = () =>
  new ClientError({ code: 'E_THROTTLED', message: 'slow down', ...site, retryable: true });

describe('classifyError', () => {
  it.each([
    ['Throttling', 400, 'throttling'],
    ['ThrottlingException', 400, 'throttling'],
    ['TooManyRequestsException', 400, 'throttling'],
    ['PriorRequestNotComplete', 400, 'throttling'],
    ['Whatever', 429, 'throttling'],
    ['TimeoutError', 0, 'transient'],
    ['InternalFailure', 500, 'transient'],
    ['Oops', 502, 'server'],
    ['GlobalClusterNotFoundFault', 404, 'client'],
    ['InvalidGlobalClusterStateFault', 400, 'client'],
  ])('%s (HTTP %i) is %s', (name, status, expected) => {
    expect(classifyError(awsError(name, status))).toBe(expected);
  });

  it('treats socket errors as transient', () => {
    expect(classifyError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe('transient');
  });
});

describe('backoffDelay', () => {
  it('doubles the ceiling per retry up to maxDelayMs, with full jitter', () => {
    const policy = { maxAttempts: 9, baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.5 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy))).toEqual([50, 100, 200, 400, 500, 500]);
    expect(backoffDelay(3, { ...policy, random: () => 0 })).toBe(0);
  });
});

describe('withRetry', () => {
  const policy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, random: () => 0 };

  it('stops at the first non-retryable error', async () => {
    let calls = 0;
    const fatal = new ClientError({ code: 'E_NOT_FOUND', message: 'gone', ...site });
    await expect(
      withRetry(
        async () => {
          calls++;
          throw fatal;
        },
        { policy, site },
      ),
    ).rejects.toBe(fatal);
    expect(calls).toBe(1);
  });

  it('makes at most maxAttempts attempts and reports each retry', async () => {
    const retries: number[] = [];
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw retryable();
        },
        { policy, site, onRetry: (i) => retries.push(i.attempt) },
      ),
    ).rejects.toMatchObject({ code: 'E_THROTTLED' });
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('is cancelled during backoff by the signal', async () => {
    const controller = new AbortController();
    const slow = { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000, random: () => 1 };
    let calls = 0;
    const pending = withRetry(
      async () => {
        calls++;
        setTimeout(() => controller.abort(), 5);
        throw retryable();
      },
      { policy: slow, site, signal: controller.signal },
    );
    await expect(pending).rejects.toMatchObject({
      code: 'E_ABORTED',
      message: 'rds DescribeGlobalClusters in us-east-1 aborted',
    });
    expect(calls).toBe(1);
  });

  it('turns a retryable failure that arrives after the abort into E_ABORTED', async () => {
    const controller = new AbortController();
    const pending = withRetry(
      async () => {
        controller.abort();
        throw retryable();
      },
      { policy, site, signal: controller.signal },
    );
    await expect(pending).rejects.toMatchObject({ code: 'E_ABORTED' });
  });
});
