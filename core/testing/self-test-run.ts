// A real in-process run of the self-test on the in-memory platform, with every event it emitted: the documents the
// schema tests validate are what the engine wrote, not samples typed by hand.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfTest from '../../apps/self-test/scenarios/self-test.ts';
import memory from '../../apps/self-test/targets/memory.ts';
import type { DrillEvent } from '../events.ts';
import type { Scenario } from '../model.ts';
import type { RunResult } from '../runner/result-schema.ts';
import { runScenario } from '../runner/run-scenario.ts';
import { recordEveryEvent } from './record-every-event.ts';

type SelfTestScenario = typeof selfTest extends Scenario<infer R> ? Scenario<R> : never;

export interface SelfTestRun {
  result: RunResult;
  runDir: string;
  events: DrillEvent[];
  /** The platform's database password: a secret the run wrote into a parameter, so the audit log must mask it. */
  dbPassword: string;
}

/** `adapt` may add to the self-test (a background activity, a probe that attaches a file) for a test's sake. */
export async function selfTestRun(
  adapt: (scenario: SelfTestScenario) => SelfTestScenario = (scenario) => scenario,
): Promise<SelfTestRun> {
  const dir = mkdtempSync(join(tmpdir(), 'drill-self-test-'));
  const dbPassword = 'schema-test-s3cret-pw';
  const { reporter, events } = recordEveryEvent();
  const target = { ...memory, resources: { stateFile: join(dir, 'state.json'), timeScale: 0.2, dbPassword } };
  const result = await runScenario(adapt(selfTest), target, { outDir: dir, reporters: [reporter] });
  return { result, runDir: join(dir, 'runs', result.runId), events, dbPassword };
}
