// What the drill's Allure results carry besides the step tree: labels, objective parameters, runbook links and
// the probe samples as JSON and CSV. Pure functions of result.json, so they are tested without vitest or Allure.
import { formatDuration } from '../../core/duration.ts';
import { formatBracket, type Measured } from '../../core/measure/index.ts';
import type { RunResult } from '../../core/runner/result-schema.ts';
import { rtoPhasesThatRan, samplesSinceT0 } from '../run/facts.ts';
import type { RunbookLink, RunbookLinker } from '../run/runbook-links.ts';

export interface NameValue {
  name: string;
  value: string;
}

export type DrillTestKind = 'run' | 'rto' | 'rpo' | 'verify';

const STORY: Record<DrillTestKind, string> = {
  run: 'runbook failover, phase by phase',
  rto: 'recovery time objective',
  rpo: 'recovery point objective',
  verify: 'post-failover verification',
};

/** epic DR, feature = scenario, story per test kind, target, severity, tag simulation|live. */
export function drillLabels(
  drill: { scenario: string; target: string; kind: 'lab' | 'live' },
  test: DrillTestKind,
): NameValue[] {
  return [
    { name: 'epic', value: 'DR' },
    { name: 'feature', value: drill.scenario },
    { name: 'story', value: STORY[test] },
    { name: 'target', value: drill.target },
    { name: 'severity', value: test === 'verify' ? 'normal' : 'critical' },
    { name: 'tag', value: drill.kind === 'lab' ? 'simulation' : 'live' },
  ];
}

/** "between 18.2s and 18.5s" (the evidence) and the ± that covers it; a version-1 result has only the ±. */
function bracketParameters(m: Measured): NameValue[] {
  const uncertainty = { name: 'uncertainty', value: `± ${formatDuration(m.uncertaintyMs)}` };
  const bracket = m.achievedMs === null ? null : formatBracket(m);
  return bracket === null ? [uncertainty] : [{ name: 'interval', value: bracket }, uncertainty];
}

/** RTO achieved / objective / interval / uncertainty, as the overview should show them. */
export function rtoParameters(result: RunResult): NameValue[] {
  const rto = result.rto;
  if (!rto) return [{ name: 'RTO', value: 'not measured' }];
  return [
    { name: 'achieved', value: rto.achievedMs === null ? 'not recovered' : formatDuration(rto.achievedMs) },
    { name: 'objective', value: formatDuration(rto.objectiveMs) },
    ...bracketParameters(rto),
    { name: 'met', value: rto.met ? 'yes' : 'NO' },
    ...rtoPhasesThatRan(result).map((p) => ({
      name: `phase ${p.name}`,
      value: formatDuration(p.durationMs),
    })),
  ];
}

export function rpoParameters(result: RunResult): NameValue[] {
  const rpo = result.rpo;
  if (!rpo) return [{ name: 'RPO', value: 'not measured' }];
  const seqs = rpo.lostSeqs.slice(0, 20).map((s) => `#${s}`);
  return [
    { name: 'achieved', value: rpo.achievedMs === null ? 'not measured' : formatDuration(rpo.achievedMs) },
    { name: 'objective', value: formatDuration(rpo.objectiveMs) },
    ...bracketParameters(rpo),
    { name: 'met', value: rpo.met ? 'yes' : 'NO' },
    {
      name: 'lost writes',
      value: `${rpo.lostCount} of ${rpo.acknowledgedCount}${seqs.length ? ` (${seqs.join(', ')}${rpo.lostCount > seqs.length ? ', …' : ''})` : ''}`,
    },
    {
      name: 'lag reported before T0',
      value: rpo.reportedLagMs === null ? 'none' : formatDuration(rpo.reportedLagMs),
    },
  ];
}

/** One link per runbook section the run's steps and findings cite, in runbook order. */
export function runbookLinks(result: RunResult, link: RunbookLinker): RunbookLink[] {
  const refs = new Set<string>();
  for (const s of result.steps) if (s.runbook) refs.add(s.runbook);
  for (const f of result.findings) refs.add(f.runbook);
  const byUrl = new Map<string, RunbookLink>();
  for (const ref of refs) {
    const l = link(ref);
    if (l && !byUrl.has(l.url)) byUrl.set(l.url, l);
  }
  const line = (l: RunbookLink) => Number(l.url.slice(l.url.lastIndexOf('#L') + 2));
  return [...byUrl.values()].sort((a, b) => line(a) - line(b));
}

/** The recovery samples as CSV: probe, ms since T0, ok, latency, failure detail. */
export function samplesCsv(result: RunResult): string {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = samplesSinceT0(result).map((s) =>
    [
      s.probe,
      String(s.sinceT0Ms),
      s.ok ? 'ok' : 'fail',
      String(s.latencyMs ?? ''),
      quote(s.detail ?? ''),
    ].join(','),
  );
  return `${['probe', 'sinceT0Ms', 'result', 'latencyMs', 'detail'].join(',')}\n${rows.map((r) => `${r}\n`).join('')}`;
}

/** The same samples as JSON, with the per-probe counts. */
export function samplesJson(result: RunResult): string {
  return `${JSON.stringify({ runId: result.runId, t0: result.t0, probes: result.probes.recovery, samples: samplesSinceT0(result) }, null, 2)}\n`;
}
