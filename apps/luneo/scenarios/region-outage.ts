// Runbook §4–§6 and §8: all of eu-west-1 goes dark (database, EKS, API); fail over to us-east-1 under load.

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
import { s3ArtifactWriter } from '../steps/s3-writer.ts';

const regionSubnetsOutage: NetworkOutageOptions = {
  name: 'luneo-primary-region-network-outage',
  title: 'Every eu-west-1 subnet loses its network (FIS aws:network:disrupt-connectivity)',
  subnets: (r) => r.fis.regionSubnetTags,
  duration: '15m',
  pauseS3Replication: true,
  dataInFlight: {
    lost: true,
    why: 'a real regional outage stops Aurora replication with the region, so writes us-east-1 has not received at T0 are lost. No FIS action stops Aurora replication: on AWS this experiment leaves it running and a live run measures the loss of a subnet fault; the lab rehearses the regional case and cuts it',
  },
};

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
    // A KEDA, HPA or Argo CD controller that would undo the fence, the restart or dr_mode (paused or refused).
    kubeChangesHold(),
    fisTargetsWithinQuota(regionSubnetsOutage),
  ],
  ledger: luneoProbes.canary('100ms'),
  background: [luneoProbes.load({ rate: 20 }), s3ArtifactWriter(), usageMeter(), renderSentinels()],
  fault: fisNetworkOutage(regionSubnetsOutage),
  failover: regionalFailover({
    incidentInstruction:
      'record the exact time, business impact and affected systems in JIRA OPS-DR-<date>; check the AWS status page',
    fenceTimeout: '15s',
  }),
  recovery: drRecovery(),
  verify: drVerification(),
  recoveryTimeout: '30m',
  tags: ['region', 'regional-failover', 'load'],
});
