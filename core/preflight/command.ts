// `pnpm drill preflight <scenario> --target <t>`: the drill's preconditions on the target, read-only. The plan is
// built as a dry run builds it; the gates the drill runs (guardrails, lock, experiments, lag, alarms, permissions)
// and the target's readiness checks run on it; nothing is written to the target: a mutating call through the
// audit log is refused before it is sent. Exit 0 only when every check passes.

import { setMaxListeners } from 'node:events';
import { EXIT } from '../cli/exit-codes.ts';
import { createClock } from '../clock.ts';
import { parseDuration } from '../duration.ts';
import { DrillError, errorMessage } from '../errors.ts';
import { loadDrill } from '../load-drill.ts';
import type { AuditLog, PlannedCall, RunContext, Scenario, Target } from '../model.ts';
import type { SafetyPlatform } from '../safety/types.ts';
import { formatReadiness, readinessJson } from './format.ts';
import { gateChecks } from './gate-checks.ts';
import { scenarioPlan } from './plan.ts';
import { allPass, runReadiness } from './run.ts';
import type { ReadinessCheck, ReadinessResult } from './types.ts';

export interface PreflightOptions {
  target?: string;
  json?: boolean;
}

/** An audit log that refuses every mutation: the preflight is read-only whatever a check calls. */
export class ReadOnlyAudit implements AuditLog {
  readonly refused: PlannedCall[] = [];
  async mutate<T>(call: PlannedCall, _perform?: () => Promise<T>): Promise<T> {
    this.refused.push(call);
    throw new DrillError(
      'E_USAGE',
      `the preflight is read-only: ${call.service} ${call.operation}${call.scope ? ` @${call.scope}` : ''} was not sent`,
    );
  }
}

export interface PreflightRun {
  results: ReadinessResult[];
  checks: ReadinessCheck[];
  audit: ReadOnlyAudit;
}

/** Every check of the preflight for `scenario` on `target`, run. */
export async function runPreflight(
  scenario: Scenario<unknown>,
  target: Target<unknown>,
  targetFile: string,
  signal: AbortSignal,
): Promise<PreflightRun> {
  const audit = new ReadOnlyAudit();
  const ctx: RunContext<unknown> = {
    runId: `preflight-${Date.now()}`,
    scenario,
    target,
    signal,
    dryRun: false,
    clock: createClock(),
    log: { info: () => {}, warn: () => {}, debug: () => {} },
    audit,
    state: new Map(),
    attach: async () => {
      throw new DrillError('E_USAGE', 'the preflight writes no attachments');
    },
  };
  const plan = scenarioPlan(scenario, ctx);
  let platform: SafetyPlatform | undefined;
  try {
    platform = await target.safety?.platform?.(ctx);
  } catch (error) {
    const results: ReadinessResult[] = [
      {
        name: 'safety-platform',
        status: 'could-not-check',
        reason: `the safety platform of target "${target.name}" could not be built: ${errorMessage(error)}`,
        fix: 'check the AWS credentials and the kubeconfig (a lab target needs `pnpm lab up`)',
      },
    ];
    return { results, checks: [], audit };
  }
  const objectives = { ...scenario.objectives, ...target.objectives };
  const checks = [
    ...gateChecks({
      target,
      targetFile,
      plan,
      platform,
      rpo: { ms: parseDuration(objectives.rpo), text: objectives.rpo },
    }),
    ...(platform?.readiness?.(plan.flatMap((e) => e.calls)) ?? []),
  ];
  try {
    return { results: await runReadiness(checks, signal), checks, audit };
  } finally {
    await platform?.close?.();
  }
}

export async function preflightCommand(scenarioName: string, opts: PreflightOptions): Promise<number> {
  const drill = await loadDrill(scenarioName, opts.target);
  const controller = new AbortController();
  // Every read of every check listens on this one signal at once: dozens, not a leak.
  setMaxListeners(256, controller.signal);
  const stop = () => controller.abort(new DrillError('E_ABORTED', 'preflight interrupted'));
  process.once('SIGINT', stop);
  try {
    const { results } = await runPreflight(drill.scenario, drill.target, drill.targetFile, controller.signal);
    const ready = allPass(results);
    process.stdout.write(
      `${
        opts.json
          ? readinessJson({
              scenario: drill.scenario.name,
              target: drill.target.name,
              ready,
              checks: results,
            })
          : formatReadiness(
              results,
              `preflight ${drill.scenario.name} on target ${drill.target.name} (read-only: nothing is changed)`,
            )
      }\n`,
    );
    return ready ? EXIT.passed : EXIT.failed;
  } finally {
    process.off('SIGINT', stop);
  }
}
