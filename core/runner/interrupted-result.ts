// The result.json of a run killed before it could write one, written by `drill rollback` from the journal: outcome
// "interrupted", what the run did up to its death, and what the rollback did. Nothing here was measured.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDuration } from '../duration.ts';
import type { JournalData } from '../journal.ts';
import type { Scenario, Target } from '../model.ts';
import type { LockReleaseOutcome } from '../safety/lock.ts';
import { exactWayBack } from '../safety/way-back.ts';
import { EXIT_CODES, RESULT_FILE } from './report.ts';
import { RESULT_SCHEMA_VERSION, type RunResult, runResultSchema } from './result-schema.ts';
import type { RollForwardOutcome } from './roll-forward.ts';

type Interrupted = NonNullable<RunResult['interrupted']>;

export interface RollbackRecord {
  /** The killed run's last journal write, read before the rollback wrote its own. */
  lastSeenAt: string;
  at: Date;
  state: Interrupted['rollback']['state'];
  rollForward: RollForwardOutcome | undefined;
  rollForwardFailed: string;
  lock: LockReleaseOutcome;
}

/**
 * The interrupted record a previous `drill rollback` wrote, or null when the run has none to rewrite: undefined when
 * the run wrote no result.json (it was killed), null when it wrote its own (it finished: never overwritten).
 */
export function priorInterrupted(runDir: string): Interrupted | undefined | null {
  const file = join(runDir, RESULT_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = runResultSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success && parsed.data.interrupted ? parsed.data.interrupted : null;
}

export const LOCK_STATUS: Record<
  LockReleaseOutcome['status'],
  'held' | 'released' | 'not-taken' | 'release-failed'
> = {
  released: 'released',
  kept: 'held',
  'not-held': 'not-taken',
  'held-by-other': 'not-taken',
  failed: 'release-failed',
};

export function interruptedResult<R>(
  journal: Readonly<JournalData>,
  scenario: Scenario<R>,
  target: Target<R>,
  rollback: RollbackRecord,
  prior: Interrupted | undefined,
): RunResult {
  const started = Date.parse(journal.startedAt);
  const sinceStart = (iso: string | undefined, fallback: number) =>
    iso === undefined ? fallback : Math.max(0, Date.parse(iso) - started);
  const lastSeenAt = prior?.lastSeenAt ?? rollback.lastSeenAt;
  const diedAt = sinceStart(lastSeenAt, 0);
  const t0 = journal.t0 === undefined ? undefined : sinceStart(journal.t0, 0);
  const objectives = { ...scenario.objectives, ...definedOnly(target.objectives ?? {}) };
  const endedAt = rollback.at.toISOString();
  const phases = journal.phases.map((p) => {
    const startMs = sinceStart(p.startedAt, 0);
    const endMs = sinceStart(p.endedAt, diedAt);
    return {
      phase: p.phase,
      status: p.status === 'running' ? ('aborted' as const) : p.status,
      startMs,
      endMs,
      durationMs: Math.max(0, endMs - startMs),
      ...(p.status === 'running' ? { detail: `the drill process (pid ${journal.pid}) was killed` } : {}),
    };
  });
  const steps = journal.steps.flatMap((s) => {
    if (s.phase !== 'inject' && s.phase !== 'failover' && s.phase !== 'restore') return [];
    const startMs = sinceStart(s.startedAt, 0);
    const endMs = sinceStart(s.endedAt, diedAt);
    return [
      {
        id: s.id,
        title: s.title,
        phase: s.phase,
        status: s.status === 'running' ? ('aborted' as const) : s.status,
        startMs,
        endMs,
        durationMs: Math.max(0, endMs - startMs),
        ...(t0 === undefined ? {} : { sinceT0Ms: endMs - t0 }),
        ...(s.error ? { error: s.error } : {}),
      },
    ];
  });
  const rolledForward = [...(prior?.rollback.rolledForward ?? []), ...(rollback.rollForward?.done ?? [])];
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    runId: journal.runId,
    scenario: {
      name: scenario.name,
      summary: scenario.summary,
      ...(journal.scenario.file ? { file: journal.scenario.file } : {}),
    },
    target: journal.target,
    dryRun: journal.dryRun,
    verdict: 'aborted',
    exitCode: EXIT_CODES.aborted,
    reason: journal.reason ?? `killed (pid ${journal.pid}) during ${journal.phase}`,
    startedAt: journal.startedAt,
    endedAt,
    durationMs: Math.max(0, rollback.at.getTime() - started),
    t0: journal.t0 ?? null,
    objectives: {
      rto: objectives.rto,
      rpo: objectives.rpo,
      stableFor: objectives.stableFor,
      rtoMs: parseDuration(objectives.rto),
      rpoMs: parseDuration(objectives.rpo),
      stableForMs: parseDuration(objectives.stableFor),
    },
    phases,
    steps,
    rto: null,
    rpo: null,
    probes: { steadyState: [], recovery: [], verify: [] },
    undo: journal.undos.map((u) => ({
      id: u.id,
      kind: u.kind,
      stepId: u.stepId,
      title: u.title,
      // Every undo was settled by the rollback; one still pending was never reached.
      status: u.status === 'pending' ? 'skipped' : u.status,
      durationMs: u.outcome?.durationMs ?? 0,
      ...(u.outcome?.error ? { error: u.outcome.error } : {}),
      ...(u.outcome?.note ? { note: u.outcome.note } : u.status === 'pending' ? { note: 'not reached' } : {}),
    })),
    irreversible: journal.steps
      .filter((s) => s.phase === 'failover' && s.irreversible)
      .map((s) => ({
        stepId: s.id,
        title: s.title,
        reason: s.irreversible?.reason ?? '',
        wayBack: exactWayBack(s.irreversible?.wayBack ?? '', journal.runId, journal.target),
      })),
    deviations: [],
    findings: [],
    plan: [],
    background: [],
    attachments: [],
    safety: {
      checks: [],
      lock: {
        where: rollback.lock.where,
        status: LOCK_STATUS[rollback.lock.status],
        detail: `after \`drill rollback\`: ${rollback.lock.status}${rollback.lock.detail ? `: ${rollback.lock.detail}` : ''}`,
      },
      abort: null,
    },
    interrupted: {
      phase: journal.phase,
      pid: journal.pid,
      lastSeenAt,
      rollback: {
        at: endedAt,
        state: rollback.state,
        rolledForward,
        ...(rollback.rollForwardFailed ? { rollForwardFailed: rollback.rollForwardFailed } : {}),
      },
    },
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
