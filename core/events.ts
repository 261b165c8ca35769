// Everything the runner tells the outside world, as a discriminated union with one formatter per kind.
import { formatDuration } from './duration.ts';
import type { Phase, PlannedCall, Verdict } from './model.ts';

interface EventBase {
  /** Monotonic ms since the run started. */
  at: number;
  /** Epoch ms of the same instant (display and Allure timings only). */
  wallMs: number;
  /** ms since T0, once the fault is injected. */
  sinceT0Ms?: number;
}

export type StepStatus = 'ok' | 'failed' | 'deviation' | 'aborted' | 'skipped';
export type UndoStatus = 'done' | 'failed' | 'skipped';

export type DrillEvent =
  | (EventBase & {
      kind: 'run-start';
      runId: string;
      scenario: string;
      target: string;
      dryRun: boolean;
      runDir: string;
    })
  | (EventBase & { kind: 'plan'; steps: { stepId: string; title: string; calls: PlannedCall[] }[] })
  | (EventBase & { kind: 'phase-start'; phase: Phase })
  | (EventBase & {
      kind: 'phase-end';
      phase: Phase;
      status: 'ok' | 'failed' | 'aborted' | 'skipped';
      durationMs: number;
      detail?: string;
    })
  | (EventBase & {
      kind: 'step-start';
      phase: Phase;
      stepId: string;
      title: string;
      runbook?: string;
      plannedAtMs?: number;
    })
  | (EventBase & {
      kind: 'step-end';
      phase: Phase;
      stepId: string;
      title: string;
      status: StepStatus;
      durationMs: number;
      plannedAtMs?: number;
      lateByMs?: number;
      detail?: string;
      error?: string;
    })
  | (EventBase & {
      kind: 'probe-sample';
      phase: Phase;
      probe: string;
      ok: boolean;
      latencyMs?: number;
      detail?: string;
    })
  | (EventBase & {
      kind: 'undo';
      stepId: string;
      title: string;
      status: UndoStatus;
      durationMs: number;
      error?: string;
      note?: string;
    })
  | (EventBase & { kind: 'log'; level: 'info' | 'warn' | 'debug'; message: string })
  | (EventBase & {
      kind: 'run-end';
      verdict: Verdict;
      reason: string;
      exitCode: number;
      runDir: string;
      rtoMs: number | null;
      rpoMs: number | null;
      pendingWayBacks: { stepId: string; title: string; wayBack: string }[];
    });

export type DrillEventKind = DrillEvent['kind'];
export type EventOf<K extends DrillEventKind> = Extract<DrillEvent, { kind: K }>;

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
    `    probe ${e.probe} ${e.ok ? 'ok' : 'FAIL'}${t0Label(e)}${e.detail ? `: ${e.detail}` : ''}`,
  undo: (e) =>
    e.note
      ? `  ↷ undo ${e.title}: ${e.note}`
      : `  ↶ undo ${e.title}: ${e.status} in ${formatDuration(e.durationMs)}${e.error ? `: ${e.error}` : ''}`,
  log: (e) => `${e.level === 'warn' ? '⚠ ' : ''}${e.message}`,
  'run-end': (e) =>
    [
      `verdict: ${e.verdict.toUpperCase()} (exit ${e.exitCode}): ${e.reason}`,
      `  RTO ${e.rtoMs === null ? 'not measured' : formatDuration(e.rtoMs)}, RPO ${
        e.rpoMs === null ? 'not measured' : formatDuration(e.rpoMs)
      }`,
      ...e.pendingWayBacks.map(
        (w) => `  ‼ IRREVERSIBLE: "${w.title}" was not undone; way back: ${w.wayBack}`,
      ),
      `  results: ${e.runDir}`,
    ].join('\n'),
};

/** One human line (or block) per event. */
export function formatEvent(event: DrillEvent): string {
  return (FORMATTERS[event.kind] as (e: DrillEvent) => string)(event);
}
