// Runbook §4–§6: the failover to us-east-1 every regional scenario runs, whatever took the primary down,
// with the probes that judge it. Each step carries its §13 planned offset.

import { manualCheckpoint } from '../../../actions/manual.ts';
import type { ProbeDefinition, StepDefinition } from '../../../core/model.ts';
import { luneoProbes } from '../probes.ts';
import type { LuneoResources } from '../resources.ts';
import { billingUsage } from './billing.ts';
import { aiPipelines, ecommerceWebhooks } from './business.ts';
import { failoverCache, pointRedisUrlAt } from './cache.ts';
import { queuesDrained, renderJobsLost } from './cache-probes.ts';
import { incidentComms } from './comms.ts';
import { checkReplicationLag, failoverGlobalCluster, pointDatabaseUrlAt } from './database.ts';
import { assessImpact, detectOutage } from './detection.ts';
import { failoverDns, reassertFailoverRecords } from './dns.ts';
import { applyDrOverrides, rolloutRestart, scaleDeployment } from './kubernetes.ts';
import { s3BacklogAtFailover, s3BacklogProbe } from './s3.ts';

export interface RegionalFailoverOptions {
  /** What the incident ticket records (§4), e.g. where to confirm the outage. */
  incidentInstruction: string;
  /** Fencing the primary workers is best effort; give up fast when the primary EKS API is dark. */
  fenceTimeout?: string;
}

export function regionalFailover(opts: RegionalFailoverOptions): StepDefinition<LuneoResources>[] {
  return [
    detectOutage({ plannedAt: '2m' }),
    manualCheckpoint({
      id: 'incident-ticket',
      runbook: '§4',
      title: 'Open the incident ticket',
      instruction: opts.incidentInstruction,
      // Nothing is failed over yet: with nobody at the checkpoint, the drill stops (as on Ctrl-C).
      waitUpTo: '10m',
      onTimeout: 'abort',
    }),
    assessImpact({ plannedAt: '4m' }),
    incidentComms({ phase: 'start', plannedAt: '5m' }),
    checkReplicationLag({ below: '5m', plannedAt: '4m' }),
    s3BacklogAtFailover({ plannedAt: '5m' }),
    scaleDeployment({
      side: 'primary',
      deployment: 'worker',
      replicas: 0,
      plannedAt: '5m',
      bestEffort: true,
      id: 'fence-primary-workers',
      ...(opts.fenceTimeout ? { timeout: opts.fenceTimeout } : {}),
    }),
    failoverGlobalCluster({ to: 'secondary', plannedAt: '5m' }),
    pointDatabaseUrlAt({ side: 'secondary', plannedAt: '6m' }),
    failoverCache({ to: 'secondary', plannedAt: '6m' }),
    pointRedisUrlAt({ side: 'secondary', plannedAt: '6m' }),
    reassertFailoverRecords({ plannedAt: '14m' }),
    failoverDns({ plannedAt: '15m' }),
    incidentComms({ phase: 'failover', plannedAt: '15m' }),
    manualCheckpoint({
      id: 'freeze-deploys',
      runbook: '§6.4',
      title: 'Suspend production deploy pipelines',
      instruction: 'disable the GitHub Actions production deploy workflows so nothing deploys to eu-west-1',
      // The failover is done by then: an unfrozen pipeline is a deviation to chase, not a reason to stop.
      waitUpTo: '10m',
      onTimeout: 'continue',
    }),
    applyDrOverrides({ side: 'secondary', drMode: true, plannedAt: '16m' }),
    rolloutRestart({ side: 'secondary', deployments: ['api', 'worker'], plannedAt: '20m' }),
    incidentComms({ phase: 'recovered', plannedAt: '20m' }),
  ];
}

/** Recovered = us-east-1's writer answers through the public URL and takes orders. */
export function drRecovery(): ProbeDefinition<LuneoResources>[] {
  return [
    luneoProbes.health({
      name: 'health',
      expect: { region: 'us-east-1', role: 'writer' },
    }),
    luneoProbes.order({ interval: '250ms' }),
  ];
}

/**
 * §8 and §10: what users see once a region serves, after a failover or a switchback. Only the health
 * expectation and what S3 must show differ; names and order are the same so reports line up.
 */
export function userFacingChecks(opts: {
  health: ProbeDefinition<LuneoResources>;
  s3: ProbeDefinition<LuneoResources>;
}): ProbeDefinition<LuneoResources>[] {
  return [
    opts.health,
    luneoProbes.version(),
    luneoProbes.smoke(),
    luneoProbes.order({ name: 'order-after' }),
    luneoProbes.render(),
    renderJobsLost(),
    queuesDrained(),
    opts.s3,
    ecommerceWebhooks(),
    aiPipelines(),
    billingUsage(),
  ];
}

/** §6.5 and §8: what users see once recovered, in DR mode. */
export function drVerification(): ProbeDefinition<LuneoResources>[] {
  return userFacingChecks({
    health: luneoProbes.health({
      name: 'health-dr-mode',
      expect: { region: 'us-east-1', role: 'writer', drMode: true },
    }),
    // What the DR bucket still misses: shown next to the lost writes in the run report.
    s3: s3BacklogProbe(),
  });
}
