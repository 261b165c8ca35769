// What every report says about one run, derived once from result.json: the renderers only lay it out.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKPOINT_WAIT_MEASUREMENT } from '../../core/control/checkpoint.ts';
import { formatDuration } from '../../core/duration.ts';
import { DrillError } from '../../core/errors.ts';
import { formatMeasured, type Measured } from '../../core/measure/index.ts';
import { Redactor } from '../../core/redact.ts';
import { RESULT_FILE } from '../../core/runner/report.ts';
import { type RunResult, runResultSchema } from '../../core/runner/result-schema.ts';

export type Step = RunResult['steps'][number];
export type Sample = NonNullable<RunResult['probes']['samples']>[number];

/** One run as the reports read it: its result (redacted once more) and where its files are. */
export interface RunBundle {
  result: RunResult;
  runDir: string;
}

/** Reads and validates <runDir>/result.json; secrets are masked again in case an older run kept one. */
export function loadRun(runDir: string): RunBundle {
  const file = join(runDir, RESULT_FILE);
  if (!existsSync(file)) {
    throw new DrillError('E_NOT_FOUND', `${file} does not exist: run a drill first (pnpm drill <scenario>)`);
  }
  const parsed = runResultSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DrillError(
      'E_VALIDATION',
      `${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}; it does not match core/result-schema.json`,
    );
  }
  return { result: new Redactor().redact(parsed.data), runDir };
}

/** Something other than canary writes that the failover lost or left behind (issue 8's probes report these). */
export interface Loss {
  /** The probe that reported it, e.g. "queue-drained". */
  probe: string;
  /** Where the probe ran: "recovery", "verify" or "steadyState". */
  stage: 'steadyState' | 'recovery' | 'verify';
  kind: 'loss' | 'backlog';
  what: string;
  count: number;
  items?: (string | number)[];
  bytes?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lossIn(data: unknown, kind: Loss['kind']): Omit<Loss, 'probe' | 'stage'> | undefined {
  const entry = isRecord(data) ? data[kind] : undefined;
  if (!isRecord(entry) || typeof entry.what !== 'string' || typeof entry.count !== 'number') return undefined;
  const items = Array.isArray(entry.items)
    ? entry.items.filter((i): i is string | number => typeof i === 'string' || typeof i === 'number')
    : undefined;
  return {
    kind,
    what: entry.what,
    count: entry.count,
    ...(items ? { items } : {}),
    ...(typeof entry.bytes === 'number' ? { bytes: entry.bytes } : {}),
  };
}

/** Every `data.loss` and `data.backlog` the probes reported, in probe order (verify last). */
export function lossesOf(result: RunResult): Loss[] {
  const out: Loss[] = [];
  const stages = [
    ['steadyState', result.probes.steadyState],
    ['recovery', result.probes.recovery],
    ['verify', result.probes.verify],
  ] as const;
  for (const [stage, probes] of stages) {
    for (const probe of probes) {
      for (const kind of ['loss', 'backlog'] as const) {
        const loss = lossIn(probe.data, kind);
        if (loss) out.push({ probe: probe.name, stage, ...loss });
      }
    }
  }
  return out;
}

/** T0 on the run's monotonic clock (steps' startMs/endMs are on it), or null when no fault was injected. */
export function t0Mono(result: RunResult): number | null {
  return result.t0 === null ? null : Date.parse(result.t0) - Date.parse(result.startedAt);
}

/** A step's start and end in ms since T0 (negative before T0). */
export function stepSinceT0(result: RunResult, step: Step): { start: number; end: number } | null {
  const t0 = t0Mono(result);
  return t0 === null ? null : { start: step.startMs - t0, end: step.endMs - t0 };
}

/** Samples in ms since T0. */
export function samplesSinceT0(result: RunResult): (Sample & { sinceT0Ms: number })[] {
  const t0 = t0Mono(result);
  if (t0 === null) return [];
  return (result.probes.samples ?? []).map((s) => ({ ...s, sinceT0Ms: s.atMs - t0 }));
}

/** "18.3s, between 18.2s and 18.5s" ("18.0s ± 1.0s" for a version-1 result), or why nothing was measured. */
export function achievedText(m: Measured | null): string {
  if (!m) return 'not measured';
  if (m.achievedMs === null) return 'not reached';
  return formatMeasured(m);
}

/** "lab (simulation)" or "prod (live)". */
export function targetText(result: RunResult): string {
  return `${result.target.name} (${result.target.kind === 'lab' ? 'simulation' : 'live'})`;
}

/** The step findings belong to, by step id (fault findings under "fault"). */
export function findingsByStep(result: RunResult): Map<string, RunResult['findings']> {
  const map = new Map<string, RunResult['findings']>();
  for (const f of result.findings) map.set(f.stepId, [...(map.get(f.stepId) ?? []), f]);
  return map;
}

/** "T0+5m 00s" for an offset, "T0−1.2s" before T0. */
export function offsetText(ms: number): string {
  return ms < 0 ? `T0−${formatDuration(-ms)}` : `T0+${formatDuration(ms)}`;
}

/** Remediation items: failed or deviating steps, failed probes, undo failures, and runbook findings. */
export interface Action {
  source: string;
  text: string;
  severity: 'major' | 'minor' | 'info';
}

export function actionsOf(result: RunResult): Action[] {
  const actions: Action[] = [];
  for (const s of result.steps) {
    if (s.status === 'failed' || s.status === 'deviation')
      actions.push({
        source: `step ${s.id}${s.runbook ? ` (${s.runbook})` : ''}`,
        text: `${s.title}: ${s.status}${s.error ? `: ${s.error}` : s.detail ? `: ${s.detail}` : ''}`,
        severity: s.status === 'failed' ? 'major' : 'minor',
      });
    if (s.lateByMs)
      actions.push({
        source: `step ${s.id}${s.runbook ? ` (${s.runbook})` : ''}`,
        text: `${s.title}: done ${formatDuration(s.lateByMs)} later than planned (§13)`,
        severity: 'minor',
      });
  }
  for (const p of [...result.probes.steadyState, ...result.probes.verify]) {
    if (!p.ok)
      actions.push({
        source: `probe ${p.name}`,
        text: `failed${p.detail ? `: ${p.detail}` : ''}`,
        severity: 'major',
      });
  }
  for (const u of result.undo) {
    if (u.status === 'failed')
      actions.push({
        source: `undo ${u.stepId}`,
        text: `${u.title}: ${u.error ?? 'failed'}`,
        severity: 'major',
      });
  }
  for (const f of result.findings) {
    actions.push({
      source: `runbook ${f.runbook} (step ${f.stepId})`,
      text: `Fix the runbook: it says "${f.says}"; actually: ${f.actually}`,
      severity: f.severity,
    });
  }
  const order = { major: 0, minor: 1, info: 2 };
  return actions.sort((a, b) => order[a.severity] - order[b.severity]);
}

/**
 * The RTO phases that took part of the recovery time. A step that finished after the service was back (a
 * switchback whose service never went down: every milestone clipped to T0+0) did not happen within the RTO.
 */
export function rtoPhasesThatRan(result: RunResult): NonNullable<RunResult['rto']>['phases'] {
  return (result.rto?.phases ?? []).filter((p) => p.durationMs > 0);
}

/**
 * The part of an RTO phase spent waiting for a person: the phase ends with a manual checkpoint, which measured its
 * wait (actions/manual.ts). At most the phase itself (a phase clipped where service came back).
 */
export function personWaitIn(
  result: RunResult,
  phase: NonNullable<RunResult['rto']>['phases'][number],
): number | undefined {
  const step = result.steps.find((s) => s.phase === 'failover' && s.id === phase.name);
  const waited = step?.measurements?.[CHECKPOINT_WAIT_MEASUREMENT];
  return waited === undefined ? undefined : Math.min(waited, phase.durationMs);
}
