// The drill's Kubernetes steps pass on the lab in its realistic mode (LAB_K8S_TIMING=realistic: whole grace periods,
// 10 s→300 s back-off, a 1 s observedGeneration lag, 50 s node-monitor grace, KEDA's own pollingInterval): a whole
// aurora-outage failover, then the switchback that restores what the failover recorded. Minutes long, so it runs
// with the opt-in end-to-end files: `pnpm test:safety`, or alone:
//   DRILL_SAFETY_E2E=1 npx vitest run --project safety apps/luneo/steps/kubernetes-realistic.lab.test.ts
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDirIn, runDrill } from '../../../core/cli/spawn-drill.ts';
import { startDaemon, stopDaemon } from '../../../lab/platform/daemon-control.ts';
import { makeLabDir } from '../../../lab/testing/lab-fixture.ts';

interface StepResult {
  id: string;
  status: string;
  detail?: string;
  measurements?: Record<string, number>;
}
interface RunResult {
  verdict: string;
  steps: StepResult[];
}

let dir: string;
const runs: Record<string, { code: number | null; output: string; result: RunResult }> = {};

async function drill(scenario: string): Promise<void> {
  const out = join(dir, `out-${scenario}`);
  const done = await runDrill([scenario, '--in-process', '--out', out], {
    ...process.env,
    CI: '1',
    LAB_DIR: dir,
  });
  const runDir = runDirIn(out);
  const result = runDir
    ? (JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')) as RunResult)
    : { verdict: 'none', steps: [] };
  runs[scenario] = { ...done, result };
}

function step(scenario: string, id: string): StepResult | undefined {
  return runs[scenario]?.result.steps.find((s) => s.id === id);
}

beforeAll(async () => {
  dir = makeLabDir('kube-realistic');
  await startDaemon(dir, { env: { LAB_K8S_TIMING: 'realistic' } });
  await drill('aurora-outage');
  await drill('switchback');
}, 1_500_000);

afterAll(async () => {
  await stopDaemon(dir);
  if (process.env.KEEP_LAB !== '1') await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('aurora-outage then switchback on a realistic-timing lab', { timeout: 60_000 }, () => {
  it('the failover passes: preflight, fence (pods gone, overlap measured), dr-overrides and restart', () => {
    const run = runs['aurora-outage']!;
    expect(run.result.verdict, run.output.slice(-4000)).toBe('passed');
    expect(run.code).toBe(0);
    const fence = step('aurora-outage', 'fence-primary-workers');
    expect(fence?.status).toBe('ok');
    expect(fence?.measurements?.fenceOverlapMs).toBeGreaterThan(0);
    expect(fence?.detail).toMatch(/its pods ran \S+ after the scale/);
    expect(step('aurora-outage', 'dr-overrides-secondary-on')?.status).toBe('ok');
    expect(step('aurora-outage', 'kubernetes')?.status).toBe('ok');
    expect(run.output).toContain('probe kube-changes-hold ok');
  });

  it('the switchback passes and restores the workers the fence recorded', () => {
    const run = runs.switchback!;
    expect(run.result.verdict, run.output.slice(-4000)).toBe('passed');
    expect(step('switchback', 'primary-workers-back')?.detail).toContain('(recorded before the failover in');
    expect(step('switchback', 'primary-workloads')?.status).toBe('ok');
    expect(step('switchback', 'secondary-standby')?.status).toBe('ok');
  });
});
