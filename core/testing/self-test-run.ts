// A real in-process run of the self-test on the in-memory platform, with every event it emitted: the documents the
// schema tests validate are what the engine wrote, not samples typed by hand.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfTest from '../../apps/self-test/scenarios/self-test.ts';
import memory from '../../apps/self-test/targets/memory.ts';
import type { DrillEvent } from '../events.ts';
import type { Reporter } from '../reporters/reporter.ts';
import type { RunResult } from '../runner/result-schema.ts';
import { runScenario } from '../runner/run-scenario.ts';

export interface SelfTestRun {
  result: RunResult;
  runDir: string;
  events: DrillEvent[];
  /** The platform's database password: a secret the run wrote into a parameter, so the audit log must mask it. */
  dbPassword: string;
}

export async function selfTestRun(): Promise<SelfTestRun> {
  const dir = mkdtempSync(join(tmpdir(), 'drill-self-test-'));
  const dbPassword = 'schema-test-s3cret-pw';
  const events: DrillEvent[] = [];
  const record = (event: DrillEvent) => {
    events.push(event);
  };
  const recorder: Required<Reporter> = {
    onRunStart: record,
    onPlan: record,
    onPhaseStart: record,
    onPhaseEnd: record,
    onStepStart: record,
    onStepEnd: record,
    onProbeSample: record,
    onUndo: record,
    onLog: record,
    onCheckpoint: record,
    onRecord: record,
    onRunEnd: record,
  };
  const target = { ...memory, resources: { stateFile: join(dir, 'state.json'), timeScale: 0.2, dbPassword } };
  const result = await runScenario(selfTest, target, { outDir: dir, reporters: [recorder] });
  return { result, runDir: join(dir, 'runs', result.runId), events, dbPassword };
}
