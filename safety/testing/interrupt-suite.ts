// The interrupt proof of issue #6, shared by the SIGINT and SIGKILL files (vitest runs the two side by side):
// the aurora-outage drill on one lab, interrupted in every phase; after each, the public URL takes orders,
// no fault or FIS experiment is left, and the verdict/journal say what happened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstInterruptMessage } from '../../core/cli/interrupt.ts';
import type { Phase } from '../../core/model.ts';
import { type InterruptOutcome, interruptAuroraOutage, regionServingAfter } from './interrupt-case.ts';
import { type SafetyLab, startSafetyLab } from './safety-lab.ts';

export const PHASES: Phase[] = ['preflight', 'inject', 'failover', 'recover', 'verify', 'restore'];

export function interruptSuite(signal: 'SIGINT' | 'SIGKILL'): void {
  let lab: SafetyLab;
  const timings: string[] = [];
  beforeAll(async () => {
    const started = performance.now();
    lab = await startSafetyLab(`safety-${signal.toLowerCase()}`, {
      wanLatencyMs: 50,
      healthCheckIntervalMs: 250,
    });
    timings.push(`lab boot ${Math.round(performance.now() - started)} ms`);
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
    process.stdout.write(`[${signal}] ${timings.join(', ')}\n`);
  }, 60_000);

  // Sequential: one lab, one drill at a time. A kept failover leaves us-east-1 serving: the next case
  // needs a fresh lab (the switchback drill takes ~1.5 min here, a lab restart ~15 s).
  describe.sequential(`aurora-outage interrupted with ${signal}`, { timeout: 240_000 }, () => {
    it.each(PHASES)(
      `${signal} during %s: the public URL takes orders, nothing is left injected`,
      async (phase) => {
        const outcome = await interruptAuroraOutage(lab, phase, signal);
        timings.push(`${phase} ${outcome.ms} ms`);
        expectAborted(outcome, signal);
        const status = await lab.status();
        expect(status.faults).toEqual([]);
        expect(await lab.liveExperiments()).toEqual([]);
        const region = regionServingAfter(outcome.journal);
        expect({ writer: status.writer, dns: status.dns.region }).toEqual({ writer: region, dns: region });
        expect(await lab.placeOrder()).toMatch(/\S/);
        if (outcome.failoverKept && phase !== PHASES.at(-1)) {
          const restart = performance.now();
          await lab.restart();
          timings.push(`restart ${Math.round(performance.now() - restart)} ms`);
        }
      },
    );
  });
}

function expectAborted(o: InterruptOutcome, signal: 'SIGINT' | 'SIGKILL'): void {
  const pending = o.journal.undos.filter((u) => u.status !== 'done' && u.status !== 'skipped');
  expect(pending, o.output).toEqual([]);
  if (signal === 'SIGINT') {
    expect(o.code, o.output).toBe(3);
    expect(o.output).toContain(firstInterruptMessage(o.runId));
    expect(o.output).toContain('verdict: ABORTED (exit 3): aborted by the operator (SIGINT)');
    expect(o.journal.state).toBe('finished');
    expect(o.journal.verdict).toBe('aborted');
    expect(o.result?.verdict).toBe('aborted');
    return;
  }
  expect(o.code, o.output).toBe(0);
  expect(o.output).toContain(`run ${o.runId}: rolled-back`);
  expect(o.journal.state).toBe('rolled-back');
  expect(o.journal.rollbacks).toHaveLength(1);
}
