// One history record: what an auditor needs from a run, the sha256 of its artifacts, and the chain hash.
import { createHash } from 'node:crypto';
import { type RunOutcome, runOutcome } from '../../core/runner/outcome.ts';
import type { RunResult } from '../../core/runner/result-schema.ts';
import type { SignOff } from '../../core/sign-off.ts';

export const RECORD_VERSION = 1;
/** The previous chain hash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

export interface RemediationItem {
  /** Where it comes from: a failed step, a deviation, a runbook finding, a failed undo, a missed objective. */
  source: 'run' | 'step' | 'deviation' | 'finding' | 'undo' | 'objective';
  /** Stable key, so the same item in two runs is one item. */
  key: string;
  title: string;
  detail: string;
  severity: 'info' | 'minor' | 'major';
}

export interface ArtifactHash {
  /** Posix path inside the run directory (and under artifacts/<runId>/ in the store). */
  path: string;
  sha256: string;
  bytes: number;
}

export interface RunSummary {
  runId: string;
  scenario: string;
  target: string;
  kind: 'lab' | 'live';
  /** Lab runs and runs with a shifted clock are simulations: never live evidence. */
  simulation: boolean;
  startedAt: string;
  endedAt: string;
  verdict: RunResult['verdict'];
  /** What kind of run (core/runner/outcome.ts); absent in records ingested before it was kept. */
  outcome?: RunOutcome;
  /** A killed run finished by `drill rollback`: where it died and what the rollback did. */
  interrupted?: {
    phase: string;
    rollback: 'rolled-back' | 'rollback-incomplete';
    undone: number;
    kept: number;
    failed: number;
    rolledForward: string[];
  };
  exitCode: number;
  reason: string;
  objectives: { rto: string; rpo: string; rtoMs: number; rpoMs: number };
  rto: { achievedMs: number | null; uncertaintyMs: number; met: boolean; recovered: boolean } | null;
  rpo: { achievedMs: number | null; uncertaintyMs: number; met: boolean; lostCount: number } | null;
  clockOffset: NonNullable<RunResult['clockOffset']> | null;
  signOff: SignOff & { recordedBy: 'run' | 'ingest' | 'none' };
  /** The tool's version and commit, the CI run, the AWS caller (result.json's provenance); absent in older runs. */
  provenance?: NonNullable<RunResult['provenance']>;
  remediation: RemediationItem[];
}

export interface HistoryRecord {
  version: typeof RECORD_VERSION;
  seq: number;
  ingestedAt: string;
  run: RunSummary;
  artifacts: ArtifactHash[];
  prevChainHash: string;
  /** sha256(prevChainHash + canonical JSON of this record without chainHash). */
  chainHash: string;
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** JSON with object keys sorted at every level, so a hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function chainHashOf(record: Omit<HistoryRecord, 'chainHash'>): string {
  const { chainHash: _ignored, ...body } = record as HistoryRecord;
  return sha256(record.prevChainHash + canonicalJson(body));
}

/** Open items a run leaves: failed or deviating steps, deviations, runbook findings, failed undos, missed objectives. */
export function remediationOf(result: RunResult): RemediationItem[] {
  const items: RemediationItem[] = [];
  if (result.verdict !== 'passed') {
    const outcome = runOutcome(result);
    items.push({
      source: 'run',
      key: `run:${outcome}`,
      title: `Run ${outcome}`,
      detail: result.reason,
      severity: 'major',
    });
  }
  for (const step of result.steps) {
    if (step.status !== 'failed' && step.status !== 'deviation') continue;
    items.push({
      source: 'step',
      key: `step:${step.id}`,
      title: `Step "${step.title}" ${step.status === 'failed' ? 'failed' : 'deviated'}`,
      detail: step.error ?? step.detail ?? '',
      severity: step.status === 'failed' ? 'major' : 'minor',
    });
  }
  for (const d of result.deviations) {
    items.push({
      source: 'deviation',
      key: `deviation:${d.stepId ?? ''}:${d.kind}`,
      title: `Deviation (${d.kind})${d.stepId ? ` in ${d.stepId}` : ''}`,
      detail: d.message,
      severity: 'minor',
    });
  }
  for (const f of result.findings) {
    items.push({
      source: 'finding',
      key: `finding:${f.stepId}:${sha256(f.says).slice(0, 12)}`,
      title: `Runbook ${f.runbook}: ${f.says}`,
      detail: f.actually,
      severity: f.severity,
    });
  }
  for (const u of result.undo) {
    if (u.status !== 'failed') continue;
    items.push({
      source: 'undo',
      key: `undo:${u.id}`,
      title: `Undo "${u.title}" failed`,
      detail: u.error ?? '',
      severity: 'major',
    });
  }
  if (result.rto && !result.rto.met) {
    items.push({
      source: 'objective',
      key: 'objective:rto',
      title: 'RTO objective missed',
      detail: `achieved ${result.rto.achievedMs ?? 'never recovered'} ms against ${result.rto.objectiveMs} ms`,
      severity: 'major',
    });
  }
  if (result.rpo && !result.rpo.met) {
    items.push({
      source: 'objective',
      key: 'objective:rpo',
      title: 'RPO objective missed',
      detail: `achieved ${result.rpo.achievedMs ?? 'total loss'} ms against ${result.rpo.objectiveMs} ms`,
      severity: 'major',
    });
  }
  return withoutRepeats(items);
}

/** One item per distinct problem: a finding carried by several steps, or a deviation said twice, is listed once. */
function withoutRepeats(items: RemediationItem[]): RemediationItem[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const said = `${item.title}\n${item.detail}`;
    if (seen.has(said)) return false;
    seen.add(said);
    return true;
  });
}

/** The record's run summary from a result.json; `signOff` is used only when the run recorded none. */
export function summarize(result: RunResult, ingestSignOff: SignOff | undefined): RunSummary {
  const recorded = result.signOff;
  const signOff = recorded
    ? { ...recorded, recordedBy: 'run' as const }
    : ingestSignOff
      ? { ...ingestSignOff, recordedBy: 'ingest' as const }
      : { approver: null, participants: [], recordedBy: 'none' as const };
  return {
    runId: result.runId,
    scenario: result.scenario.name,
    target: result.target.name,
    kind: result.target.kind,
    simulation: result.target.kind === 'lab' || result.clockOffset !== undefined,
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    verdict: result.verdict,
    outcome: runOutcome(result),
    ...interruptedOf(result),
    exitCode: result.exitCode,
    reason: result.reason,
    objectives: {
      rto: result.objectives.rto,
      rpo: result.objectives.rpo,
      rtoMs: result.objectives.rtoMs,
      rpoMs: result.objectives.rpoMs,
    },
    rto: result.rto && {
      achievedMs: result.rto.achievedMs,
      uncertaintyMs: result.rto.uncertaintyMs,
      met: result.rto.met,
      recovered: result.rto.recovered,
    },
    rpo: result.rpo && {
      achievedMs: result.rpo.achievedMs,
      uncertaintyMs: result.rpo.uncertaintyMs,
      met: result.rpo.met,
      lostCount: result.rpo.lostCount,
    },
    clockOffset: result.clockOffset ?? null,
    signOff,
    ...(result.provenance ? { provenance: result.provenance } : {}),
    remediation: remediationOf(result),
  };
}

/** What the rollback of a killed run did, counted from its undo record. */
function interruptedOf(result: RunResult): Pick<RunSummary, 'interrupted'> {
  const killed = result.interrupted;
  if (!killed) return {};
  const kept = result.undo.filter((u) => u.status === 'skipped' && u.note?.startsWith('kept')).length;
  return {
    interrupted: {
      phase: killed.phase,
      rollback: killed.rollback.state,
      undone: result.undo.filter((u) => u.status === 'done').length,
      kept,
      failed: result.undo.filter((u) => u.status === 'failed').length,
      rolledForward: killed.rollback.rolledForward,
    },
  };
}
