// Issue 19: "Cancel workflow" on a running dr-drill job. The workflow's own drill step runs aurora-outage on a lab
// and is cancelled the way GitHub's runner cancels a step (SIGINT to its process group, SIGTERM 7.5 s later, then
// SIGKILL); then the workflow's rollback and outcome steps run, as GitHub runs `if: cancelled()` steps after a
// cancel. The AWS control plane stops answering as the cancel starts (calls applied, answers lost), so the drill's
// own rollback cannot finish within GitHub's window and is killed mid-way: the rollback step has to finish it.
// The lab is then left as a finished drill leaves it: writer and DNS in one region, no fault, no FIS experiment,
// the lock free, a verdict in the journal, and the verdict among the step outputs.
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJournal, runDirIn, waitForJournal } from '../core/cli/spawn-drill.ts';
import type { JournalData } from '../core/journal.ts';
import { cancelLikeGitHub } from './testing/github-cancel.ts';
import { inPhase } from './testing/interrupt-case.ts';
import { type SafetyLab, startSafetyLab } from './testing/safety-lab.ts';
import { runWorkflowStep } from './testing/workflow-step.ts';

let lab: SafetyLab;
beforeAll(async () => {
  lab = await startSafetyLab('ci-cancel', { wanLatencyMs: 50, healthCheckIntervalMs: 250 });
}, 120_000);
afterAll(async () => lab?.close(), 60_000);

describe('dr-drill.yml cancelled during the fault injection', { timeout: 180_000 }, () => {
  it('the rollback step leaves the lab restored, unlocked, with a verdict in the journal and the outputs', async () => {
    const dir = mkdtempSync(join(lab.outDir, 'job-'));
    const env = {
      ...lab.env,
      SCENARIO: 'aurora-outage',
      TARGET: 'lab',
      DRILL_OUT: join(dir, 'out'),
      GITHUB_OUTPUT: join(dir, 'github-output'),
    };
    const started = performance.now();
    const drill = runWorkflowStep('drill', env, dir);
    const asDrill = {
      output: drill.output,
      exited: drill.exited.then(() => null),
      child: undefined as never,
    };
    const { runId } = await waitForJournal(env.DRILL_OUT, asDrill, inPhase('inject'), 120_000);
    await lab.setControlPlaneFaults({ timeoutRate: 1 });
    const cancelAt = performance.now();
    const signals = await cancelLikeGitHub(drill);
    const cancelMs = Math.round(performance.now() - cancelAt);
    await lab.setControlPlaneFaults(null);
    expect(signals, drill.output()).toEqual(['SIGINT', 'SIGTERM', 'SIGKILL']);
    const killed = readJournal(runDirIn(env.DRILL_OUT) as string) as JournalData;
    expect(killed.state, 'the drill finished its rollback before the kill: this case proves nothing').toBe(
      'running',
    );

    const rollbackAt = performance.now();
    const rollback = runWorkflowStep('rollback', env, dir);
    const rolledBack = await rollback.exited;
    const rollbackMs = Math.round(performance.now() - rollbackAt);
    expect(rolledBack.code, `${drill.output()}\n--- rollback step\n${rollback.output()}`).toBe(0);
    const outcome = runWorkflowStep('outcome', env, dir);
    expect((await outcome.exited).code, outcome.output()).toBe(0);
    process.stdout.write(
      `[ci-cancel] run ${runId}: signals ${signals.join(' → ')} over ${cancelMs} ms; rollback step ${rollbackMs} ms; total ${Math.round(performance.now() - started)} ms\n`,
    );

    const status = await lab.status();
    expect(status.faults).toEqual([]);
    expect(await lab.liveExperiments()).toEqual([]);
    expect(status.writer).toBe(status.dns.region);
    expect(await lab.lockState()).toBe('free');
    const journal = readJournal(runDirIn(env.DRILL_OUT) as string) as JournalData;
    expect(journal.state, rollback.output()).toBe('rolled-back');
    expect(journal.verdict).toBe('aborted');
    expect(journal.undos.filter((u) => u.status !== 'done' && u.status !== 'skipped')).toEqual([]);
    const outputs = readFileSync(env.GITHUB_OUTPUT, 'utf8');
    expect(outputs).toContain(`run-id=${runId}\n`);
    expect(outputs).toContain('verdict=aborted\n');
    expect(await lab.placeOrder()).toMatch(/\S/);
  });
});
