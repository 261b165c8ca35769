// Runbook §9–§10: back to eu-west-1 after a failover, with one planned switchover and no data loss.

import { manualCheckpoint } from '../../../actions/manual.ts';
import { defineScenario } from '../../../core/model.ts';
import { luneoProbes } from '../probes.ts';
import type { LuneoResources } from '../resources.ts';
import { usageMeter } from '../steps/billing.ts';
import { failoverCache, pointRedisUrlAt } from '../steps/cache.ts';
import { renderSentinels } from '../steps/cache-probes.ts';
import { purgeStaleKeys } from '../steps/cache-purge.ts';
import { incidentComms } from '../steps/comms.ts';
import { pointDatabaseUrlAt, switchoverGlobalCluster } from '../steps/database.ts';
import { alarmsOk } from '../steps/detection.ts';
import { reassertFailoverRecords, restoreDns } from '../steps/dns.ts';
import { applyDrOverrides, rolloutRestart, scaleDeployment } from '../steps/kubernetes.ts';
import { userFacingChecks } from '../steps/regional-failover.ts';
import { failedOver, plannedWindow, primaryNodesReady, waitForRejoin } from '../steps/restoration.ts';
import { s3BacklogProbe } from '../steps/s3.ts';
import { enableS3Replication, waitS3Drained } from '../steps/s3-restore.ts';

export default defineScenario<LuneoResources>({
  name: 'switchback',
  summary:
    'Back to eu-west-1 after a failover: one planned SwitchoverGlobalCluster, no data loss (runbook §9–§10)',
  // A planned switchover promises no loss: any acknowledged write missing breaches the objective.
  objectives: { rto: '30m', rpo: '0s', stableFor: '5s', availabilitySlo: 0.999 },
  steadyState: [
    failedOver(),
    luneoProbes.health({ name: 'health-dr', expect: { region: 'us-east-1', role: 'writer' } }),
  ],
  ledger: luneoProbes.canary('100ms'),
  background: [usageMeter(), renderSentinels()],
  fault: plannedWindow('Planned switchback window opens (no fault: T0 is the start of the maintenance)'),
  failover: [
    primaryNodesReady(),
    waitForRejoin(),
    switchoverGlobalCluster({ to: 'primary', plannedAt: '5m' }),
    pointDatabaseUrlAt({ side: 'primary', runbook: '§9.2', plannedAt: '6m' }),
    failoverCache({ to: 'primary', runbook: '§9.3', plannedAt: '6m' }),
    pointRedisUrlAt({ side: 'primary', runbook: '§9.3', plannedAt: '6m' }),
    purgeStaleKeys(),
    applyDrOverrides({ side: 'primary', drMode: false, runbook: '§9.1' }),
    rolloutRestart({
      id: 'primary-workloads',
      side: 'primary',
      deployments: ['api'],
      runbook: '§9.1',
      plannedAt: '10m',
    }),
    scaleDeployment({
      id: 'primary-workers-back',
      side: 'primary',
      deployment: 'worker',
      // The count the fence recorded before the failover (1 when none was recorded, said in the step's detail).
      replicas: 'recorded',
      fallbackReplicas: 1,
      runbook: '§9.1',
    }),
    enableS3Replication(),
    waitS3Drained(),
    restoreDns({ plannedAt: '15m' }),
    reassertFailoverRecords({ ttlSeconds: 30, runbook: '§9.5', plannedAt: '15m' }),
    applyDrOverrides({ side: 'secondary', drMode: false, restoreRecorded: true, runbook: '§9.1' }),
    rolloutRestart({
      id: 'secondary-standby',
      side: 'secondary',
      deployments: ['api', 'worker'],
      runbook: '§9.1',
    }),
    manualCheckpoint({
      id: 'resume-deploys',
      runbook: '§9.1',
      title: 'Resume production deploy pipelines and re-sync Argo CD / helm add-ons',
      instruction:
        'argocd app sync luneo-api --prune; helm upgrade of the ALB controller and metrics server; re-enable the deploy workflows',
      // eu-west-1 serves again by then: deploys left frozen are a deviation, not a reason to stop.
      waitUpTo: '30m',
      onTimeout: 'continue',
    }),
    incidentComms({ phase: 'resolved', plannedAt: '20m' }),
  ],
  recovery: [
    luneoProbes.health({
      name: 'health',
      expect: { region: 'eu-west-1', role: 'writer' },
      interval: '250ms',
    }),
    luneoProbes.order({ interval: '250ms' }), // on the health probe's slots: both drive the RTO's bracket
  ],
  verify: [
    // §10 on the restored primary.
    ...userFacingChecks({
      health: luneoProbes.health({
        name: 'health-normal-mode',
        expect: { region: 'eu-west-1', role: 'writer', drMode: false },
      }),
      s3: s3BacklogProbe({ name: 's3-drained', expect: 'drained' }),
    }),
    alarmsOk(),
  ],
  recoveryTimeout: '30m',
  tags: ['switchback', 'planned'],
});
