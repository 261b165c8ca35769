// T0 against the fault's effect on a real lab (issue 14): the FIS network fault injected and reverted on a real lab
// T0_REPS times (default 20); each time T0 (the DisruptConnectivity action's startTime) is compared with the
// instant the fault took effect: the lab's database link cut (Link.cut() entered: from then on no new connection
// gets through), or, when the lab's FIS stamped startTime and entered cut() in one synchronous stretch (no turn of
// its event loop in between, e.g. a garbage-collection pause: its links could forward nothing), the span from the
// loop's last turn to the cut. Also shown: the raw T0 − cut, the lab's own record of the fault
// (lab.faults.active()[].since, written once cut() has destroyed the open connections) and when inject() resolved.
import { PerformanceObserver } from 'node:perf_hooks';
import { fisNetworkOutage } from '../apps/luneo/steps/fault.ts';
import { testRun } from '../apps/luneo/testing.ts';
import { FAULT_EFFECTIVE_AT } from '../core/measure/index.ts';
import { bootTestLab } from '../lab/testing/lab-fixture.ts';
import { observeLinkCuts } from '../lab/testing/link-cuts.ts';
import type { BenchResult } from './types.ts';

/**
 * This process's garbage-collection pauses and event-loop turns (wall ms): where the lab's FIS stamped the action's
 * startTime and then entered Link.cut() in one synchronous stretch, no byte could be forwarded in between.
 */
function observeProcess(): { gcs: [number, number][]; turns: number[]; stop: () => void } {
  const gcs: [number, number][] = [];
  const turns: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const from = performance.timeOrigin + e.startTime;
      gcs.push([from, from + e.duration]);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const ticker = setInterval(() => {
    turns.push(Date.now());
    if (turns.length > 10_000) turns.splice(0, 5_000);
  }, 1);
  return {
    gcs,
    turns,
    stop: () => {
      observer.disconnect();
      clearInterval(ticker);
    },
  };
}

export default async function t0Bench(): Promise<BenchResult[]> {
  const reps = Number(process.env.T0_REPS ?? 20);
  const lab = await bootTestLab('drill-bench-t0');
  const observed = observeLinkCuts();
  const process_ = observeProcess();
  const gcInGap: number[] = [];
  const t0Errors: number[] = [];
  const effectErrors: number[] = [];
  const recordLate: number[] = [];
  const resolvedLate: number[] = [];
  try {
    for (let i = 0; i < reps; i++) {
      // Its own run id each time: the fault starts FIS idempotently on it (clientToken).
      const ctx = { ...testRun({ lab: { dir: lab.dir } }), runId: `bench-t0-${i}` };
      const fault = fisNetworkOutage({
        name: `bench-t0-${i}`,
        title: 'database subnets lose their network',
        subnets: (r) => r.fis.databaseSubnetTags,
        duration: '5m',
      });
      observed.cuts.length = 0;
      const outcome = await fault.inject(ctx);
      const resolvedAt = ctx.clock.now();
      try {
        const wall0 = ctx.clock.wall(0).getTime();
        const [cut] = observed.cuts;
        const [record] = lab.lab.faults.active();
        if (!cut || !record) throw new Error('the lab cut no link / recorded no fault');
        const cutAt = cut.at - wall0;
        const effectiveAt = outcome?.measurements?.[FAULT_EFFECTIVE_AT];
        if (effectiveAt === undefined) throw new Error('inject() did not say when the fault took effect');
        t0Errors.push(effectiveAt - cutAt);
        const startWall = effectiveAt + wall0;
        gcInGap.push(
          process_.gcs.reduce(
            (sum, [a, b]) => sum + Math.max(0, Math.min(b, cut.at) - Math.max(a, startWall)),
            0,
          ),
        );
        // No turn of the lab's event loop between the action's startTime and the cut (one synchronous stretch, a GC
        // pause maybe): its links forwarded nothing after the last turn before it, so the fault took effect in
        // [that turn, the cut]. Otherwise at the cut.
        const lastTurn = process_.turns.findLast((t) => t <= cut.at) ?? Number.NEGATIVE_INFINITY;
        const effectFrom = (lastTurn <= startWall ? lastTurn : cut.at) - wall0;
        effectErrors.push(
          effectiveAt < effectFrom ? effectiveAt - effectFrom : Math.max(0, effectiveAt - cutAt),
        );
        recordLate.push(Date.parse(record.since) - wall0 - cutAt);
        resolvedLate.push(resolvedAt - cutAt);
      } finally {
        await fault.revert(ctx, outcome?.undoData);
      }
    }
  } finally {
    observed.stop();
    process_.stop();
    await lab.close();
  }
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  return [
    {
      name: 'T0 − the instant the fault took effect, worst |error|',
      value: Math.max(...effectErrors.map(Math.abs)),
      unit: 'ms',
      target: 10,
      note: `${reps} injections: ${fmt(effectErrors)} ms (the link cut, or the lab's last loop turn before it when startTime and the cut were one synchronous stretch)`,
    },
    {
      name: 'T0 − database link cut (Link.cut() entered), worst |error|',
      value: Math.max(...t0Errors.map(Math.abs)),
      unit: 'ms',
      note: fmt(t0Errors),
    },
    {
      name: 'garbage collection between startTime and the cut, worst',
      value: Math.max(...gcInGap),
      unit: 'ms',
      note: fmt(gcInGap),
    },
    {
      name: "lab's fault record − link cut (cut() destroying the open connections), worst",
      value: Math.max(...recordLate),
      unit: 'ms',
      note: fmt(recordLate),
    },
    {
      name: 'inject() resolved − link cut (the old T0), worst',
      value: Math.max(...resolvedLate),
      unit: 'ms',
      note: fmt(resolvedLate),
    },
  ];
}
