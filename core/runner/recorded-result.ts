// The part of result.json that is a fold of the run's events (core/runner/run-record.ts): what the run did and
// measured. The rest (the scenario's summary and findings, objectives, provenance, sign-off) is what the run was
// given, added by the report (core/runner/report.ts).
import { sortByTime } from '../measure/samples.ts';
import type { RunResult } from './result-schema.ts';
import type { RecordView } from './run-record.ts';

export type RecordedResult = Pick<
  RunResult,
  | 'phases'
  | 'steps'
  | 'rto'
  | 'rpo'
  | 'probes'
  | 'undo'
  | 'deviations'
  | 'plan'
  | 'background'
  | 'attachments'
  | 'safety'
>;

const SAMPLE_DETAIL_CHARS = 300;

export function recordedResult(record: RecordView): RecordedResult {
  return {
    phases: [...record.phases],
    steps: [...record.steps],
    rto: record.rto,
    rpo: record.rpo,
    probes: {
      steadyState: [...record.probes.steadyState],
      recovery: [...record.probes.recovery],
      verify: [...record.probes.verify],
      // In send order: an open-loop sample that hung is recorded after later ones.
      samples: sortByTime(record.samples).map((s) => ({
        probe: s.probe,
        atMs: Math.round(s.at),
        ...(s.answeredAt === undefined ? {} : { answeredAtMs: Math.round(s.answeredAt) }),
        ...(s.servedAt === undefined ? {} : { servedAtMs: Math.round(s.servedAt) }),
        ...(s.stalledMs ? { stalledMs: s.stalledMs } : {}),
        ok: s.ok,
        ...(s.latencyMs === undefined ? {} : { latencyMs: Math.round(s.latencyMs) }),
        // Detail only on failures, to keep result.json small.
        ...(!s.ok && s.detail ? { detail: s.detail.slice(0, SAMPLE_DETAIL_CHARS) } : {}),
      })),
    },
    undo: [...record.undoOutcomes],
    deviations: [...record.deviations],
    plan: [...record.plan],
    background: [...record.background],
    attachments: [...record.attachments],
    safety: { checks: [...record.safetyChecks], abort: record.abort, lock: record.lock },
  };
}
