// Issue #6: aurora-outage on the lab with 10 % of AWS calls throttled, failing (5xx) or timing out, and half
// of the applied mutations losing their answer: the drill passes, and the lab applied each mutation once per
// intent (the audit log's). The same run's outputs are then grepped for every secret of the lab.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDirIn, spawnDrill } from '../core/cli/spawn-drill.ts';
import { type SafetyLab, startSafetyLab } from './testing/safety-lab.ts';
import { filesUnder, findSecrets, labSecrets, type SecretValue } from './testing/secrets.ts';

const FAULTS = { throttleRate: 0.04, errorRate: 0.05, timeoutRate: 0.01, lostAnswerRate: 0.5, seed: 6 };

let lab: SafetyLab;
let secrets: SecretValue[];
let run: { code: number | null; stdout: string; stderr: string; runDir: string; ms: number };

beforeAll(async () => {
  lab = await startSafetyLab('safety-cpf', { wanLatencyMs: 50, healthCheckIntervalMs: 250 });
  secrets = await labSecrets(lab.info);
  await lab.setControlPlaneFaults(FAULTS);
  const started = performance.now();
  // Through vitest (no --in-process), so the Allure results are written and grepped too.
  const drill = spawnDrill(['aurora-outage', '--out', lab.outDir], lab.env);
  let stdout = '';
  let stderr = '';
  drill.child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  drill.child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const code = await drill.exited;
  await lab.setControlPlaneFaults(null);
  run = {
    code,
    stdout,
    stderr,
    runDir: runDirIn(lab.outDir) as string,
    ms: Math.round(performance.now() - started),
  };
  process.stdout.write(`[control-plane faults] drill ${run.ms} ms\n`);
}, 420_000);
afterAll(async () => lab?.close(), 60_000);

/** Mutating AWS calls the drill meant to make, by operation: one audit "before" record per intent. */
function intents(runDir: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of readFileSync(join(runDir, 'actions.jsonl'), 'utf8').trim().split('\n')) {
    const record = JSON.parse(line) as { event: string; service: string; operation: string };
    if (record.event !== 'before' || ['kubernetes', 'postgres', 'http'].includes(record.service)) continue;
    counts[record.operation] = (counts[record.operation] ?? 0) + 1;
  }
  return counts;
}

describe('aurora-outage with a faulty AWS control plane', () => {
  it('passes', () => {
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('verdict: PASSED (exit 0)');
  });

  it('met the faults it was given: throttles, 5xx and lost answers of applied mutations', () => {
    const log = readFileSync(join(lab.dir, 'lab.log'), 'utf8');
    expect(log).toMatch(/\(fault: throttle\)/);
    expect(log).toMatch(/\(fault: error\)/);
    expect(log).toMatch(/\(fault: lost-answer\)/);
  });

  it('applied every mutation once per intent: no retry applied a change twice', async () => {
    const applied = await lab.mutations();
    expect(applied).toEqual(intents(run.runDir));
    expect(applied).toMatchObject({ FailoverGlobalCluster: 1, StartExperiment: 1 });
  });

  it('left no secret of the lab in any output: console, result.json, journal, audit, attachments, Allure', async () => {
    // The failover rewrote DATABASE_URL: grep for the values from before and after the run.
    const all = [...secrets, ...(await labSecrets(lab.info))];
    const files = filesUnder(run.runDir);
    for (const expected of ['result.json', 'journal.json', 'actions.jsonl'])
      expect(files.map((f) => f.slice(run.runDir.length + 1))).toContain(expected);
    expect(files.some((f) => f.includes('/allure-results/'))).toBe(true);
    expect(files.some((f) => f.includes('/attachments/'))).toBe(true);
    expect(all.map((s) => s.label)).toContain('prod/luneo/DATABASE_URL password');
    expect(
      findSecrets(secrets, filesUnder(lab.outDir), { stdout: run.stdout, stderr: run.stderr }, lab.outDir),
    ).toEqual([]);
  });
});
