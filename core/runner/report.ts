// The report phase's work: the verdict, result.json (built from the run's record), the run-end event.

import { join } from 'node:path';
import { clockOffsetRecord } from '../clock.ts';
import type { DrillError } from '../errors.ts';
import { writeFileAtomic } from '../journal.ts';
import type { Verdict } from '../model.ts';
import { provenanceOf } from '../provenance/result.ts';
import { REFUSAL } from '../safety/static-checks.ts';
import { exactWayBack } from '../safety/way-back.ts';
import { signOffFromEnv } from '../sign-off.ts';
import type { DrillRun } from './drill-run.ts';
import { stepId } from './ids.ts';
import { runOutcome } from './outcome.ts';
import { recordedResult } from './recorded-result.ts';
import { RESULT_SCHEMA_VERSION, type RunResult } from './result-schema.ts';
import { rollForwardFailure, rollForwardSummary } from './roll-forward.ts';

export const RESULT_FILE = 'result.json';
export const EXIT_CODES = {
  passed: 0,
  failed: 1,
  aborted: 3,
  error: 4,
  refused: 5,
} as const satisfies Record<Verdict | 'refused', number>;

/** Refused, and a dry run that would refuse, exit 5: told apart from a drill that ran and failed. */
function exitCodeOf(result: Parameters<typeof runOutcome>[0]): (typeof EXIT_CODES)[keyof typeof EXIT_CODES] {
  const outcome = runOutcome(result);
  const wouldRefuse = outcome === 'planned' && result.verdict === 'failed';
  return outcome === 'refused' || wouldRefuse ? EXIT_CODES.refused : EXIT_CODES[result.verdict];
}

/** The refused checks a refusal (or a dry run's "would refuse") names in its verdict, each with its fix. */
function refusalOf<R>(
  run: DrillRun<R>,
  result: RunResult,
): { heading: string; problems: string[] } | undefined {
  if (result.exitCode !== EXIT_CODES.refused) return undefined;
  const problems = run.record.safetyChecks.filter((c) => c.status === 'refused').map((c) => c.detail);
  if (problems.length === 0) return undefined;
  return { heading: run.dryRun ? REFUSAL.dryRun : REFUSAL.run, problems };
}

/** The reason, plus what a roll forward did (and, LOUDLY, what it could not finish). */
function withRollForward<R>(run: DrillRun<R>, reason: string): string {
  if (!run.rollForward) return reason;
  const forward = `${reason}; ${rollForwardSummary(run.rollForward)}; then rolled back the rest`;
  const wayBack = exactWayBack(run.startedIrreversible[0]?.wayBack ?? '', run.runId, run.target);
  const loud = rollForwardFailure(run.rollForward, run.runId, wayBack);
  return loud ? `${forward}; ${loud}` : forward;
}

export function verdictOf<R>(
  run: DrillRun<R>,
  error: DrillError | undefined,
): { verdict: Verdict; reason: string } {
  if (error) return { verdict: 'error', reason: error.shortMessage };
  if (run.signal.aborted) {
    const reason = run.signal.reason instanceof Error ? run.signal.reason.message : 'aborted by the operator';
    return {
      verdict: 'aborted',
      reason: run.rollForward ? withRollForward(run, reason) : `${reason}; rolled back`,
    };
  }
  if (run.failures.length > 0)
    return { verdict: 'failed', reason: withRollForward(run, run.failures.join('; ')) };
  if (run.dryRun) return { verdict: 'passed', reason: 'dry run: plan only, nothing executed' };
  return { verdict: 'passed', reason: 'every objective and check held' };
}

function signOffOf(): { signOff?: NonNullable<RunResult['signOff']> } {
  const signOff = signOffFromEnv();
  return signOff ? { signOff } : {};
}

/** Writes result.json once the report phase ended (its verdict decided there), then emits run-end. */
export async function writeReport<R>(
  run: DrillRun<R>,
  error: DrillError | undefined,
  { verdict, reason }: { verdict: Verdict; reason: string },
): Promise<RunResult> {
  const endedAt = run.phases.at(-1)?.endMs ?? run.clock.now();
  const t0 = run.clock.t0;
  const t0Wall = (at: number) => run.clock.wall(at).toISOString();
  const { objectives } = run;
  const findings = [...(run.scenario.fault.findings ?? []).map((f) => ({ stepId: 'fault', ...f }))];
  for (const step of run.scenario.failover) {
    for (const f of step.findings ?? []) findings.push({ stepId: stepId(step), ...f });
  }
  // Irreversible steps that ran, when the run did not pass and its restore steps did not all succeed:
  // say loudly how to get back.
  const restoreSteps = run.steps.filter((s) => s.phase === 'restore');
  const restored =
    (run.scenario.restore?.length ?? 0) > 0 &&
    restoreSteps.length === run.scenario.restore?.length &&
    restoreSteps.every((s) => s.status === 'ok');
  const pendingWayBacks = verdict === 'passed' || restored ? [] : run.startedIrreversible;
  const recorded = recordedResult(run.record);
  const result: RunResult = run.redactor.redact({
    schemaVersion: RESULT_SCHEMA_VERSION,
    runId: run.runId,
    scenario: {
      name: run.scenario.name,
      summary: run.scenario.summary,
      ...(run.scenarioFile ? { file: run.scenarioFile } : {}),
    },
    target: {
      name: run.target.name,
      kind: run.target.kind,
      ...(run.targetFile ? { file: run.targetFile } : {}),
    },
    dryRun: run.dryRun,
    verdict,
    exitCode: exitCodeOf({
      dryRun: run.dryRun,
      verdict,
      t0: t0 === undefined ? null : t0Wall(t0),
      phases: [...run.phases],
    }),
    reason,
    ...(error ? { error: { code: error.code, message: error.message } } : {}),
    startedAt: run.clock.startedAtWall.toISOString(),
    endedAt: run.clock.wall(endedAt).toISOString(),
    durationMs: Math.round(endedAt),
    t0: t0 === undefined ? null : t0Wall(t0),
    objectives: {
      rto: objectives.rto,
      rpo: objectives.rpo,
      stableFor: objectives.stableFor,
      rtoMs: run.ms(objectives.rto),
      rpoMs: run.ms(objectives.rpo),
      stableForMs: run.ms(objectives.stableFor),
    },
    phases: recorded.phases,
    steps: recorded.steps,
    rto: recorded.rto,
    rpo: recorded.rpo,
    probes: recorded.probes,
    undo: recorded.undo,
    irreversible: run.startedIrreversible.map((i) => ({
      ...i,
      wayBack: exactWayBack(i.wayBack, run.runId, run.target),
    })),
    deviations: recorded.deviations,
    findings,
    plan: recorded.plan,
    background: recorded.background,
    attachments: recorded.attachments,
    safety: recorded.safety,
    ...clockOffsetRecord(run.clock),
    ...signOffOf(),
    provenance: await provenanceOf(run.safety.platform),
  });
  writeFileAtomic(join(run.runDir, RESULT_FILE), `${JSON.stringify(result, null, 2)}\n`, 0o644);
  const refusal = refusalOf(run, result);
  run.emit({
    kind: 'run-end',
    verdict,
    outcome: runOutcome(result),
    reason,
    exitCode: result.exitCode,
    ...(refusal ? { refusal } : {}),
    runDir: run.runDir,
    rtoMs: run.rto?.achievedMs ?? null,
    rpoMs: run.rpo?.achievedMs ?? null,
    rto: run.rto,
    rpo: run.rpo,
    pendingWayBacks: pendingWayBacks.map(({ stepId, title, wayBack }) => ({
      stepId,
      title,
      wayBack: exactWayBack(wayBack, run.runId, run.target),
    })),
  });
  return result;
}
