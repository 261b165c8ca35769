// Everything the runner tells the outside world, as a discriminated union with one formatter per kind.

import type { z } from 'zod';
import { formatDuration } from './duration.ts';
import type { DrillEvent, stepStatusSchema, undoStatusSchema } from './events-schema.ts';
import { formatMeasured } from './measure/interval.ts';
import type { RunResult } from './runner/result-schema.ts';

/** Every event: its zod schema (core/events-schema.ts) is the one place it is defined. */
export type { DrillEvent };
export type StepStatus = z.infer<typeof stepStatusSchema>;
export type UndoStatus = z.infer<typeof undoStatusSchema>;
type EventBase = Pick<DrillEvent, 'at' | 'wallMs' | 'sinceT0Ms'>;

export type DrillEventKind = DrillEvent['kind'];
export type EventOf<K extends DrillEventKind> = Extract<DrillEvent, { kind: K }>;

/**
 * The rest of result.json (core/runner/run-record.ts): most reporters print none of them (the console says the same
 * through other kinds), and none is part of the journal.
 */
export const RESULT_EVIDENCE_KINDS = [
  'failure',
  'attachment',
  'background',
  'rto',
  'rpo',
  'roll-forward',
  'safety-check',
  'abort-condition',
] as const satisfies readonly DrillEventKind[];

/** The kinds that carry the run's record, for `drill rollback` and result.json (Reporter.onRecord). */
export const RECORD_KINDS = [
  'process',
  'undo-registered',
  'undo-data',
  'irreversible',
  't0',
  'lock',
  'deviation',
  'rollback-end',
  ...RESULT_EVIDENCE_KINDS,
] as const satisfies readonly DrillEventKind[];
export type RecordKind = (typeof RECORD_KINDS)[number];

function t0Label(e: EventBase): string {
  return e.sinceT0Ms === undefined ? '' : ` [T0+${formatDuration(e.sinceT0Ms)}]`;
}

const FORMATTERS: { [K in DrillEventKind]: (e: EventOf<K>) => string } = {
  'run-start': (e) =>
    `drill ${e.scenario} on ${e.target}${e.dryRun ? ' (dry run)' : ''}: run ${e.runId} → ${e.runDir}`,
  plan: (e) =>
    [
      'plan:',
      ...e.steps.flatMap((s) => [
        `  ${s.stepId}: ${s.title}`,
        ...s.calls.map(
          (c) =>
            `    ${c.mutating ? 'MUTATE' : 'read  '} ${c.service} ${c.operation}${c.scope ? ` @${c.scope}` : ''}${
              c.params ? ` ${JSON.stringify(c.params)}` : ''
            }`,
        ),
      ]),
    ].join('\n'),
  'phase-start': (e) => `▶ ${e.phase}${t0Label(e)}`,
  'phase-end': (e) =>
    `${e.status === 'ok' ? '✔' : e.status === 'skipped' ? '-' : '✖'} ${e.phase} ${e.status} in ${formatDuration(
      e.durationMs,
    )}${e.detail ? `: ${e.detail}` : ''}`,
  'step-start': (e) =>
    `  → ${e.title}${e.runbook ? ` (${e.runbook})` : ''}${t0Label(e)}${
      e.plannedAtMs === undefined ? '' : ` planned by T0+${formatDuration(e.plannedAtMs)}`
    }`,
  'step-end': (e) =>
    `  ${e.status === 'ok' ? '✔' : e.status === 'deviation' ? '⚠' : '✖'} ${e.title} ${e.status} in ${formatDuration(
      e.durationMs,
    )}${t0Label(e)}${e.lateByMs ? ` late by ${formatDuration(e.lateByMs)}` : ''}${e.error ? `: ${e.error}` : ''}`,
  'probe-sample': (e) =>
    `    probe ${e.probe} ${e.ok ? (e.lost ? `ok, ${e.lost} LOST` : 'ok') : 'FAIL'}${t0Label(e)}${e.detail ? `: ${e.detail}` : ''}`,
  undo: (e) =>
    e.note
      ? `  ↷ undo ${e.title}: ${e.note}`
      : `  ↶ undo ${e.title}: ${e.status} in ${formatDuration(e.durationMs)}${e.error ? `: ${e.error}` : ''}`,
  checkpoint: (e) =>
    e.state === 'waiting'
      ? `  ⏸ waiting for a person (up to ${formatDuration(e.waitUpToMs)}, then ${e.onTimeout}): ${e.instruction ?? e.title}`
      : e.state === 'confirmed'
        ? `  ✔ confirmed by ${e.by} (${e.via}) after ${formatDuration(e.waitedMs ?? 0)}`
        : `  ⚠ nobody confirmed "${e.title}" within ${formatDuration(e.waitUpToMs)}: ${e.onTimeout === 'abort' ? 'aborting' : 'continuing'}`,
  process: (e) => `${e.role} process ${e.pid}`,
  'undo-registered': (e) => `  undo of ${e.title} registered (${e.undoId})`,
  'undo-data': (e) => `  undo data of ${e.undoId} recorded`,
  irreversible: (e) => `  ‼ ${e.title} cannot be undone (${e.reason}); way back: ${e.wayBack}`,
  t0: (e) => `T0 at ${formatDuration(e.t0Ms)}`,
  lock: (e) => `lock ${e.status} (${e.where})${e.detail ? `: ${e.detail}` : ''}`,
  deviation: (e) => `  ⚠ deviation ${e.deviationKind}: ${e.message}`,
  'rollback-end': (e) => `rollback ${e.state}: ${e.done} done, ${e.failed} failed`,
  failure: (e) => `  ✖ ${e.message}`,
  attachment: (e) => `  attached ${e.name} (${e.path})`,
  background: (e) => `  ${e.role} ${e.name} ${e.state}${e.error ? `: ${e.error}` : ''}`,
  rto: (e) => rtoLine(e.rto),
  rpo: (e) => rpoLine(e.rpo),
  'roll-forward': (e) =>
    `rolled forward after '${e.after.title}': ${e.done.length} done${e.failed ? `, failed at '${e.failed.title}'` : ''}`,
  'safety-check': (e) => `safety ${e.name}: ${e.status}: ${e.detail}`,
  'abort-condition': (e) => `abort condition met (${e.condition}): ${e.reason}`,
  log: (e) => `${e.level === 'warn' ? '⚠ ' : ''}${e.message}`,
  'run-end': (e) =>
    [
      ...(e.refusal
        ? [
            `verdict: ${e.outcome.toUpperCase()} (exit ${e.exitCode}): ${e.refusal.heading}: ${e.refusal.problems.length} problem${e.refusal.problems.length === 1 ? '' : 's'}, each with its fix:`,
            ...e.refusal.problems.map((p) => `  ✖ ${p}`),
          ]
        : [`verdict: ${e.outcome.toUpperCase()} (exit ${e.exitCode}): ${e.reason}`]),
      ...(e.rto || e.rpo
        ? [rtoLine(e.rto), rpoLine(e.rpo)]
        : [
            `  RTO ${e.rtoMs === null ? 'not measured' : formatDuration(e.rtoMs)}, RPO ${
              e.rpoMs === null ? 'not measured' : formatDuration(e.rpoMs)
            }`,
          ]),
      ...e.pendingWayBacks.map(
        (w) => `  ‼ IRREVERSIBLE: "${w.title}" was not undone; way back: ${w.wayBack}`,
      ),
      `  results: ${e.runDir}`,
    ].join('\n'),
};

const objective = (ms: number, met: boolean) =>
  `objective ${formatDuration(ms)}: ${met ? 'met' : 'BREACHED'}`;

/** "RTO 18.3s, between 18.2s and 18.5s (objective 30m 00s: met); phases: detection 4.2s · promotion 2.7s · …". */
function rtoLine(rto: RunResult['rto'] | undefined): string {
  if (!rto) return '  RTO not measured';
  if (rto.achievedMs === null)
    return `  RTO not reached: never recovered (${objective(rto.objectiveMs, false)})`;
  const phases = rto.phases.map((p) => `${p.name} ${formatDuration(p.durationMs)}`).join(' · ');
  return `  RTO ${formatMeasured(rto)} (${objective(rto.objectiveMs, rto.met)})${phases ? `\n      phases: ${phases}` : ''}`;
}

/** "RPO 297ms, between 180ms and 320ms (objective 5m 00s: met): 3 of 21 acknowledged writes lost (#19, #20, #21); …". */
function rpoLine(rpo: RunResult['rpo'] | undefined): string {
  if (!rpo) return '  RPO not measured';
  const achieved = rpo.achievedMs === null ? 'not measured' : formatMeasured(rpo);
  const shown = rpo.lostSeqs
    .slice(0, 20)
    .map((s) => `#${s}`)
    .join(', ');
  const lost =
    rpo.lostCount === 0
      ? `no acknowledged write lost (of ${rpo.acknowledgedCount})`
      : `${rpo.lostCount} of ${rpo.acknowledgedCount} acknowledged writes lost (${shown}${rpo.lostCount > 20 ? ', …' : ''})`;
  const reported =
    rpo.reportedLagMs === null
      ? ''
      : `; the platform reported ${formatDuration(rpo.reportedLagMs)} of lag before T0`;
  return `  RPO ${achieved} (${objective(rpo.objectiveMs, rpo.met)}): ${lost}${reported}`;
}

/** One human line (or block) per event. */
export function formatEvent(event: DrillEvent): string {
  return (FORMATTERS[event.kind] as (e: DrillEvent) => string)(event);
}
