// Runbook §4–§6 and §8: the primary Aurora cluster drops off the network in eu-west-1; fail over to us-east-1.

import { defineScenario } from '../../../core/model.ts';
import { luneoProbes } from '../probes.ts';
import type { LuneoResources } from '../resources.ts';
import { usageMeter } from '../steps/billing.ts';
import { renderSentinels } from '../steps/cache-probes.ts';
import { alarmsOk } from '../steps/detection.ts';
import { fisNetworkOutage, type NetworkOutageOptions } from '../steps/fault.ts';
import { fisTargetsWithinQuota } from '../steps/fis-quota.ts';
import { kubeChangesHold } from '../steps/kube-preflight.ts';
import { drRecovery, drVerification, regionalFailover } from '../steps/regional-failover.ts';

const databaseSubnetsOutage: NetworkOutageOptions = {
  name: 'luneo-primary-database-network-outage',
  title: 'Primary database subnets lose their network (FIS aws:network:disrupt-connectivity)',
  subnets: (r) => r.fis.databaseSubnetTags,
  duration: '15m',
  dataInFlight: {
    lost: false,
    why: "the network ACLs cut the database subnets only; Aurora Global Database replicates on AWS's storage network, outside the VPC, so writes acknowledged before T0 still reach us-east-1: the failover (AllowDataLoss) loses only what has not replicated when it promotes",
  },
};

export default defineScenario<LuneoResources>({
  name: 'aurora-outage',
  summary:
    'The primary Aurora cluster is unreachable in eu-west-1: fail over to us-east-1 (runbook §4–§6, §8)',
  objectives: { rto: '30m', rpo: '5m', stableFor: '5s', availabilitySlo: 0.999 },
  steadyState: [
    luneoProbes.primaryServes(),
    luneoProbes.order(),
    luneoProbes.replicationLag({ below: '5m' }),
    // An alarm already firing would make detection meaningless.
    alarmsOk(),
    // A KEDA, HPA or Argo CD controller that would undo the fence, the restart or dr_mode (paused or refused).
    kubeChangesHold(),
    fisTargetsWithinQuota(databaseSubnetsOutage),
  ],
  ledger: luneoProbes.canary('100ms'),
  // Usage events with idempotency keys through the drill: the billing check counts what the failover lost.
  background: [usageMeter(), renderSentinels()],
  fault: fisNetworkOutage(databaseSubnetsOutage),
  failover: regionalFailover({
    incidentInstruction:
      'record the exact time, business impact and affected systems in JIRA OPS-DR-<date>; confirm on Grafana "Multi-Region Overview"',
  }),
  recovery: drRecovery(),
  verify: drVerification(),
  recoveryTimeout: '30m',
  tags: ['aurora', 'database', 'regional-failover'],
});
