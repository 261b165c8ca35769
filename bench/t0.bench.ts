// T0 against the lab's own record of the cut (issue 14): the FIS network fault injected and reverted on a real lab
// T0_REPS times (default 20); each time T0 (the DisruptConnectivity action's startTime) is compared with the
// instant the lab recorded the cut (lab.faults.active()[].since), and so is the instant inject() resolved.

import { fisNetworkOutage } from '../actions/luneo/fault.ts';
import { testRun } from '../actions/luneo/testing.ts';
import { FAULT_EFFECTIVE_AT } from '../core/measure/index.ts';
import { bootTestLab } from '../lab/testing/lab-fixture.ts';
import type { BenchResult } from './types.ts';

export default async function t0Bench(): Promise<BenchResult[]> {
  const reps = Number(process.env.T0_REPS ?? 20);
  const lab = await bootTestLab('drill-bench-t0');
  const t0Errors: number[] = [];
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
      const outcome = await fault.inject(ctx);
      const resolvedAt = ctx.clock.now();
      try {
        const [cut] = lab.lab.faults.active();
        if (!cut) throw new Error('the lab recorded no fault');
        const cutAt = Date.parse(cut.since) - ctx.clock.wall(0).getTime();
        const effectiveAt = outcome?.measurements?.[FAULT_EFFECTIVE_AT];
        if (effectiveAt === undefined) throw new Error('inject() did not say when the fault took effect');
        t0Errors.push(effectiveAt - cutAt);
        resolvedLate.push(resolvedAt - cutAt);
      } finally {
        await fault.revert(ctx, outcome?.undoData);
      }
    }
  } finally {
    await lab.close();
  }
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  return [
    {
      name: 'T0 − lab-recorded cut, worst |error|',
      value: Math.max(...t0Errors.map(Math.abs)),
      unit: 'ms',
      target: 10,
      note: `${reps} injections: ${fmt(t0Errors)} ms`,
    },
    {
      name: 'inject() resolved − lab-recorded cut (the old T0), worst',
      value: Math.max(...resolvedLate),
      unit: 'ms',
      note: fmt(resolvedLate),
    },
  ];
}
