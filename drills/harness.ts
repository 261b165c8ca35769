// Binds a scenario to vitest + Allure: one beforeAll runs the engine (which knows nothing of vitest),
// phases and steps are mirrored as Allure steps with their real timings, and each objective is its own test.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { attachment, epic, feature, parameter, Status } from 'allure-js-commons';
import type { RuntimeMessage } from 'allure-js-commons/sdk';
import { getGlobalTestRuntime } from 'allure-js-commons/sdk/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDrill } from '../core/cli/run-command.ts';
import { ABORT_REQUEST_FILE, WORKER_PID_FILE } from '../core/cli/vitest-runner.ts';
import { formatDuration } from '../core/duration.ts';
import { DrillError } from '../core/errors.ts';
import { Redactor } from '../core/redact.ts';
import { ConsoleReporter } from '../core/reporters/console.ts';
import { type TimelineNode, TimelineReporter } from '../core/reporters/timeline.ts';
import { createRunId } from '../core/runner/ids.ts';
import type { RunResult } from '../core/runner/result-schema.ts';
import { runScenario } from '../core/runner/run-scenario.ts';

const ALLURE_STATUS: Record<TimelineNode['status'], Status> = {
  passed: Status.PASSED,
  failed: Status.FAILED,
  broken: Status.BROKEN,
  skipped: Status.SKIPPED,
};

async function sendAllure(message: RuntimeMessage): Promise<void> {
  const runtime = getGlobalTestRuntime() as { sendMessage?(m: RuntimeMessage): Promise<void> };
  await runtime.sendMessage?.(message);
}

/** Replays the run's timeline as nested Allure steps with their real start and stop times. */
async function mirror(nodes: TimelineNode[]): Promise<void> {
  for (const node of nodes) {
    await sendAllure({ type: 'step_start', data: { name: node.name, start: node.start } });
    await mirror(node.children);
    await sendAllure({
      type: 'step_stop',
      data: {
        stop: node.stop,
        status: ALLURE_STATUS[node.status],
        ...(node.detail ? { statusDetails: { message: node.detail } } : {}),
      },
    });
  }
}

/** In the vitest worker, SIGINT (from the terminal or forwarded by the CLI) aborts the run, which rolls back. */
function abortOnSignals(controller: AbortController, runDir: string): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted)
      controller.abort(new DrillError('E_ABORTED', `aborted by the operator (${signal})`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, WORKER_PID_FILE), String(process.pid));
  // The CLI may have been interrupted before it could read our pid.
  if (existsSync(join(runDir, ABORT_REQUEST_FILE))) onSignal('SIGINT');
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/**
 * Declares the drill of `scenarioName` on the target named by DRILL_TARGET (else the scenario's default):
 * `await describeDrill('aurora-outage')` at the top of drills/aurora-outage.drill.ts.
 */
export async function describeDrill(scenarioName: string): Promise<void> {
  const env = process.env;
  const drill = await loadDrill(scenarioName, env.DRILL_TARGET || undefined);
  const dryRun = env.DRILL_DRY_RUN === '1';
  if (drill.target.kind === 'live' && !dryRun && env.DRILL_EXECUTE !== '1') {
    throw new DrillError(
      'E_USAGE',
      `target "${drill.target.name}" is live: run it with \`pnpm drill ${scenarioName} --execute\``,
    );
  }
  const runId = env.DRILL_RUN_ID || createRunId(drill.scenario.name);
  const outDir = resolve(env.DRILL_OUT_DIR || 'out');
  const runDir = join(outDir, 'runs', runId);
  const { objectives } = { objectives: { ...drill.scenario.objectives, ...drill.target.objectives } };
  const timeline = new TimelineReporter();
  let result: RunResult | undefined;
  const ran = (skip?: (note: string) => void) => {
    if (!result) throw new Error(`the drill did not produce a result; see ${runDir}`);
    // An aborted drill measured nothing: its objectives are skipped, not failed.
    if (result.verdict === 'aborted') skip?.(result.reason);
    return result;
  };

  describe(`drill ${drill.scenario.name} on ${drill.target.name}`, () => {
    let releaseTarget: (() => Promise<void>) | undefined;
    // e.g. the lab target starts an ephemeral lab when none is up, and stops it after the drill.
    afterAll(async () => {
      await releaseTarget?.();
    });

    beforeAll(async () => {
      if (!dryRun && drill.target.prepare) {
        releaseTarget = await drill.target.prepare({ log: (line) => process.stdout.write(`${line}\n`) });
      }
      const controller = new AbortController();
      const release = abortOnSignals(controller, runDir);
      const redactor = new Redactor();
      try {
        result = await runScenario(drill.scenario, drill.target, {
          runId,
          outDir,
          dryRun,
          signal: controller.signal,
          scenarioFile: drill.scenarioFile,
          targetFile: drill.targetFile,
          redactor,
          reporters: [new ConsoleReporter({ redactor, live: env.DRILL_LIVE === '1' }), timeline],
        });
      } finally {
        release();
      }
    });

    it(`${dryRun ? 'plans' : 'runs'} every phase (${drill.scenario.summary})`, async ({ skip }) => {
      await epic('DR drills');
      await feature(drill.scenario.name);
      await parameter('target', drill.target.name);
      await parameter('run', runId);
      await mirror(timeline.phases);
      for (const file of ['result.json', 'journal.json', 'actions.jsonl']) {
        const path = join(runDir, file);
        if (existsSync(path))
          await attachment(
            file,
            readFileSync(path, 'utf8'),
            file.endsWith('l') ? 'application/x-ndjson' : 'application/json',
          );
      }
      const r = ran(skip);
      expect(r.verdict, r.reason).not.toBe('error');
      if (!dryRun)
        expect(r.steps.filter((s) => s.status === 'failed').map((s) => `${s.title}: ${s.error}`)).toEqual([]);
    });

    it.skipIf(dryRun)(`RTO ≤ ${objectives.rto}`, ({ skip }) => {
      const rto = ran(skip).rto;
      expect(rto?.recovered, `not recovered: ${JSON.stringify(rto?.lastFailures ?? {})}`).toBe(true);
      expect(
        rto?.achievedMs ?? Number.POSITIVE_INFINITY,
        `achieved ${formatDuration(rto?.achievedMs ?? 0)}`,
      ).toBeLessThanOrEqual(rto?.objectiveMs ?? 0);
    });

    it.skipIf(dryRun || !drill.scenario.ledger)(`RPO ≤ ${objectives.rpo}`, ({ skip }) => {
      const rpo = ran(skip).rpo;
      expect(
        rpo?.achievedMs ?? Number.POSITIVE_INFINITY,
        `${rpo?.lostCount ?? '?'} writes lost`,
      ).toBeLessThanOrEqual(rpo?.objectiveMs ?? 0);
    });

    for (const probe of drill.scenario.verify) {
      it.skipIf(dryRun)(`verify: ${probe.name}`, ({ skip }) => {
        const check = ran(skip).probes.verify.find((p) => p.name === probe.name);
        expect(check, 'the verification phase did not run').toBeDefined();
        expect(check?.ok, check?.detail).toBe(true);
      });
    }
  });
}
