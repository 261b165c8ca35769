// The example scenario: the shop's eu-west-1 region goes dark; the runbook moves traffic to us-east-1.
import { declaredFault, declaredProbe, declaredStep, defineScenario, health, manualCheckpoint } from 'drill';
import { callShop, type ShopResources, shopCall } from '../resources.ts';

const url = (ctx: { target: { resources: ShopResources } }) => ctx.target.resources.url;
const cutWest = shopCall('POST', '/admin/outage', { region: 'eu-west-1' });
const restoreWest = shopCall('DELETE', '/admin/outage', { region: 'eu-west-1' });
const routeTo = (region: 'eu-west-1' | 'us-east-1') => shopCall('PUT', '/admin/route', { region });

// Each probe, fault and step declares its calls once: that is its plan, and a change it did not declare is refused.
const order = declaredProbe<ShopResources>({
  name: 'order',
  description: 'A customer can place an order through the front door',
  calls: () => [shopCall('POST', '/orders')],
  check: async (ctx) => {
    const placed = await callShop(ctx, shopCall('POST', '/orders'));
    return { ok: true, detail: `order ${placed.id} in ${placed.region}`, data: placed };
  },
});

export default defineScenario<ShopResources>({
  name: 'shop-outage',
  summary: "The example shop's eu-west-1 region goes dark: move traffic to us-east-1 (docs/authoring.md)",
  defaultTarget: 'shop-local',
  objectives: { rto: '30s', rpo: '5s', stableFor: '1s' },
  recoveryTimeout: '20s',
  steadyState: [health<ShopResources>({ url, expect: { region: 'eu-west-1' } }), order],
  fault: declaredFault<ShopResources>({
    title: 'Cut the eu-west-1 region off',
    calls: () => [cutWest],
    inject: async (ctx) => {
      await callShop(ctx, cutWest);
      return { detail: 'eu-west-1 unreachable' };
    },
    revert: async (ctx) => {
      await callShop(ctx, restoreWest);
    },
  }),
  failover: [
    manualCheckpoint({
      id: 'declare-incident',
      runbook: '§1',
      title: 'Declare the incident',
      instruction: 'Open the incident in the chat channel',
    }),
    declaredStep<ShopResources>({
      title: 'Route traffic to us-east-1',
      runbook: '§2',
      plannedAt: '5s',
      calls: () => [routeTo('us-east-1')],
      run: async (ctx) => {
        const { previous } = await callShop(ctx, routeTo('us-east-1'));
        return { detail: `was ${previous}`, undoData: { previous: previous ?? 'eu-west-1' } };
      },
      undo: async (ctx, undoData) => {
        const previous =
          (undoData as { previous?: 'eu-west-1' | 'us-east-1' } | undefined)?.previous ?? 'eu-west-1';
        await callShop(ctx, routeTo(previous));
      },
    }),
  ],
  recovery: [
    health<ShopResources>({
      name: 'health-us-east-1',
      url,
      expect: { region: 'us-east-1' },
      interval: '100ms',
    }),
  ],
  verify: [order],
});
