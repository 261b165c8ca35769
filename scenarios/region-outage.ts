// Runbook §4–§6 and §8: all of eu-west-1 goes dark (database, EKS, API); fail over to us-east-1 under load.

import { checkReplicationLag, failoverGlobalCluster, pointDatabaseUrlAt } from '../actions/luneo/database.ts';
import { alarmsOk, assessImpact, detectOutage } from '../actions/luneo/detection.ts';
import { failoverDns, reassertFailoverRecords } from '../actions/luneo/dns.ts';
import { fisNetworkOutage } from '../actions/luneo/fault.ts';
import { applyDrOverrides, rolloutRestart, scaleDeployment } from '../actions/luneo/kubernetes.ts';
import { luneoProbes } from '../actions/luneo/probes.ts';
import type { LuneoResources } from '../actions/luneo/resources.ts';
import { manualCheckpoint } from '../actions/manual.ts';
import { defineScenario } from '../core/model.ts';

export default defineScenario<LuneoResources>({
  name: 'region-outage',
  summary:
    'All of eu-west-1 goes dark (database, EKS, load balancer): fail over to us-east-1 under load (runbook §4–§6, §8)',
  objectives: { rto: '30m', rpo: '5m', stableFor: '5s', availabilitySlo: 0.999 },
  steadyState: [
    luneoProbes.primaryServes(),
    luneoProbes.order(),
    luneoProbes.replicationLag({ below: '5m' }),
    // An alarm already firing would make detection meaningless.
    alarmsOk(),
  ],
  ledger: luneoProbes.canary('100ms'),
  background: [luneoProbes.load({ rate: 20 })],
  fault: fisNetworkOutage({
    name: 'luneo-primary-region-network-outage',
    title: 'Every eu-west-1 subnet loses its network (FIS aws:network:disrupt-connectivity)',
    subnets: (r) => r.fis.regionSubnetTags,
    duration: '15m',
  }),
  failover: [
    detectOutage({ plannedAt: '2m' }),
    manualCheckpoint({
      id: 'incident-ticket',
      runbook: '§4',
      title: 'Open the incident ticket',
      instruction:
        'record the exact time, business impact and affected systems in JIRA OPS-DR-<date>; check the AWS status page',
    }),
    assessImpact({ plannedAt: '4m' }),
    checkReplicationLag({ below: '5m', plannedAt: '4m' }),
    // The primary EKS API is dark: fencing is best effort and must give up fast.
    scaleDeployment({
      side: 'primary',
      deployment: 'worker',
      replicas: 0,
      plannedAt: '5m',
      bestEffort: true,
      timeout: '15s',
      id: 'fence-primary-workers',
    }),
    failoverGlobalCluster({ to: 'secondary', plannedAt: '5m' }),
    pointDatabaseUrlAt({ side: 'secondary', plannedAt: '6m' }),
    reassertFailoverRecords({ plannedAt: '14m' }),
    failoverDns({ plannedAt: '15m' }),
    manualCheckpoint({
      id: 'freeze-deploys',
      runbook: '§6.4',
      title: 'Suspend production deploy pipelines',
      instruction: 'disable the GitHub Actions production deploy workflows so nothing deploys to eu-west-1',
    }),
    applyDrOverrides({ side: 'secondary', drMode: true, plannedAt: '16m' }),
    rolloutRestart({ side: 'secondary', deployments: ['api', 'worker'], plannedAt: '20m' }),
  ],
  recovery: [
    luneoProbes.health({
      name: 'health',
      expect: { region: 'us-east-1', role: 'writer' },
      interval: '250ms',
    }),
    luneoProbes.order({ interval: '1s' }),
  ],
  verify: [
    luneoProbes.health({
      name: 'health-dr-mode',
      expect: { region: 'us-east-1', role: 'writer', drMode: true },
    }),
    luneoProbes.version(),
    luneoProbes.smoke(),
    luneoProbes.order({ name: 'order-after' }),
    luneoProbes.render(),
    luneoProbes.queueDrained(),
  ],
  recoveryTimeout: '30m',
  tags: ['region', 'regional-failover', 'load'],
});
