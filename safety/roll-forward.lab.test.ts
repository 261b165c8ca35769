// Issue #6 (b): an abort right after the promotion (the step that cannot be undone), before DATABASE_URL, Redis and
// DNS moved, must not leave the target without a serving region: the drill rolls forward (finishes the failover),
// then reverts the fault. SIGINT (the drill does it itself) and SIGKILL + `pnpm drill rollback` (from the journal).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstInterruptMessage } from '../core/cli/interrupt.ts';
import type { JournalData } from '../core/journal.ts';
import { type AfterStepOutcome, interruptAuroraAfterStep } from './testing/interrupt-after-step.ts';
import { type SafetyLab, startSafetyLab } from './testing/safety-lab.ts';

const PROMOTION = 'Fail over the global cluster to secondary (FailoverGlobalCluster, AllowDataLoss)';
const ROLLED_FORWARD = new RegExp(
  `rolled forward: '[^]*' \\(abort after '${PROMOTION.replace(/[()]/g, '\\$&')}'\\)`,
);

describe.sequential('aurora-outage aborted right after the promotion rolls forward', {
  timeout: 300_000,
}, () => {
  let lab: SafetyLab;
  const timings: string[] = [];
  beforeAll(async () => {
    const started = performance.now();
    lab = await startSafetyLab('safety-roll-forward', { wanLatencyMs: 50, healthCheckIntervalMs: 250 });
    timings.push(`lab boot ${Math.round(performance.now() - started)} ms`);
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
    process.stdout.write(`[roll-forward] ${timings.join(', ')}\n`);
  }, 60_000);

  /** What every case must leave: us-east-1 serves (writer and DNS agree), orders go through, nothing injected. */
  async function expectServedByUsEast1(o: AfterStepOutcome): Promise<void> {
    timings.push(
      `serving: ${o.output.match(/recovery probes pass (.+) after the roll forward/)?.[1] ?? 'not said'}`,
    );
    const status = await lab.status();
    expect(status.faults, o.output).toEqual([]);
    expect(await lab.liveExperiments()).toEqual([]);
    expect({ writer: status.writer, dns: status.dns.region }, o.output).toEqual({
      writer: 'us-east-1',
      dns: 'us-east-1',
    });
    expect(await lab.placeOrder()).toMatch(/\S/);
    const pending = o.journal.undos.filter((u) => u.status !== 'done' && u.status !== 'skipped');
    expect(pending, o.output).toEqual([]);
    expect(o.journal.undos.find((u) => u.id === 'fault')?.status).toBe('done');
  }

  function expectRolledForward(o: AfterStepOutcome, journal: JournalData): void {
    // The signal landed in the window: the promotion done, the failover not.
    expect(o.atSignal.phases.at(-1)).toMatchObject({ phase: 'failover', status: 'running' });
    expect(journal.verdict).toBe('aborted');
    expect(journal.reason, o.output).toMatch(ROLLED_FORWARD);
    const failover = journal.steps.filter((s) => s.phase === 'failover');
    // The roll forward went to the end of the failover (the last step ran in it), and did not promote again.
    expect(journal.reason).toContain(`'${failover.at(-1)?.title}'`);
    // Users are served before the fault is reverted: the recovery probes passed after the last step.
    expect(journal.reason, o.output).toContain('serving again (recovery probes health, order pass)');
    expect(failover.filter((s) => s.id === 'promotion').map((s) => s.status)).toEqual(['ok']);
    // Every failover step's last attempt went through.
    const last = new Map(failover.map((s) => [s.id, s.status]));
    expect(
      [...last].filter(([, status]) => status !== 'ok' && status !== 'deviation'),
      o.output,
    ).toEqual([]);
  }

  it('SIGINT right after the promotion: the remaining failover steps run, then the fault is reverted; way back printed', async () => {
    const o = await interruptAuroraAfterStep(lab, 'promotion', 'SIGINT');
    timings.push(`SIGINT at ${o.signalledAtMs} ms, rolled forward and back by ${o.ms} ms`);
    await expectServedByUsEast1(o);
    expect(o.code, o.output).toBe(3);
    expect(o.output).toContain(firstInterruptMessage(o.runId));
    expect(o.output).toContain(
      `⚠ rolling forward: '${PROMOTION}' cannot be undone and the failover is not finished`,
    );
    expect(o.output).toMatch(
      /verdict: ABORTED \(exit 3\): aborted by the operator \(SIGINT\); rolled forward: /,
    );
    expect(o.output).toContain(
      `‼ aborted after "${PROMOTION}", which cannot be undone: the abort path is the way back: pnpm drill switchback --target lab`,
    );
    expect(o.result?.verdict).toBe('aborted');
    expect(o.result?.reason).toBe(o.journal.reason);
    expect(o.journal.state).toBe('finished');
    expectRolledForward(o, o.journal);
  });

  it('SIGKILL right after the promotion, then `pnpm drill rollback`: it rolls forward from the journal, then reverts the fault', async () => {
    // The case before left us-east-1 serving (or failed): this one starts from a fresh lab.
    const restart = performance.now();
    await lab.restart();
    timings.push(`restart ${Math.round(performance.now() - restart)} ms`);
    const o = await interruptAuroraAfterStep(lab, 'promotion', 'SIGKILL');
    timings.push(`SIGKILL at ${o.signalledAtMs} ms, rollback done by ${o.ms} ms`);
    await expectServedByUsEast1(o);
    expect(o.code, o.output).toBe(0);
    expect(o.output).toContain(
      `⚠ rolling forward: '${PROMOTION}' cannot be undone and the failover is not finished`,
    );
    expect(o.output).toContain(`run ${o.runId}: rolled-back`);
    expect(o.output).toContain(`‼ IRREVERSIBLE: "${PROMOTION}" is not undone by a rollback; way back:`);
    // The killed run wrote no result; `drill rollback` records it as interrupted, with the journal's reason.
    expect(o.result?.verdict).toBe('aborted');
    expect(o.result?.reason).toBe(o.journal.reason);
    expect(o.journal.state).toBe('rolled-back');
    expect(o.journal.rollbacks).toHaveLength(1);
    expect(o.journal.reason).toMatch(
      /^killed \(pid \d+\) during failover; `drill rollback` rolled forward: /,
    );
    expectRolledForward(o, o.journal);
  });
});
