// Fidelity of the measured RTO and RPO under HANGING failures (issue 14): drills through the real engine against
// probes/fidelity-harness.ts, whose ground truth (cut, recovery, commit instants) the harness records itself.
// Every repetition: is the truth inside the reported interval, how wide is it. Twice: on a quiet process, then
// with a CPU hog beside it (a busy child process plus an event-loop hog in the engine's own process).
// FIDELITY_REPS (default 21, cycled over the hanging failures) sets the repetitions per load.
import { type ChildProcess, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { type FidelityDrill, FidelityHarness, HANGING_FAILURES, inside } from '../probes/fidelity-harness.ts';
import type { BenchResult } from './types.ts';

interface Row {
  failure: string;
  rtoInside: boolean;
  rpoInside: boolean;
  rtoWidth: number;
  rpoWidth: number;
  rtoError: number;
  rpoError: number;
  line: string;
}

/** Busy 25 ms of every 100 ms on this process's event loop, and a busy child process: a loaded engine. */
function startHog(): () => void {
  const child: ChildProcess = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  const timer = setInterval(() => {
    const until = performance.now() + 25;
    while (performance.now() < until) {}
  }, 100);
  return () => {
    clearInterval(timer);
    if (child.pid !== undefined) process.kill(child.pid);
  };
}

function row(failure: string, d: FidelityDrill): Row {
  const rto = d.result.rto;
  const rpo = d.result.rpo;
  if (!rto || !rpo || rto.achievedMs === null || rpo.achievedMs === null)
    throw new Error(`${failure}: the drill measured no RTO/RPO: ${d.result.verdict} ${d.result.reason}`);
  const rtoWidth = (rto.upperMs ?? Number.POSITIVE_INFINITY) - (rto.lowerMs ?? 0);
  const rpoWidth = (rpo.upperMs ?? Number.POSITIVE_INFINITY) - (rpo.lowerMs ?? 0);
  const r = {
    failure,
    rtoInside: inside(d.truth.rtoMs, rto.lowerMs, rto.upperMs),
    rpoInside: inside(d.truth.rpoMs, rpo.lowerMs, rpo.upperMs),
    rtoWidth,
    rpoWidth,
    rtoError: rto.achievedMs - d.truth.rtoMs,
    rpoError: rpo.achievedMs - d.truth.rpoMs,
  };
  const line = `${failure}: RTO truth ${d.truth.rtoMs.toFixed(0)} in [${rto.lowerMs}, ${rto.upperMs}] ${r.rtoInside ? 'yes' : 'NO'}; RPO truth ${d.truth.rpoMs.toFixed(1)} in [${rpo.lowerMs}, ${rpo.upperMs}] ${r.rpoInside ? 'yes' : 'NO'} (${rpo.lostCount} lost)`;
  return { ...r, line };
}

/** The samples and writes around recovery and the loss, relative to the cut (FIDELITY_VERBOSE=1). */
function evidence(d: FidelityDrill): string {
  const cut = d.truth.cutAt;
  const rel = (x: number | null | undefined) => (x === null || x === undefined ? '-' : (x - cut).toFixed(0));
  const samples = (d.result.probes.samples ?? [])
    .filter((s) => s.atMs > d.truth.upAt - 700 && s.atMs < d.truth.upAt + 400)
    .map(
      (s) =>
        `${rel(s.atMs)}→${rel(s.answeredAtMs)}${s.ok ? '' : '✗'}${s.stalledMs ? `(stall ${s.stalledMs})` : ''}`,
    );
  const frozen = d.truth.frozenSeq;
  const writes = d.writes
    .filter((w) => w.seq >= frozen - 1)
    .map((w) => `${w.seq}${w.seq > frozen ? '✗' : ''}:${rel(w.sentAt)}→${rel(w.ackedAt)}`);
  const rto = d.result.rto;
  const bracket = `[${rel((rto?.lowerMs ?? 0) + cut)}, ${rel((rto?.upperMs ?? 0) + cut)}]`;
  return `    samples (ms from cut; truth up ${rel(d.truth.upAt)}, bracket ${bracket}): ${samples.join(' ')}\n    writes: ${writes.join(' ')}`;
}

/** The machine's 1-minute load average now: other work on the box is part of the load a series ran under. */
const loadNow = () => loadavg()[0]!.toFixed(1);

async function series(harness: FidelityHarness, reps: number, load: string): Promise<Series> {
  const rows: Row[] = [];
  const loadFrom = loadNow();
  for (let i = 0; i < reps; i++) {
    const failure = HANGING_FAILURES[i % HANGING_FAILURES.length]!;
    // Loss windows and outages spread over the probe and canary grids (not multiples of their intervals).
    const lossMs = 230 + ((i * 137) % 600);
    const outageMs = 1_050 + ((i * 389) % 2_200);
    const d = await harness.drill(failure, lossMs, outageMs);
    const r = row(failure, d);
    console.log(`fidelity ${load} #${i + 1} (load ${loadNow()}): ${r.line}`);
    if (process.env.FIDELITY_VERBOSE) console.log(evidence(d));
    rows.push(r);
  }
  return { rows, machineLoad: `load average ${loadFrom} → ${loadNow()}` };
}

interface Series {
  rows: Row[];
  /** The machine's load average at the series' start and end. */
  machineLoad: string;
}

function results({ rows, machineLoad }: Series, load: string): BenchResult[] {
  const n = rows.length;
  const max = (xs: number[]) => Math.max(...xs);
  const span = (xs: number[]) => `${Math.min(...xs).toFixed(0)}..${max(xs).toFixed(0)} ms`;
  const spread = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!.toFixed(0);
    return `widths ${span(xs)}, median ${at(0.5)}, p90 ${at(0.9)}`;
  };
  const perFailure = HANGING_FAILURES.map((f) => {
    const own = rows.filter((r) => r.failure === f);
    return `${f}: RTO ${own.filter((r) => r.rtoInside).length}/${own.length}, RPO ${own.filter((r) => r.rpoInside).length}/${own.length}`;
  }).join('; ');
  return [
    {
      name: `${load}: RTO truth inside the reported interval`,
      value: rows.filter((r) => r.rtoInside).length,
      unit: `of ${n}`,
      target: n,
      better: 'higher',
      note: `${perFailure}; point − truth ${span(rows.map((r) => r.rtoError))}; ${machineLoad}`,
    },
    {
      name: `${load}: RPO truth inside the reported interval`,
      value: rows.filter((r) => r.rpoInside).length,
      unit: `of ${n}`,
      target: n,
      better: 'higher',
      note: `point − truth ${span(rows.map((r) => r.rpoError))}`,
    },
    {
      name: `${load}: widest RTO interval`,
      value: max(rows.map((r) => r.rtoWidth)),
      unit: 'ms',
      target: 500,
      note: `${spread(rows.map((r) => r.rtoWidth))}; over 500 ms: ${rows.filter((r) => r.rtoWidth > 500).length}`,
    },
    {
      name: `${load}: widest RPO interval`,
      value: max(rows.map((r) => r.rpoWidth)),
      unit: 'ms',
      target: 200,
      note: `${spread(rows.map((r) => r.rpoWidth))}; over 200 ms: ${rows.filter((r) => r.rpoWidth > 200).length}`,
    },
  ];
}

export default async function fidelityBench(): Promise<BenchResult[]> {
  const reps = Number(process.env.FIDELITY_REPS ?? 21);
  const harness = await FidelityHarness.start();
  try {
    const quiet = await series(harness, reps, 'quiet');
    const stopHog = startHog();
    let loaded: Series;
    try {
      loaded = await series(harness, reps, 'cpu-hog');
    } finally {
      stopHog();
    }
    return [...results(quiet, 'quiet'), ...results(loaded, 'cpu-hog')];
  } finally {
    await harness.close();
  }
}
