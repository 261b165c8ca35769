import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import selfTest from '../apps/self-test/scenarios/self-test.ts';
import memory, { type MemoryResources } from '../apps/self-test/targets/memory.ts';
import { setAutoConfirm } from '../core/control/auto-confirm.ts';
import { confirmCheckpoint, pendingCheckpoints } from '../core/control/index.ts';
import type { DrillEvent, EventOf } from '../core/events.ts';
import { drillEventSchema } from '../core/events-schema.ts';
import type { Scenario } from '../core/model.ts';
import { runScenario } from '../core/runner/run-scenario.ts';
import { type ManualCheckpointOptions, manualCheckpoint } from './manual.ts';

const CHECKPOINT: ManualCheckpointOptions = {
  id: 'incident-ticket',
  runbook: '§4',
  title: 'Open the incident ticket',
  instruction: 'open a SEV1 ticket',
};

/** The self-test drill on the in-memory platform, with a manual checkpoint as its first failover step. */
async function drillWithCheckpoint(
  opts: Partial<ManualCheckpointOptions> & {
    autoConfirm?: boolean;
    /** What a person does while the run goes on (given the run directory). */
    person?: (runDir: string) => Promise<void>;
  },
) {
  const dir = mkdtempSync(join(tmpdir(), 'manual-checkpoint-'));
  const runId = `manual-${Math.random().toString(36).slice(2, 8)}`;
  const runDir = join(dir, 'runs', runId);
  if (opts.autoConfirm !== undefined) setAutoConfirm(runDir, opts.autoConfirm);
  const scenario: Scenario<MemoryResources> = {
    ...selfTest,
    failover: [manualCheckpoint({ ...CHECKPOINT, ...opts }), ...selfTest.failover],
  };
  const target = {
    ...memory,
    resources: { stateFile: join(dir, 'state.json'), timeScale: 0.2, dbPassword: 'manual-test-pw' },
  };
  const events: DrillEvent[] = [];
  const [result] = await Promise.all([
    runScenario(scenario, target, {
      outDir: dir,
      runId,
      reporters: [{ onCheckpoint: (e) => void events.push(e) }],
    }),
    opts.person?.(runDir),
  ]);
  const checkpoints = events as EventOf<'checkpoint'>[];
  const step = result.steps.find((s) => s.id === CHECKPOINT.id);
  return { result, checkpoints, step, runDir };
}

/** Waits until the checkpoint asks for a person, as the terminal prompt and the page do. */
async function untilPending(runDir: string): Promise<number> {
  await expect
    .poll(() => pendingCheckpoints(runDir).map((p) => p.stepId), { timeout: 20_000, interval: 20 })
    .toEqual([CHECKPOINT.id]);
  return performance.now();
}

describe('manual checkpoint', { timeout: 60_000 }, () => {
  it('on a lab target, confirms itself at once and records that it did (via auto)', async () => {
    const { result, checkpoints, step } = await drillWithCheckpoint({});
    expect(result.verdict).toBe('passed');
    expect(checkpoints.map((e) => e.state)).toEqual(['waiting', 'confirmed']);
    expect(checkpoints[1]).toMatchObject({ via: 'auto', by: expect.stringContaining('target memory') });
    expect(step?.detail).toMatch(/^confirmed by target memory .* via auto at /);
  });

  it('waits for a person: the wait is in the step, its record and the RTO phase split', async () => {
    let heldMs = 0;
    const { result, checkpoints, step } = await drillWithCheckpoint({
      autoConfirm: false,
      person: async (runDir) => {
        const asked = await untilPending(runDir);
        await new Promise((r) => setTimeout(r, 1_500));
        confirmCheckpoint(runDir, CHECKPOINT.id, { by: 'ana', via: 'page' });
        heldMs = performance.now() - asked;
      },
    });
    expect(result.verdict, result.reason).toBe('passed');
    const confirmed = checkpoints.find((e) => e.state === 'confirmed');
    expect(confirmed).toMatchObject({ by: 'ana', via: 'page', phase: 'failover', stepId: CHECKPOINT.id });
    for (const e of checkpoints) expect(drillEventSchema.safeParse(e).success).toBe(true);
    // The engine waited at least as long as the person held the confirmation back after seeing it asked.
    const waited = confirmed?.waitedMs ?? 0;
    expect(waited).toBeGreaterThanOrEqual(Math.floor(heldMs));
    expect(step?.status).toBe('ok');
    expect(step?.detail).toMatch(/^confirmed by ana via page at \d{4}-\d\d-\d\dT/);
    expect(step?.measurements?.checkpointWaitedMs).toBe(waited);
    expect(step?.durationMs).toBeGreaterThanOrEqual(waited);
    const phase = result.rto?.phases.find((p) => p.name === CHECKPOINT.id);
    expect(phase?.durationMs).toBeGreaterThanOrEqual(waited);
  });

  it('nobody answers, onTimeout continue: goes on and records a deviation', async () => {
    const { result, checkpoints, step } = await drillWithCheckpoint({
      autoConfirm: false,
      waitUpTo: '300ms',
      onTimeout: 'continue',
    });
    expect(result.verdict, result.reason).toBe('passed');
    expect(checkpoints.map((e) => e.state)).toEqual(['waiting', 'timed-out']);
    expect(step?.detail).toMatch(/^NOT confirmed: nobody confirmed/);
    expect(result.deviations).toContainEqual({
      stepId: CHECKPOINT.id,
      kind: 'checkpoint-unconfirmed',
      message: expect.stringContaining('went on without it (onTimeout: continue)'),
    });
  });

  it('nobody answers, onTimeout abort (the default): the run aborts and rolls back', async () => {
    const { result, checkpoints, step } = await drillWithCheckpoint({
      autoConfirm: false,
      waitUpTo: '300ms',
    });
    expect(result.verdict).toBe('aborted');
    expect(result.reason).toContain('nobody confirmed "Open the incident ticket" (§4) within');
    expect(checkpoints.map((e) => e.state)).toEqual(['waiting', 'timed-out']);
    expect(step?.status).toBe('aborted');
    expect(result.undo.every((u) => u.status === 'done' || u.status === 'skipped')).toBe(true);
  });
});
