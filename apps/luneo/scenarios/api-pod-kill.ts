// A smaller fault to see the probes and the RTO math at work: every luneo-api pod of the serving region is
// deleted under load (FIS aws:eks:pod-delete); Kubernetes replaces them; no failover (runbook §5).

import { defineScenario } from '../../../core/model.ts';
import { luneoProbes } from '../probes.ts';
import type { LuneoResources } from '../resources.ts';
import { apiPodDelete, apiPodsReplaced } from '../steps/pod-delete.ts';

export default defineScenario<LuneoResources>({
  name: 'api-pod-kill',
  summary:
    'Every luneo-api pod in eu-west-1 deleted under load: Kubernetes heals it, no failover (runbook §5)',
  objectives: { rto: '5m', rpo: '5m', stableFor: '5s', availabilitySlo: 0.999 },
  steadyState: [luneoProbes.primaryServes(), luneoProbes.order()],
  ledger: luneoProbes.canary('100ms'),
  background: [luneoProbes.load({ rate: 20 })],
  fault: apiPodDelete,
  failover: [apiPodsReplaced],
  recovery: [
    luneoProbes.health({
      name: 'health',
      expect: { region: 'eu-west-1', role: 'writer' },
      interval: '250ms',
    }),
    luneoProbes.order({ interval: '250ms' }), // on the health probe's slots: both drive the RTO's bracket
  ],
  verify: [luneoProbes.version(), luneoProbes.order({ name: 'order-after' })],
  recoveryTimeout: '5m',
  tags: ['kubernetes', 'workload'],
});
