// `drill rollback`'s run: the run replayed from its events into the same DrillRun state a live run has (phases,
// steps, irreversible steps, T0, the undo stack with each undo's data), so the one restore engine runs on it. The
// events it emits append to the run's own events.jsonl, after the killed run's.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RunClock } from '../clock.ts';
import { DrillError } from '../errors.ts';
import { EVENTS_FILE, EventLog } from '../event-log.ts';
import type { DrillEvent } from '../events.ts';
import { type JournalData, JournalSnapshot, pendingUndos } from '../journal.ts';
import type { Scenario, StepDefinition, Target } from '../model.ts';
import type { Redactor } from '../redact.ts';
import type { Reporter } from '../reporters/reporter.ts';
import { DrillRun } from './drill-run.ts';
import { Emitter } from './emitter.ts';
import { stepId } from './ids.ts';
import { faultStep, type StepSlot, undoEntryOf } from './step-runner.ts';

export interface ReplayOptions {
  redactor: Redactor;
  reporters: Reporter[];
}

/** The replayed run (aborted: it resumes where an abort would) and its journal snapshot. */
export function replayRun<R>(
  runDir: string,
  recorded: { data: Readonly<JournalData>; events: readonly DrillEvent[] },
  scenario: Scenario<R>,
  target: Target<R>,
  opts: ReplayOptions,
): { run: DrillRun<R>; journal: JournalSnapshot } {
  const { data, events } = recorded;
  const journal = new JournalSnapshot(runDir, events);
  const controller = new AbortController();
  // The run was killed or concluded: what is left is what an abort leaves, the restore engine's abort order.
  controller.abort(new DrillError('E_ABORTED', `run ${data.runId} is replayed by \`drill rollback\``));
  const t0 = events.findLast((e) => e.kind === 't0')?.t0Ms;
  const run = new DrillRun<R>({
    runId: data.runId,
    runDir,
    scenario,
    target,
    ...(data.scenario.file ? { scenarioFile: data.scenario.file } : {}),
    ...(data.target.file ? { targetFile: data.target.file } : {}),
    dryRun: data.dryRun,
    clock: resumedClock(Date.parse(data.startedAt), t0),
    redactor: opts.redactor,
    emitter: new Emitter(opts.reporters, new EventLog(join(runDir, EVENTS_FILE)), [(e) => journal.apply(e)]),
    controller,
  });
  run.replay(events);
  // Oldest first, so the stack unwinds most recent first.
  for (const undo of [...pendingUndos(data)].reverse()) {
    const { step, slot } = unitOf(scenario, undo.kind, undo.stepId);
    const entry = step && undoEntryOf(run, step, slot);
    run.undo.push({
      ...(entry ?? {
        kind: undo.kind,
        stepId: undo.stepId,
        title: undo.title,
        timeoutMs: 0,
        timeoutSetting: `${slot.path}.timeout`,
        run: async () => {
          throw new DrillError(
            'E_NOT_FOUND',
            `step "${undo.stepId}" has no undo in ${data.scenario.file ?? scenario.name} any more`,
          );
        },
      }),
      id: undo.id,
      title: undo.title,
      ...(undo.undoData === undefined ? {} : { undoData: undo.undoData }),
    });
  }
  return { run, journal };
}

/** The scenario's unit an undo belongs to: the fault, or a failover step by id (gone if the scenario changed). */
function unitOf<R>(
  scenario: Scenario<R>,
  kind: 'fault' | 'step',
  id: string,
): { step: StepDefinition<R> | undefined; slot: StepSlot } {
  if (kind === 'fault') return { step: faultStep(scenario.fault), slot: { phase: 'inject', path: 'fault' } };
  const index = scenario.failover.findIndex((s) => stepId(s) === id);
  return { step: scenario.failover[index], slot: { phase: 'failover', path: `failover[${index}]` } };
}

/** The run's clock resumed in this process: `now()` counts from the run's start, T0 is the run's own. */
function resumedClock(startedAtWallMs: number, t0: number | undefined): RunClock {
  const origin = performance.now() - Math.max(0, Date.now() - startedAtWallMs);
  const startedAtWall = new Date(startedAtWallMs);
  return {
    now: () => performance.now() - origin,
    wall: (mono) => new Date(startedAtWallMs + mono),
    t0,
    markT0: () => {
      throw new Error('T0 of a replayed run is already on record');
    },
    startedAtWall,
    offset: undefined,
    realStartedAtWall: startedAtWall,
  };
}
