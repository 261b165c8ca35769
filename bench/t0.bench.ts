// T0 against the fault's effect on a real lab (issue 14): the FIS network fault injected and reverted on a real lab
// T0_REPS times (default 20); each time T0 (the DisruptConnectivity action's startTime) is compared with the
// instant the lab's database link was cut (Link.cut() entered: from then on no new connection gets through), and
// with the lab's own record of the fault (lab.faults.active()[].since), which the lab writes once cut() has also
// destroyed the open connections; and so is the instant inject() resolved.

import { fisNetworkOutage } from '../actions/luneo/fault.ts';
import { testRun } from '../actions/luneo/testing.ts';
import { FAULT_EFFECTIVE_AT } from '../core/measure/index.ts';
import { Link } from '../lab/net/link.ts';
import { bootTestLab } from '../lab/testing/lab-fixture.ts';
import type { BenchResult } from './types.ts';

/** Records when any lab Link is cut (wall ms, the clock of testRun and of the lab's records); observation only. */
function observeLinkCuts(): { cuts: { link: string; at: number }[]; stop: () => void } {
  const cuts: { link: string; at: number }[] = [];
  const cut = Link.prototype.cut;
  Link.prototype.cut = function (this: Link) {
    cuts.push({ link: this.name, at: Date.now() });
    cut.call(this);
  };
  const stop = () => {
    Link.prototype.cut = cut;
  };
  return { cuts, stop };
}

export default async function t0Bench(): Promise<BenchResult[]> {
  const reps = Number(process.env.T0_REPS ?? 20);
  const lab = await bootTestLab('drill-bench-t0');
  const observed = observeLinkCuts();
  const t0Errors: number[] = [];
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
        recordLate.push(Date.parse(record.since) - wall0 - cutAt);
        resolvedLate.push(resolvedAt - cutAt);
      } finally {
        await fault.revert(ctx, outcome?.undoData);
      }
    }
  } finally {
    observed.stop();
    await lab.close();
  }
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  return [
    {
      name: 'T0 − database link cut, worst |error|',
      value: Math.max(...t0Errors.map(Math.abs)),
      unit: 'ms',
      target: 10,
      note: `${reps} injections: ${fmt(t0Errors)} ms`,
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
