import { describe, expect, it } from 'vitest';
import { pollUntil } from './poll.ts';

const site = { service: 'fis', operation: 'GetExperiment', scope: 'eu-west-1' };

describe('pollUntil', () => {
  it('returns the value once the check is done', async () => {
    let n = 0;
    const value = await pollUntil({
      site,
      what: 'n to reach 3',
      intervalMs: 1,
      check: async () => (++n >= 3 ? { done: true, value: n } : { done: false, seen: `n=${n}` }),
    });
    expect(value).toBe(3);
  });

  it('times out against an injected clock, naming what it waited for and the setting to raise', async () => {
    let t = 0;
    const now = () => t;
    await expect(
      pollUntil({
        site,
        what: 'experiment E to be running',
        timeoutMs: 90_000,
        intervalMs: 1,
        now,
        check: async () => {
          t += 50_000;
          return { done: false, seen: 'status initiating' };
        },
      }),
    ).rejects.toMatchObject({
      code: 'E_TIMEOUT',
      message:
        'timed out after 1m 30s waiting for experiment E to be running; last seen: status initiating (raise timeoutMs to wait longer)',
    });
  });

  it('stops at once on an abort', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      pollUntil({
        site,
        what: 'x',
        signal: controller.signal,
        check: async () => ({ done: false, seen: '' }),
      }),
    ).rejects.toMatchObject({ code: 'E_ABORTED' });
  });
});
