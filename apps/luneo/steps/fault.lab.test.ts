// T0 of the FIS fault on a real lab: the instant the disruption took effect (the action's startTime, which the lab
// sets as it cuts), checked against the instant the lab's database link was cut, not against the drill's own numbers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_EFFECTIVE_AT } from '../../../core/measure/index.ts';
import { bootTestLab, type TestLab } from '../../../lab/testing/lab-fixture.ts';
import { observeLinkCuts } from '../../../lab/testing/link-cuts.ts';
import { testRun } from '../testing.ts';
import { fisNetworkOutage } from './fault.ts';

let lab: TestLab;
beforeAll(async () => {
  lab = await bootTestLab('drill-fault-t0');
}, 180_000);
afterAll(async () => {
  await lab?.close();
}, 60_000);

describe('fisNetworkOutage T0', () => {
  it('reports when the disruption took effect: closer to the link cut than inject() resolving', async () => {
    const ctx = testRun({ lab: { dir: lab.dir } });
    const fault = fisNetworkOutage({
      name: 'fault-t0-check',
      title: 'database subnets lose their network',
      subnets: (r) => r.fis.databaseSubnetTags,
      duration: '5m',
    });
    const observed = observeLinkCuts();
    const injectStartedAt = ctx.clock.now();
    const outcome = await fault.inject(ctx).finally(observed.stop);
    const resolvedAt = ctx.clock.now();
    try {
      const effectiveAt = outcome?.measurements?.[FAULT_EFFECTIVE_AT];
      expect(effectiveAt, 'inject() says when the fault took effect').toBeDefined();
      const [cut] = lab.lab.faults.active();
      expect(cut?.kind).toBe('db-subnet-isolation');
      // When the lab entered Link.cut(), on the same clock as the run. The fault record (cut.since) is written once
      // the open connections are destroyed: under load tens of ms later, so it is no ground truth for T0.
      const [link] = observed.cuts;
      expect(link, 'the fault cut a lab link').toBeDefined();
      const cutAt = link!.at - ctx.clock.wall(0).getTime();
      expect(effectiveAt!).toBeGreaterThanOrEqual(injectStartedAt);
      const error = Math.abs(effectiveAt! - cutAt);
      console.log(
        `T0 − link cut: ${(effectiveAt! - cutAt).toFixed(1)} ms; fault record ${(Date.parse(cut!.since) - ctx.clock.wall(0).getTime() - cutAt).toFixed(1)} ms and inject() resolved ${(resolvedAt - cutAt).toFixed(1)} ms after the cut`,
      );
      // Closer to the cut than the instant inject() resolved (the old T0), which polls FIS every 250 ms.
      expect(error).toBeLessThan(Math.abs(resolvedAt - cutAt));
    } finally {
      await fault.revert(ctx, outcome?.undoData);
    }
  });
});
