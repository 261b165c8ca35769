// A reporter that listens to every hook and keeps each event it is given, in order: what a listener of the run sees.
import type { DrillEvent } from '../events.ts';
import type { Reporter } from '../reporters/reporter.ts';

export interface EveryEventRecorder {
  reporter: Required<Reporter>;
  events: DrillEvent[];
}

export function recordEveryEvent(): EveryEventRecorder {
  const events: DrillEvent[] = [];
  const record = (event: DrillEvent) => {
    events.push(event);
  };
  // Required: a hook added to Reporter must be listed here, or this file stops compiling.
  const reporter: Required<Reporter> = {
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
  return { reporter, events };
}
