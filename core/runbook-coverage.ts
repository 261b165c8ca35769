// The shape of an app's runbook coverage map (Luneo's: apps/luneo/runbook/coverage.ts): one entry per actionable
// line. `pnpm drill runbook` (reports/runbook/) checks a map against the runbook and the scenarios.
import type { RunbookFinding, RunbookRef } from './model.ts';

/** [scenario name, step id]: a failover or restore step of that scenario. */
export type StepRef = readonly [scenario: string, stepId: string];
/** [scenario name, probe name]: a steady-state, recovery or verify probe of that scenario. */
export type ProbeRef = readonly [scenario: string, probeName: string];

export type Coverage =
  /** Automated runbook steps. */
  | { steps: StepRef[] }
  /** The fault injection of these scenarios (the §13 "T0" line). */
  | { fault: string[] }
  /** Probes of what users see. */
  | { probes: ProbeRef[] }
  /** Manual checkpoints (steps built by actions/manual.ts) recorded in the timeline. */
  | { manual: StepRef[] }
  /** The drill engine does it on every run (audit log, timeline, objectives): `module` must exist. */
  | { engine: { what: string; module: string } }
  /** The drill deliberately does not do what the line says, because it is wrong: say why, cite a finding. */
  | { rejected: string }
  /** People's work, or outside any platform this tool can reach: say why. */
  | { notAutomatable: string }
  /** Not rehearsed yet; covered by a later issue. */
  | { planned: string; why: string };

export type CoverageKind =
  | 'steps'
  | 'fault'
  | 'probes'
  | 'manual'
  | 'engine'
  | 'rejected'
  | 'notAutomatable'
  | 'planned';

export const COVERAGE_KINDS: readonly CoverageKind[] = [
  'steps',
  'fault',
  'probes',
  'manual',
  'engine',
  'rejected',
  'notAutomatable',
  'planned',
];

export interface CoverageEntry {
  section: RunbookRef;
  /**
   * A stable piece of the line's markdown text, exactly as written (e.g. "promote-read-replica-db-cluster").
   * When the runbook line changes and the fragment is gone, the entry is reported stale.
   */
  fragment: string;
  covered: Coverage;
  /** What the coverage leaves out, or how it differs from the line. */
  note?: string;
  /** Runbook findings about this very line (tests check every referenced step's findings land on a line). */
  findings?: RunbookFinding[];
  /** §13 timeline: every referenced step must be planned at the line's "T0 + N min". */
  timed?: boolean;
}

export function coverageKind(c: Coverage): CoverageKind {
  const kind = COVERAGE_KINDS.find((k) => k in c);
  if (!kind) throw new Error(`unknown coverage ${JSON.stringify(c)}`);
  return kind;
}

/** The same step or probe in several scenarios: refs('promotion', 'aurora-outage', 'region-outage'). */
export function refs(id: string, ...scenarios: string[]): [string, string][] {
  return scenarios.map((s) => [s, id]);
}

/** Typed identity for the map. */
export function defineCoverage(entries: CoverageEntry[]): CoverageEntry[] {
  return entries;
}
