// Runbook §5: only the workload fails. A bad dr-overrides value makes every luneo-api pod in eu-west-1 exit at start
// (CrashLoopBackOff) while Aurora, the load balancer and EKS are fine: remove the cause and `rollout restart` in the
// primary. No regional failover; the database never moves (proved in verify, and by an RPO objective of zero).

import { defineScenario } from '../../../core/model.ts';
import { luneoProbes } from '../probes.ts';
import type { LuneoResources } from '../resources.ts';
import { alarmsOk, detectOutage } from '../steps/detection.ts';
import { applyDrOverrides, rolloutRestart } from '../steps/kubernetes.ts';
import {
  assessWorkload,
  BAD_OVERRIDE_KEY,
  badConfigCrashLoop,
  noRegionalFailover,
  writerBeforeFault,
} from '../steps/workload.ts';

export default defineScenario<LuneoResources>({
  name: 'api-crashloop',
  summary:
    'luneo-api crash-loops in eu-west-1 on a bad config: workload only, rollout restart in the primary, no regional failover (runbook §5)',
  // Nothing fails over, so nothing acknowledged may be lost.
  objectives: { rto: '30m', rpo: '0s', stableFor: '5s', availabilitySlo: 0.999 },
  // Detection counts only alarms that go to ALARM after T0: one already firing (a lab just booted) would never count.
  steadyState: [luneoProbes.primaryServes(), luneoProbes.order(), writerBeforeFault(), alarmsOk()],
  ledger: luneoProbes.canary('100ms'),
  fault: badConfigCrashLoop,
  failover: [
    detectOutage({ plannedAt: '2m' }),
    assessWorkload({ plannedAt: '4m' }),
    // Remove the cause: the bad key goes; the configmap's other keys stay.
    {
      ...applyDrOverrides({ side: 'primary', drMode: false, unset: [BAD_OVERRIDE_KEY], plannedAt: '5m' }),
      runbook: '§5',
    },
    {
      ...rolloutRestart({ side: 'primary', deployments: ['api', 'worker'], plannedAt: '10m' }),
      id: 'rollout-restart-primary',
      runbook: '§5',
    },
  ],
  recovery: [
    luneoProbes.health({
      name: 'health',
      expect: { region: 'eu-west-1', role: 'writer' },
      interval: '250ms',
    }),
    luneoProbes.order({ interval: '250ms' }), // on the health probe's slots: both drive the RTO's bracket
  ],
  verify: [noRegionalFailover(), luneoProbes.version(), luneoProbes.order({ name: 'order-after' })],
  recoveryTimeout: '10m',
  tags: ['kubernetes', 'workload', 'decision'],
});
