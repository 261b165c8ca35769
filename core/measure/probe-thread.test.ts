// A probe's own thread stamps each sample's stall of ours (stalledMs): the stall that delayed its send or its answer,
// not one that passed while the request was waiting anyway.
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { ThreadSample } from './off-thread.ts';
import { ProbeThread } from './probe-thread.ts';
import { MEASURING_THREAD_NICE } from './thread-priority.ts';

const CHECKS = new URL('./testing/blocking-checks.ts', import.meta.url).href;

/** The first sample of `factory` on a probe thread (one slot: the interval outlasts the check). */
async function firstSample(factory: string): Promise<ThreadSample> {
  const thread = new ProbeThread({ module: CHECKS, factory, originAbsMs: performance.timeOrigin });
  try {
    const sample = new Promise<ThreadSample>((resolve, reject) =>
      thread
        .start(
          {
            options: { waitMs: 100, blockMs: 300 },
            intervalMs: 60_000,
            timeoutMs: 30_000,
            what: 'probe "blocking"',
            setting: 'recovery[0].timeout',
          },
          resolve,
        )
        .catch(reject),
    );
    return await sample;
  } finally {
    await thread.stop();
  }
}

const blockedOf = (s: ThreadSample) => (s.data as { blockedMs: number }).blockedMs;

describe('ProbeThread stalls of ours', () => {
  it('counts a stall that ended as the answer was read (the answer was read late)', async () => {
    const s = await firstSample('blockBeforeAnswer');
    expect(s.ok).toBe(true);
    expect(s.stalledMs).toBeGreaterThanOrEqual(Math.floor(blockedOf(s)));
    expect(s.stalledMs).toBeLessThanOrEqual(Math.ceil(s.answeredAt - s.at));
  }, 60_000);

  it('does not count a stall that passed while the request was waiting (neither instant was delayed)', async () => {
    const s = await firstSample('blockMidFlight');
    expect(s.ok).toBe(true);
    // Whatever the machine adds at the send or the answer, less than the block in between.
    expect(s.stalledMs).toBeLessThan(blockedOf(s));
  }, 60_000);
});

describe('ProbeThread priority', () => {
  it('runs its thread ahead of normal work where the OS allows it, and only that thread', async () => {
    const niceOfThreads = () =>
      readdirSync('/proc/self/task').map((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]); // field 19: nice
      });
    const before = niceOfThreads().filter((n) => n === MEASURING_THREAD_NICE).length;
    const thread = new ProbeThread({ module: CHECKS, factory: 'blockMidFlight', originAbsMs: 0 });
    try {
      await thread.start(
        { options: { waitMs: 1, blockMs: 1 }, intervalMs: 60_000, timeoutMs: 1_000, what: 'p', setting: 's' },
        () => {},
      );
      const own = getPriority(0);
      const allowed = (() => {
        try {
          setPriority(0, MEASURING_THREAD_NICE);
          setPriority(0, own);
          return true;
        } catch {
          return false;
        }
      })();
      expect(thread.raised).toBe(allowed);
      expect(niceOfThreads().filter((n) => n === MEASURING_THREAD_NICE).length).toBe(
        before + (allowed ? 1 : 0),
      );
      expect(getPriority(0)).toBe(own);
    } finally {
      await thread.stop();
    }
  }, 60_000);
});
