// The recover phase: wait for the stability window (achieved RTO), then measure the achieved RPO.
import { computeRpo, computeRto } from '../measure/index.ts';
import { sleep } from './deadline.ts';
import type { DrillRun } from './drill-run.ts';
import { DEFAULT_PROBE_INTERVAL, type RecoverySampler } from './probes.ts';

/** Waits until the recovery probes pass for the stability window (RTO), then measures the RPO. */
export async function recoverPhase<R>(run: DrillRun<R>, sampler: RecoverySampler<R>): Promise<void> {
  const { scenario, objectives } = run;
  const t0 = run.clock.t0 ?? 0;
  const probes = scenario.recovery.map((p) => p.name);
  const intervals = scenario.recovery.map((p) => run.ms(p.interval ?? DEFAULT_PROBE_INTERVAL));
  const intervalMs = Math.max(...intervals);
  const stableForMs = run.ms(objectives.stableFor);
  const timeoutMs = run.ms(scenario.recoveryTimeout ?? objectives.rto);
  const giveUpAt = run.clock.now() + timeoutMs;
  const measure = (endAt?: number) =>
    computeRto({
      t0,
      samples: [...run.samples],
      probes,
      stableForMs,
      intervalMs,
      intervalsMs: Object.fromEntries(probes.map((name, i) => [name, intervals[i]!])),
      milestones: [...run.milestones],
      endAt,
    });
  while (!measure().recovered && run.clock.now() < giveUpAt) {
    await sleep(Math.min(...intervals), run.signal);
  }
  const endAt = run.clock.now();
  await sampler.stop();
  const rto = measure(endAt);
  const objectiveMs = run.ms(objectives.rto);
  const met = rto.recovered && rto.rtoMs !== null && rto.rtoMs <= objectiveMs;
  const measured = {
    achievedMs: rto.rtoMs,
    lowerMs: rto.lowerMs,
    upperMs: rto.upperMs,
    uncertaintyMs: rto.uncertaintyMs,
    recovered: rto.recovered,
    objectiveMs,
    met,
    outageStartMs: rto.outageStartMs,
    phases: rto.phases,
    lastFailures: run.redactor.redact(rto.lastFailures),
  };
  // The record folds each recovery probe's samples and failures from the samples up to this event.
  run.emit({ kind: 'rto', rto: measured, probes });
  if (!rto.recovered) {
    const still = Object.entries(rto.lastFailures)
      .map(([p, d]) => `${p}: ${d}`)
      .join('; ');
    run.fail(
      `service did not recover within ${scenario.recoveryTimeout ? 'recoveryTimeout' : 'the RTO objective'} (${timeoutMs}ms)${still ? `: ${run.redactor.redactText(still)}` : ''}`,
    );
  } else if (!met) {
    run.fail(`RTO ${rto.rtoMs}ms exceeds the objective ${objectives.rto} (${objectiveMs}ms)`);
  }
  await measureRpo(run);
}

async function measureRpo<R>(run: DrillRun<R>): Promise<void> {
  const ledger = run.scenario.ledger;
  if (!ledger) return;
  const collected = await ledger.collect(
    run.contextWith(run.signal, { phase: 'recover', stepId: ledger.name }),
  );
  const rpo = computeRpo({
    writes: collected.writes,
    survivors: collected.survivors,
    intervalMs: run.ms(ledger.interval ?? '100ms'),
    reportedLagMs: collected.reportedLagMs ?? null,
  });
  const objectiveMs = run.ms(run.objectives.rpo);
  const met = rpo.rpoMs !== null && rpo.rpoMs <= objectiveMs;
  run.emit({
    kind: 'rpo',
    rpo: {
      achievedMs: rpo.rpoMs === null ? null : Math.round(rpo.rpoMs),
      lowerMs: rpo.lowerMs === null ? null : Math.floor(rpo.lowerMs),
      upperMs: rpo.upperMs === null ? null : Math.ceil(rpo.upperMs),
      uncertaintyMs: Math.ceil(rpo.uncertaintyMs),
      objectiveMs,
      met,
      lostCount: rpo.lostCount,
      lostSeqs: rpo.lostSeqs.slice(0, 1000),
      totalLoss: rpo.totalLoss,
      acknowledgedCount: rpo.acknowledgedCount,
      reportedLagMs: rpo.reportedLagMs,
    },
  });
  if (rpo.rpoMs === null) run.fail(`RPO not measured: ledger "${ledger.name}" has no acknowledged write`);
  else if (!met)
    run.fail(`RPO ${rpo.rpoMs}ms exceeds the objective ${run.objectives.rpo} (${objectiveMs}ms)`);
}
