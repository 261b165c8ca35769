// Binds a scenario to vitest + Allure: one beforeAll runs the engine (which knows nothing of vitest),
// phases and steps are mirrored as Allure steps with their real timings, and each objective is its own test.
import { join, resolve } from 'node:path';
import { abortOnSignals, loadDrill } from 'drill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../core/duration.ts';
import { DrillError } from '../core/errors.ts';
import { Redactor } from '../core/redact.ts';
import { ConsoleReporter } from '../core/reporters/console.ts';
import { createRunId } from '../core/runner/ids.ts';
import { runOutcome } from '../core/runner/outcome.ts';
import { EXIT_CODES } from '../core/runner/report.ts';
import type { RunResult } from '../core/runner/result-schema.ts';
import { runScenario } from '../core/runner/run-scenario.ts';
import { telemetryReporters } from '../core/telemetry/index.ts';
import { rpoParameters, rtoParameters } from '../reports/allure/evidence.ts';
import {
  attachRunEvidence,
  type DrillIdentity,
  describeTest,
  mirrorSteps,
} from '../reports/allure/publish.ts';
import { AllureTimeline } from '../reports/allure/timeline.ts';
import { projectRunbookLinker, type RunbookLinker } from '../reports/run/runbook-links.ts';

/** Runbook sections as links when the runbook is at hand (it is in the repository); none otherwise. */
function runbookLinker(): RunbookLinker | undefined {
  try {
    return projectRunbookLinker();
  } catch {
    return undefined;
  }
}

/**
 * A refused run (and a dry run that would refuse) or an aborted one measured nothing: its checks are skipped, not
 * failed, with the outcome and reason as their note (Allure shows it; the console said it once, in the verdict).
 */
export function measuredNothing(result: RunResult): string | undefined {
  const outcome = runOutcome(result);
  if (outcome !== 'aborted' && result.exitCode !== EXIT_CODES.refused) return undefined;
  return `${outcome}: ${result.reason}`;
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
  const timeline = new AllureTimeline();
  const identity: DrillIdentity = {
    scenario: drill.scenario.name,
    target: drill.target.name,
    kind: drill.target.kind,
    runId,
  };
  let result: RunResult | undefined;
  const ran = (skip?: (note: string) => void) => {
    if (!result) throw new Error(`the drill did not produce a result; see ${runDir}`);
    const note = measuredNothing(result);
    if (note) skip?.(note);
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
          reporters: [
            new ConsoleReporter({ redactor, live: env.DRILL_LIVE === '1' }),
            timeline,
            // OTLP trace and metrics (OTEL_*), the drill webhook (DRILL_WEBHOOK_URL): each only when configured.
            ...telemetryReporters({ redactor }),
          ],
        });
      } finally {
        release();
      }
    });

    it(`${dryRun ? 'plans' : 'runs'} every phase (${drill.scenario.summary})`, async ({ skip }) => {
      await describeTest(identity, 'run');
      await mirrorSteps(timeline.phases);
      if (result) await attachRunEvidence(result, runDir, runbookLinker());
      const r = ran(skip);
      expect(r.verdict, r.reason).not.toBe('error');
      if (!dryRun)
        expect(r.steps.filter((s) => s.status === 'failed').map((s) => `${s.title}: ${s.error}`)).toEqual([]);
    });

    // RTO and RPO are tests of their own, with achieved / objective / uncertainty as parameters: the overview shows them.
    it.skipIf(dryRun)(`RTO ≤ ${objectives.rto}`, async ({ skip }) => {
      if (result) await describeTest(identity, 'rto', rtoParameters(result));
      const rto = ran(skip).rto;
      expect(rto?.recovered, `not recovered: ${JSON.stringify(rto?.lastFailures ?? {})}`).toBe(true);
      expect(
        rto?.achievedMs ?? Number.POSITIVE_INFINITY,
        `achieved ${formatDuration(rto?.achievedMs ?? 0)}`,
      ).toBeLessThanOrEqual(rto?.objectiveMs ?? 0);
    });

    it.skipIf(dryRun || !drill.scenario.ledger)(`RPO ≤ ${objectives.rpo}`, async ({ skip }) => {
      if (result) await describeTest(identity, 'rpo', rpoParameters(result));
      const rpo = ran(skip).rpo;
      expect(
        rpo?.achievedMs ?? Number.POSITIVE_INFINITY,
        `${rpo?.lostCount ?? '?'} writes lost`,
      ).toBeLessThanOrEqual(rpo?.objectiveMs ?? 0);
    });

    for (const probe of drill.scenario.verify) {
      it.skipIf(dryRun)(`verify: ${probe.name}`, async ({ skip }) => {
        await describeTest(identity, 'verify');
        const check = ran(skip).probes.verify.find((p) => p.name === probe.name);
        expect(check, 'the verification phase did not run').toBeDefined();
        expect(check?.ok, check?.detail).toBe(true);
      });
    }
  });
}
