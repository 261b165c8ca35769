import { describe, expect, it } from 'vitest';
import type { ProbeDefinition, ProbeOutcome } from '../model.ts';
import { awaitServing, notServingMessage, servingSummary } from './serving.ts';

/** A fake clock the pauses advance (no real time passes), and a quiet operator console. */
function fakeTime() {
  let now = 0;
  return {
    say: () => {},
    now: () => now,
    pause: async (ms: number) => {
      now += ms;
    },
  };
}

const probe = (name: string): ProbeDefinition => ({ name, check: async () => ({ ok: true }) });

describe('awaitServing', () => {
  it('runs every probe once per round until one round passes whole', async () => {
    const time = fakeTime();
    const answers: Record<string, boolean[]> = {
      health: [false, true, true],
      order: [true, false, true],
    };
    const result = await awaitServing({
      probes: [probe('health'), probe('order')],
      check: async (p) => ({ ok: answers[p.name]?.shift() ?? false, detail: `${p.name} said no` }),
      recoveryTimeout: '30m',
      ...time,
    });
    expect(result).toEqual({
      ok: true,
      probes: ['health', 'order'],
      afterMs: 500,
      rounds: 3,
      failures: {},
      timeoutMs: 300_000,
    });
    expect(servingSummary(result!)).toBe('serving again (recovery probes health, order pass)');
  });

  it("gives up at the scenario's recovery timeout when it is under 5 minutes, with each failing probe's last words; a throw is a failure", async () => {
    const time = fakeTime();
    const result = await awaitServing({
      probes: [probe('health'), probe('order')],
      check: async (p): Promise<ProbeOutcome> => {
        if (p.name === 'order') throw new Error('socket hang up');
        return { ok: false, detail: `503 after ${time.now()}ms` };
      },
      recoveryTimeout: '1s',
      ...time,
    });
    expect(result).toMatchObject({
      ok: false,
      afterMs: 1000,
      rounds: 5,
      failures: { health: '503 after 1000ms', order: 'socket hang up' },
      timeoutMs: 1000,
    });
    expect(notServingMessage(result!)).toBe(
      'the recovery probes did not all pass within 1.0s after the roll forward (health: 503 after 1000ms; order: socket hang up)',
    );
  });

  it('waits 5 minutes at most, even when the recovery timeout is longer', async () => {
    const time = fakeTime();
    const result = await awaitServing({
      probes: [probe('health')],
      check: async () => ({ ok: false }),
      recoveryTimeout: '30m',
      ...time,
    });
    expect([result?.ok, result?.afterMs, result?.failures]).toEqual([false, 300_000, { health: 'failed' }]);
  });

  it('a scenario without recovery probes has nothing to wait for', async () => {
    const result = await awaitServing({
      probes: [],
      check: async () => ({ ok: false }),
      recoveryTimeout: '1m',
      ...fakeTime(),
    });
    expect(result).toBeUndefined();
  });
});
