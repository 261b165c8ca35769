// The compliance view of a history: per scenario and quarter, live evidence kept apart from simulations.
import type { HistoryRecord, RemediationItem, RunSummary } from './record.ts';

export const CADENCE_DAYS = 90;
const DAY_MS = 86_400_000;

export type Evidence = 'live' | 'simulation';

export interface QuarterRow {
  /** e.g. "2026-Q2" (UTC). */
  quarter: string;
  runs: number;
  passed: number;
  failed: number;
  /** The quarter's last run, or null when no drill ran that quarter. */
  last: RunSummary | null;
}

export interface ScenarioStatus {
  scenario: string;
  evidence: Evidence;
  targets: string[];
  runs: number;
  lastRun: RunSummary;
  /** The last run that completed (passed or failed): what the 90-day cadence counts from. */
  lastCompleted: RunSummary | null;
  nextDue: string | null;
  overdue: boolean;
  /** Days until due (negative when overdue); null when never completed. */
  daysUntilDue: number | null;
  quarters: QuarterRow[];
  /** Items the last run left open. */
  openRemediation: RemediationItem[];
}

export interface ComplianceSummary {
  generatedAt: string;
  cadenceDays: number;
  /** Scenarios with live evidence, then simulations (lab runs or a shifted clock): never mixed. */
  live: ScenarioStatus[];
  simulation: ScenarioStatus[];
  /** Scenarios drilled only in simulation: no live evidence yet. */
  withoutLiveEvidence: string[];
}

export function quarterOf(iso: string): string {
  const d = new Date(iso);
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

/** Every quarter from `first` to `last` inclusive ("2026-Q1" … "2026-Q4"). */
export function quarterRange(first: string, last: string): string[] {
  const parse = (q: string) => {
    const [y, n] = q.split('-Q').map(Number);
    return (y as number) * 4 + (n as number) - 1;
  };
  const out: string[] = [];
  for (let i = parse(first); i <= parse(last); i += 1) out.push(`${Math.floor(i / 4)}-Q${(i % 4) + 1}`);
  return out;
}

const byStart = (a: RunSummary, b: RunSummary) => a.startedAt.localeCompare(b.startedAt);

function statusOf(scenario: string, evidence: Evidence, runs: RunSummary[], now: Date): ScenarioStatus {
  const sorted = [...runs].sort(byStart);
  const lastRun = sorted.at(-1) as RunSummary;
  const lastCompleted = sorted.filter((r) => r.verdict === 'passed' || r.verdict === 'failed').at(-1) ?? null;
  const due = lastCompleted
    ? new Date(new Date(lastCompleted.startedAt).getTime() + CADENCE_DAYS * DAY_MS)
    : null;
  const quarters = quarterRange(
    quarterOf((sorted[0] as RunSummary).startedAt),
    quarterOf(now.toISOString()),
  ).map((quarter) => {
    const inQuarter = sorted.filter((r) => quarterOf(r.startedAt) === quarter);
    return {
      quarter,
      runs: inQuarter.length,
      passed: inQuarter.filter((r) => r.verdict === 'passed').length,
      failed: inQuarter.filter((r) => r.verdict !== 'passed').length,
      last: inQuarter.at(-1) ?? null,
    };
  });
  return {
    scenario,
    evidence,
    targets: [...new Set(sorted.map((r) => r.target))].sort(),
    runs: sorted.length,
    lastRun,
    lastCompleted,
    nextDue: due?.toISOString() ?? null,
    overdue: due === null || due.getTime() < now.getTime(),
    daysUntilDue: due === null ? null : Math.floor((due.getTime() - now.getTime()) / DAY_MS),
    quarters,
    openRemediation: lastRun.remediation,
  };
}

function group(records: HistoryRecord[], evidence: Evidence, now: Date): ScenarioStatus[] {
  const runs = records.map((r) => r.run).filter((r) => (evidence === 'simulation') === r.simulation);
  const names = [...new Set(runs.map((r) => r.scenario))].sort();
  return names.map((name) =>
    statusOf(
      name,
      evidence,
      runs.filter((r) => r.scenario === name),
      now,
    ),
  );
}

/** Runs after `now` (a clock offset into the future) are ignored: evidence cannot come from the future. */
export function summarizeHistory(records: HistoryRecord[], now: Date): ComplianceSummary {
  const past = records.filter((r) => new Date(r.run.startedAt).getTime() <= now.getTime());
  const live = group(past, 'live', now);
  const simulation = group(past, 'simulation', now);
  const liveNames = new Set(live.map((s) => s.scenario));
  return {
    generatedAt: now.toISOString(),
    cadenceDays: CADENCE_DAYS,
    live,
    simulation,
    withoutLiveEvidence: simulation.map((s) => s.scenario).filter((n) => !liveNames.has(n)),
  };
}
