// Issue 18, people in the loop and halt, on the lab: `pnpm drill aurora-outage --no-auto-confirm` waits at its manual
// checkpoints for a person (here: the test, writing through core/control as the page does); the wait shows in the
// step and in result.json's RTO phase split. `pnpm drill halt <run-id>` mid-failover stops a run as Ctrl-C does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regionServingAfter } from '../../safety/testing/interrupt-case.ts';
import { type SafetyLab, startSafetyLab } from '../../safety/testing/safety-lab.ts';
import { confirmCheckpoint, pendingCheckpoints } from '../control/index.ts';
import { EVENTS_FILE, parseEventLog } from '../event-log.ts';
import type { EventOf } from '../events.ts';
import type { RunResult } from '../runner/result-schema.ts';
import { firstInterruptMessage } from './interrupt.ts';
import { type DrillProcess, readJournal, runDirIn, runDrill, spawnDrill } from './spawn-drill.ts';

/** Polls until the run asks a person to confirm `stepId` (as the terminal prompt and the page see it). */
async function untilAsked(outDir: string, drill: DrillProcess, stepId: string): Promise<string> {
  let exited = false;
  void drill.exited.then(() => {
    exited = true;
  });
  for (;;) {
    const runDir = runDirIn(outDir);
    if (runDir && pendingCheckpoints(runDir).some((p) => p.stepId === stepId)) return runDir;
    if (exited) throw new Error(`the drill ended before it asked for ${stepId}:\n${drill.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const readResult = (runDir: string) =>
  JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')) as RunResult;

describe('people in the loop on the lab', { timeout: 300_000 }, () => {
  let lab: SafetyLab;
  beforeAll(async () => {
    lab = await startSafetyLab('people-loop', { wanLatencyMs: 50, healthCheckIntervalMs: 250 });
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
  }, 60_000);

  it('pnpm drill halt mid-failover (a checkpoint waiting) aborts as Ctrl-C does: rolled back, writer and DNS agree, orders go through', async () => {
    const outDir = join(lab.outDir, 'halt');
    const drill = spawnDrill(['aurora-outage', '--no-auto-confirm', '--out', outDir], lab.env);
    const runDir = await untilAsked(outDir, drill, 'incident-ticket');
    const runId = runDir.split('/').at(-1) as string;
    const halt = await runDrill(['halt', runId, '--out', outDir, '--by', 'ic-ana'], lab.env);
    const code = await drill.exited;
    const output = drill.output();
    expect(halt.code, halt.output).toBe(0);
    expect(code, output).toBe(3);
    expect(output).toContain(`halted by ic-ana (pnpm drill halt). ${firstInterruptMessage(runId)}`);
    expect(readResult(runDir)).toMatchObject({ verdict: 'aborted' });
    expect(readResult(runDir).reason).toMatch(/^aborted: halted by ic-ana \(pnpm drill halt\)/);
    const journal = readJournal(runDir);
    expect(journal?.undos.filter((u) => u.status !== 'done' && u.status !== 'skipped')).toEqual([]);
    const status = await lab.status();
    expect(status.faults).toEqual([]);
    const region = regionServingAfter(journal as NonNullable<typeof journal>);
    expect({ writer: status.writer, dns: status.dns.region }).toEqual({ writer: region, dns: region });
    expect(await lab.placeOrder()).toMatch(/\S/);
  });

  it('a checkpoint waits for a person: who and when are recorded, and the wait is in the step and the RTO phase split', async () => {
    const outDir = join(lab.outDir, 'checkpoint');
    const drill = spawnDrill(['aurora-outage', '--no-auto-confirm', '--out', outDir], lab.env);
    const runDir = await untilAsked(outDir, drill, 'incident-ticket');
    const asked = performance.now();
    await new Promise((r) => setTimeout(r, 3_000));
    expect(confirmCheckpoint(runDir, 'incident-ticket', { by: 'ana', via: 'page' }).first).toBe(true);
    const heldMs = performance.now() - asked;
    await untilAsked(outDir, drill, 'freeze-deploys');
    confirmCheckpoint(runDir, 'freeze-deploys', { by: 'bo', via: 'terminal' });
    const code = await drill.exited;
    expect(code, drill.output()).toBe(0);

    const result = readResult(runDir);
    const step = result.steps.find((s) => s.id === 'incident-ticket');
    const waitedMs = step?.measurements?.checkpointWaitedMs ?? 0;
    expect(step?.detail).toMatch(/^confirmed by ana via page at \d{4}-/);
    // The engine waited at least as long as the person held back after seeing the question.
    expect(waitedMs).toBeGreaterThanOrEqual(Math.floor(heldMs));
    expect(step?.durationMs).toBeGreaterThanOrEqual(waitedMs);
    const phase = result.rto?.phases.find((p) => p.name === 'incident-ticket');
    expect(phase?.durationMs).toBeGreaterThanOrEqual(waitedMs);
    expect(result.steps.find((s) => s.id === 'freeze-deploys')?.detail).toMatch(
      /^confirmed by bo via terminal/,
    );

    const checkpoints = parseEventLog(readFileSync(join(runDir, EVENTS_FILE), 'utf8')).filter(
      (e): e is EventOf<'checkpoint'> => e.kind === 'checkpoint',
    );
    expect(checkpoints.map((e) => `${e.stepId} ${e.state} ${e.by ?? ''} ${e.via ?? ''}`.trim())).toEqual([
      'incident-ticket waiting',
      'incident-ticket confirmed ana page',
      'freeze-deploys waiting',
      'freeze-deploys confirmed bo terminal',
    ]);
    process.stdout.write(
      `[people-in-the-loop] held ${Math.round(heldMs)} ms, engine waited ${waitedMs} ms, step ${step?.durationMs} ms, RTO phase incident-ticket ${phase?.durationMs} ms of RTO ${result.rto?.achievedMs} ms\n`,
    );
  });
});
